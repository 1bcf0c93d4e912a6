package io.cargohold.policy;

import java.util.Objects;

/** One question to the policies: may {@code principal} do {@code action} (an ECR action name) on {@code resource}. */
public record Request(Principal principal, String action, String resource) {

    public Request {
        Objects.requireNonNull(principal, "principal");
        EcrActions.requireKnown("action", action);
        Arn.requireRepositoryArn("resource", resource);
    }
}
