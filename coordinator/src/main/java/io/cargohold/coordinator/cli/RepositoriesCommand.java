package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;

/** {@code ctl repositories list|describe|set-mutability|refresh}. */
@Command(name = "repositories", description = "Cached repositories.")
final class RepositoriesCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("name"),
            Output.Column.field("upstreamUrl"),
            new Output.Column("TAGMUTABILITY", row -> row.getJsonObject("settings").getString("tagMutability")),
            Output.Column.field("createdAt"));

    @ParentCommand
    Ctl ctl;

    @Command(name = "list", description = "Every repository, or one page of them.")
    int list(@Mixin PageOptions page) {
        return ctl.run(api -> api.list("/repositories", "repositories", page),
                (out, format, answer) -> Output.list(out, format, answer, "repositories", COLUMNS));
    }

    @Command(name = "describe", description = "One repository with its settings.")
    int describe(@Parameters(paramLabel = "NAME") String name) {
        return ctl.run(api -> api.call("GET", "/repositories/" + ApiClient.encode(name), null), Ctl.item());
    }

    @Command(name = "set-mutability", description = "MUTABLE or IMMUTABLE tags from now on.")
    int setMutability(@Parameters(paramLabel = "NAME") String name,
                      @Parameters(paramLabel = "MUTABILITY") String mutability) {
        return ctl.run(api -> api.call("PUT", "/repositories/" + ApiClient.encode(name) + "/tag-mutability",
                new JsonObject().put("tagMutability", mutability)), Ctl.item());
    }

    @Command(name = "refresh", description = "Re-check every cached tag upstream now.")
    int refresh(@Parameters(paramLabel = "NAME") String name) {
        return ctl.run(api -> api.call("POST", "/repositories/" + ApiClient.encode(name) + "/refresh", null),
                (out, format, answer) -> Output.item(out, format, format == Output.Format.json ? answer
                        : answer.getJsonObject("tags")));
    }
}
