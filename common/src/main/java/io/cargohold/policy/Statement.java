package io.cargohold.policy;

import java.util.List;

/**
 * One statement of a policy. {@code resources} empty means the statement has no Resource element: it covers
 * every resource the policy is attached to (a repository policy: its repository; the registry policy: every
 * repository of the registry).
 */
public record Statement(String sid, int index, Effect effect, Principals principals, List<String> actions,
                        boolean notAction, List<String> resources, boolean notResource, List<Condition> conditions) {

    public Statement {
        actions = List.copyOf(actions);
        resources = List.copyOf(resources);
        conditions = List.copyOf(conditions);
    }

    /** The name decisions cite: the Sid, or {@code Statement[i]} without one. */
    public String id() {
        return sid == null || sid.isEmpty() ? "Statement[" + index + "]" : sid;
    }

    public boolean coversAction(String action) {
        boolean listed = actions.stream().anyMatch(pattern -> EcrActions.matches(pattern, action));
        return notAction != listed;
    }

    public boolean coversResource(String resource) {
        if (resources.isEmpty()) {
            return true;
        }
        boolean listed = resources.stream().anyMatch(pattern -> Arn.matches(pattern, resource, false));
        return notResource != listed;
    }

    public boolean conditionsHold(Principal principal) {
        return conditions.stream().allMatch(condition -> condition.holds(principal));
    }

    public boolean appliesTo(Request request) {
        return principals.matches(request.principal()) && coversAction(request.action())
                && coversResource(request.resource()) && conditionsHold(request.principal());
    }
}
