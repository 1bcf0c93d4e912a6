package io.cargohold.coordinator.api;

import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.RuleResolver;
import io.cargohold.cache.TagRevalidator;
import io.cargohold.lifecycle.LifecyclePolicy;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.Platform;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.policy.Authorizer;
import io.cargohold.policy.EcrActions;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.policy.Principal;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagMutability;
import io.cargohold.spi.TagRecord;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
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
 * Cached repositories and their images: list (by name prefix too), describe (an image with its layers and
 * referrers), delete images (their tags and manifest records; blobs are the garbage collector's), set tag
 * mutability, and re-check every tag upstream now.
 */
public final class RepositoriesApi {

    private static final String NAME = "(?<name>.+)";
    private static final String DIGEST = "(?<digest>[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)";
    static final String NAME_PREFIX = "namePrefix";
    private static final int MAX_NAME_PREFIX = 256;
    private static final Pattern IMAGE_KEY = Pattern.compile("[0-9]{19}/.+");

    private final MetadataStore metadata;
    private final Authorizer authorizer;
    private final RuleResolver rules;
    private final TagRevalidator revalidator;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    RepositoriesApi(MetadataStore metadata, Authorizer authorizer, RuleResolver rules, TagRevalidator revalidator,
                    AuditLog audit, Function<RoutingContext, String> caller) {
        this.metadata = metadata;
        this.authorizer = authorizer;
        this.rules = rules;
        this.revalidator = revalidator;
        this.audit = audit;
        this.caller = caller;
    }

    void mount(Router router) {
        router.get("/repositories").handler(ctx -> ApiResponses.reply(ctx, 200,
                list(AdminAccess.reader(ctx), PageRequest.ofRepositories(ctx.queryParams()),
                        namePrefix(ctx.queryParams().get(NAME_PREFIX)))));
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME + "/images")
                .handler(ctx -> ApiResponses.reply(ctx, 200, images(AdminAccess.reader(ctx), ctx.pathParam("name"),
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
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME + "/images/" + DIGEST)
                .handler(ctx -> ApiResponses.reply(ctx, 200,
                        image(AdminAccess.reader(ctx), ctx.pathParam("name"), ctx.pathParam("digest"))));
        router.routeWithRegex(HttpMethod.GET, "/repositories/" + NAME)
                .handler(ctx -> ApiResponses.reply(ctx, 200, readable(AdminAccess.reader(ctx), ctx.pathParam("name"),
                        EcrActions.DESCRIBE_REPOSITORIES).map(RepositoriesApi::show)));
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
        return list(Optional.empty(), page, null);
    }

    /**
     * A page of repositories, read from storage a page at a time; one deleted meanwhile is left out, and so is
     * one a reader may not see (their page can be short). With a {@code namePrefix}, only the names that start
     * with it.
     */
    private Future<JsonObject> list(Optional<Principal> reader, PageRequest page, String namePrefix) {
        Future<List<String>> names = namePrefix == null
                ? metadata.repositoryNames(page.after(), page.maxResults() + 1)
                : namesStartingWith(namePrefix, page);
        return names.compose(read -> {
            Page<String> shown = page.fromOneMore(read, name -> name);
            List<Future<Optional<Repository>>> found = shown.items().stream().map(metadata::repository).toList();
            return Future.all(found).map(done -> new Page<>(found.stream().map(Future::result)
                    .flatMap(Optional::stream)
                    .filter(repository -> mayRead(reader, repository, EcrActions.DESCRIBE_REPOSITORIES))
                    .map(RepositoriesApi::show).toList(), shown.nextToken())
                    .toJson("repositories"));
        });
    }

    /** The repository, for a caller that checked its access already (the ECR API). */
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

    /** The repository when the caller may read it with {@code action}; a 404, as for none, when not. */
    private Future<Repository> readable(Optional<Principal> reader, String name, String action) {
        return repository(name).map(found -> {
            if (!mayRead(reader, found, action)) {
                throw ApiException.notFound("no repository '" + name + "'");
            }
            return found;
        });
    }

    /**
     * Admins read everything; a reader what the repository's policy allows them: {@code action}, or pulls (what
     * they may pull they may see, as in the registry's catalog). A policy that no longer parses allows nothing.
     */
    private boolean mayRead(Optional<Principal> reader, Repository repository, String action) {
        if (reader.isEmpty()) {
            return true;
        }
        Policy policy;
        try {
            String text = repository.settings().repositoryPolicy();
            policy = text == null ? null : Policy.parse(text);
        } catch (PolicyException unreadable) {
            return false;
        }
        return authorizer.decide(reader.get(), action, repository.name(), null, policy).allowed()
                || authorizer.mayPull(reader.get(), repository.name(), policy).allowed();
    }

    /**
     * Up to {@code maxResults + 1} names starting with {@code prefix}, after the page's token. In key order
     * they follow each other from the prefix on; storage keys are names, so the read starts at the prefix
     * without its trailing separators ({@code up/lib/} from {@code up/lib}) and passes over the few names
     * between the two ({@code up/lib-x}).
     */
    private Future<List<String>> namesStartingWith(String prefix, PageRequest page) {
        String start = prefix.replaceAll("[^a-z0-9]+$", "");
        if (!start.isEmpty() && !validName(start)) {
            return Future.succeededFuture(List.of());
        }
        boolean first = page.after() == null || page.after().compareTo(start) < 0;
        Future<Optional<Repository>> exact = first && start.equals(prefix) ? metadata.repository(prefix)
                : Future.succeededFuture(Optional.empty());
        return exact.compose(self -> {
            List<String> into = new ArrayList<>();
            self.ifPresent(repository -> into.add(repository.name()));
            return namesStartingWith(prefix, first ? (start.isEmpty() ? null : start) : page.after(),
                    page.maxResults() + 1, into);
        });
    }

    private Future<List<String>> namesStartingWith(String prefix, String after, int wanted, List<String> into) {
        return metadata.repositoryNames(after, wanted).compose(names -> {
            for (String name : names) {
                if (name.startsWith(prefix)) {
                    into.add(name);
                    if (into.size() == wanted) {
                        return Future.succeededFuture(into);
                    }
                } else if (name.compareTo(prefix) > 0) {
                    return Future.succeededFuture(into);
                }
            }
            return names.size() < wanted ? Future.succeededFuture(into)
                    : namesStartingWith(prefix, names.get(names.size() - 1), wanted, into);
        });
    }

    private static boolean validName(String name) {
        try {
            RepositoryName.parse(name);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private static String namePrefix(String value) {
        if (value != null && (value.isEmpty() || value.length() > MAX_NAME_PREFIX)) {
            throw ApiException.invalid(NAME_PREFIX, value, "must be 1 to " + MAX_NAME_PREFIX + " characters");
        }
        return value;
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
    /** A page of images, for a caller that checked its access already (the ECR API). */
    public Future<JsonObject> images(String name, PageRequest page) {
        return images(Optional.empty(), name, page);
    }

    private Future<JsonObject> images(Optional<Principal> reader, String name, PageRequest page) {
        return imagesOf(reader, name).map(both -> {
            List<ManifestRecord> manifests = both.resultAt(0);
            Map<String, List<TagRecord>> byDigest = both.<List<TagRecord>>resultAt(1).stream()
                    .collect(Collectors.groupingBy(TagRecord::digest));
            return page.of(manifests, RepositoriesApi::imageKey)
                    .map(manifest -> image(manifest, byDigest.getOrDefault(manifest.digest(), List.of())))
                    .toJson("images").put("repository", name);
        });
    }

    /** A repository's manifests and tag records, when the caller may describe its images. */
    private Future<CompositeFuture> imagesOf(Optional<Principal> reader, String name) {
        return readable(reader, name, EcrActions.DESCRIBE_IMAGES)
                .compose(repository -> Future.all(metadata.manifests(name), metadata.tagRecords(name)));
    }

    /**
     * One image with what it is made of: its config and layers (an index: its manifests and their platforms),
     * and its referrers, the cached manifests of the repository whose {@code subject} it is (signatures,
     * SBOMs, attestations).
     */
    private Future<JsonObject> image(Optional<Principal> reader, String name, String digest) {
        return imagesOf(reader, name).map(both -> {
            List<ManifestRecord> manifests = both.resultAt(0);
            List<TagRecord> tags = both.resultAt(1);
            ManifestRecord manifest = manifests.stream().filter(m -> m.digest().equals(digest)).findFirst()
                    .orElseThrow(() -> ApiException.notFound("no image " + digest + " in " + name));
            JsonObject shown = image(manifest, tags.stream().filter(tag -> tag.digest().equals(digest)).toList())
                    .put("repository", name);
            JsonArray layers = new JsonArray();
            JsonArray children = new JsonArray();
            try {
                Manifest parsed = Manifest.parse(manifest.content(), manifest.mediaType());
                shown.put("config", parsed.config() == null ? null : descriptor(parsed.config()));
                parsed.layers().forEach(layer -> layers.add(descriptor(layer)));
                parsed.manifests().forEach(child -> children.add(descriptor(child)));
            } catch (RegistryException unreadable) {
                shown.put("problem", unreadable.getMessage());
            }
            return shown.put("layers", layers).put("manifests", children)
                    .put("referrers", referrers(manifests, digest));
        });
    }

    private static JsonArray referrers(List<ManifestRecord> manifests, String digest) {
        JsonArray referrers = new JsonArray();
        for (ManifestRecord other : manifests) {
            JsonObject document = document(other);
            JsonObject subject = document.getJsonObject("subject");
            if (subject != null && digest.equals(subject.getValue("digest"))) {
                JsonObject config = document.getJsonObject("config", new JsonObject());
                referrers.add(new JsonObject().put("digest", other.digest()).put("mediaType", other.mediaType())
                        .put("size", other.size())
                        .put("artifactType", document.getString("artifactType", config.getString("mediaType")))
                        .put("cachedAt", Instant.ofEpochMilli(other.cachedAtMillis()).toString()));
            }
        }
        return referrers;
    }

    private static JsonObject descriptor(Descriptor descriptor) {
        JsonObject json = new JsonObject().put("digest", descriptor.digest().value())
                .put("mediaType", descriptor.mediaType()).put("size", descriptor.size());
        Platform platform = descriptor.platform();
        if (platform != null) {
            json.put("platform", new JsonObject().put("os", platform.os())
                    .put("architecture", platform.architecture()).put("variant", platform.variant()));
        }
        return json;
    }

    /** A manifest's JSON; empty when it is not a JSON object (it then refers to nothing). */
    private static JsonObject document(ManifestRecord manifest) {
        try {
            return new JsonObject(Buffer.buffer(manifest.content()));
        } catch (DecodeException | ClassCastException e) {
            return new JsonObject();
        }
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
