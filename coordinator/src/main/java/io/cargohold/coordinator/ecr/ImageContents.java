package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.RepositoriesApi;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What cached images hold, read from the repository's cached manifests ({@link RepositoriesApi#contents}):
 * manifests by digest or tag, the layers and configs they reference (available: a pull fetches what is not
 * cached yet), a layer's URL on the registry API, and the referrers of a manifest (those whose {@code subject}
 * it is). Nothing is fetched upstream here: an image not cached yet is not found.
 */
final class ImageContents {

    private static final int MAX_REFERRERS = 50;

    private final RepositoriesApi repositories;
    private final String registryId;
    private final String registryUrl;

    ImageContents(RepositoriesApi repositories, String registryId, String registryUrl) {
        this.repositories = repositories;
        this.registryId = registryId;
        this.registryUrl = registryUrl;
    }

    void register(Map<String, EcrOperation> operations) {
        EcrErrors errors = EcrErrors.of(RepositoriesAndImages.FIELD, EcrException.REPOSITORY_NOT_FOUND,
                EcrException.INVALID_PARAMETER, "repositoryName");
        operations.put("BatchGetImage", new EcrOperation(this::batchGetImage, errors));
        operations.put("BatchCheckLayerAvailability", new EcrOperation(this::checkLayers, errors));
        operations.put("GetDownloadUrlForLayer", new EcrOperation(this::downloadUrl, errors));
        operations.put("ListImageReferrers", new EcrOperation(this::referrers, errors));
    }

    private Future<JsonObject> batchGetImage(EcrCall call) {
        String name = call.required("repositoryName");
        JsonArray ids = call.array("imageIds");
        if (ids == null || ids.isEmpty() || ids.size() > 100) {
            throw EcrException.invalid("imageIds", ids, "must be a list of 1 to 100 {imageDigest, imageTag}");
        }
        List<String> accepted = call.strings("acceptedMediaTypes");
        return repositories.contents(name).map(contents -> {
            JsonArray images = new JsonArray();
            JsonArray failures = new JsonArray();
            for (int i = 0; i < ids.size(); i++) {
                if (!(ids.getValue(i) instanceof JsonObject id)) {
                    throw EcrException.invalid("imageIds[" + i + "]", ids.getValue(i), "must be {imageDigest, imageTag}");
                }
                String tag = id.getString("imageTag");
                String digest = id.getString("imageDigest");
                String tagged = tag == null ? null : contents.tags().stream().filter(t -> t.tag().equals(tag))
                        .map(TagRecord::digest).findFirst().orElse(null);
                Optional<ManifestRecord> manifest = manifest(contents, digest != null ? digest : tagged);
                if (manifest.isEmpty()) {
                    failures.add(failure(id, "ImageNotFound", "no cached image " + id.encode() + " in " + name));
                } else if (digest != null && tag != null && !digest.equals(tagged)) {
                    failures.add(failure(id, "ImageTagDoesNotMatchDigest", "tag " + tag + " is "
                            + tagged + ", not " + digest));
                } else if (accepted != null && !accepted.isEmpty() && !accepted.contains(manifest.get().mediaType())) {
                    failures.add(failure(id, "UnsupportedImageType", "the image is " + manifest.get().mediaType()
                            + ", none of acceptedMediaTypes"));
                } else {
                    JsonObject imageId = new JsonObject().put("imageDigest", manifest.get().digest());
                    if (tag != null) {
                        imageId.put("imageTag", tag);
                    }
                    images.add(new JsonObject().put("registryId", registryId).put("repositoryName", name)
                            .put("imageId", imageId)
                            .put("imageManifest", new String(manifest.get().content(), StandardCharsets.UTF_8))
                            .put("imageManifestMediaType", manifest.get().mediaType()));
                }
            }
            return new JsonObject().put("images", images).put("failures", failures);
        });
    }

    private static JsonObject failure(JsonObject imageId, String code, String reason) {
        return new JsonObject().put("imageId", imageId).put("failureCode", code).put("failureReason", reason);
    }

    private static Optional<ManifestRecord> manifest(RepositoriesApi.Contents contents, String digest) {
        return digest == null ? Optional.empty()
                : contents.manifests().stream().filter(m -> m.digest().equals(digest)).findFirst();
    }

