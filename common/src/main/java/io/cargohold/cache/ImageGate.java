package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.signature.CosignSignatures;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Future;

/**
 * Keeps out of the cache what a rule does not let in ({@link RuleGate}): a name its allow or deny list
 * refuses, before any upstream request, and, for a rule with {@code verify}, an image without a cosign
 * signature by one of its trusted keys that names the image's digest, before anything of it is cached.
 * Every refusal is {@code 403 DENIED}, an {@code image-denied} event and a count.
 */
final class ImageGate {

    private final Upstreams upstreams;
    private final EventPublisher events;
    private final String node;
    private final CacheMeters meters;

    ImageGate(Upstreams upstreams, EventPublisher events, String node, CacheMeters meters) {
        this.upstreams = upstreams;
        this.events = events;
        this.node = node;
        this.meters = meters;
    }

    /** Fails with {@code DENIED} when the rule's lists keep {@code reference} out. */
    Future<Void> admit(ProxyTarget target, Reference reference) {
        String tag = reference instanceof Tag named ? named.value() : null;
        try {
            target.admit(tag);
            return Future.succeededFuture();
        } catch (RegistryException refused) {
            denied(target, tag, reference instanceof Digest digest ? digest : null, refused.getMessage(),
                    CacheMeters.Denial.PATTERN);
            return Future.failedFuture(refused);
        }
    }

    /**
     * Checks the cosign signatures upstream of the image {@code digest} (fetched as {@code reference}); answers
     * the verdict to keep with it, or fails with {@code DENIED} saying why. An upstream that cannot be asked
     * fails it with the upstream's error: nothing is decided, and nothing is cached.
     */
    Future<String> verify(ProxyTarget target, Reference reference, Digest digest) {
        RuleGate gate = target.gate();
        if (gate.verifier() == null) {
            return refuse(target, reference, digest, gate.keysProblem());
        }
        return new CosignSignatures(upstreams.client(target.rule()), gate.verifier())
                .verify(target.upstreamRepository(), digest)
                .compose(verdict -> {
                    meters.signatureChecked(target.rule().prefix(), verdict.passed());
                    return verdict.passed() ? Future.succeededFuture(verdict.reason())
                            : refuse(target, reference, digest, verdict.reason());
                });
    }

    private Future<String> refuse(ProxyTarget target, Reference reference, Digest digest, String why) {
        String tag = reference instanceof Tag named ? named.value() : null;
        String message = target.name() + "@" + digest.value() + (tag == null ? "" : " (" + tag + ")")
                + " is not signed by a trusted key: " + why;
        denied(target, tag, digest, message, CacheMeters.Denial.SIGNATURE);
        return Future.failedFuture(new RegistryException(OciErrorCode.DENIED, message, target.name(), 403, null));
    }

    private void denied(ProxyTarget target, String tag, Digest digest, String why, CacheMeters.Denial denial) {
        meters.imageDenied(target.rule().prefix(), denial);
        events.publish(RegistryEvent.imageDenied(target.name(), tag, digest == null ? null : digest.value(), why,
                node));
    }
}
