package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * {@code cargohold ctl}: the control API from a shell. Each leaf command makes one API call and
 * prints its answer as a table or JSON; a refusal prints the API's error line and exits 1.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Manage cache rules, creation templates, repositories, images, policies, API tokens and pins "
                + "through the control API.",
        subcommands = {RulesCommand.class, TemplatesCommand.class, RepositoriesCommand.class, ImagesCommand.class,
                PoliciesCommand.class, TokensCommand.class, PinsCommand.class})
public final class Ctl {

    static final int FAILED = 1;
    static final String PASSWORD_VARIABLE = "CARGOHOLD_ADMIN_PASSWORD";

    @Option(names = "--url", defaultValue = "http://127.0.0.1:5001",
            description = "The admin endpoint of a coordinator or standalone process (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    Output.Format format;

    @Option(names = "--user", description = "An admin of auth.admins, when the API asks for one; the password is "
            + "read from the environment variable " + PASSWORD_VARIABLE + ".")
    String user;

    @Spec
    CommandSpec spec;

    /** Runs one API call and prints its answer with {@code print}; 0, or 1 with the error line. */
    int run(Function<ApiClient, JsonObject> call, Printer print) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            print.print(out, format, call.apply(new ApiClient(url, authorization())));
            out.flush();
            return 0;
        } catch (CtlException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("cargohold ctl: " + e.getMessage());
            err.flush();
            return FAILED;
        }
    }

    /** HTTP basic credentials of {@code --user}, or null without it. */
    private String authorization() {
        if (user == null) {
            return null;
        }
        String password = System.getenv(PASSWORD_VARIABLE);
        if (password == null) {
            throw new CtlException("--user " + user + " needs the password in " + PASSWORD_VARIABLE);
        }
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** How an answer is shown. */
    interface Printer {
        void print(PrintWriter out, Output.Format format, JsonObject answer);
    }

    static Printer item() {
        return Output::item;
    }

    /** Nothing to show (a deletion): a confirmation line in a table, the empty object in JSON. */
    static Printer done(String what) {
        return (out, format, answer) -> out.println(format == Output.Format.json ? "{}" : what);
    }
}
