package io.cargohold.coordinator.api;

import io.cargohold.config.ConfigValidator;
import io.cargohold.lifecycle.LifecyclePolicy;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.RepositoryTemplate;
import io.cargohold.spi.TagMutability;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A creation template as the API takes it: every field checked, every problem reported at once.
 * Policies may be sent as JSON objects or as their text; they are kept as text.
 */
final class TemplateRequest {

    static final Set<String> KEYS = Set.of("prefix", "tagMutability", "description", "resourceTags",
            "lifecyclePolicy", "repositoryPolicy", "applyToExisting");
    private static final Pattern PREFIX = Pattern.compile(ConfigValidator.PREFIX_REGEX);
    private static final int MAX_DESCRIPTION = 256;
    private static final int MAX_TAGS = 50;
    private static final int MAX_TAG_KEY = 128;
    private static final int MAX_TAG_VALUE = 256;

    private TemplateRequest() {
    }

    /** The template in {@code body}; a 400 listing every field at fault. */
    static RepositoryTemplate parse(JsonObject body) {
        List<FieldError> errors = new ArrayList<>();
        for (String field : body.fieldNames()) {
            if (!KEYS.contains(field)) {
                errors.add(error(field, body.getValue(field), "is not a template setting (one of "
                        + KEYS.stream().sorted().toList() + ")"));
            }
        }
        Object prefix = body.getValue("prefix");
        if (!(prefix instanceof String text) || !(RepositoryTemplate.ROOT.equals(text) || PREFIX.matcher(text).matches())) {
            errors.add(error("prefix", prefix, "must be ROOT or match " + ConfigValidator.PREFIX_REGEX));
        }
        TagMutability mutability = mutability(body.getValue("tagMutability"), errors);
        Object description = body.getValue("description");
        if (description != null && (!(description instanceof String text) || text.length() > MAX_DESCRIPTION)) {
            errors.add(error("description", description, "must be a string of at most " + MAX_DESCRIPTION
                    + " characters"));
        }
        Map<String, String> tags = resourceTags(body.getValue("resourceTags"), errors);
        String lifecycle = policyText("lifecyclePolicy", body.getValue("lifecyclePolicy"), errors);
        if (lifecycle != null) {
            try {
                LifecyclePolicy.parse(lifecycle);
            } catch (LifecyclePolicyException e) {
                errors.add(error("lifecyclePolicy" + e.field().map(f -> "." + f).orElse(""), lifecycle,
                        e.ecrMessage()));
            }
        }
        String repositoryPolicy = policyText("repositoryPolicy", body.getValue("repositoryPolicy"), errors);
        if (repositoryPolicy != null) {
            try {
                Policy.parse(repositoryPolicy);
            } catch (PolicyException e) {
                errors.add(error("repositoryPolicy", repositoryPolicy, e.getMessage()));
            }
        }
        Object apply = body.getValue("applyToExisting");
        if (apply != null && !(apply instanceof Boolean)) {
            errors.add(error("applyToExisting", apply, "must be true or false"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(400, errors);
        }
        return new RepositoryTemplate((String) prefix, new RepositorySettings(mutability, (String) description, tags,
                lifecycle, repositoryPolicy));
    }

    private static TagMutability mutability(Object value, List<FieldError> errors) {
        if (value == null) {
            return TagMutability.MUTABLE;
        }
        try {
            return TagMutability.valueOf((String) value);
        } catch (IllegalArgumentException | ClassCastException e) {
            errors.add(error("tagMutability", value, "must be one of " + Arrays.toString(TagMutability.values())));
            return null;
        }
    }

    private static Map<String, String> resourceTags(Object value, List<FieldError> errors) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject object) || object.size() > MAX_TAGS) {
            errors.add(error("resourceTags", value, "must be an object of at most " + MAX_TAGS + " string values"));
            return Map.of();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        object.forEach(entry -> {
            if (entry.getKey().isEmpty() || entry.getKey().length() > MAX_TAG_KEY) {
                errors.add(error("resourceTags", entry.getKey(), "keys must be 1 to " + MAX_TAG_KEY + " characters"));
            } else if (!(entry.getValue() instanceof String text) || text.length() > MAX_TAG_VALUE) {
                errors.add(error("resourceTags." + entry.getKey(), entry.getValue(),
                        "must be a string of at most " + MAX_TAG_VALUE + " characters"));
            } else {
                tags.put(entry.getKey(), text);
            }
        });
        return tags;
    }

    private static String policyText(String field, Object value, List<FieldError> errors) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof JsonObject object) {
            return object.encode();
        }
        errors.add(error(field, value, "must be a JSON object or its text"));
        return null;
    }

    /** How a template is shown: the stored form, policies as JSON objects. */
    static JsonObject show(RepositoryTemplate template) {
        return settingsJson(template.settings()).put("prefix", template.prefix());
    }

    static JsonObject settingsJson(RepositorySettings settings) {
        return new JsonObject()
                .put("tagMutability", settings.tagMutability().name())
                .put("description", settings.description())
                .put("resourceTags", new JsonObject(Map.copyOf(settings.resourceTags())))
                .put("lifecyclePolicy", settings.lifecyclePolicy() == null ? null
                        : new JsonObject(settings.lifecyclePolicy()))
                .put("repositoryPolicy", settings.repositoryPolicy() == null ? null
                        : new JsonObject(settings.repositoryPolicy()));
    }

    private static FieldError error(String field, Object value, String message) {
        return new FieldError("templates." + field, value == null ? null : String.valueOf(value), message);
    }
}
