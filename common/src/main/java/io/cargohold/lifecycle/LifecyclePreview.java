package io.cargohold.lifecycle;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * ECR's lifecycle policy preview (dry run): what each rule of a repository's policy, or of a
 * policy given to try, would expire now and why, changing nothing.
 */
public final class LifecyclePreview {

    private final MetadataStore metadata;
    private final Clock clock;

    public LifecyclePreview(MetadataStore metadata, Clock clock) {
        this.metadata = metadata;
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
            return ImageCatalog.load(metadata, repository).map(images -> LifecycleEvaluator.evaluate(policy,
                    images.stream().map(StoredImage::image).toList(), clock.instant()));
        });
    }
}
