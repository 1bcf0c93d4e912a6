package io.cargohold.coordinator.api;

import io.cargohold.edge.proxy.ProxyTarget;
import io.cargohold.lifecycle.LifecyclePolicy;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.edge.proxy.RuleResolver;
import io.cargohold.oci.Digest;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.refresher.TagRevalidator;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagMutability;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Cached repositories and their images: describe, delete images (their tags and manifest records;
 * blobs are the garbage collector's), set tag mutability, and re-check every tag upstream now.
 */
public final class RepositoriesApi {

    private static final String NAME = "(?<name>.+)";
    private static final Pattern IMAGE_KEY = Pattern.compile("[0-9]{19}/.+");

    private final MetadataStore metadata;
    private final RuleResolver rules;
    private final TagRevalidator revalidator;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    RepositoriesApi(MetadataStore metadata, RuleResolver rules, TagRevalidator revalidator, AuditLog audit,
                    Function<RoutingContext, String> caller) {
        this.metadata = metadata;
        this.rules = rules;
        this.revalidator = revalidator;
        this.audit = audit;
        this.caller = caller;
    }

    void mount(Router router) {
        router.get("/repositories").handler(ctx -> ApiResponses.reply(ctx, 200,
                list(PageRequest.ofRepositories(ctx.queryParams()))));
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME + "/images")
                .handler(ctx -> ApiResponses.reply(ctx, 200, images(ctx.pathParam("name"),
                        PageRequest.of(ctx.queryParams(), RepositoriesApi::imagePageKey))));
        router.routeWithRegex(HttpMethod.POST, "/repositories/" + NAME + "/images/batch-delete")
                .handler(ctx -> ApiResponses.reply(ctx, 200, batchDelete(caller.apply(ctx), ctx.pathParam("name"),
                        ApiResponses.body(ctx))));
        router.routeWithRegex(HttpMethod.PUT, "/repositories/" + NAME + "/tag-mutability")
                .handler(ctx -> ApiResponses.reply(ctx, 200, setMutability(caller.apply(ctx), ctx.pathParam("name"),
                        ApiResponses.body(ctx).getValue("tagMutability"))));
        router.routeWithRegex(HttpMethod.PUT, "/repositories/" + NAME + "/lifecycle-policy")
                .handler(ctx -> ApiResponses.reply(ctx, 200, putLifecyclePolicy(caller.apply(ctx),
                        ctx.pathParam("name"), ctx.body().asString())));
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME + "/lifecycle-policy")
                .handler(ctx -> ApiResponses.reply(ctx, 200, lifecyclePolicy(ctx.pathParam("name"))));
        router.routeWithRegex(HttpMethod.DELETE, "/repositories/" + NAME + "/lifecycle-policy")
                .handler(ctx -> ApiResponses.reply(ctx, 200, deleteLifecyclePolicy(caller.apply(ctx),
                        ctx.pathParam("name"))));
        router.routeWithRegex(HttpMethod.POST, "/repositories/" + NAME + "/refresh")
                .handler(ctx -> ApiResponses.reply(ctx, 200, refresh(ctx.pathParam("name"))));
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME)
                .handler(ctx -> ApiResponses.reply(ctx, 200, find(ctx.pathParam("name"))));
        router.routeWithRegex(HttpMethod.DELETE, "/repositories/" + NAME)
                .handler(ctx -> ApiResponses.reply(ctx, 200, delete(caller.apply(ctx), ctx.pathParam("name"),
                        "true".equals(ctx.queryParams().get("force")))));
    }

    /** Whether {@code key} can be the key of a page of images. */
    public static boolean imagePageKey(String key) {
        return IMAGE_KEY.matcher(key).matches();
    }

    static JsonObject show(Repository repository) {
        return new JsonObject()
                .put("name", repository.name())
                .put("rulePrefix", repository.rulePrefix())
                .put("upstreamUrl", repository.upstreamUrl())
                .put("upstreamRepository", repository.upstreamRepository())
                .put("createdAt", Instant.ofEpochMilli(repository.createdAtMillis()).toString())
                .put("settings", TemplateRequest.settingsJson(repository.settings()));
    }

    /** A page of repositories, read from storage a page at a time; one deleted meanwhile is left out. */
    public Future<JsonObject> list(PageRequest page) {
        return metadata.repositoryNames(page.after(), page.maxResults() + 1).compose(names -> {
            Page<String> shown = page.fromOneMore(names, name -> name);
            List<Future<Optional<Repository>>> found = shown.items().stream().map(metadata::repository).toList();
            return Future.all(found).map(done -> new Page<>(found.stream().map(Future::result)
                    .flatMap(Optional::stream).map(RepositoriesApi::show).toList(), shown.nextToken())
                    .toJson("repositories"));
        });
    }

    public Future<JsonObject> find(String name) {
        return repository(name).map(RepositoriesApi::show);
    }

    /** A repository's cached manifests and tags. */
    public record Contents(List<ManifestRecord> manifests, List<TagRecord> tags) {
    }

    /** The repository's cached manifests and tags, read whole; a 404 naming it when it does not exist. */
    public Future<Contents> contents(String name) {
        return repository(name).compose(repository -> metadata.manifests(name))
                .compose(manifests -> metadata.tagRecords(name).map(tags -> new Contents(manifests, tags)));
    }

    private Future<Repository> repository(String name) {
        try {
            RepositoryName.parse(name);
        } catch (RegistryException e) {
            return Future.failedFuture(ApiException.notFound("no repository '" + name + "'"));
        }
        return metadata.repository(name).map(found -> found.orElseThrow(() ->
                ApiException.notFound("no repository '" + name + "'")));
    }

    /**
     * A page of images, newest first: each one's digest, tags (each with its last upstream check and newer
     * upstream digest), size, times. The repository's manifests and tags are read whole and paged in memory:
     * one repository is bounded (ECR allows 20,000 images in one), unlike the registry.
     */
    public Future<JsonObject> images(String name, PageRequest page) {
        return repository(name).compose(repository -> metadata.manifests(name)).compose(manifests ->
                metadata.tagRecords(name).map(tags -> {
                    Map<String, List<TagRecord>> byDigest = tags.stream()
                            .collect(Collectors.groupingBy(TagRecord::digest));
                    return page.of(manifests, RepositoriesApi::imageKey)
                            .map(manifest -> image(manifest, byDigest.getOrDefault(manifest.digest(), List.of())))
                            .toJson("images").put("repository", name);
                }));
    }

    /** Sorts newest first, then by digest: the time counted down from the largest long, as 19 digits. */
    private static String imageKey(ManifestRecord manifest) {
        return String.format("%019d/%s", Long.MAX_VALUE - manifest.cachedAtMillis(), manifest.digest());
    }

    private static JsonObject image(ManifestRecord manifest, List<TagRecord> tags) {
        JsonArray tagList = new JsonArray();
        long lastCheck = 0;
        for (TagRecord tag : tags) {
            tagList.add(new JsonObject().put("tag", tag.tag())
                    .put("lastUpstreamCheckAt", Instant.ofEpochMilli(tag.lastCheckedAtMillis()).toString())
                    .put("upstreamDigest", tag.upstreamDigest()));
            lastCheck = Math.max(lastCheck, tag.lastCheckedAtMillis());
        }
        return new JsonObject()
                .put("digest", manifest.digest())
                .put("tags", tagList)
                .put("size", manifest.size())
                .put("mediaType", manifest.mediaType())
                .put("cachedAt", Instant.ofEpochMilli(manifest.cachedAtMillis()).toString())
                .put("lastPulledAt", Instant.ofEpochMilli(manifest.lastPulledAtMillis()).toString())
                .put("lastUpstreamCheckAt", lastCheck == 0 ? null : Instant.ofEpochMilli(lastCheck).toString())
                .put("upstreamDigest", tags.stream().map(TagRecord::upstreamDigest)
                        .filter(digest -> digest != null).findFirst().orElse(null));
    }

    /**
     * Deletes images named by {@code {"imageIds":[{"imageDigest"} or {"imageTag"}]}} (ECR's shape):
     * by digest the manifest and every tag on it; by tag the tag, and the manifest when no tag is
     * left on it. Ids that match nothing are reported as failures; the request is checked whole first.
     */
    public Future<JsonObject> batchDelete(String who, String name, JsonObject body) {
        List<ImageId> ids = ImageId.parseAll(body);
        return repository(name).compose(repository -> metadata.manifests(name)).compose(manifests ->
                metadata.tagRecords(name).compose(tags -> {
                    JsonArray deleted = new JsonArray();
                    JsonArray failures = new JsonArray();
                    List<Future<Void>> writes = new ArrayList<>();
                    List<String> gone = new ArrayList<>();
                    for (ImageId id : ids) {
                        List<String> digests = id.digest() != null
                                ? manifests.stream().map(ManifestRecord::digest).filter(id.digest()::equals).toList()
                                : tags.stream().filter(tag -> tag.tag().equals(id.tag())).map(TagRecord::digest).toList();
                        if (digests.isEmpty()) {
                            failures.add(id.toJson().put("failureCode", "ImageNotFound")
                                    .put("failureReason", "no image " + id.describe() + " in " + name));
                            continue;
                        }
                        deleted.add(id.toJson().put("imageDigest", digests.get(0)));
                        if (id.digest() != null) {
                            gone.add(id.digest());
                            tags.stream().filter(tag -> tag.digest().equals(id.digest()))
                                    .forEach(tag -> writes.add(metadata.deleteTag(name, tag.tag())));
                            writes.add(metadata.deleteManifest(name, id.digest()));
                        } else {
                            writes.add(metadata.deleteTag(name, id.tag()));
                            boolean lastTag = tags.stream().filter(tag -> tag.digest().equals(digests.get(0)))
                                    .allMatch(tag -> ids.stream().anyMatch(other -> tag.tag().equals(other.tag())));
                            if (lastTag && !gone.contains(digests.get(0))) {
                                gone.add(digests.get(0));
                                writes.add(metadata.deleteManifest(name, digests.get(0)));
                            }
                        }
                    }
                    JsonObject result = new JsonObject().put("imageIds", deleted).put("failures", failures);
                    return Future.all(writes).map(done -> {
                        if (!deleted.isEmpty()) {
                            audit.record(who, "images.batchDelete", name,
                                    new JsonObject().put("imageIds", ImageId.toJson(ids)), result);
                        }
                        return result;
                    });
                }));
    }

    public Future<JsonObject> setMutability(String who, String name, Object value) {
        TagMutability mutability;
        try {
            mutability = TagMutability.valueOf((String) value);
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw ApiException.invalid("repositories.tagMutability", value, "must be one of MUTABLE, IMMUTABLE");
        }
        return repository(name).compose(before -> {
            Repository after = before.withSettings(before.settings().withTagMutability(mutability));
            return metadata.putRepository(after).map(v -> {
                audit.record(who, "repositories.setTagMutability", name, show(before), show(after));
                return show(after);
            });
        });
    }

    /**
     * Deletes the repository: its record, and with {@code force} its images' tags and manifest records too
     * (blobs are the garbage collector's); without, a 409 when it has images. A pull through its rule creates it
     * again. Answers the repository as it was.
     */
    public Future<JsonObject> delete(String who, String name, boolean force) {
        return repository(name).compose(repository -> contents(name).compose(contents -> {
            if (!force && !contents.manifests().isEmpty()) {
                throw ApiException.conflict("name", name, "the repository has " + contents.manifests().size()
                        + " images: delete them first, or force the deletion");
            }
            List<Future<Void>> removed = new ArrayList<>();
            contents.tags().forEach(tag -> removed.add(metadata.deleteTag(name, tag.tag())));
            contents.manifests().forEach(manifest -> removed.add(metadata.deleteManifest(name, manifest.digest())));
            return Future.all(removed).compose(done -> metadata.deleteRepository(name)).map(v -> {
                audit.record(who, "repositories.delete", name, show(repository), null);
                return show(repository);
            });
        }));
    }

    /** Sets the repository's lifecycle policy (its text, checked as ECR checks it); answers the repository. */
    public Future<JsonObject> putLifecyclePolicy(String who, String name, String policy) {
        try {
            LifecyclePolicy.parse(policy == null ? "" : policy);
        } catch (LifecyclePolicyException e) {
            throw ApiException.invalid("lifecyclePolicy" + e.field().map(f -> "." + f).orElse(""), policy,
                    e.ecrMessage());
        }
        return replaceLifecyclePolicy(who, name, policy, "repositories.putLifecyclePolicy");
    }

    /** {@code {"repository", "lifecyclePolicy"}}; a 404 naming the repository when it has none. */
    public Future<JsonObject> lifecyclePolicy(String name) {
        return repository(name).map(repository -> new JsonObject().put("repository", name)
                .put("lifecyclePolicy", new JsonObject(lifecyclePolicyOf(repository))));
    }

    public Future<JsonObject> deleteLifecyclePolicy(String who, String name) {
        return replaceLifecyclePolicy(who, name, null, "repositories.deleteLifecyclePolicy");
    }

    private Future<JsonObject> replaceLifecyclePolicy(String who, String name, String policy, String operation) {
        return repository(name).compose(before -> {
            String removed = policy == null ? lifecyclePolicyOf(before) : null;
            Repository after = before.withSettings(before.settings().withLifecyclePolicy(policy));
            return metadata.putRepository(after).map(v -> {
                audit.record(who, operation, name, show(before), show(after));
                return new JsonObject().put("repository", name)
                        .put("lifecyclePolicy", new JsonObject(policy != null ? policy : removed));
            });
        });
    }

    private static String lifecyclePolicyOf(Repository repository) {
        String policy = repository.settings().lifecyclePolicy();
        if (policy == null) {
            throw ApiException.notFound("lifecyclePolicy", null, "the repository " + repository.name()
                    + " has no lifecycle policy");
        }
        return policy;
    }

    /** Re-checks every cached tag upstream now, with the refresher's code (an immutable tag stays). */
    private Future<JsonObject> refresh(String name) {
        return repository(name).compose(repository -> {
            ProxyTarget target;
            try {
                target = rules.resolve(RepositoryName.parse(name));
            } catch (RegistryException e) {
                throw ApiException.conflict("repository", name, "no cache rule covers it any more: "
                        + e.getMessage());
            }
            return revalidator.recheckAll(target);
        }).map(outcomes -> new JsonObject().put("repository", name).put("tags", new JsonObject(Map.copyOf(outcomes))));
    }

    /** One entry of a batch delete: exactly one of a digest and a tag. */
    private record ImageId(String digest, String tag) {

        static List<ImageId> parseAll(JsonObject body) {
            Object value = body.getValue("imageIds");
            if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > 100) {
                throw ApiException.invalid("imageIds", value, "must be a list of 1 to 100 {\"imageDigest\"} or "
                        + "{\"imageTag\"} objects");
            }
            List<FieldError> errors = new ArrayList<>();
            List<ImageId> ids = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                String field = "imageIds[" + i + "]";
                if (!(array.getValue(i) instanceof JsonObject id)
                        || id.containsKey("imageDigest") == id.containsKey("imageTag")) {
                    errors.add(new FieldError(field, String.valueOf(array.getValue(i)),
                            "must have exactly one of imageDigest and imageTag"));
                    continue;
                }
                Object digest = id.getValue("imageDigest");
                Object tag = id.getValue("imageTag");
                if (digest != null && !validDigest(digest)) {
                    errors.add(new FieldError(field + ".imageDigest", String.valueOf(digest),
                            "must be a digest such as sha256:<64 hex digits>"));
                } else if (tag != null && !(tag instanceof String text && text.matches(Tag.REGEX))) {
                    errors.add(new FieldError(field + ".imageTag", String.valueOf(tag),
                            "must match " + Tag.REGEX));
                } else {
                    ids.add(new ImageId((String) digest, (String) tag));
                }
            }
            if (!errors.isEmpty()) {
                throw new ApiException(400, errors);
            }
            return ids;
        }

        private static boolean validDigest(Object value) {
            try {
                return value instanceof String text && Digest.parse(text) != null;
            } catch (RuntimeException e) {
                return false;
            }
        }

        JsonObject toJson() {
            return digest != null ? new JsonObject().put("imageDigest", digest) : new JsonObject().put("imageTag", tag);
        }

        String describe() {
            return digest != null ? digest : "tagged " + tag;
        }

        static JsonArray toJson(List<ImageId> ids) {
            JsonArray array = new JsonArray();
            ids.forEach(id -> array.add(id.toJson()));
            return array;
        }
    }
}
