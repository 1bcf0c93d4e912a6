package io.cargohold.launcher;

import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigLoader;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.DocumentStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.cargohold.store.rocksdb.ImportProgress;
import io.cargohold.store.rocksdb.RocksDbDocumentStore;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Seeds the storage of a config with synthetic cached images for the scale benchmark
 * ({@code bench/scale.sh}): N images as N/10 repositories of 10 tags under one rule, each tag a
 * small OCI image manifest of its own (a config and three layers, the first a base layer shared
 * by a tenth of the images). Writes the records the edge writes after a pull, through the
 * document store the node opens and the codecs and keys of {@link MetadataDocuments}, so the seed
 * follows the stored format. RocksDB gets batches; S3 gets parallel puts.
 *
 * <p>{@code java -cp cargohold.jar io.cargohold.launcher.ScaleSeed --config FILE --images N}
 */
@Command(name = "scale-seed", mixinStandardHelpOptions = true,
        description = "Write N synthetic cached images into the storage of a config (benchmark data).")
public final class ScaleSeed implements Callable<Integer> {

    public static final int TAGS_PER_REPOSITORY = 10;
    private static final int IMAGES_PER_BATCH = 2_000;
    private static final int PARALLEL_PUTS = 32;
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    @Option(names = "--config", required = true, description = "the config the node will start with")
    Path config;

    @Option(names = "--images", required = true, description = "images to write, a multiple of 10")
    int images;

    @Option(names = "--rule", description = "prefix of the rule the repositories are under (default: the first rule)")
    String rulePrefix;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleSeed()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (images <= 0 || images % TAGS_PER_REPOSITORY != 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--images must be a positive multiple of " + TAGS_PER_REPOSITORY + ", not " + images);
        }
        CargoholdConfig loaded = ConfigLoader.load(config);
        CacheRule rule = loaded.rules().stream()
                .filter(candidate -> rulePrefix == null || candidate.prefix().equals(rulePrefix))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rule with prefix " + rulePrefix + " in " + config));
        Vertx vertx = Vertx.vertx();
        ExecutorService puts = Executors.newFixedThreadPool(PARALLEL_PUTS);
        try (Storage storage = Storage.open(vertx, loaded.storage(), false, new ImportProgress()).await(2, TimeUnit.MINUTES)) {
            long started = System.nanoTime();
            int repositories = images / TAGS_PER_REPOSITORY;
            int perBatch = IMAGES_PER_BATCH / TAGS_PER_REPOSITORY;
            int tenth = images / 10;
            int nextReport = tenth;
            for (int first = 0; first < repositories; first += perBatch) {
                int last = Math.min(first + perBatch, repositories);
                write(storage.documents(), batch(rule, first, last), puts);
                if (last * TAGS_PER_REPOSITORY >= nextReport) {
                    System.err.printf("scale-seed: %d of %d images written%n", last * TAGS_PER_REPOSITORY, images);
                    nextReport = (last * TAGS_PER_REPOSITORY / tenth + 1) * tenth;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("scale-seed: %d images (%d repositories x %d tags, %d documents) in %.1f s%n",
                    images, repositories, TAGS_PER_REPOSITORY, images * 2 + repositories, seconds);
        } finally {
            puts.shutdownNow();
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        return 0;
    }

    /** The documents of repositories {@code [from, to)}: each repository, its manifests and its tags. */
    private static Map<String, byte[]> batch(CacheRule rule, int from, int to) throws NoSuchAlgorithmException {
        Map<String, byte[]> documents = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        for (int index = from; index < to; index++) {
            String upstreamRepository = String.format("r%07d", index);
            String name = rule.prefix() + "/" + upstreamRepository;
            documents.put(MetadataDocuments.repositoryKey(name), MetadataDocuments.REPOSITORY_CODEC.encode(
                    new Repository(name, rule.prefix(), rule.upstreamUrl(), rule.upstreamRepository(upstreamRepository), now)));
            for (int t = 1; t <= TAGS_PER_REPOSITORY; t++) {
                String tag = String.format("v%02d", t);
                byte[] manifest = manifest(index, name + ":" + tag);
                String digest = "sha256:" + sha256(manifest);
                documents.put(MetadataDocuments.manifestKey(name, digest), MetadataDocuments.MANIFEST_CODEC.encode(
                        new ManifestRecord(name, digest, MANIFEST_TYPE, manifest, now, now)));
                documents.put(MetadataDocuments.tagKey(name, tag), MetadataDocuments.TAG_CODEC.encode(
                        new TagRecord(name, tag, digest, now)));
            }
        }
        return documents;
    }

    /** A manifest as a build tool writes it: a config, a base layer shared with other images, two of its own. */
    private static byte[] manifest(int repositoryIndex, String image) throws NoSuchAlgorithmException {
        String json = """
                {"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json",\
                "digest":"sha256:%s","size":%d},"layers":[\
                {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d},\
                {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d},\
                {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}],\
                "annotations":{"org.opencontainers.image.created":"2026-11-02T09:14:27Z",\
                "org.opencontainers.image.source":"https://git.example.com/%s"}}"""
                .formatted(MANIFEST_TYPE, sha256(("config " + image).getBytes(StandardCharsets.UTF_8)), 1_469,
                        sha256(("base " + repositoryIndex % 10).getBytes(StandardCharsets.UTF_8)), 29_124_350,
                        sha256(("deps " + image).getBytes(StandardCharsets.UTF_8)), 8_402_113,
                        sha256(("app " + image).getBytes(StandardCharsets.UTF_8)), 412_705, image);
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(DocumentStore documents, Map<String, byte[]> batch, ExecutorService puts)
            throws Exception {
        if (documents instanceof RocksDbDocumentStore database) {
            database.putAll(batch);
            return;
        }
        List<Future<?>> pending = new ArrayList<>();
        batch.forEach((key, document) -> pending.add(puts.submit(() -> documents.put(key, document))));
        for (Future<?> put : pending) {
            put.get();
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
