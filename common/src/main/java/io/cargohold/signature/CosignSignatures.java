package io.cargohold.signature;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.DiscardableStream;
import io.cargohold.spi.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds an image's cosign signatures upstream, in both places cosign puts them, and checks them
 * with a {@link CosignVerifier}: the {@code sha256-<hex>.sig} manifest and its payload blobs
 * (cosign 2.x), then, unless one of those passed, the Sigstore bundles among the image's referrers
 * (cosign 3.x), from the referrers API or, on a registry without it, the referrers tag schema.
 * Every document is small and read up to {@link #MAX_DOCUMENT_BYTES}; at most
 * {@link #MAX_SIGNATURES} simple signatures and as many bundle manifests are tried. A missing document means no signature there; any
 * other upstream failure fails the returned future, since nothing could be decided.
 */
public final class CosignSignatures {

    public static final long MAX_DOCUMENT_BYTES = 1024 * 1024;
    public static final int MAX_SIGNATURES = 16;

    private final UpstreamClient upstream;
    private final CosignVerifier verifier;

    public CosignSignatures(UpstreamClient upstream, CosignVerifier verifier) {
        this.upstream = upstream;
        this.verifier = verifier;
    }

    /** The verdict on the image {@code image} of the upstream repository {@code repository}. */
    public Future<Verdict> verify(String repository, Digest image) {
        return simpleSigning(repository, image).compose(simple -> simple.passed()
                ? Future.succeededFuture(simple)
                : bundles(repository, image).map(bundles -> {
                    List<Verdict> found = new ArrayList<>(bundles);
                    if (!simple.reason().equals(Verdict.NO_SIGNATURES)) {
                        found.add(0, simple);
                    }
                    return Verdict.anyOf(found);
                }));
    }

    private Future<Verdict> simpleSigning(String repository, Digest image) {
        return manifest(repository, CosignArtifacts.signatureTag(image)).compose(manifest -> {
            if (manifest.isEmpty()) {
                return Future.succeededFuture(Verdict.fail(Verdict.NO_SIGNATURES));
            }
            List<CosignArtifacts.SimpleSignature> signatures;
            try {
                signatures = CosignArtifacts.simpleSignatures(manifest.get());
            } catch (MalformedSignatureException e) {
                return Future.succeededFuture(Verdict.fail(e.getMessage()));
            }
            Map<Digest, byte[]> payloads = new HashMap<>();
            Future<Void> fetched = Future.succeededFuture();
            for (CosignArtifacts.SimpleSignature signature : first(signatures)) {
                fetched = fetched.compose(v -> blob(repository, signature.payload())
                        .map(payload -> {
                            payload.ifPresent(bytes -> payloads.put(signature.payload().digest(), bytes));
                            return null;
                        }));
            }
            return fetched.map(v -> verifier.verifySimpleSigning(image, manifest.get(), payloads::get));
        });
    }

    /** One verdict per bundle found, stopping at the first that passes. */
    private Future<List<Verdict>> bundles(String repository, Digest image) {
        return upstream.getReferrers(repository, image, MAX_DOCUMENT_BYTES)
                .compose(index -> index.isPresent() ? Future.succeededFuture(index)
                        : manifest(repository, CosignArtifacts.referrersTag(image)))
                .compose(index -> {
                    if (index.isEmpty()) {
                        return Future.succeededFuture(List.of());
                    }
                    List<Digest> manifests;
                    try {
                        manifests = CosignArtifacts.bundleManifests(index.get());
                    } catch (MalformedSignatureException e) {
                        return Future.succeededFuture(List.of(Verdict.fail("referrers index: " + e.getMessage())));
                    }
                    return untilPassed(first(manifests), digest -> bundle(repository, image, digest));
                });
    }

    /** The one bundle layer of a bundle manifest, as cosign's bundle specification lays it out. */
    private Future<Verdict> bundle(String repository, Digest image, Digest bundleManifest) {
        return manifest(repository, bundleManifest).compose(manifest -> {
            if (manifest.isEmpty()) {
                return Future.succeededFuture(Verdict.fail("bundle manifest " + bundleManifest + " could not be fetched"));
            }
            List<Descriptor> blobs;
            try {
                blobs = CosignArtifacts.bundleBlobs(manifest.get());
            } catch (MalformedSignatureException e) {
                return Future.succeededFuture(Verdict.fail(e.getMessage()));
            }
            if (blobs.isEmpty()) {
                return Future.succeededFuture(Verdict.fail("bundle manifest " + bundleManifest + " holds no bundle"));
            }
            Descriptor bundle = blobs.get(0);
            return blob(repository, bundle).map(bytes -> bytes.map(b -> verifier.verifyBundle(image, b))
                    .orElse(Verdict.fail("bundle " + bundle.digest() + " could not be fetched")));
        });
    }

    /** A manifest's bytes, or empty when the upstream does not have it. */
    private Future<Optional<byte[]>> manifest(String repository, Reference reference) {
        return upstream.getManifest(repository, reference, MAX_DOCUMENT_BYTES)
                .map(manifest -> Optional.of(manifest.content()))
                .recover(failure -> notFound(failure) ? Future.succeededFuture(Optional.empty())
                        : Future.failedFuture(failure));
    }

    /** A small blob's bytes, checked against its digest; empty when missing, too large or not matching. */
    private Future<Optional<byte[]>> blob(String repository, Descriptor descriptor) {
        if (descriptor.size() > MAX_DOCUMENT_BYTES) {
            return Future.succeededFuture(Optional.empty());
        }
        return upstream.getBlob(repository, descriptor.digest())
                .compose(CosignSignatures::read)
                .map(bytes -> bytes.filter(descriptor.digest()::matches))
                .recover(failure -> notFound(failure) ? Future.succeededFuture(Optional.empty())
                        : Future.failedFuture(failure));
    }

    /** Reads a blob whole, or lets it go (empty) once it passes {@link #MAX_DOCUMENT_BYTES}. */
    private static Future<Optional<byte[]>> read(BlobContent.Stream blob) {
        ReadStream<Buffer> stream = blob.stream();
        if (blob.length() > MAX_DOCUMENT_BYTES) {
            drop(stream);
            return Future.succeededFuture(Optional.empty());
        }
        Promise<Optional<byte[]>> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        stream.exceptionHandler(promise::tryFail);
        stream.handler(buffer -> {
            body.appendBuffer(buffer);
            if (body.length() > MAX_DOCUMENT_BYTES && promise.tryComplete(Optional.empty())) {
                drop(stream);
            }
        });
        stream.endHandler(v -> promise.tryComplete(Optional.of(body.getBytes())));
        stream.resume();
        return promise.future();
    }

    private static void drop(ReadStream<Buffer> stream) {
        if (stream instanceof DiscardableStream discardable) {
            discardable.discard();
        } else {
            stream.handler(buffer -> { });
            stream.resume();
        }
    }

    /** Checks items one after another and stops after the first verdict that passes. */
    private static <T> Future<List<Verdict>> untilPassed(List<T> items, Function<T, Future<Verdict>> check) {
        Future<List<Verdict>> verdicts = Future.succeededFuture(new ArrayList<>());
        for (T item : items) {
            verdicts = verdicts.compose(found -> found.stream().anyMatch(Verdict::passed)
                    ? Future.succeededFuture(found)
                    : check.apply(item).map(verdict -> {
                        found.add(verdict);
                        return found;
                    }));
        }
        return verdicts;
    }

    private static <T> List<T> first(List<T> items) {
        return items.subList(0, Math.min(items.size(), MAX_SIGNATURES));
    }

    private static boolean notFound(Throwable failure) {
        return failure instanceof UpstreamException upstream && upstream.upstreamStatus() == 404;
    }
}
