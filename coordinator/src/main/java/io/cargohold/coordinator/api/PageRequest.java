package io.cargohold.coordinator.api;

import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.MultiMap;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The page of a list a request asks for, as ECR's APIs page: {@code maxResults} (1 to {@value #MAX},
 * default {@value #DEFAULT}) items after the one {@code nextToken} names. The token is opaque to clients:
 * the base64url of the last key of the previous page, so a page starts right after it even when items
 * were added or removed meanwhile.
 */
public record PageRequest(int maxResults, String after) {

    public static final int DEFAULT = 100;
    public static final int MAX = 1000;
    public static final String MAX_RESULTS = "maxResults";
    public static final String NEXT_TOKEN = "nextToken";

    /**
     * The page {@code query} asks for; a 400 naming {@code maxResults} or {@code nextToken} when one is not
     * valid, including a token that does not decode to a key {@code validKey} accepts.
     */
    public static PageRequest of(MultiMap query, Predicate<String> validKey) {
        return new PageRequest(maxResults(query.get(MAX_RESULTS)), after(query.get(NEXT_TOKEN), validKey));
    }

    /** The page a JSON request asks for (the ECR API's): {@code maxResults} a number or absent. */
    public static PageRequest of(Object maxResults, String nextToken, Predicate<String> validKey) {
        return new PageRequest(maxResults(maxResults == null ? null : String.valueOf(maxResults)),
                after(nextToken, validKey));
    }

    /** A page of repositories, keyed by their names. */
    public static PageRequest ofRepositories(MultiMap query) {
        return of(query, PageRequest::repositoryKey);
    }

    /** Whether {@code name} can be a repository's name, the key of a page of repositories. */
    public static boolean repositoryKey(String name) {
        try {
            RepositoryName.parse(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private static int maxResults(String value) {
        if (value == null) {
            return DEFAULT;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= MAX) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid(MAX_RESULTS, value, "must be an integer from 1 to " + MAX);
    }

    private static String after(String token, Predicate<String> validKey) {
        if (token == null) {
            return null;
        }
        try {
            String key = StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(token))).toString();
            if (validKey.test(key)) {
                return key;
            }
        } catch (IllegalArgumentException | CharacterCodingException e) {
            // answered below
        }
        throw ApiException.invalid(NEXT_TOKEN, token, "must be the nextToken of a previous page of this list");
    }

    static String token(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The page of items read from storage after {@link #after} in key order, asking for {@code maxResults + 1}
     * of them: the one past the page only tells that there is a next page.
     */
    public <T> Page<T> fromOneMore(List<T> read, Function<T, String> key) {
        if (read.size() <= maxResults) {
            return new Page<>(List.copyOf(read), null);
        }
        List<T> items = List.copyOf(read.subList(0, maxResults));
        return new Page<>(items, token(key.apply(items.get(maxResults - 1))));
    }

    /** The page of a list held whole in memory: its items sorted by {@code key}, those after {@link #after}. */
    public <T> Page<T> of(Collection<T> all, Function<T, String> key) {
        List<T> read = new ArrayList<>();
        all.stream().filter(item -> after == null || key.apply(item).compareTo(after) > 0)
                .sorted(Comparator.comparing(key)).limit(maxResults + 1L).forEach(read::add);
        return fromOneMore(read, key);
    }
}
