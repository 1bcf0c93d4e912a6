package io.cargohold.launcher;

import io.cargohold.coordinator.cli.Ctl;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cargohold} command: one jar, one sub-command per process role, {@code validate} and {@code ctl}. */
@Command(name = "cargohold", mixinStandardHelpOptions = true,
        description = "A pull-through cache for container images.",
        subcommands = {RoleCommand.Standalone.class, RoleCommand.Edge.class, RoleCommand.Refresher.class,
                RoleCommand.Coordinator.class, ValidateCommand.class, Ctl.class})
public final class Cargohold {

    public static void main(String[] args) {
        int exitCode = new CommandLine(new Cargohold()).execute(args);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }
}
