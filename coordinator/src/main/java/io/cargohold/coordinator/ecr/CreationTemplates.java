package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.PageRequest;
import io.cargohold.coordinator.api.TemplatesApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Repository creation templates, on Cargohold's ({@link TemplatesApi}). Cargohold creates repositories only on
 * pulls through a rule, so every template applies for {@code PULL_THROUGH_CACHE}; ECR's encryption and
 * custom role settings have no counterpart and are not kept.
 */
final class CreationTemplates {

    private static final Function<String, String> FIELD = field -> {
        String member = field.startsWith("templates.") ? field.substring("templates.".length()) : field;
        return member.equals("tagMutability") ? "imageTagMutability" : member;
    };
    private static final List<String> APPLIED_FOR = List.of("PULL_THROUGH_CACHE");

    private final TemplatesApi templates;
    private final String registryId;

    CreationTemplates(TemplatesApi templates, String registryId) {
        this.templates = templates;
        this.registryId = registryId;
    }

    void register(Map<String, EcrOperation> operations) {
        operations.put("CreateRepositoryCreationTemplate", new EcrOperation(call ->
                templates.create(call.who(), settings(call).put("prefix", call.required("prefix"))).map(this::output),
                EcrErrors.of(FIELD, "TemplateNotFoundException", "TemplateAlreadyExistsException", "prefix")));
        EcrErrors errors = EcrErrors.of(FIELD, "TemplateNotFoundException", EcrException.INVALID_PARAMETER, "prefix");
        operations.put("UpdateRepositoryCreationTemplate", new EcrOperation(call ->
                templates.update(call.who(), call.required("prefix"), settings(call)).map(this::output), errors));
        operations.put("DeleteRepositoryCreationTemplate", new EcrOperation(call ->
                templates.delete(call.who(), call.required("prefix")).map(this::output), errors));
        operations.put("DescribeRepositoryCreationTemplates", new EcrOperation(this::describe, errors));
    }

    /** The settings the request gives, under the control API's names; absent ones are left out. */
    private static JsonObject settings(EcrCall call) {
        JsonObject settings = new JsonObject();
        put(settings, "description", call.string("description"));
        put(settings, "tagMutability", call.string("imageTagMutability"));
        put(settings, "lifecyclePolicy", call.string("lifecyclePolicy"));
        put(settings, "repositoryPolicy", call.string("repositoryPolicy"));
        JsonArray tags = call.array("resourceTags");
        if (tags != null) {
            JsonObject byKey = new JsonObject();
            for (int i = 0; i < tags.size(); i++) {
                if (!(tags.getValue(i) instanceof JsonObject tag) || !(tag.getValue("Key") instanceof String key)) {
                    throw EcrException.invalid("resourceTags[" + i + "]", tags.getValue(i),
                            "must be a {Key, Value} structure");
                }
                byKey.put(key, tag.getValue("Value"));
            }
            settings.put("resourceTags", byKey);
        }
        return settings;
    }

    private static void put(JsonObject settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }

    private Future<JsonObject> describe(EcrCall call) {
        List<String> prefixes = call.strings("prefixes");
        if (prefixes != null && !prefixes.isEmpty()) {
            List<Future<JsonObject>> found = prefixes.stream().map(templates::find).toList();
            return Future.all(found).map(done -> new JsonObject().put("registryId", registryId)
                    .put("repositoryCreationTemplates", new JsonArray(found.stream()
                            .map(template -> (Object) show(template.result())).toList())));
        }
        return templates.list(PageRequest.of(call.maxResults(), call.nextToken(), templates::validPrefix))
                .map(listed -> EcrShapes.paged(listed, "templates", "repositoryCreationTemplates", this::show)
                        .put("registryId", registryId));
    }

    private JsonObject output(JsonObject template) {
        return new JsonObject().put("registryId", registryId).put("repositoryCreationTemplate", show(template));
    }

    private JsonObject show(JsonObject template) {
        List<Object> tags = new ArrayList<>();
        JsonObject resourceTags = template.getJsonObject("resourceTags", new JsonObject());
        resourceTags.forEach(tag -> tags.add(new JsonObject().put("Key", tag.getKey()).put("Value", tag.getValue())));
        JsonObject lifecycle = template.getJsonObject("lifecyclePolicy");
        JsonObject repository = template.getJsonObject("repositoryPolicy");
        return EcrShapes.withoutNulls(new JsonObject().put("prefix", template.getString("prefix"))
                .put("description", template.getString("description"))
                .put("imageTagMutability", template.getString("tagMutability"))
                .put("resourceTags", new JsonArray(tags))
                .put("lifecyclePolicy", lifecycle == null ? null : lifecycle.encode())
                .put("repositoryPolicy", repository == null ? null : repository.encode())
                .put("appliedFor", new JsonArray(APPLIED_FOR)));
    }
}
