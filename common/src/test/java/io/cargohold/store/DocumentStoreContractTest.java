package io.cargohold.store;

import io.cargohold.spi.DocumentStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link DocumentStore} adapter must have: documents read back as written,
 * replaced whole, deleted idempotently, and listed by prefix, whatever the key holds (repository
 * names with slashes, one a path prefix of another, digests, tags, dots, percent signs).
 */
public abstract class DocumentStoreContractTest {

    /** Keys as the metadata maps write them, and awkward ones. */
    protected static final List<String> KEYS = List.of(
            "repositories/hub/library/nginx",
            "repositories/hub/library",
            "repositories/hub/library/nginx/sub",
            "manifests/hub/library/nginx@sha256:" + "a".repeat(64),
            "tags/hub/library/nginx:1.27",
            "tags/hub/library/nginxplus:latest",
            "tags/weird/%2F/..:..",
            "tags/weird/./ü m:.json");

    protected DocumentStore store;

    /** A new, empty store; called once per test. */
    protected abstract DocumentStore newStore() throws Exception;

    /** How many keys the listing test writes: enough to need more than one listing page where there are pages. */
    protected int manyKeys() {
        return 1_050;
    }

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    @Test
    void get_missingKey_isEmpty() {
        assertThat(store.get("repositories/never/written")).isEmpty();
    }

    @Test
    void put_thenGet_answersTheDocumentForEveryKey() {
        for (String key : KEYS) {
            store.put(key, bytes("{\"key\":\"" + key + "\"}"));
        }
        for (String key : KEYS) {
            assertThat(store.get(key)).as(key).hasValueSatisfying(
                    document -> assertThat(document).isEqualTo(bytes("{\"key\":\"" + key + "\"}")));
        }
    }

    @Test
    void put_existingKey_replacesTheDocument() {
        store.put("tags/hub/app:latest", bytes("{\"v\":1}"));
        store.put("tags/hub/app:latest", bytes("{\"v\":2}"));

        assertThat(store.get("tags/hub/app:latest")).hasValueSatisfying(
                document -> assertThat(document).isEqualTo(bytes("{\"v\":2}")));
        assertThat(store.keys("tags/")).containsExactly("tags/hub/app:latest");
    }

    @Test
    void put_emptyDocument_isReadBackEmpty() {
        store.put("repositories/empty", new byte[0]);

        assertThat(store.get("repositories/empty")).hasValueSatisfying(document -> assertThat(document).isEmpty());
    }

    @Test
    void delete_storedKey_removesItFromGetAndKeys() {
        store.put("repositories/hub/app", bytes("{}"));
        store.put("repositories/hub/app/sub", bytes("{}"));

        store.delete("repositories/hub/app");

        assertThat(store.get("repositories/hub/app")).isEmpty();
        assertThat(store.keys("repositories/")).containsExactly("repositories/hub/app/sub");
    }

    @Test
    void delete_missingKey_succeeds() {
        store.delete("manifests/never/written@sha256:" + "b".repeat(64));

        assertThat(store.keys("")).isEmpty();
    }

    @Test
    void keys_prefix_answersExactlyTheKeysStartingWithIt() {
        KEYS.forEach(key -> store.put(key, bytes("{}")));

        assertThat(store.keys("")).containsExactlyInAnyOrderElementsOf(KEYS);
        assertThat(store.keys("repositories/")).containsExactlyInAnyOrder("repositories/hub/library/nginx",
                "repositories/hub/library", "repositories/hub/library/nginx/sub");
        assertThat(store.keys("tags/hub/library/nginx")).containsExactlyInAnyOrder(
                "tags/hub/library/nginx:1.27", "tags/hub/library/nginxplus:latest");
        assertThat(store.keys("tags/hub/library/nginx:")).containsExactly("tags/hub/library/nginx:1.27");
        assertThat(store.keys("tags/weird/")).containsExactlyInAnyOrder("tags/weird/%2F/..:..", "tags/weird/./ü m:.json");
        assertThat(store.keys("manifests/other/")).isEmpty();
    }

    @Test
    void keys_manyKeys_answersEveryOne() throws Exception {
        List<String> keys = IntStream.range(0, manyKeys()).mapToObj(i -> "tags/hub/app:" + i).toList();
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = keys.stream().<Future<?>>map(key -> writers.submit(() -> store.put(key, bytes("{}")))).toList();
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            writers.shutdown();
        }

        assertThat(store.keys("tags/")).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void keysPage_walkedFromTheStart_answersEveryKeyOnceInOrder() {
        List<String> keys = IntStream.range(0, 25).mapToObj(i -> String.format("repositories/hub/r%03d", i)).toList();
        keys.forEach(key -> store.put(key, bytes("{}")));
        store.put("repositoriesx/outside", bytes("{}"));
        store.put("repositorie", bytes("{}"));

        List<String> walked = new ArrayList<>();
        List<String> page = store.keys("repositories/", null, 10);
        while (!page.isEmpty()) {
            assertThat(page.size()).isLessThanOrEqualTo(10);
            walked.addAll(page);
            page = store.keys("repositories/", page.get(page.size() - 1), 10);
        }

        assertThat(walked).containsExactlyElementsOf(keys);
    }

    @Test
    void keysPage_atTheBoundaries_answersWhatFollows() {
        List.of("tags/a:1", "tags/a:2", "tags/a:3", "tags/ab:1").forEach(key -> store.put(key, bytes("{}")));

        assertThat(store.keys("tags/a:", null, 3)).containsExactly("tags/a:1", "tags/a:2", "tags/a:3");
        assertThat(store.keys("tags/a:", null, 1)).containsExactly("tags/a:1");
        assertThat(store.keys("tags/a:", "tags/a:3", 10)).isEmpty();
        assertThat(store.keys("tags/a:", "tags/a:1", 10)).containsExactly("tags/a:2", "tags/a:3");
        assertThat(store.keys("tags/a:", "tags/a:15", 10)).containsExactly("tags/a:2", "tags/a:3");
        assertThat(store.keys("tags/a:", "tags/", 10)).containsExactly("tags/a:1", "tags/a:2", "tags/a:3");
        assertThat(store.keys("tags/a:", "tags/zzz", 10)).isEmpty();
        assertThat(store.keys("tags/none:", null, 10)).isEmpty();
        assertThat(store.keys("tags/a:", null, 0)).isEmpty();
    }

    @Test
    void documentsPage_answersEachKeyWithItsDocument() {
        store.put("manifests/a@sha256:1", bytes("one"));
        store.put("manifests/a@sha256:2", bytes("two"));
        store.put("manifests/ab@sha256:3", bytes("other repository"));

        List<DocumentStore.Document> first = store.documents("manifests/a@", null, 1);
        List<DocumentStore.Document> rest = store.documents("manifests/a@", first.get(0).key(), 10);

        assertThat(first).extracting(DocumentStore.Document::key).containsExactly("manifests/a@sha256:1");
        assertThat(new String(first.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(rest).extracting(DocumentStore.Document::key).containsExactly("manifests/a@sha256:2");
        assertThat(new String(rest.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("two");
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
