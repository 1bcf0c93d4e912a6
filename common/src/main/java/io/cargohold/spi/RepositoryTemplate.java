package io.cargohold.spi;

import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A repository creation template: the settings a repository under {@code prefix} gets when its
 * first pull creates it. {@link #ROOT} is the default for names no other template covers.
 */
public record RepositoryTemplate(String prefix, RepositorySettings settings) {

    public static final String ROOT = "ROOT";

    /** Whether this template covers {@code repository} ({@code ROOT} covers every name). */
    public boolean covers(String repository) {
        return ROOT.equals(prefix) || repository.equals(prefix) || repository.startsWith(prefix + "/");
    }

    /** The template of a new repository: the longest covering prefix, else {@code ROOT}. */
    public static Optional<RepositoryTemplate> match(Collection<RepositoryTemplate> templates, String repository) {
        return templates.stream()
                .filter(template -> template.covers(repository))
                .max(Comparator.comparingInt(template -> ROOT.equals(template.prefix()) ? -1
                        : template.prefix().length()));
    }

    /** The stored form: the settings' fields beside the prefix, policies as their JSON text. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("prefix", prefix)
                .put("tagMutability", settings.tagMutability().name())
                .put("description", settings.description())
                .put("resourceTags", new JsonObject(Map.copyOf(settings.resourceTags())))
                .put("lifecyclePolicy", settings.lifecyclePolicy())
                .put("repositoryPolicy", settings.repositoryPolicy());
    }

    public static RepositoryTemplate fromJson(JsonObject json) {
        JsonObject tags = json.getJsonObject("resourceTags", new JsonObject());
        return new RepositoryTemplate(json.getString("prefix"), new RepositorySettings(
                TagMutability.valueOf(json.getString("tagMutability", TagMutability.MUTABLE.name())),
                json.getString("description"),
                tags.getMap().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        entry -> String.valueOf(entry.getValue()))),
                json.getString("lifecyclePolicy"), json.getString("repositoryPolicy")));
    }
}
