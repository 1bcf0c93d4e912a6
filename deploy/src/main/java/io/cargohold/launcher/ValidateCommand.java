package io.cargohold.launcher;

import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.config.ConfigLoader;
import io.cargohold.config.ConfigWarnings;
import io.cargohold.credentials.CredentialsCheck;
import io.cargohold.credentials.RuleCredentials;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Checks a config file as the roles do (TLS files included), warns about each rule that skips
 * certificate checks, then reads every rule's credentials now (secrets, ECR tokens, assumed roles);
 * prints one line per unreadable rule and exits 2 when there is any. The roles themselves only
 * warn, so an upstream secret unreadable for a while does not stop a cache. Valid settings that
 * are likely mistakes ({@link ConfigWarnings}) are printed as warnings.
 */
@Command(name = "validate", description = "Check a config file and read every rule's credentials now.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file")
    Path config;

    @Override
    public Integer call() throws Exception {
        CargoholdConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("cargohold: invalid config: " + e.getMessage());
            return RoleCommand.INVALID_CONFIG;
        }
        ConfigWarnings.of(loaded).forEach(warning -> System.err.println("cargohold: warning: " + warning));
        for (int i = 0; i < loaded.rules().size(); i++) {
            CacheRule rule = loaded.rules().get(i);
            if (rule.tls().over(loaded.upstreamTls()).skipsVerification()) {
                System.err.println("cargohold: warning: rules[" + i + "].tls.insecureSkipVerify is true: any "
                        + "certificate, for any name, is accepted from " + rule.upstreamUrl());
            }
        }
        Vertx vertx = Vertx.vertx();
        try {
            List<CredentialsCheck> checks = RuleCredentials.validate(vertx, loaded.rules(), null)
                    .await(120, TimeUnit.SECONDS);
            List<CredentialsCheck> unreadable = checks.stream().filter(check -> !check.readable()).toList();
            unreadable.forEach(check -> System.err.println("cargohold: invalid config: " + check.message()));
            if (!unreadable.isEmpty()) {
                return RoleCommand.INVALID_CONFIG;
            }
            System.out.println("cargohold: " + config + " is valid; credentials of " + checks.size() + " rule(s) read");
            return 0;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
