package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;

/** {@code ctl pins list|add|delete}. */
@Command(name = "pins", description = "Pinned images: warmed at once, re-checked, never expired or evicted.")
final class PinsCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("id"),
            Output.Column.field("image"), Output.Column.field("source"), Output.Column.field("state"),
            new Output.Column("BYTES", row -> row.getLong("bytesDone") + "/" + row.getLong("bytesTotal")),
            new Output.Column("DIGEST", row -> row.getValue("digest") == null ? "-" : row.getValue("digest")),
            new Output.Column("ERROR", row -> row.getValue("error") == null ? "-" : row.getValue("error")));

    @ParentCommand
    Ctl ctl;

    @Command(name = "list", description = "Every pin with its warm-up: state, bytes done, error.")
    int list() {
        return ctl.run(api -> api.call("GET", "/pins", null),
                (out, format, answer) -> Output.list(out, format, answer, "pins", COLUMNS));
    }

    @Command(name = "add", description = "Pin an image and warm it now.")
    int add(@Parameters(paramLabel = "IMAGE", description = "<prefix>/<repository>:<tag> or "
            + "<prefix>/<repository>@sha256:<hex>") String image) {
        return ctl.run(api -> api.call("POST", "/pins", new JsonObject().put("image", image)), Ctl.item());
    }

    @Command(name = "delete", description = "Unpin an image (pins of the config file: edit its warm list).")
    int delete(@Parameters(paramLabel = "ID") String id) {
        return ctl.run(api -> api.call("DELETE", "/pins/" + ApiClient.encode(id), null),
                Ctl.done("deleted pin " + id));
    }
}
