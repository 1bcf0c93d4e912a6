package io.cargohold.auth;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.policy.Principal;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The clients of the config ({@code auth.users}), checked against their bcrypt password hashes. */
public final class Users {

    private final Map<String, CargoholdConfig.User> byName;
    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder();
    /** Compared against for an unknown name, so that answer takes as long as a wrong password. */
    private final String unknownUserHash = bcrypt.encode("unknown user");

    public Users(List<CargoholdConfig.User> users) {
        this.byName = users.stream().collect(Collectors.toUnmodifiableMap(CargoholdConfig.User::name,
                Function.identity()));
    }

    /** The user's principal when the password is right. Blocking (bcrypt): call it off the event loop. */
    public Optional<Principal> authenticate(String name, String password) {
        CargoholdConfig.User user = byName.get(name);
        boolean matches = bcrypt.matches(password, user == null ? unknownUserHash : user.passwordBcrypt());
        return user != null && matches ? Optional.of(principal(user)) : Optional.empty();
    }

    public static Principal principal(CargoholdConfig.User user) {
        return new Principal(user.account(), user.org(), "arn:aws:iam::" + user.account() + ":user/" + user.name(),
                Map.of());
    }
}
