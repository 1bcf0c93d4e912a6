package io.cargohold.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cargohold} command: one jar, one sub-command per process role. */
@Command(name = "cargohold", mixinStandardHelpOptions = true,
        description = "A pull-through cache for container images.",
        subcommands = {RoleCommand.Standalone.class, RoleCommand.Edge.class, RoleCommand.Refresher.class,
                RoleCommand.Coordinator.class, ValidateCommand.class})
public final class Cargohold {

    public static void main(String[] args) {
        int exitCode = new CommandLine(new Cargohold()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }
}
