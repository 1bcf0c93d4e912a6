package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;

/** {@code ctl rules list|get|create|update|delete|validate}. */
@Command(name = "rules", description = "Cache rules (config-file rules are listed read-only).")
final class RulesCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("prefix"),
            Output.Column.field("upstreamUrl"), Output.Column.field("credentials"),
            Output.Column.field("refreshInterval"), Output.Column.field("allow"), Output.Column.field("deny"),
            Output.Column.field("source"));

    @ParentCommand
    Ctl ctl;

    /** The settings a rule can be created or updated with. */
    static final class Settings {
        @Option(names = "--upstream-url", description = "http(s)://host[:port] of the upstream registry")
        String upstreamUrl;
        @Option(names = "--upstream-repository-prefix", description = "map <prefix>/x to <this>/x upstream")
        String upstreamRepositoryPrefix;
        @Option(names = "--credentials", description = "env:NAME, file:PATH, user:password, aws-secretsmanager:ID, aws-ecr")
        String credentials;
        @Option(names = "--refresh-interval", description = "ISO-8601, such as PT6H")
        String refreshInterval;
        @Option(names = "--allow", paramLabel = "PATTERN",
                description = "<upstream repository>[:<tag>] patterns the rule lets in (repeat; replaces the list)")
        List<String> allow;
        @Option(names = "--deny", paramLabel = "PATTERN",
                description = "patterns the rule refuses, even when allowed (repeat; replaces the list)")
        List<String> deny;

        JsonObject toJson() {
            JsonObject json = new JsonObject();
            put(json, "upstreamUrl", upstreamUrl);
            put(json, "upstreamRepositoryPrefix", upstreamRepositoryPrefix);
            put(json, "credentials", credentials);
            put(json, "refreshInterval", refreshInterval);
            if (allow != null) {
                json.put("allow", new JsonArray(allow));
            }
            if (deny != null) {
                json.put("deny", new JsonArray(deny));
            }
            return json;
        }

        private static void put(JsonObject json, String key, String value) {
            if (value != null) {
                json.put(key, value);
            }
        }
    }

    @Command(name = "list", description = "Every rule, or one page of them.")
    int list(@Mixin PageOptions page) {
        return ctl.run(api -> api.list("/rules", "rules", page),
                (out, format, answer) -> Output.list(out, format, answer, "rules", COLUMNS));
    }

    @Command(name = "get", description = "One rule.")
    int get(@Parameters(paramLabel = "PREFIX") String prefix) {
        return ctl.run(api -> api.call("GET", "/rules/" + ApiClient.encode(prefix), null), Ctl.item());
    }

    @Command(name = "create", description = "Create a rule; every node uses it within seconds.")
    int create(@Option(names = "--prefix", required = true) String prefix,
               @Mixin Settings settings) {
        return ctl.run(api -> api.call("POST", "/rules", settings.toJson().put("prefix", prefix)), Ctl.item());
    }

    @Command(name = "update", description = "Change a rule in place (only the settings given).")
    int update(@Parameters(paramLabel = "PREFIX") String prefix, @Mixin Settings settings) {
        return ctl.run(api -> api.call("PUT", "/rules/" + ApiClient.encode(prefix), settings.toJson()), Ctl.item());
    }

    @Command(name = "delete", description = "Delete a rule (its cached repositories stay).")
    int delete(@Parameters(paramLabel = "PREFIX") String prefix) {
        return ctl.run(api -> api.call("DELETE", "/rules/" + ApiClient.encode(prefix), null),
                Ctl.done("deleted rule " + prefix));
    }

    @Command(name = "validate", description = "Read the rule's credentials, reach its upstream, authenticate.")
    int validate(@Parameters(paramLabel = "PREFIX") String prefix) {
        return ctl.run(api -> {
            JsonObject report = api.call("POST", "/rules/" + ApiClient.encode(prefix) + "/validate", null);
            if (!report.getBoolean("valid")) {
                throw new CtlException("rule " + prefix + " is not valid: " + report.getJsonArray("checks").stream()
                        .map(JsonObject.class::cast).filter(check -> !check.getBoolean("ok"))
                        .map(check -> check.getString("check") + ": " + check.getString("message"))
                        .reduce((a, b) -> a + "; " + b).orElse(""));
            }
            return report;
        }, (out, format, answer) -> Output.list(out, format, answer, "checks", List.of(Output.Column.field("check"),
                Output.Column.field("ok"), Output.Column.field("message"))));
    }
}
