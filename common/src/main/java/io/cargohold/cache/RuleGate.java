package io.cargohold.cache;

import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigException;
import io.cargohold.credentials.TrustedKeys;
import io.cargohold.gate.AccessList;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.signature.CosignVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * What one rule lets in, prepared once per rule set rather than per request: its allow and deny lists, and
 * the verifier of its trusted cosign keys when it has {@code verify}. Keys that cannot be read leave the rule
 * refusing every image it would have to verify, saying why: a gate fails closed.
 */
public final class RuleGate {

    private static final Logger LOG = LoggerFactory.getLogger(RuleGate.class);
    static final RuleGate OPEN = new RuleGate(AccessList.of("", null, null), null, null);

    private final AccessList access;
    private final CosignVerifier verifier;
    private final String keysProblem;

    private RuleGate(AccessList access, CosignVerifier verifier, String keysProblem) {
        this.access = access;
        this.verifier = verifier;
        this.keysProblem = keysProblem;
    }

    /** Reads the rule's keys: blocking (files, Secrets Manager), so off the event loop. */
    static RuleGate of(CacheRule rule, Map<String, String> environment) {
        AccessList access = AccessList.of(rule.prefix(), rule.gate().allow(), rule.gate().deny());
        if (!rule.gate().verifies()) {
            return access.allowsEverything() ? OPEN : new RuleGate(access, null, null);
        }
        try {
            return new RuleGate(access, new CosignVerifier(TrustedKeys.read("rules[" + rule.prefix() + "]", rule,
                    environment)), null);
        } catch (ConfigException | IllegalArgumentException e) {
            LOG.error("rule {} refuses every image until its trusted keys can be read: {}", rule.prefix(),
                    e.getMessage());
            return new RuleGate(access, null, "the trusted keys of rule " + rule.prefix() + " cannot be read: "
                    + e.getMessage());
        }
    }

    /** Refuses, before any upstream request, a name the rule's lists keep out; {@code tag} null for a digest. */
    void admit(ProxyTarget target, String tag) {
        access.check(target.upstreamRepository(), tag).ifPresent(refusal -> {
            throw new RegistryException(OciErrorCode.DENIED, target.name() + (tag == null ? "" : ":" + tag) + ": "
                    + refusal.message(), target.name(), 403, null);
        });
    }

    boolean verifies() {
        return verifier != null || keysProblem != null;
    }

    /** The verifier of the rule's trusted keys; null when they could not be read ({@link #keysProblem}). */
    CosignVerifier verifier() {
        return verifier;
    }

    String keysProblem() {
        return keysProblem;
    }
}
