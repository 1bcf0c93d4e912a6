package io.cargohold.policy;

import java.util.List;

/**
 * IAM's evaluation order over a set of policies: a matching Deny statement in any of them denies (explicit
 * deny), else a matching Allow statement allows, else the request is denied (implicit deny). A statement
 * matches when its principal, action, resource and every condition match.
 */
public final class PolicyEvaluator {

    private PolicyEvaluator() {
    }

    public static Decision evaluate(Request request, List<NamedPolicy> policies) {
        Decision allow = null;
        for (NamedPolicy named : policies) {
            for (Statement statement : named.policy().statements()) {
                if (!statement.appliesTo(request)) {
                    continue;
                }
                if (statement.effect() == Effect.DENY) {
                    return new Decision(Decision.Outcome.EXPLICIT_DENY, request.action(), named.name(), statement.id(),
                            "denied by " + statement.id() + " of the " + named.name() + " policy");
                }
                if (allow == null) {
                    allow = new Decision(Decision.Outcome.ALLOW, request.action(), named.name(), statement.id(),
                            "allowed by " + statement.id() + " of the " + named.name() + " policy");
                }
            }
        }
        if (allow != null) {
            return allow;
        }
        return new Decision(Decision.Outcome.IMPLICIT_DENY, request.action(), null, null,
                "no statement allows " + request.action() + " on " + request.resource() + " to "
                        + request.principal());
    }
}
