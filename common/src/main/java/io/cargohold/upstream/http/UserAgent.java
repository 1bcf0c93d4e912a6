package io.cargohold.upstream.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code User-Agent} of every upstream request, {@code cargohold/<version>}, so a registry's
 * operators can tell the cache's traffic apart; the version comes from the build ({@code dev} when
 * run from classes the build did not filter).
 */
public final class UserAgent {

    public static final String VALUE = "cargohold/" + version();

    private UserAgent() {
    }

    private static String version() {
        try (InputStream in = UserAgent.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            return version.isBlank() || version.startsWith("${") ? "dev" : version;
        } catch (IOException e) {
            return "dev";
        }
    }
}
