package io.cargohold.coordinator.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ctl policies}: the registry policy ({@code get-registry|put-registry|delete-registry}), a
 * repository's policy ({@code get|put|delete REPOSITORY}) and {@code simulate}.
 */
@Command(name = "policies", description = "Registry and repository policies, and what they decide.")
final class PoliciesCommand {

    private static final String REGISTRY = "/registry-policy";

    @ParentCommand
    Ctl ctl;

    @Command(name = "get-registry", description = "The registry policy.")
    int getRegistry() {
        return ctl.run(api -> api.call("GET", REGISTRY, null), Ctl.item());
    }

    @Command(name = "put-registry", description = "Replaces the registry policy with the JSON document in FILE.")
    int putRegistry(@Parameters(paramLabel = "FILE") Path file) {
        return ctl.run(api -> api.call("PUT", REGISTRY, document(file)), Ctl.item());
    }

    @Command(name = "delete-registry", description = "Removes the registry policy.")
    int deleteRegistry() {
        return ctl.run(api -> api.call("DELETE", REGISTRY, null), Ctl.done("registry policy deleted"));
    }

    @Command(name = "get", description = "A repository's policy.")
    int get(@Parameters(paramLabel = "REPOSITORY") String repository) {
        return ctl.run(api -> api.call("GET", path(repository), null), Ctl.item());
    }

    @Command(name = "put", description = "Replaces a repository's policy with the JSON document in FILE.")
    int put(@Parameters(paramLabel = "REPOSITORY") String repository, @Parameters(paramLabel = "FILE") Path file) {
        return ctl.run(api -> api.call("PUT", path(repository), document(file)), Ctl.item());
    }

    @Command(name = "delete", description = "Removes a repository's policy.")
    int delete(@Parameters(paramLabel = "REPOSITORY") String repository) {
        return ctl.run(api -> api.call("DELETE", path(repository), null), Ctl.done("policy of " + repository
                + " deleted"));
    }

    @Command(name = "simulate", description = "Whether a principal may do an action on a repository, and why.")
    int simulate(@Option(names = "--action", required = true, description = "Such as ecr:BatchGetImage.") String action,
                 @Option(names = "--resource", required = true, description = "A repository name or ARN.")
                 String resource,
                 @Option(names = "--account", description = "The principal's account; none: anonymous.") String account,
                 @Option(names = "--org", description = "The principal's organization ID.") String org,
                 @Option(names = "--arn", description = "The principal's ARN.") String arn) {
        JsonObject principal = new JsonObject();
        putIfGiven(principal, "account", account);
        putIfGiven(principal, "org", org);
        putIfGiven(principal, "arn", arn);
        JsonObject request = new JsonObject().put("principal", principal).put("action", action)
                .put("resource", resource);
        return ctl.run(api -> api.call("POST", "/policies/simulate", request), Ctl.item());
    }

    private static String path(String repository) {
        return "/repositories/" + ApiClient.encode(repository) + "/policy";
    }

    private static JsonObject document(Path file) {
        try {
            return new JsonObject(Files.readString(file));
        } catch (IOException e) {
            throw new CtlException("cannot read " + file + ": " + e.getMessage());
        } catch (DecodeException e) {
            throw new CtlException(file + " is not a JSON object: " + e.getMessage());
        }
    }

    private static void putIfGiven(JsonObject json, String key, String value) {
        if (value != null) {
            json.put(key, value);
        }
    }
}
