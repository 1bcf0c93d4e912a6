package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code ctl templates list|get|create|update|delete}. */
@Command(name = "templates", description = "Repository creation templates (ROOT is the default).")
final class TemplatesCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("prefix"),
            Output.Column.field("tagMutability"), Output.Column.field("description"),
            new Output.Column("LIFECYCLE", row -> row.getValue("lifecyclePolicy") == null ? "-" : "yes"),
            new Output.Column("POLICY", row -> row.getValue("repositoryPolicy") == null ? "-" : "yes"));

    @ParentCommand
    Ctl ctl;

    /** The settings a template can be created or updated with. */
    static final class Settings {
        @Option(names = "--tag-mutability", description = "MUTABLE or IMMUTABLE")
        String tagMutability;
        @Option(names = "--description")
        String description;
        @Option(names = "--resource-tag", description = "key=value, repeatable")
        Map<String, String> resourceTags;
        @Option(names = "--lifecycle-policy", description = "a file with the lifecycle policy JSON")
        Path lifecyclePolicy;
        @Option(names = "--repository-policy", description = "a file with the repository policy JSON")
        Path repositoryPolicy;
        @Option(names = "--apply-to-existing", description = "also apply it to the existing repositories it covers")
        boolean applyToExisting;

        JsonObject toJson() {
            JsonObject json = new JsonObject();
            if (tagMutability != null) {
                json.put("tagMutability", tagMutability);
            }
            if (description != null) {
                json.put("description", description);
            }
            if (resourceTags != null) {
                json.put("resourceTags", new JsonObject(Map.copyOf(resourceTags)));
            }
            if (lifecyclePolicy != null) {
                json.put("lifecyclePolicy", read(lifecyclePolicy));
            }
            if (repositoryPolicy != null) {
                json.put("repositoryPolicy", read(repositoryPolicy));
            }
            if (applyToExisting) {
                json.put("applyToExisting", true);
            }
            return json;
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new CtlException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "list", description = "Every template, or one page of them.")
    int list(@Mixin PageOptions page) {
        return ctl.run(api -> api.list("/templates", "templates", page),
                (out, format, answer) -> Output.list(out, format, answer, "templates", COLUMNS));
    }

    @Command(name = "get", description = "One template.")
    int get(@Parameters(paramLabel = "PREFIX") String prefix) {
        return ctl.run(api -> api.call("GET", "/templates/" + ApiClient.encode(prefix), null), Ctl.item());
    }

    @Command(name = "create", description = "Create a template for repositories created from now on.")
    int create(@Option(names = "--prefix", required = true, description = "a repository prefix, or ROOT") String prefix,
               @Mixin Settings settings) {
        return ctl.run(api -> api.call("POST", "/templates", settings.toJson().put("prefix", prefix)), Ctl.item());
    }

    @Command(name = "update", description = "Change a template (only the settings given).")
    int update(@Parameters(paramLabel = "PREFIX") String prefix, @Mixin Settings settings) {
        return ctl.run(api -> api.call("PUT", "/templates/" + ApiClient.encode(prefix), settings.toJson()),
                Ctl.item());
    }

    @Command(name = "delete", description = "Delete a template.")
    int delete(@Parameters(paramLabel = "PREFIX") String prefix) {
        return ctl.run(api -> api.call("DELETE", "/templates/" + ApiClient.encode(prefix), null),
                Ctl.done("deleted template " + prefix));
    }
}
