import com.hazelcast.core.HazelcastInstance;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.cargohold.store.rocksdb.RocksDbDocumentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The metadata writes of a cold manifest on the filesystem store, through the real path: a new
 * repository, the manifest and its tag, each acknowledged only once synced to RocksDB's log, on a
 * standalone Hazelcast member. Prints the p50/p90/p99 time of the three writes of one image.
 *
 * Run: java -cp deploy/target/cargohold.jar bench/write-latency.java [IMAGES]
 */
public class WriteLatency {

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path directory = Files.createTempDirectory("cargohold-write-latency");
        Vertx vertx = Vertx.vertx();
        try (RocksDbDocumentStore documents = RocksDbDocumentStore.open(directory.resolve("metadata.db"))) {
            HazelcastInstance member = HazelcastMembers.start(
                    HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), documents));
            HazelcastMetadataStore metadata = new HazelcastMetadataStore(vertx, member);
            long[] nanos = new long[images];
            for (int i = -images / 10; i < images; i++) {
                int image = Math.abs(i);
                String repository = "up/write/r" + i;
                byte[] content = ("{\"schemaVersion\":2,\"image\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                String digest = "sha256:" + String.format("%064x", image + (i < 0 ? 1L << 40 : 0));
                long start = System.nanoTime();
                metadata.createRepositoryIfAbsent(new Repository(repository, "up", "http://127.0.0.1:1", "write/r" + i, 1))
                        .compose(created -> metadata.putManifest(new ManifestRecord(repository, digest,
                                "application/vnd.oci.image.manifest.v1+json", content, 1, 1)))
                        .compose(stored -> metadata.putTag(new TagRecord(repository, "latest", digest, 1)))
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            System.out.printf("cold manifest metadata writes (repository + manifest + tag, %d images): "
                    + "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n", images, ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99));
            member.shutdown();
        } finally {
            vertx.close();
        }
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, quantile * sorted.length)] / 1e6;
    }
}
