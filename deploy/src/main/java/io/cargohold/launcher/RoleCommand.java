package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Starts one role with a config file, prints one start-up line, and runs until stopped. */
abstract class RoleCommand implements Callable<Integer> {

    static final int INVALID_CONFIG = 2;
    static final int START_FAILED = 1;

    @Option(names = "--config", description = "YAML config file (standalone: the built-in sample when absent)")
    Path config;

    abstract Role role();

    @Override
    public Integer call() throws InterruptedException {
        CargoholdConfig loaded;
        try {
            loaded = config == null ? defaultConfig() : ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("cargohold: invalid config: " + e.getMessage());
            return INVALID_CONFIG;
        }
        Node node;
        try {
            node = Node.start(role(), loaded);
        } catch (ConfigException e) {
            System.err.println("cargohold: invalid config: " + e.getMessage());
            return INVALID_CONFIG;
        } catch (RuntimeException e) {
            System.err.println("cargohold: " + role().command() + " failed to start: " + e.getMessage());
            return START_FAILED;
        }
        System.out.println(node.startupLine());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "cargohold-shutdown"));
        stopped.await();
        return 0;
    }

    CargoholdConfig defaultConfig() {
        throw new ConfigException(role().command() + " needs --config FILE");
    }

    @Command(name = "standalone", description = "Every role in one JVM (the embedded default).")
    static final class Standalone extends RoleCommand {
        @Override
        Role role() {
            return Role.STANDALONE;
        }

        @Override
        CargoholdConfig defaultConfig() {
            return ConfigLoader.builtIn();
        }
    }

    @Command(name = "edge", description = "Serve the registry API from the shared cache.")
    static final class Edge extends RoleCommand {
        @Override
        Role role() {
            return Role.EDGE;
        }
    }

    @Command(name = "refresher", description = "Prefetch, re-check and expire cached images.")
    static final class Refresher extends RoleCommand {
        @Override
        Role role() {
            return Role.REFRESHER;
        }
    }

    @Command(name = "coordinator", description = "The control plane.")
    static final class Coordinator extends RoleCommand {
        @Override
        Role role() {
            return Role.COORDINATOR;
        }
    }
}