    private Future<JsonObject> checkLayers(EcrCall call) {
        String name = call.required("repositoryName");
        List<String> digests = call.strings("layerDigests");
        if (digests == null || digests.isEmpty() || digests.size() > 100) {
            throw EcrException.invalid("layerDigests", digests, "must be a list of 1 to 100 digests");
        }
        return repositories.contents(name).map(contents -> {
            Map<String, JsonObject> referenced = layers(contents);
            JsonArray layers = new JsonArray();
            JsonArray failures = new JsonArray();
            for (String digest : digests) {
                JsonObject descriptor = referenced.get(digest);
                if (!digest.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")) {
                    failures.add(new JsonObject().put("layerDigest", digest).put("failureCode", "InvalidLayerDigest")
                            .put("failureReason", "not a digest such as sha256:<64 hex digits>"));
                } else if (descriptor == null) {
                    failures.add(new JsonObject().put("layerDigest", digest).put("failureCode", "MissingLayerDigest")
                            .put("failureReason", "no cached image of " + name + " references it"));
                } else {
                    layers.add(new JsonObject().put("layerDigest", digest).put("layerAvailability", "AVAILABLE")
                            .put("layerSize", descriptor.getLong("size")).put("mediaType", descriptor.getString("mediaType")));
                }
            }
            return new JsonObject().put("layers", layers).put("failures", failures);
        });
    }

    private Future<JsonObject> downloadUrl(EcrCall call) {
        String name = call.required("repositoryName");
        String digest = call.required("layerDigest");
        return repositories.contents(name).map(contents -> {
            if (!layers(contents).containsKey(digest)) {
                throw new EcrException("LayersNotFoundException", "layerDigest '" + digest
                        + "': no cached image of " + name + " references it");
            }
            return new JsonObject().put("downloadUrl", registryUrl + "/v2/" + name + "/blobs/" + digest)
                    .put("layerDigest", digest);
        });
    }

    private Future<JsonObject> referrers(EcrCall call) {
        String name = call.required("repositoryName");
        JsonObject subject = call.object("subjectId");
        String digest = subject == null ? null : subject.getString("imageDigest");
        if (digest == null) {
            throw EcrException.invalid("subjectId.imageDigest", null, "is required");
        }
        JsonObject filter = call.object("filter");
        List<String> artifactTypes = new ArrayList<>();
        if (filter != null && filter.getJsonArray("artifactTypes") != null) {
            filter.getJsonArray("artifactTypes").forEach(type -> artifactTypes.add(String.valueOf(type)));
        }
        return repositories.contents(name).map(contents -> {
            JsonArray referrers = new JsonArray();
            for (ManifestRecord manifest : contents.manifests()) {
                Optional<JsonObject> parsed = parse(manifest);
                JsonObject ofSubject = parsed.map(json -> json.getJsonObject("subject")).orElse(null);
                if (ofSubject == null || !digest.equals(ofSubject.getString("digest"))) {
                    continue;
                }
                String artifactType = parsed.get().getString("artifactType", parsed.get().getJsonObject("config",
                        new JsonObject()).getString("mediaType"));
                if (!artifactTypes.isEmpty() && !artifactTypes.contains(artifactType)) {
                    continue;
                }
                if (referrers.size() < MAX_REFERRERS) {
                    referrers.add(EcrShapes.withoutNulls(new JsonObject().put("digest", manifest.digest())
                            .put("mediaType", manifest.mediaType()).put("artifactType", artifactType)
                            .put("size", manifest.size()).put("annotations", parsed.get().getJsonObject("annotations"))
                            .put("artifactStatus", "ACTIVE")));
                }
            }
            return new JsonObject().put("referrers", referrers);
        });
    }

    /** Every config and layer the repository's cached manifests reference, by digest. */
    private static Map<String, JsonObject> layers(RepositoriesApi.Contents contents) {
        Map<String, JsonObject> layers = new LinkedHashMap<>();
        for (ManifestRecord manifest : contents.manifests()) {
            parse(manifest).ifPresent(json -> {
                JsonObject config = json.getJsonObject("config");
                if (config != null && config.getString("digest") != null) {
                    layers.put(config.getString("digest"), config);
                }
                JsonArray referenced = json.getJsonArray("layers", new JsonArray());
                referenced.forEach(layer -> {
                    if (layer instanceof JsonObject descriptor && descriptor.getString("digest") != null) {
                        layers.put(descriptor.getString("digest"), descriptor);
                    }
                });
            });
        }
        return layers;
    }

    private static Optional<JsonObject> parse(ManifestRecord manifest) {
        try {
            return Optional.of(new JsonObject(new String(manifest.content(), StandardCharsets.UTF_8)));
        } catch (DecodeException | ClassCastException e) {
            return Optional.empty();
        }
    }
}
