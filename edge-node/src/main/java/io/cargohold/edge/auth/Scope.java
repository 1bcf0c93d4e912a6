package io.cargohold.edge.auth;

import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/**
 * One entry of Docker's token scope, {@code repository:<name>:pull} or {@code registry:catalog:*}, and of the
 * {@code access} claim of a token: a resource type, its name and the actions.
 */
public record Scope(String type, String name, List<String> actions) {

    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final String PULL = "pull";
    public static final String CATALOG = "catalog";
    public static final String ALL = "*";

    public Scope {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        actions = List.copyOf(actions);
    }

    public static Scope pull(String repository) {
        return new Scope(REPOSITORY, repository, List.of(PULL));
    }

    public static Scope catalog() {
        return new Scope(REGISTRY, CATALOG, List.of(ALL));
    }

    /** Parses a {@code scope} parameter; fails with a 400 naming it when malformed. */
    public static Scope parse(String value) {
        int first = value.indexOf(':');
        int last = value.lastIndexOf(':');
        if (first <= 0 || last == first || last == value.length() - 1) {
            throw invalid(value, "must be type:name:actions, such as repository:dockerhub/library/nginx:pull");
        }
        String type = value.substring(0, first);
        String name = value.substring(first + 1, last);
        List<String> actions = List.of(value.substring(last + 1).split(","));
        if (type.equals(REPOSITORY)) {
            try {
                RepositoryName.parse(name);
            } catch (RegistryException e) {
                throw invalid(value, "names an invalid repository");
            }
        }
        return new Scope(type, name, actions);
    }

    /**
     * What a cache grants of this scope: pull on a repository, everything on the catalog, nothing else (it takes
     * no pushes); null when nothing.
     */
    public Scope granted() {
        if (type.equals(REPOSITORY) && (actions.contains(PULL) || actions.contains(ALL))) {
            return pull(name);
        }
        if (type.equals(REGISTRY) && name.equals(CATALOG)) {
            return catalog();
        }
        return null;
    }

    public boolean covers(Scope needed) {
        return type.equals(needed.type) && name.equals(needed.name)
                && (actions.contains(ALL) || actions.containsAll(needed.actions));
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + String.join(",", actions);
    }

    public JsonObject toJson() {
        return new JsonObject().put("type", type).put("name", name).put("actions", new JsonArray(actions));
    }

    /** An entry of a token's {@code access} claim; fails with a {@link ClassCastException} or NPE when malformed. */
    static Scope fromJson(JsonObject json) {
        List<String> actions = json.getJsonArray("actions").stream().map(String.class::cast).toList();
        return new Scope((String) json.getValue("type"), (String) json.getValue("name"), actions);
    }

    private static RegistryException invalid(String value, String rule) {
        return new RegistryException(OciErrorCode.UNSUPPORTED, "scope '" + value + "' " + rule, value, 400, null);
    }
}
