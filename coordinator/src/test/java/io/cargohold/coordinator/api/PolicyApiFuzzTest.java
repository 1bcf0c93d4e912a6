package io.cargohold.coordinator.api;

import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.spi.Repository;
import io.cargohold.testkit.Mutations;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random mutations of a valid policy sent to the registry and repository policy endpoints: each one the
 * parser rejects is answered 400 with a field and a message, and leaves the stored policies as they were, so a
 * stranger the stored policies do not allow is still denied; each one it accepts is stored.
 */
class PolicyApiFuzzTest {

    private static final long SEED = 0xF00DL;
    private static final int ROUNDS = 250;
    private static final String REPOSITORY = "dockerhub/library/fuzz";
    private static PolicyApiServer api;

    @BeforeAll
    static void start() {
        api = new PolicyApiServer();
        await(api.metadata().createRepositoryIfAbsent(new Repository(REPOSITORY, "dockerhub",
                "https://registry-1.docker.io", "library/fuzz", 1L)));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void mutatedPolicies_rejectedOnesAnswer400AndWriteNothing_noneGrantsTheStranger() {
        Random random = new Random(SEED);
        List<String> mutants = new ArrayList<>(List.of("null", "[]", "\"policy\"", "{}", "1e999",
                "{\"Version\": \"2012-10-17\", \"Statement\": []}",
                PolicyApiTest.REGISTRY_POLICY.replace("\"Allow\"", "\"allow\""),
                PolicyApiTest.REGISTRY_POLICY.replace("\"Principal\"", "\"NotPrincipal\""),
                PolicyApiTest.REGISTRY_POLICY + "x",
                "{\"Version\": \"2012-10-17\", \"Statement\": " + "[".repeat(2000) + "]".repeat(2000) + "}"));
        for (int i = 0; i < ROUNDS; i++) {
            mutants.add(mutate(PolicyApiTest.REGISTRY_POLICY, random));
        }
        assertThat(api.send("PUT", "/api/v1/registry-policy", PolicyApiTest.REGISTRY_POLICY).statusCode())
                .isEqualTo(200);
        int rejected = 0;
        for (String mutant : mutants) {
            boolean valid = parses(mutant);
            String path = random.nextBoolean() ? "/api/v1/registry-policy"
                    : "/api/v1/repositories/" + REPOSITORY + "/policy";
            String storedBefore = stored(path);
            HttpResponse<String> response = api.send("PUT", path, mutant);
            if (valid) {
                assertThat(response.statusCode()).as("%s for %s", response.body(), mutant).isEqualTo(200);
                assertThat(stored(path)).isEqualTo(mutant);
                api.send(storedBefore == null ? "DELETE" : "PUT", path, storedBefore);
                continue;
            }
            rejected++;
            assertThat(response.statusCode()).as("%s for %s", response.body(), mutant).isEqualTo(400);
            JsonObject error = new JsonObject(response.body()).getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("field")).as("field of %s", error).isNotBlank();
            assertThat(error.getString("message")).as("message of %s", error).isNotBlank().doesNotContain("\n");
            assertThat(stored(path)).isEqualTo(storedBefore);
        }
        assertThat(rejected).isGreaterThan(ROUNDS / 2);
        JsonObject decision = new JsonObject(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", new JsonObject().put("account", "444455556666"))
                .put("action", "ecr:BatchImportUpstreamImage").put("resource", REPOSITORY).encode()).body());
        assertThat(decision.getString("decision")).isEqualTo("IMPLICIT_DENY");
    }

    private static String stored(String path) {
        return path.endsWith("registry-policy") ? await(api.registry().registryPolicy()).orElse(null)
                : await(api.metadata().repository(REPOSITORY)).orElseThrow().settings().repositoryPolicy();
    }

    private static boolean parses(String text) {
        try {
            Policy.parse(text);
            return true;
        } catch (PolicyException e) {
            return false;
        }
    }

    /** A copy with one to four characters replaced, removed or inserted, or a token swapped for another. */
    private static String mutate(String policy, Random random) {
        String alphabet = "{}[]\":,*?$ aAzZ019-_/.\\\u00e9\u0000";
        String[] swaps = {"Allow", "Deny", "Statement", "Action", "Resource", "Principal", "Condition", "ecr:*",
                "StringEquals", "2012-10-17", "true", "null", "[]", "{}"};
        if (random.nextInt(4) == 0) {
            String from = swaps[random.nextInt(swaps.length)];
            int at = policy.indexOf(from);
            return at < 0 ? policy : policy.substring(0, at) + swaps[random.nextInt(swaps.length)]
                    + policy.substring(at + from.length());
        }
        return Mutations.edit(policy, random, alphabet);
    }
}
