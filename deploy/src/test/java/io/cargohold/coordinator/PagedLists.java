package io.cargohold.coordinator;

import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a paged list of the control API ({@code maxResults}, {@code nextToken}) at its boundaries: a page
 * holding the whole list, a page one short of it, walking it one item at a time, and bad parameters.
 */
public final class PagedLists {

    private PagedLists() {
    }

    /**
     * The list at {@code path} (its items under {@code items}, each named by {@code key}) pages at every
     * boundary, consistently with the whole list; it must hold two items or more, and stay as it is meanwhile.
     */
    public static void assertPagedAtBoundaries(ControlHarness node, String path, String items, String key) {
        JsonObject whole = page(node, path, 1000, null);
        List<String> all = keys(whole, items, key);
        assertThat(all).as("the list must hold two items or more").hasSizeGreaterThanOrEqualTo(2)
                .doesNotHaveDuplicates();
        assertThat(whole.containsKey("nextToken")).isFalse();
        int n = all.size();

        JsonObject exact = page(node, path, n, null);
        assertThat(keys(exact, items, key)).isEqualTo(all);
        assertThat(exact.containsKey("nextToken")).as("a page holding the whole list has no next").isFalse();

        JsonObject short1 = page(node, path, n - 1, null);
        assertThat(keys(short1, items, key)).isEqualTo(all.subList(0, n - 1));
        assertThat(short1.getString("nextToken")).isNotBlank();
        JsonObject last = page(node, path, n - 1, short1.getString("nextToken"));
        assertThat(keys(last, items, key)).containsExactly(all.get(n - 1));
        assertThat(last.containsKey("nextToken")).isFalse();

        assertThat(walk(node, path, items, key, 1)).isEqualTo(all);
        if (n <= 100) {
            assertThat(keys(node.call("GET", path, null).json(), items, key)).as("the default page of 100")
                    .isEqualTo(all);
        }
        assertInvalidPageParameters(node, path);
    }

    /** The list is empty: no items, no next page, whatever the page size. */
    public static void assertEmpty(ControlHarness node, String path, String items) {
        for (Integer maxResults : new Integer[] {null, 1, 1000}) {
            ControlHarness.ApiAnswer answer = node.call("GET", path + query(maxResults, null), null);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.json().getJsonArray(items)).isEmpty();
            assertThat(answer.json().containsKey("nextToken")).isFalse();
        }
    }

    /** A maxResults out of 1..1000 or not a number, and a nextToken that is not one, are 400s naming them. */
    public static void assertInvalidPageParameters(ControlHarness node, String path) {
        for (String maxResults : List.of("0", "1001", "-1", "ten", "", "1.5")) {
            assertInvalid(node, path + "?maxResults=" + maxResults, "maxResults", maxResults);
        }
        String notAKey = Base64.getUrlEncoder().encodeToString("Bad Key!".getBytes(StandardCharsets.UTF_8));
        for (String token : List.of("not base64!", "", notAKey, "_w")) {
            assertInvalid(node, path + "?nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8),
                    "nextToken", token);
        }
    }

    private static void assertInvalid(ControlHarness node, String pathAndQuery, String field, String value) {
        ControlHarness.ApiAnswer answer = node.call("GET", pathAndQuery, null);
        assertThat(answer.status()).as(pathAndQuery + ": " + answer.body()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo(field);
        assertThat(answer.error().getString("value")).isEqualTo(value);
        assertThat(answer.error().getString("message")).isNotBlank();
    }

    /** Every item's key, following nextToken with pages of {@code maxResults}, each page checked full but the last. */
    public static List<String> walk(ControlHarness node, String path, String items, String key, int maxResults) {
        List<String> walked = new ArrayList<>();
        String token = null;
        do {
            JsonObject page = page(node, path, maxResults, token);
            List<String> keys = keys(page, items, key);
            token = page.getString("nextToken");
            assertThat(keys).hasSizeLessThanOrEqualTo(maxResults);
            if (token != null) {
                assertThat(keys).as("a page with a next one is full").hasSize(maxResults);
            }
            walked.addAll(keys);
        } while (token != null);
        return walked;
    }

    private static JsonObject page(ControlHarness node, String path, Integer maxResults, String token) {
        ControlHarness.ApiAnswer answer = node.call("GET", path + query(maxResults, token), null);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static String query(Integer maxResults, String token) {
        List<String> parameters = new ArrayList<>();
        if (maxResults != null) {
            parameters.add("maxResults=" + maxResults);
        }
        if (token != null) {
            parameters.add("nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        return parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
    }

    private static List<String> keys(JsonObject page, String items, String key) {
        return page.getJsonArray(items).stream().map(JsonObject.class::cast).map(item -> item.getString(key)).toList();
    }
}
