package io.cargohold.edge.auth;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a cached blob belongs to a repository: one of the manifests cached in the repository is
 * the blob or refers to it (its config and layers). With policies, a blob cached through one
 * repository is then not served under another that never had it, whatever that one's policy
 * allows, as distribution's linked blob store does. The links found are remembered on this node
 * (a bounded set, emptied when full); a blob not linked is looked up again each time, so a manifest
 * cached a moment ago links its blobs at once.
 */
final class BlobLinks {

    static final int MAX_REMEMBERED = 100_000;

    private final MetadataStore metadata;
    private final Set<String> linked = ConcurrentHashMap.newKeySet();

    BlobLinks(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<Boolean> linked(String repository, Digest blob) {
        if (linked.contains(key(repository, blob.value()))) {
            return Future.succeededFuture(true);
        }
        return metadata.manifests(repository).map(manifests -> {
            manifests.forEach(manifest -> remember(repository, manifest));
            return linked.contains(key(repository, blob.value()));
        });
    }

    private void remember(String repository, ManifestRecord manifest) {
        if (linked.size() >= MAX_REMEMBERED) {
            linked.clear();
        }
        linked.add(key(repository, manifest.digest()));
        try {
            for (Descriptor blob : Manifest.parse(manifest.content(), manifest.mediaType()).blobs()) {
                linked.add(key(repository, blob.digest().value()));
            }
        } catch (RegistryException unreadable) {
            // a manifest that does not parse links only itself
        }
    }

    private static String key(String repository, String digest) {
        return repository + "@" + digest;
    }
}
