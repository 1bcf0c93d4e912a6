package io.cargohold.lifecycle;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.pin.PinReader;
import io.cargohold.pin.PinnedManifests;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * ECR's lifecycle policy preview (dry run): what each rule of a repository's policy, or of a
 * policy given to try, would expire now and why, changing nothing. Pinned images are kept, as the
 * lifecycle worker keeps them ({@link Evaluation#pinned}).
 */
public final class LifecyclePreview {

    private final MetadataStore metadata;
    private final PinReader pins;
    private final Clock clock;

    public LifecyclePreview(MetadataStore metadata, PinReader pins, Clock clock) {
        this.metadata = metadata;
        this.pins = pins;
        this.clock = clock;
    }

    /**
     * Evaluates {@code policyText}, or the repository's own policy when it is empty; fails with
     * NAME_UNKNOWN for an unknown repository, with {@link LifecyclePolicyException} for a policy ECR
     * would refuse, and with {@link NoSuchElementException} when there is no policy to try.
     */
    public Future<Evaluation> preview(String repository, Optional<String> policyText) {
        return metadata.repository(repository).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new RegistryException(OciErrorCode.NAME_UNKNOWN,
                        "repository name not known to registry", repository));
            }
            String text = policyText.or(() -> Optional.ofNullable(found.get().settings().lifecyclePolicy()))
                    .orElseThrow(() -> new NoSuchElementException(
                            "Lifecycle policy does not exist for the repository with name '" + repository + "'"));
            LifecyclePolicy policy = LifecyclePolicy.parse(text);
            return Future.all(ImageCatalog.load(metadata, repository), pins.pinned()).map(loaded -> {
                List<StoredImage> images = loaded.resultAt(0);
                PinnedManifests pinned = loaded.resultAt(1);
                return LifecycleEvaluator.evaluate(policy, images.stream().map(StoredImage::image).toList(),
                        clock.instant()).keeping(digest -> pinned.keeps(repository, digest));
            });
        });
    }
}
