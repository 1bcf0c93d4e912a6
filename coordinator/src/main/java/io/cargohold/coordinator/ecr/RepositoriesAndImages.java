package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.PageRequest;
import io.cargohold.coordinator.api.RepositoriesApi;
import io.cargohold.policy.RegistryId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The repository and image operations, on Cargohold's cached repositories ({@link RepositoriesApi}): a repository
 * exists once a pull through a rule created it, an image is a cached manifest with its tags, pushed when it was
 * cached.
 */
final class RepositoriesAndImages {

    private static final Map<String, String> FIELDS = Map.of("name", "repositoryName",
            "repositories.tagMutability", "imageTagMutability");
    static final Function<String, String> FIELD = field -> FIELDS.getOrDefault(field, field);
    /** Images read at a time when an operation filters them. */
    private static final int IMAGE_PAGE = 1000;

    private final RepositoriesApi repositories;
    private final RegistryId registry;
    private final String registryHost;

    /** {@code registryHost}: host and port of the registry API, the start of a repository's URI. */
    RepositoriesAndImages(RepositoriesApi repositories, RegistryId registry, String registryHost) {
        this.repositories = repositories;
        this.registry = registry;
        this.registryHost = registryHost;
    }

    void register(Map<String, EcrOperation> operations) {
        EcrErrors errors = EcrErrors.of(FIELD, EcrException.REPOSITORY_NOT_FOUND, EcrException.INVALID_PARAMETER,
                "repositoryName");
        operations.put("DescribeRepositories", new EcrOperation(this::describeRepositories, errors));
        operations.put("DescribeImages", new EcrOperation(this::describeImages, errors));
        operations.put("ListImages", new EcrOperation(this::listImages, errors));
        operations.put("BatchDeleteImage", new EcrOperation(call -> repositories.batchDelete(call.who(),
                call.required("repositoryName"), new JsonObject().put("imageIds", call.array("imageIds"))), errors));
        operations.put("DeleteRepository", new EcrOperation(call -> repositories.delete(call.who(),
                call.required("repositoryName"), Boolean.TRUE.equals(call.input().getValue("force")))
                .map(repository -> new JsonObject().put("repository", show(repository))),
                EcrErrors.of(FIELD, EcrException.REPOSITORY_NOT_FOUND, "RepositoryNotEmptyException", "repositoryName")));
        operations.put("PutImageTagMutability", new EcrOperation(call -> repositories.setMutability(call.who(),
                call.required("repositoryName"), call.required("imageTagMutability")).map(repository ->
                new JsonObject().put("registryId", registry.account())
                        .put("repositoryName", repository.getString("name"))
                        .put("imageTagMutability", repository.getJsonObject("settings").getString("tagMutability"))),
                errors));
    }

    private Future<JsonObject> describeRepositories(EcrCall call) {
        List<String> names = call.strings("repositoryNames");
        if (names != null && !names.isEmpty()) {
            List<Future<JsonObject>> found = names.stream().map(repositories::find).toList();
            return Future.all(found).map(done -> new JsonObject().put("repositories",
                    new JsonArray(found.stream().map(repository -> (Object) show(repository.result())).toList())));
        }
        return repositories.list(PageRequest.of(call.maxResults(), call.nextToken(), PageRequest::repositoryKey))
                .map(listed -> EcrShapes.paged(listed, "repositories", "repositories", this::show));
    }

    private JsonObject show(JsonObject repository) {
        String name = repository.getString("name");
        return new JsonObject().put("repositoryArn", registry.repositoryArn(name))
                .put("registryId", registry.account())
                .put("repositoryName", name)
                .put("repositoryUri", registryHost + "/" + name)
                .put("createdAt", EcrShapes.epochSeconds(repository.getString("createdAt")))
                .put("imageTagMutability", repository.getJsonObject("settings").getString("tagMutability"))
                .put("imageScanningConfiguration", new JsonObject().put("scanOnPush", false))
                .put("encryptionConfiguration", new JsonObject().put("encryptionType", "AES256"));
    }

    private Future<JsonObject> describeImages(EcrCall call) {
        String name = call.required("repositoryName");
        return images(call, name).map(listed -> EcrShapes.paged(listed, "images", "imageDetails",
                image -> imageDetail(name, image)));
    }

