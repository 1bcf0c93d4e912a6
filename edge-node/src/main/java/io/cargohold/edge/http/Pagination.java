package io.cargohold.edge.http;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The spec's {@code n}/{@code last} pagination of sorted lists, with an RFC 5988 {@code Link}
 * header pointing at the next page.
 */
record Pagination(Integer n, String last) {

    static final int MAX_PAGE = 1000;

    static Pagination of(HttpServerRequest request) {
        String n = request.getParam("n");
        Integer size = null;
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
        return new Pagination(size == null ? null : Math.min(size, MAX_PAGE), request.getParam("last"));
    }

    /** The page of {@code sorted} after {@code last}, at most {@code n} long. */
    List<String> page(List<String> sorted) {
        int from = 0;
        if (last != null) {
            while (from < sorted.size() && sorted.get(from).compareTo(last) <= 0) {
                from++;
            }
        }
        int to = n == null ? sorted.size() : Math.min(sorted.size(), from + n);
        return sorted.subList(from, to);
    }

    /** The Link header for the page after {@code page}, or null when it was the last. */
    String nextLink(String path, List<String> sorted, List<String> page) {
        if (n == null || page.isEmpty() || page.get(page.size() - 1).equals(sorted.get(sorted.size() - 1))) {
            return null;
        }
        String next = URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8);
        return "<" + path + "?n=" + n + "&last=" + next + ">; rel=\"next\"";
    }
}
