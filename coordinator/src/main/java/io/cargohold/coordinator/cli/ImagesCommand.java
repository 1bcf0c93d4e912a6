package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;

/** {@code ctl images list|delete}. */
@Command(name = "images", description = "The images of a cached repository.")
final class ImagesCommand {

    private static final List<Output.Column> COLUMNS = List.of(Output.Column.field("digest"),
            Output.Column.field("tags"), Output.Column.field("size"), Output.Column.field("cachedAt"),
            Output.Column.field("lastPulledAt"), Output.Column.field("upstreamDigest"));

    @ParentCommand
    Ctl ctl;

    @Command(name = "list", description = "Every image (or one page of them, newest first): "
            + "digest, tags, size, times, newer upstream digest.")
    int list(@Parameters(paramLabel = "REPOSITORY") String repository, @Mixin PageOptions page) {
        return ctl.run(api -> api.list("/repositories/" + ApiClient.encode(repository) + "/images", "images", page),
                (out, format, answer) -> Output.list(out, format, answer, "images", COLUMNS));
    }

    @Command(name = "delete", description = "Delete images by digest or tag (blobs go with garbage collection).")
    int delete(@Parameters(paramLabel = "REPOSITORY") String repository,
               @Option(names = "--digest", description = "repeatable") List<String> digests,
               @Option(names = "--tag", description = "repeatable") List<String> tags) {
        JsonArray ids = new JsonArray();
        if (digests != null) {
            digests.forEach(digest -> ids.add(new JsonObject().put("imageDigest", digest)));
        }
        if (tags != null) {
            tags.forEach(tag -> ids.add(new JsonObject().put("imageTag", tag)));
        }
        return ctl.run(api -> {
            JsonObject answer = api.call("POST", "/repositories/" + ApiClient.encode(repository)
                    + "/images/batch-delete", new JsonObject().put("imageIds", ids));
            if (!answer.getJsonArray("failures").isEmpty()) {
                throw new CtlException("not deleted: " + answer.getJsonArray("failures").stream()
                        .map(JsonObject.class::cast).map(failure -> failure.getString("failureReason"))
                        .reduce((a, b) -> a + "; " + b).orElse(""));
            }
            return answer;
        }, (out, format, answer) -> Output.list(out, format, answer, "imageIds",
                List.of(Output.Column.field("imageDigest"), Output.Column.field("imageTag"))));
    }
}
