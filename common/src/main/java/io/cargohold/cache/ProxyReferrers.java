package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.TagRecord;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * The OCI 1.1 referrers of a manifest through the cache. The upstream is asked with its referrers
 * API and, where it has none (a 404, as distribution 2.x answers), with the referrers tag schema:
 * the index tagged {@code sha256-<hex>}. Either answer is cached as that tag's index, so clients of
 * the tag schema see it too, and re-checked like any tag once the rule's refresh interval has
 * passed; while the upstream is down, the cached index is served. The manifests it lists
 * (signatures, SBOMs, attestations) are pulled through like any other by their digests.
 */
public final class ProxyReferrers {

    private static final byte[] EMPTY_INDEX = index(new JsonArray()).getBytes(StandardCharsets.UTF_8);

    private final ProxyManifestStore manifests;
    private final MetadataStore metadata;
    private final Upstreams upstreams;
    private final long maxIndexBytes;
    private final Clock clock;
    private final SingleFlight<String, ManifestRecord> flights = new SingleFlight<>();

    ProxyReferrers(ProxyManifestStore manifests, MetadataStore metadata, Upstreams upstreams, long maxIndexBytes,
                   Clock clock) {
        this.manifests = manifests;
        this.metadata = metadata;
        this.upstreams = upstreams;
        this.maxIndexBytes = maxIndexBytes;
        this.clock = clock;
    }

    /** The referrers tag of {@code subject}: {@code sha256-<hex>}. */
    public static Tag schemaTag(Digest subject) {
        return new Tag(subject.algorithm() + "-" + subject.hex());
    }

    /**
     * The OCI index of the manifests that refer to {@code subject}, only those of
     * {@code artifactType} when it is not null.
     */
    public Future<String> referrers(ProxyTarget target, Digest subject, String artifactType) {
        Tag tag = schemaTag(subject);
        return metadata.tag(target.name(), tag.value())
                .compose(cached -> cached.isPresent() && isFresh(target, cached.get())
                        ? stored(target, cached.get()).compose(hit -> hit.isPresent()
                                ? Future.succeededFuture(hit.get()) : refresh(target, subject, Optional.empty()))
                        : refresh(target, subject, cached))
                .map(index -> filter(index, artifactType));
    }

    private Future<ManifestRecord> refresh(ProxyTarget target, Digest subject, Optional<TagRecord> stale) {
        return flights.run(target.describe(subject), () -> fetch(target, subject)
                .compose(fetched -> manifests.store(target, schemaTag(subject), fetched))
                .map(ServedManifest::manifest)
                .recover(failure -> failure instanceof UpstreamException upstream && upstream.isOutage()
                        && stale.isPresent()
                        ? stored(target, stale.get()).compose(hit -> hit.isPresent()
                                ? Future.succeededFuture(hit.get()) : Future.failedFuture(failure))
                        : Future.failedFuture(failure)));
    }

    /** The upstream's referrers API answer, else its referrers tag, else an empty index. */
    private Future<UpstreamManifest> fetch(ProxyTarget target, Digest subject) {
        var client = upstreams.client(target.rule());
        return client.getReferrers(target.upstreamRepository(), subject, maxIndexBytes)
                .compose(answer -> answer.isPresent()
                        ? Future.succeededFuture(indexOf(answer.get()))
                        : client.getManifest(target.upstreamRepository(), schemaTag(subject), maxIndexBytes)
                                .recover(failure -> failure instanceof UpstreamException upstream
                                        && upstream.upstreamStatus() == 404
                                        ? Future.succeededFuture(indexOf(EMPTY_INDEX)) : Future.failedFuture(failure)));
    }

    private static UpstreamManifest indexOf(byte[] content) {
        return new UpstreamManifest(content, MediaType.OCI_INDEX, Digest.sha256(content));
    }

    private Future<Optional<ManifestRecord>> stored(ProxyTarget target, TagRecord tag) {
        return metadata.manifest(target.name(), tag.digest());
    }

    private boolean isFresh(ProxyTarget target, TagRecord tag) {
        return clock.millis() - tag.lastCheckedAtMillis() < target.rule().refreshInterval().toMillis();
    }

    /** The cached index as the referrers API answers it: its descriptors, those of one type if asked. */
    private static String filter(ManifestRecord index, String artifactType) {
        JsonArray manifests = new JsonObject(new String(index.content(), StandardCharsets.UTF_8))
                .getJsonArray("manifests", new JsonArray());
        JsonArray kept = new JsonArray();
        for (Object entry : manifests) {
            if (entry instanceof JsonObject descriptor
                    && (artifactType == null || artifactType.equals(descriptor.getString("artifactType")))) {
                kept.add(descriptor);
            }
        }
        return index(kept);
    }

    private static String index(JsonArray manifests) {
        return new JsonObject().put("schemaVersion", 2).put("mediaType", MediaType.OCI_INDEX)
                .put("manifests", manifests).encode();
    }
}
