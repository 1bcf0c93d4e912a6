package io.cargohold.spi;

/**
 * Credentials for an upstream registry: a user name with a password, or with an access token
 * (which registries accept in the password's place).
 */
public record Credentials(String username, String password) {

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
