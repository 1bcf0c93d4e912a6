package io.cargohold.coordinator.ecr;

import io.cargohold.auth.Users;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.credentials.SecretValue;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.policy.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who signed an ECR API request: with {@code auth}, the user of {@code auth.users} whose access key signed it
 * (SigV4, {@link SigV4Verifier}); without, every request is {@value ControlApi#ADMIN}'s, as the control API's are.
 * Secrets are read once, when their key is first used (a Secrets Manager reference is a network call).
 */
final class EcrCallers {

    /** The caller of a request: a user's name, principal, and whether they are one of {@code auth.admins}. */
    record Caller(String name, Principal principal, boolean admin) {
    }

    private record Key(CargoholdConfig.User user, String path, String secret) {
    }

    private final Vertx vertx;
    private final Map<String, Key> keys;
    private final Set<String> admins;
    private final String registryAccount;
    private final SigV4Verifier verifier = new SigV4Verifier("ecr");
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Clock clock;

    EcrCallers(Vertx vertx, CargoholdConfig.AuthConfig auth, String registryAccount, Clock clock) {
        this.vertx = vertx;
        this.registryAccount = registryAccount;
        this.clock = clock;
        if (auth == null) {
            this.keys = null;
            this.admins = Set.of();
            return;
        }
        Map<String, Key> byId = new HashMap<>();
        for (int i = 0; i < auth.users().size(); i++) {
            CargoholdConfig.User user = auth.users().get(i);
            for (int k = 0; k < user.accessKeys().size(); k++) {
                CargoholdConfig.AccessKey key = user.accessKeys().get(k);
                byId.put(key.id(), new Key(user, "auth.users[" + i + "].accessKeys[" + k + "].secret", key.secret()));
            }
        }
        this.keys = Map.copyOf(byId);
        this.admins = Set.copyOf(auth.admins());
    }

    /** The caller; a failed future with an {@link EcrException} when the signature is missing or wrong. */
    Future<Caller> authenticate(SigV4Verifier.Request request) {
        if (keys == null) {
            return Future.succeededFuture(new Caller(ControlApi.ADMIN, Principal.ofAccount(registryAccount), true));
        }
        SigV4Verifier.Signature signature;
        try {
            signature = verifier.parse(request);
        } catch (EcrException e) {
            return Future.failedFuture(e);
        }
        Key key = keys.get(signature.accessKeyId());
        if (key == null) {
            return Future.failedFuture(new EcrException("UnrecognizedClientException", "The security token included "
                    + "in the request is invalid: access key id '" + signature.accessKeyId()
                    + "' is not one of auth.users[].accessKeys"));
        }
        return secret(key).map(secret -> {
            verifier.verify(request, signature, secret, clock.instant());
            String name = key.user().name();
            return new Caller(name, Users.principal(key.user()), admins.contains(name));
        });
    }

    private Future<String> secret(Key key) {
        String known = secrets.get(key.path());
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return vertx.executeBlocking(() -> {
            String secret = SecretValue.resolve(key.path(), key.secret(), System.getenv());
            secrets.put(key.path(), secret);
            return secret;
        }, false);
    }
}
