package io.cargohold.credentials;

import io.cargohold.config.CacheRule;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The public keys a rule's {@code verify} trusts, read from their references ({@link SecretValue}). */
public final class TrustedKeys {

    private TrustedKeys() {
    }

    /**
     * Reads every key of {@code rule}'s {@code verify} now; blocking (files, AWS calls), so call it off the event
     * loop. {@code key} is the rule's key ({@code rules[0]}), named by failures with the entry's index.
     */
    public static List<PublicKey> read(String key, CacheRule rule, Map<String, String> environment) {
        List<String> references = rule.gate().verify().publicKeys();
        List<PublicKey> keys = new ArrayList<>();
        for (int i = 0; i < references.size(); i++) {
            String at = key + ".verify.cosign.publicKeys[" + i + "]";
            String reference = references.get(i);
            keys.add(CacheRule.Verify.parseKey(at, reference,
                    SecretValue.resolve(at, reference, environment, rule.aws())));
        }
        return List.copyOf(keys);
    }
}
