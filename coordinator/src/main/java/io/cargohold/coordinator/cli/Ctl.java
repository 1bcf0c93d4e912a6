package io.cargohold.coordinator.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.function.Function;

/**
 * {@code cargohold ctl}: the control API from a shell. Each leaf command makes one API call and
 * prints its answer as a table or JSON; a refusal prints the API's error line and exits 1.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Manage cache rules, creation templates, repositories, images, policies and API tokens "
                + "through the control API.",
        subcommands = {RulesCommand.class, TemplatesCommand.class, RepositoriesCommand.class, ImagesCommand.class,
                PoliciesCommand.class, TokensCommand.class})
public final class Ctl {

    static final int FAILED = 1;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:5001",
            description = "The admin endpoint of a coordinator or standalone process (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    Output.Format format;

    @Spec
    CommandSpec spec;

    /** Runs one API call and prints its answer with {@code print}; 0, or 1 with the error line. */
    int run(Function<ApiClient, JsonObject> call, Printer print) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            print.print(out, format, call.apply(new ApiClient(url)));
            out.flush();
            return 0;
        } catch (CtlException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("cargohold ctl: " + e.getMessage());
            err.flush();
            return FAILED;
        }
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
