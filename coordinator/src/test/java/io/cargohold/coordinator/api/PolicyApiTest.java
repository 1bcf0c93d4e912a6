package io.cargohold.coordinator.api;

import io.cargohold.spi.RegistryEvent;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.TagMutability;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation of the policy API over HTTP: registry and repository policies put, read and deleted with an
 * audit event each, validation errors naming field and value with nothing written, and the simulator's three
 * outcomes.
 */
class PolicyApiTest {

    static final String ARN = "arn:aws:ecr:us-east-1:" + PolicyApiServer.ACCOUNT + ":repository/";
    static final String REGISTRY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPullThrough", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], "Resource": "%1$sdockerhub/*",
               "Condition": {"StringEquals": {"cargohold:PrincipalOrgID": "o-partner"}}},
              {"Sid": "NoCreateUnderLegacy", "Effect": "Deny", "Principal": "*", "Action": "ecr:CreateRepository",
               "Resource": "%1$sdockerhub/legacy/*"}
            ]}""".formatted(ARN);
    static final String REPOSITORY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPulls", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
            ]}""";
    static final String NGINX = "dockerhub/library/nginx";

    private static PolicyApiServer api;

    @BeforeAll
    static void start() {
        api = new PolicyApiServer();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @BeforeEach
    void reset() {
        await(api.registry().deleteRegistryPolicy());
        await(api.metadata().putRepository(new Repository(NGINX, "dockerhub", "https://registry-1.docker.io",
                "library/nginx", 1L, RepositorySettings.DEFAULTS.withTagMutability(TagMutability.IMMUTABLE))));
    }

    private static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    /** A 4xx answer with one error naming the field (and the value, when given) and saying why. */
    static void assertError(HttpResponse<String> response, int status, String field, String value) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonObject error = json(response).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("field")).as("field of %s", error).isEqualTo(field);
        if (value != null) {
            assertThat(error.getString("value")).as("value of %s", error).isEqualTo(value);
        }
        assertThat(error.getString("message")).as("message of %s", error).isNotBlank();
    }

    private static String repositoryPolicyPath(String name) {
        return "/api/v1/repositories/" + name + "/policy";
    }

    @Test
    void putRegistryPolicy_valid_storedReadBackAndAudited() {
        int auditsBefore = api.audits().size();

        HttpResponse<String> put = api.send("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(json(put).getJsonObject("policy")).isEqualTo(new JsonObject(REGISTRY_POLICY));
        assertThat(await(api.registry().registryPolicy())).contains(REGISTRY_POLICY);
        HttpResponse<String> get = api.send("GET", "/api/v1/registry-policy", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).getJsonObject("policy")).isEqualTo(new JsonObject(REGISTRY_POLICY));
        RegistryEvent audit = api.audits(auditsBefore + 1).get(auditsBefore);
        JsonObject detail = new JsonObject(audit.detail());
        assertThat(detail.getString("who")).isEqualTo("admin");
        assertThat(detail.getString("operation")).isEqualTo("registryPolicy.put");
        assertThat(detail.getValue("before")).isNull();
        assertThat(detail.getJsonObject("after")).isEqualTo(new JsonObject(REGISTRY_POLICY));
        assertThat(audit.repository()).isEqualTo(PolicyApi.REGISTRY_POLICY);
        assertThat(detail.getString("resource")).isEqualTo(PolicyApi.REGISTRY_POLICY);
    }

    @Test
    void putRegistryPolicy_replacing_auditCarriesBeforeAndAfter() {
        audited("PUT", "/api/v1/registry-policy", REPOSITORY_POLICY);
        int auditsBefore = api.audits().size();

        assertThat(api.send("PUT", "/api/v1/registry-policy", REGISTRY_POLICY).statusCode()).isEqualTo(200);

        JsonObject detail = new JsonObject(api.audits(auditsBefore + 1).get(auditsBefore).detail());
        assertThat(detail.getJsonObject("before")).isEqualTo(new JsonObject(REPOSITORY_POLICY));
        assertThat(detail.getJsonObject("after")).isEqualTo(new JsonObject(REGISTRY_POLICY));
    }

    @Test
    void putRegistryPolicy_unknownAction_400NamingFieldAndValue_nothingWrittenNoAudit() {
        audited("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);
        int auditsBefore = api.audits().size();

        HttpResponse<String> response = api.send("PUT", "/api/v1/registry-policy",
                REGISTRY_POLICY.replace("ecr:CreateRepository\"]", "ecr:PullImage\"]"));

        assertError(response, 400, "Statement[0].Action[1]", "ecr:PullImage");
        assertThat(await(api.registry().registryPolicy())).contains(REGISTRY_POLICY);
        assertThat(api.audits()).hasSize(auditsBefore);
    }

    @Test
    void putRegistryPolicy_notJsonOrEmpty_400() {
        assertError(api.send("PUT", "/api/v1/registry-policy", "{not json"), 400, "policy", null);
        assertError(api.send("PUT", "/api/v1/registry-policy", ""), 400, "policy", null);
        assertError(api.send("PUT", "/api/v1/registry-policy", "{\"Version\": \"2012-10-17\"}"), 400, "Statement",
                null);
        assertThat(await(api.registry().registryPolicy())).isEmpty();
    }

    @Test
    void getAndDeleteRegistryPolicy_none_404() {
        assertError(api.send("GET", "/api/v1/registry-policy", null), 404, "registry-policy", null);
        assertError(api.send("DELETE", "/api/v1/registry-policy", null), 404, "registry-policy", null);
    }

    @Test
    void deleteRegistryPolicy_present_removedAndAudited() {
        audited("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);
        int auditsBefore = api.audits().size();

        HttpResponse<String> response = api.send("DELETE", "/api/v1/registry-policy", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).getJsonObject("policy")).isEqualTo(new JsonObject(REGISTRY_POLICY));
        assertThat(await(api.registry().registryPolicy())).isEmpty();
        JsonObject detail = new JsonObject(api.audits(auditsBefore + 1).get(auditsBefore).detail());
        assertThat(detail.getString("operation")).isEqualTo("registryPolicy.delete");
        assertThat(detail.getJsonObject("before")).isEqualTo(new JsonObject(REGISTRY_POLICY));
        assertThat(detail.getValue("after")).isNull();
    }

    @Test
    void putRepositoryPolicy_existing_storedInItsSettingsOthersKept_audited() {
        int auditsBefore = api.audits().size();

        HttpResponse<String> put = api.send("PUT", repositoryPolicyPath(NGINX), REPOSITORY_POLICY);

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(json(put).getString("repository")).isEqualTo(NGINX);
        Repository stored = await(api.metadata().repository(NGINX)).orElseThrow();
        assertThat(stored.settings().repositoryPolicy()).isEqualTo(REPOSITORY_POLICY);
        assertThat(stored.settings().tagMutability()).isEqualTo(TagMutability.IMMUTABLE);
        HttpResponse<String> get = api.send("GET", repositoryPolicyPath(NGINX), null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).getJsonObject("policy")).isEqualTo(new JsonObject(REPOSITORY_POLICY));
        RegistryEvent audit = api.audits(auditsBefore + 1).get(auditsBefore);
        assertThat(audit.repository()).isEqualTo(NGINX);
        JsonObject detail = new JsonObject(audit.detail());
        assertThat(detail.getString("operation")).isEqualTo("repositories.setPolicy");
        assertThat(detail.getValue("before")).isNull();
        assertThat(detail.getJsonObject("after")).isEqualTo(new JsonObject(REPOSITORY_POLICY));
    }

    @Test
    void putRepositoryPolicy_unknownRepository_404_nothingCreated() {
        assertError(api.send("PUT", repositoryPolicyPath("dockerhub/library/absent"), REPOSITORY_POLICY), 404,
                "name", "dockerhub/library/absent");
        assertThat(await(api.metadata().repository("dockerhub/library/absent"))).isEmpty();
    }

    @Test
    void putRepositoryPolicy_invalidName_400() {
        assertError(api.send("PUT", repositoryPolicyPath("dockerhub/Library/Nginx"), REPOSITORY_POLICY), 400,
                "name", "dockerhub/Library/Nginx");
    }

    @Test
    void putRepositoryPolicy_invalidPolicy_400_previousPolicyKept() {
        audited("PUT", repositoryPolicyPath(NGINX), REPOSITORY_POLICY);
        int auditsBefore = api.audits().size();

        HttpResponse<String> response = api.send("PUT", repositoryPolicyPath(NGINX),
                REPOSITORY_POLICY.replace("\"Allow\"", "\"Permit\""));

        assertError(response, 400, "Statement[0].Effect", "Permit");
        assertThat(await(api.metadata().repository(NGINX)).orElseThrow().settings().repositoryPolicy())
                .isEqualTo(REPOSITORY_POLICY);
        assertThat(api.audits()).hasSize(auditsBefore);
    }

    @Test
    void deleteRepositoryPolicy_present_removedAndAudited_thenGet404() {
        audited("PUT", repositoryPolicyPath(NGINX), REPOSITORY_POLICY);
        int auditsBefore = api.audits().size();

        assertThat(api.send("DELETE", repositoryPolicyPath(NGINX), null).statusCode()).isEqualTo(200);

        assertThat(await(api.metadata().repository(NGINX)).orElseThrow().settings().repositoryPolicy()).isNull();
        assertError(api.send("GET", repositoryPolicyPath(NGINX), null), 404, "name", NGINX);
        assertError(api.send("DELETE", repositoryPolicyPath(NGINX), null), 404, "name", NGINX);
        JsonObject detail = new JsonObject(api.audits(auditsBefore + 1).get(auditsBefore).detail());
        assertThat(detail.getString("operation")).isEqualTo("repositories.deletePolicy");
        assertThat(detail.getJsonObject("before")).isEqualTo(new JsonObject(REPOSITORY_POLICY));
    }

    @Test
    void simulate_allowedByRegistryPolicy_namesTheStatement() {
        api.send("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);

        JsonObject decision = simulate(principal("111122223333", "o-partner"), "ecr:BatchImportUpstreamImage",
                "dockerhub/library/redis");

        assertThat(decision.getString("decision")).isEqualTo("ALLOW");
        assertThat(decision.getString("policy")).isEqualTo("registry");
        assertThat(decision.getString("statement")).isEqualTo("PartnerPullThrough");
        assertThat(decision.getString("resource")).isEqualTo(ARN + "dockerhub/library/redis");
    }

    @Test
    void simulate_explicitDeny_namesTheStatement_resourceAsArn() {
        api.send("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);

        JsonObject decision = simulate(principal("111122223333", "o-partner"), "ecr:createrepository",
                ARN + "dockerhub/legacy/app");

        assertThat(decision.getString("decision")).isEqualTo("EXPLICIT_DENY");
        assertThat(decision.getString("action")).isEqualTo("ecr:CreateRepository");
        assertThat(decision.getString("statement")).isEqualTo("NoCreateUnderLegacy");
    }

    @Test
    void simulate_otherOrganizationAndRepositoryPolicy_implicitDenyThenAllow() {
        api.send("PUT", "/api/v1/registry-policy", REGISTRY_POLICY);
        api.send("PUT", repositoryPolicyPath(NGINX), REPOSITORY_POLICY);

        assertThat(simulate(principal("111122223333", "o-other"), "ecr:BatchImportUpstreamImage", NGINX)
                .getString("decision")).isEqualTo("IMPLICIT_DENY");
        JsonObject pull = simulate(principal("111122223333", "o-other"), "ecr:BatchGetImage", NGINX);
        assertThat(pull.getString("decision")).isEqualTo("ALLOW");
        assertThat(pull.getString("policy")).isEqualTo("repository/" + NGINX);
        assertThat(simulate(principal("444455556666", null), "ecr:BatchGetImage", NGINX).getString("decision"))
                .isEqualTo("IMPLICIT_DENY");
    }

    @Test
    void simulate_invalidInput_400NamingTheField() {
        assertError(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", principal("12", null)).put("action", "ecr:BatchGetImage").put("resource", NGINX)
                .encode()), 400, "principal.account", "12");
        assertError(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", principal("111122223333", null)).put("action", "ecr:Nope").put("resource", NGINX)
                .encode()), 400, "action", "ecr:Nope");
        assertError(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", principal("111122223333", null)).put("resource", NGINX).encode()), 400, "action",
                null);
        assertError(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", principal("111122223333", null)).put("action", "ecr:BatchGetImage")
                .put("resource", "arn:aws:ecr:us-east-1:999999999999:repository/x").encode()), 400, "resource",
                "arn:aws:ecr:us-east-1:999999999999:repository/x");
        assertError(api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", "root").put("action", "ecr:BatchGetImage").put("resource", NGINX).encode()), 400,
                "principal", "root");
        assertError(api.send("POST", "/api/v1/policies/simulate", "[1, 2]"), 400, "body", null);
    }

    /** Sends a change and waits for its audit event, so later counts start after it. */
    private static void audited(String method, String path, String body) {
        int before = api.audits().size();
        assertThat(api.send(method, path, body).statusCode()).isEqualTo(200);
        assertThat(api.audits(before + 1)).hasSize(before + 1);
    }

    private static JsonObject principal(String account, String org) {
        JsonObject principal = new JsonObject().put("account", account);
        return org == null ? principal : principal.put("org", org);
    }

    private static JsonObject simulate(JsonObject principal, String action, String resource) {
        HttpResponse<String> response = api.send("POST", "/api/v1/policies/simulate", new JsonObject()
                .put("principal", principal).put("action", action).put("resource", resource).encode());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }


}
