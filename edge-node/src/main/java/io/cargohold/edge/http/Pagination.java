package io.cargohold.edge.http;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The spec's {@code n}/{@code last} pagination, with an RFC 5988 {@code Link} header pointing at
 * the next page. Without {@code n} a page holds {@value #MAX_PAGE} entries, so no request costs
 * in proportion to everything cached; the {@code Link} header leads to the rest.
 */
record Pagination(int n, String last) {

    static final int MAX_PAGE = 1000;

    static Pagination of(HttpServerRequest request) {
        String n = request.getParam("n");
        int size = MAX_PAGE;
        if (n != null) {
            try {
                size = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 0) {
                throw new RegistryException(OciErrorCode.PAGINATION_NUMBER_INVALID,
                        "invalid number of results requested", n);
            }
        }
        String last = request.getParam("last");
        return new Pagination(Math.min(size, MAX_PAGE), last == null || last.isEmpty() ? null : last);
    }

    /** How many entries to ask the store for: one more than the page, to learn whether another follows. */
    int probe() {
        return n + 1;
    }

    /** The page out of what {@link #probe()} fetched. */
    List<String> page(List<String> fetched) {
        return fetched.size() > n ? fetched.subList(0, n) : fetched;
    }

    /** The Link header for the page after this one, or null when it was the last. */
    String nextLink(String path, List<String> fetched) {
        if (n == 0 || fetched.size() <= n) {
            return null;
        }
        return link(path, fetched.get(n - 1));
    }

    /** The Link header for the page that follows {@code last}. */
    String link(String path, String last) {
        return "<" + path + "?n=" + n + "&last=" + URLEncoder.encode(last, StandardCharsets.UTF_8) + ">; rel=\"next\"";
    }
}
