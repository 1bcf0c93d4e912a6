package io.cargohold.coordinator.cli;

import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The page options of a list command: with either, the one page they ask for (its {@code nextToken} is
 * printed); without them, every page, followed to the end {@code --page-size} items per call.
 */
final class PageOptions {

    @Option(names = "--max-results", paramLabel = "N",
            description = "One page of at most N items (1 to 1000) instead of every item.")
    Integer maxResults;

    @Option(names = "--next-token", paramLabel = "TOKEN",
            description = "The page after the one that printed this token.")
    String nextToken;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "1000",
            description = "Items asked for per call while following every page (default: ${DEFAULT-VALUE}).")
    int pageSize;

    boolean onePage() {
        return maxResults != null || nextToken != null;
    }

    /** The query of a page: {@code ?maxResults=N&nextToken=T}, each only when given. */
    static String query(Integer maxResults, String nextToken) {
        StringBuilder query = new StringBuilder();
        if (maxResults != null) {
            query.append("maxResults=").append(maxResults);
        }
        if (nextToken != null) {
            query.append(query.isEmpty() ? "" : "&").append("nextToken=")
                    .append(URLEncoder.encode(nextToken, StandardCharsets.UTF_8));
        }
        return query.isEmpty() ? "" : "?" + query;
    }
}
