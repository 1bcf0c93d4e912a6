package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code ctl tokens list|create|delete}: API tokens, which clients log in with in place of a password. */
@Command(name = "tokens", description = "API tokens for registry clients.")
final class TokensCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("id"), Output.Column.field("name"),
            Output.Column.field("account"), Output.Column.field("org"), Output.Column.field("createdAt"));

    @ParentCommand
    Ctl ctl;

    @Command(name = "list", description = "Every token (or one page of them), without its secret.")
    int list(@Mixin PageOptions page) {
        return ctl.run(api -> api.list("/tokens", "tokens", page),
                (out, format, answer) -> Output.list(out, format, answer, "tokens", COLUMNS));
    }

    @Command(name = "create", description = "A new token; its secret is printed once, here.")
    int create(@Option(names = "--name", required = true) String name,
               @Option(names = "--account", description = "Default: the registry's own account.") String account,
               @Option(names = "--org", description = "The organization ID it stands for.") String org) {
        JsonObject body = new JsonObject().put("name", name);
        if (account != null) {
            body.put("account", account);
        }
        if (org != null) {
            body.put("org", org);
        }
        return ctl.run(api -> api.call("POST", "/tokens", body), Ctl.item());
    }

    @Command(name = "delete", description = "Revokes a token at once.")
    int delete(@Parameters(paramLabel = "ID") String id) {
        return ctl.run(api -> api.call("DELETE", "/tokens/" + id, null), Ctl.done("token " + id + " deleted"));
    }
}
