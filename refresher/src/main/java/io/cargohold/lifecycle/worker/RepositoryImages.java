package io.cargohold.lifecycle.worker;

import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.lifecycle.StoredImage;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One repository's images as a lifecycle run reads them: its record (empty when it has none) and
 * the images of its manifest and tag records.
 */
record RepositoryImages(String name, Optional<Repository> repository, List<StoredImage> images) {

    /**
     * The images of those repositories of a page that {@code wanted} accepts, their records read a
     * few at a time ({@link BatchedReads}) and parsed on a worker thread of {@code context}, never on
     * its event loop.
     */
    static Future<List<RepositoryImages>> load(MetadataStore metadata, Context context, List<String> names,
                                               Predicate<Optional<Repository>> wanted) {
        return parse(context, BatchedReads.read(names, name -> metadata.repository(name)
                .compose(repository -> records(metadata, name, repository, wanted))));
    }

    /** As {@link #load}, for a page of repository records read from storage already. */
    static Future<List<RepositoryImages>> loadRecords(MetadataStore metadata, Context context,
                                                      List<Repository> repositories,
                                                      Predicate<Optional<Repository>> wanted) {
        return parse(context, BatchedReads.read(repositories, repository -> records(metadata, repository.name(),
                Optional.of(repository), wanted)));
    }

    private static Future<Records> records(MetadataStore metadata, String name, Optional<Repository> repository,
                                           Predicate<Optional<Repository>> wanted) {
        return wanted.test(repository)
                ? Future.all(metadata.manifests(name), metadata.tagRecords(name)).map(both -> new Records(
                        name, repository, both.resultAt(0), both.resultAt(1)))
                : Future.succeededFuture((Records) null);
    }

    private static Future<List<RepositoryImages>> parse(Context context, Future<List<Records>> reads) {
        return reads.compose(all -> context.executeBlocking(() -> {
            List<RepositoryImages> page = new ArrayList<>();
            for (Records records : all) {
                if (records != null) {
                    page.add(new RepositoryImages(records.name(), records.repository(),
                            ImageCatalog.images(records.name(), records.manifests(), records.tags())));
                }
            }
            return page;
        }, false));
    }

    private record Records(String name, Optional<Repository> repository, List<ManifestRecord> manifests,
                           List<TagRecord> tags) {
    }
}