    private Future<JsonObject> listImages(EcrCall call) {
        String name = call.required("repositoryName");
        return images(call, name).map(listed -> {
            List<Object> ids = new ArrayList<>();
            listed.getJsonArray("images").forEach(each -> {
                JsonObject image = (JsonObject) each;
                JsonArray tags = image.getJsonArray("tags");
                if (tags.isEmpty()) {
                    ids.add(new JsonObject().put("imageDigest", image.getString("digest")));
                }
                tags.forEach(tag -> ids.add(new JsonObject().put("imageDigest", image.getString("digest"))
                        .put("imageTag", ((JsonObject) tag).getString("tag"))));
            });
            JsonObject output = new JsonObject().put("imageIds", new JsonArray(ids));
            if (listed.containsKey(PageRequest.NEXT_TOKEN)) {
                output.put("nextToken", listed.getString(PageRequest.NEXT_TOKEN));
            }
            return output;
        });
    }

    /**
     * A page of the repository's images, newest first, narrowed to {@code imageIds} and {@code filter.tagStatus}
     * when given (then from one read of up to {@value #IMAGE_PAGE} images).
     */
    private Future<JsonObject> images(EcrCall call, String name) {
        JsonArray ids = call.array("imageIds");
        JsonObject filter = call.object("filter");
        String tagStatus = filter == null ? "ANY" : filter.getString("tagStatus", "ANY");
        if (!List.of("ANY", "TAGGED", "UNTAGGED").contains(tagStatus)) {
            throw EcrException.invalid("filter.tagStatus", tagStatus, "must be one of TAGGED, UNTAGGED, ANY");
        }
        boolean narrowed = (ids != null && !ids.isEmpty()) || !"ANY".equals(tagStatus);
        PageRequest page = narrowed ? PageRequest.of(IMAGE_PAGE, null, RepositoriesApi::imagePageKey)
                : PageRequest.of(call.maxResults(), call.nextToken(), RepositoriesApi::imagePageKey);
        return repositories.images(name, page).map(listed -> {
            if (!narrowed) {
                return listed;
            }
            JsonArray kept = new JsonArray();
            listed.getJsonArray("images").forEach(each -> {
                JsonObject image = (JsonObject) each;
                boolean tagged = !image.getJsonArray("tags").isEmpty();
                boolean status = "ANY".equals(tagStatus) || tagged == "TAGGED".equals(tagStatus);
                if (status && (ids == null || ids.isEmpty() || matches(image, ids))) {
                    kept.add(image);
                }
            });
            if (ids != null && !ids.isEmpty() && kept.isEmpty()) {
                throw new EcrException("ImageNotFoundException", "imageIds " + ids.encode()
                        + ": no such image in repository " + name);
            }
            return new JsonObject().put("images", kept);
        });
    }

    private static boolean matches(JsonObject image, JsonArray ids) {
        for (Object each : ids) {
            if (!(each instanceof JsonObject id)) {
                throw EcrException.invalid("imageIds", each, "must be {imageDigest, imageTag} structures");
            }
            boolean digest = id.getString("imageDigest") == null
                    || id.getString("imageDigest").equals(image.getString("digest"));
            boolean tag = id.getString("imageTag") == null || image.getJsonArray("tags").stream()
                    .anyMatch(t -> id.getString("imageTag").equals(((JsonObject) t).getString("tag")));
            if (digest && tag) {
                return true;
            }
        }
        return false;
    }

    private JsonObject imageDetail(String repository, JsonObject image) {
        List<Object> tags = new ArrayList<>();
        image.getJsonArray("tags").forEach(tag -> tags.add(((JsonObject) tag).getString("tag")));
        JsonObject detail = new JsonObject().put("registryId", registry.account())
                .put("repositoryName", repository)
                .put("imageDigest", image.getString("digest"))
                .put("imageSizeInBytes", image.getLong("size"))
                .put("imagePushedAt", EcrShapes.epochSeconds(image.getString("cachedAt")))
                .put("imageManifestMediaType", image.getString("mediaType"))
                .put("lastRecordedPullTime", EcrShapes.epochSeconds(image.getString("lastPulledAt")));
        if (!tags.isEmpty()) {
            detail.put("imageTags", new JsonArray(tags));
        }
        return EcrShapes.withoutNulls(detail);
    }
}
