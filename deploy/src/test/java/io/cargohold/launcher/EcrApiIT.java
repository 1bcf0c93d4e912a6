package io.cargohold.launcher;

import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.CreatePullThroughCacheRuleResponse;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.PullThroughCacheRuleAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotEmptyException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ECR API of the assembled jar, driven by the real clients: the AWS CLI ({@code aws ecr ... --endpoint-url})
 * through the seed commands, and the AWS SDK for Java v2's {@code EcrClient}, both signing with SigV4 from
 * access keys of {@code auth.users}; images pulled through the rules they create by skopeo, and with
 * {@code get-login-password} piped to {@code podman login} as a user the policies decide for.
 */
class EcrApiIT {

    private static final String PASSWORD = "it-s3cret";
    private static final String OWNER_KEY = "AKIAOWNER000000000001";
    private static final String OWNER_SECRET = "owner/Secret+Key0000000000000000000000001";
    private static final String DEV_KEY = "AKIADEV0000000000000001";
    private static final String DEV_SECRET = "dev/Secret+Key00000000000000000000000001";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf";
    private static final String LIFECYCLE_POLICY = """
            {"rules": [{"rulePriority": 1, "description": "Expire whatever nobody pulled for 90 days",
              "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 90},
              "action": {"type": "expire"}}]}""";
    private static final String REPOSITORY_POLICY = """
            {"Version": "2012-10-17", "Statement": [{"Sid": "PartnerPulls", "Effect": "Allow",
              "Principal": {"AWS": "111122223333"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}""";
    private static final String REGISTRY_POLICY = """
            {"Version": "2012-10-17", "Statement": [{"Sid": "PartnerImports", "Effect": "Allow",
              "Principal": {"AWS": "111122223333"}, "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
              "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/local/*"}]}""";

    @TempDir
    Path dir;

    /** One run of {@code aws ecr ...}. */
    private record Run(int exit, String out, String err) {

        JsonObject json() {
            assertThat(exit).as(err).isZero();
            return new JsonObject(out);
        }
    }

    @Test
    void awsCli_seedCommands_manageRulesImagesPoliciesAndTemplates() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 171, 4096);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, admin))) {
                Cli owner = new Cli(admin, OWNER_KEY, OWNER_SECRET);

                JsonObject hub = owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "hub",
                        "--upstream-registry-url", "registry-1.docker.io", "--upstream-registry", "docker-hub",
                        "--credential-arn", SECRET_ARN).json();
                JsonObject local = owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "local",
                        "--upstream-registry-url", upstream.url()).json();
                JsonObject described = owner.run("describe-pull-through-cache-rules").json();
                JsonObject validated = owner.run("validate-pull-through-cache-rule", "--ecr-repository-prefix",
                        "local").json();
                JsonObject updated = owner.run("update-pull-through-cache-rule", "--ecr-repository-prefix", "hub",
                        "--credential-arn", SECRET_ARN.replace("dockerhub", "hub-2")).json();

                assertThat(hub.getString("credentialArn")).isEqualTo(SECRET_ARN);
                assertThat(hub.getString("upstreamRegistry")).isEqualTo("docker-hub");
                assertThat(hub.getString("registryId")).isEqualTo("123456789012");
                assertThat(local.getString("upstreamRegistryUrl")).isEqualTo(upstream.url());
                assertThat(described.getJsonArray("pullThroughCacheRules").stream()
                        .map(rule -> ((JsonObject) rule).getString("ecrRepositoryPrefix"))).containsExactly("hub", "local");
                assertThat(validated.getBoolean("isValid")).as(validated.encode()).isTrue();
                assertThat(updated.getString("credentialArn")).contains("hub-2");

                Skopeo.copy("docker://127.0.0.1:" + port + "/local/library/app:1", "dir:" + dir.resolve("pulled"),
                        "--src-tls-verify=false", "--src-creds", "owner:" + PASSWORD);
                JsonObject repositories = owner.run("describe-repositories").json();
                JsonObject images = owner.run("describe-images", "--repository-name", "local/library/app").json();

                JsonObject repository = repositories.getJsonArray("repositories").getJsonObject(0);
                assertThat(repository.getString("repositoryName")).isEqualTo("local/library/app");
                assertThat(repository.getString("repositoryArn"))
                        .isEqualTo("arn:aws:ecr:us-east-1:123456789012:repository/local/library/app");
                assertThat(repository.getString("repositoryUri")).isEqualTo("127.0.0.1:" + port + "/local/library/app");
                JsonObject detail = images.getJsonArray("imageDetails").getJsonObject(0);
                assertThat(detail.getString("imageDigest")).isEqualTo(image.digest().value());
                assertThat(detail.getJsonArray("imageTags")).containsExactly("1");
                assertThat(detail.getValue("imagePushedAt")).isInstanceOf(Number.class);

                owner.run("put-lifecycle-policy", "--repository-name", "local/library/app",
                        "--lifecycle-policy-text", LIFECYCLE_POLICY).json();
                JsonObject lifecycle = owner.run("get-lifecycle-policy", "--repository-name", "local/library/app")
                        .json();
                JsonObject started = owner.run("start-lifecycle-policy-preview", "--repository-name",
                        "local/library/app").json();
                JsonObject preview = owner.run("get-lifecycle-policy-preview", "--repository-name",
                        "local/library/app").json();
                JsonObject keepNone = owner.run("start-lifecycle-policy-preview", "--repository-name",
                        "local/library/app", "--lifecycle-policy-text", "{\"rules\": [{\"rulePriority\": 1, "
                                + "\"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", "
                                + "\"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]}").json();

                assertThat(new JsonObject(lifecycle.getString("lifecyclePolicyText")))
                        .isEqualTo(new JsonObject(LIFECYCLE_POLICY));
                assertThat(started.getString("status")).isEqualTo("COMPLETE");
                assertThat(preview.getJsonArray("previewResults")).isEmpty();
                assertThat(preview.getJsonObject("summary").getInteger("expiringImageTotalCount")).isZero();
                assertThat(keepNone.getString("status")).isEqualTo("COMPLETE");

                owner.run("set-repository-policy", "--repository-name", "local/library/app", "--policy-text",
                        REPOSITORY_POLICY).json();
                JsonObject repositoryPolicy = owner.run("get-repository-policy", "--repository-name",
                        "local/library/app").json();
                owner.run("put-registry-policy", "--policy-text", REGISTRY_POLICY).json();
                JsonObject registryPolicy = owner.run("get-registry-policy").json();

                assertThat(new JsonObject(repositoryPolicy.getString("policyText")))
                        .isEqualTo(new JsonObject(REPOSITORY_POLICY));
                assertThat(new JsonObject(registryPolicy.getString("policyText")))
                        .isEqualTo(new JsonObject(REGISTRY_POLICY));

                JsonObject template = owner.run("create-repository-creation-template", "--prefix", "local",
                        "--applied-for", "PULL_THROUGH_CACHE", "--image-tag-mutability", "IMMUTABLE",
                        "--lifecycle-policy", LIFECYCLE_POLICY).json();
                assertThat(template.getJsonObject("repositoryCreationTemplate").getString("imageTagMutability"))
                        .isEqualTo("IMMUTABLE");

                Run badPrefix = owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "Bad_Prefix",
                        "--upstream-registry-url", upstream.url());
                Run unknownRepository = owner.run("describe-images", "--repository-name", "local/none");
                Run duplicate = owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "local",
                        "--upstream-registry-url", upstream.url());
                Run wrongRegistry = owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "quay",
                        "--upstream-registry-url", "ghcr.io", "--upstream-registry", "quay");

                assertCliError(badPrefix, "InvalidParameterException", "CreatePullThroughCacheRule",
                        "ecrRepositoryPrefix 'Bad_Prefix'");
                assertCliError(unknownRepository, "RepositoryNotFoundException", "DescribeImages",
                        "repositoryName");
                assertCliError(duplicate, "PullThroughCacheRuleAlreadyExistsException", "CreatePullThroughCacheRule",
                        "ecrRepositoryPrefix 'local'");
                assertCliError(wrongRegistry, "InvalidParameterException", "CreatePullThroughCacheRule",
                        "upstreamRegistry 'quay'");

                Cli dev = new Cli(admin, DEV_KEY, DEV_SECRET);
                assertCliError(dev.run("describe-pull-through-cache-rules"), "AccessDeniedException",
                        "DescribePullThroughCacheRules", "ecr:DescribePullThroughCacheRules");
                assertCliError(new Cli(admin, OWNER_KEY, "wrong").run("describe-registry"),
                        "InvalidSignatureException", "DescribeRegistry", "signature");
                assertCliError(new Cli(admin, "AKIAUNKNOWN000000001", OWNER_SECRET).run("describe-registry"),
                        "UnrecognizedClientException", "DescribeRegistry", "AKIAUNKNOWN000000001");

                Run password = owner.run("get-login-password");
                assertThat(password.exit()).as(password.err()).isZero();
                Skopeo.copy("docker://127.0.0.1:" + port + "/local/library/app:1", "dir:" + dir.resolve("token"),
                        "--src-tls-verify=false", "--src-creds", "AWS:" + password.out().strip());
                assertThat(Files.readAllBytes(dir.resolve("token/manifest.json"))).isEqualTo(image.content());

                JsonObject deleted = owner.run("batch-delete-image", "--repository-name", "local/library/app",
                        "--image-ids", "imageTag=1").json();
                JsonObject afterDelete = owner.run("list-images", "--repository-name", "local/library/app").json();
                JsonObject deletedRule = owner.run("delete-pull-through-cache-rule", "--ecr-repository-prefix",
                        "hub").json();
                JsonObject rulesLeft = owner.run("describe-pull-through-cache-rules").json();

                assertThat(deleted.getJsonArray("imageIds").getJsonObject(0).getString("imageDigest"))
                        .isEqualTo(image.digest().value());
                assertThat(afterDelete.getJsonArray("imageIds")).isEmpty();
                assertThat(deletedRule.getString("ecrRepositoryPrefix")).isEqualTo("hub");
                assertThat(rulesLeft.getJsonArray("pullThroughCacheRules")).hasSize(1);
                assertThat(cache.log()).doesNotContain("ECR API request failed");
            }
        }
    }

    @Test
    void ecrClient_signedWithConfiguredAccessKey_roundTrip_wrongSecretRefused() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 172, 4096);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:2");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, admin));
                 EcrClient ecr = client(admin, OWNER_SECRET);
                 EcrClient wrong = client(admin, "not-the-secret")) {
                CreatePullThroughCacheRuleResponse created = ecr.createPullThroughCacheRule(r -> r
                        .ecrRepositoryPrefix("sdk").upstreamRegistryUrl(upstream.url()));
                assertThat(created.ecrRepositoryPrefix()).isEqualTo("sdk");
                assertThat(ecr.describePullThroughCacheRules(r -> r.maxResults(10)).pullThroughCacheRules())
                        .extracting(rule -> rule.ecrRepositoryPrefix()).containsExactly("sdk");

                Skopeo.copy("docker://127.0.0.1:" + port + "/sdk/library/app:2", "dir:" + dir.resolve("pulled"),
                        "--src-tls-verify=false", "--src-creds", "owner:" + PASSWORD);
                DescribeImagesResponse images = ecr.describeImages(r -> r.repositoryName("sdk/library/app"));
                ImageDetail detail = images.imageDetails().get(0);
                assertThat(detail.imageDigest()).isEqualTo(image.digest().value());
                assertThat(detail.imageTags()).containsExactly("2");
                assertThat(detail.imagePushedAt()).isNotNull();
                assertThat(ecr.describeRepositories(r -> r.repositoryNames("sdk/library/app")).repositories())
                        .extracting(repository -> repository.repositoryName()).containsExactly("sdk/library/app");

                ecr.putLifecyclePolicy(r -> r.repositoryName("sdk/library/app").lifecyclePolicyText(LIFECYCLE_POLICY));
                assertThat(new JsonObject(ecr.getLifecyclePolicy(r -> r.repositoryName("sdk/library/app"))
                        .lifecyclePolicyText())).isEqualTo(new JsonObject(LIFECYCLE_POLICY));

                String layer = image.layers().get(0).digest().value();
                BatchGetImageResponse got = ecr.batchGetImage(r -> r.repositoryName("sdk/library/app")
                        .imageIds(ImageIdentifier.builder().imageTag("2").build(),
                                ImageIdentifier.builder().imageTag("missing").build()));
                assertThat(got.images()).singleElement().satisfies(each -> {
                    assertThat(each.imageManifest().getBytes(StandardCharsets.UTF_8)).isEqualTo(image.content());
                    assertThat(each.imageId().imageDigest()).isEqualTo(image.digest().value());
                });
                assertThat(got.failures()).singleElement()
                        .satisfies(failure -> assertThat(failure.failureCodeAsString()).isEqualTo("ImageNotFound"));
                assertThat(ecr.batchCheckLayerAvailability(r -> r.repositoryName("sdk/library/app")
                        .layerDigests(layer, "sha256:" + "0".repeat(64))))
                        .satisfies(check -> {
                            assertThat(check.layers()).singleElement().satisfies(found -> {
                                assertThat(found.layerAvailabilityAsString()).isEqualTo("AVAILABLE");
                                assertThat(found.layerSize()).isEqualTo(image.layers().get(0).size());
                            });
                            assertThat(check.failures()).singleElement().satisfies(missing ->
                                    assertThat(missing.failureCodeAsString()).isEqualTo("MissingLayerDigest"));
                        });
                assertThat(ecr.getDownloadUrlForLayer(r -> r.repositoryName("sdk/library/app").layerDigest(layer))
                        .downloadUrl()).isEqualTo("http://127.0.0.1:" + port + "/v2/sdk/library/app/blobs/" + layer);
                assertThat(ecr.listImageReferrers(r -> r.repositoryName("sdk/library/app")
                        .subjectId(s -> s.imageDigest(image.digest().value()))).referrers()).isEmpty();
                assertThat(ecr.putImageTagMutability(r -> r.repositoryName("sdk/library/app")
                        .imageTagMutability("IMMUTABLE")).imageTagMutabilityAsString()).isEqualTo("IMMUTABLE");

                AuthorizationData token = ecr.getAuthorizationToken().authorizationData().get(0);
                String password = new String(Base64.getDecoder().decode(token.authorizationToken()),
                        StandardCharsets.UTF_8);
                assertThat(password).startsWith("AWS:");
                assertThat(token.proxyEndpoint()).isEqualTo("http://127.0.0.1:" + port);
                assertThat(token.expiresAt()).isAfter(Instant.now().plusSeconds(11 * 3600));

                assertThatThrownBy(() -> ecr.deleteRepository(r -> r.repositoryName("sdk/library/app")))
                        .isInstanceOf(RepositoryNotEmptyException.class).hasMessageContaining("sdk/library/app");
                assertThat(ecr.batchDeleteImage(r -> r.repositoryName("sdk/library/app")
                        .imageIds(ImageIdentifier.builder().imageDigest(image.digest().value()).build()))
                        .imageIds()).hasSize(1);
                assertThat(ecr.listImages(r -> r.repositoryName("sdk/library/app")).imageIds()).isEmpty();

                assertThatThrownBy(() -> ecr.describeImages(r -> r.repositoryName("sdk/none")))
                        .isInstanceOf(RepositoryNotFoundException.class).hasMessageContaining("sdk/none");
                assertThatThrownBy(() -> ecr.createPullThroughCacheRule(r -> r.ecrRepositoryPrefix("sdk")
                        .upstreamRegistryUrl(upstream.url())))
                        .isInstanceOf(PullThroughCacheRuleAlreadyExistsException.class)
                        .hasMessageContaining("ecrRepositoryPrefix 'sdk'");
                assertThatThrownBy(() -> wrong.describePullThroughCacheRules(r -> { }))
                        .isInstanceOfSatisfying(EcrException.class, e -> {
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                            assertThat(e.statusCode()).isEqualTo(400);
                        });

                assertThat(ecr.deleteRepository(r -> r.repositoryName("sdk/library/app")).repository()
                        .repositoryName()).isEqualTo("sdk/library/app");
                assertThat(ecr.describeRepositories().repositories()).isEmpty();

                ecr.deletePullThroughCacheRule(r -> r.ecrRepositoryPrefix("sdk"));
                assertThat(ecr.describePullThroughCacheRules(r -> { }).pullThroughCacheRules()).isEmpty();
                assertThat(cache.log()).doesNotContain("ECR API request failed");
            }
        }
    }

    @Test
    void getLoginPassword_podmanLoginAsThatUser_pullsWhatThePoliciesAllow() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 173, 4096);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:3");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, admin))) {
                Cli owner = new Cli(admin, OWNER_KEY, OWNER_SECRET);
                Cli dev = new Cli(admin, DEV_KEY, DEV_SECRET);
                String app = "docker://127.0.0.1:" + port + "/local/library/app:3";
                owner.run("create-pull-through-cache-rule", "--ecr-repository-prefix", "local",
                        "--upstream-registry-url", upstream.url()).json();
                Skopeo.copy(app, "dir:" + dir.resolve("owner"), "--src-tls-verify=false", "--src-creds",
                        "owner:" + PASSWORD);

                Run password = dev.run("get-login-password");
                assertThat(password.exit()).as(password.err()).isZero();
                Path authFile = dir.resolve("auth.json");
                String login = podman(password.out(), "login", "--authfile", authFile.toString(), "--tls-verify=false",
                        "--username", "AWS", "--password-stdin", "127.0.0.1:" + port);
                assertThat(login).contains("Login Succeeded");

                assertThatThrownBy(() -> Skopeo.copy(app, "dir:" + dir.resolve("dev-before"),
                        "--src-tls-verify=false", "--authfile", authFile.toString()))
                        .hasMessageContaining("denied").hasMessageContaining("ecr:BatchGetImage");
                assertCliError(dev.run("describe-images", "--repository-name", "local/library/app"),
                        "AccessDeniedException", "DescribeImages", "ecr:DescribeImages");

                owner.run("set-repository-policy", "--repository-name", "local/library/app", "--policy-text",
                        REPOSITORY_POLICY.replace("\"ecr:GetDownloadUrlForLayer\"",
                                "\"ecr:GetDownloadUrlForLayer\", \"ecr:DescribeImages\"")).json();

                Skopeo.copy(app, "dir:" + dir.resolve("dev-after"), "--src-tls-verify=false", "--authfile",
                        authFile.toString());
                Skopeo.copy(app, "dir:" + dir.resolve("dev-creds"), "--src-tls-verify=false", "--src-creds",
                        "AWS:" + password.out().strip());
                JsonObject images = dev.run("describe-images", "--repository-name", "local/library/app").json();

                assertThat(Files.readAllBytes(dir.resolve("dev-after/manifest.json"))).isEqualTo(image.content());
                assertThat(Files.readAllBytes(dir.resolve("dev-creds/manifest.json"))).isEqualTo(image.content());
                assertThat(images.getJsonArray("imageDetails").getJsonObject(0).getString("imageDigest"))
                        .isEqualTo(image.digest().value());
                assertThat(cache.log()).doesNotContain("ECR API request failed");
            }
        }
    }

    /** Runs podman as root without a daemon, {@code input} on its stdin; fails unless it exits 0. */
    private String podman(String input, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman", "--root", dir.resolve("podman-root").toString(),
                "--runroot", dir.resolve("podman-runroot").toString(), "--storage-driver", "vfs"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    private static void assertCliError(Run run, String shape, String operation, String field) {
        assertThat(run.exit()).as(run.out()).isNotZero();
        assertThat(run.err()).contains("An error occurred (" + shape + ") when calling the " + operation
                + " operation: ").contains(field);
    }

    private String config(int port, int admin) {
        String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                + "auth:\n"
                + "  account: \"123456789012\"\n"
                + "  admins: [owner]\n"
                + "  users:\n"
                + "    - { name: owner, passwordBcrypt: \"" + hash + "\", account: \"123456789012\",\n"
                + "        accessKeys: [{ id: " + OWNER_KEY + ", secret: \"" + OWNER_SECRET + "\" }] }\n"
                + "    - { name: dev, passwordBcrypt: \"" + hash + "\", account: \"111122223333\",\n"
                + "        accessKeys: [{ id: " + DEV_KEY + ", secret: \"file:" + secretFile() + "\" }] }\n";
    }

    private Path secretFile() {
        try {
            return Files.writeString(dir.resolve("dev.secret"), DEV_SECRET + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EcrClient client(int admin, String secret) {
        return EcrClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + admin))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(OWNER_KEY, secret)))
                .build();
    }

    /**
     * The CLI's config: AWS CLI v1 fetches a parameter value that is an http(s) URL and sends what it read, unless
     * told not to (v2 does not by default).
     */
    private Path cliConfig() throws IOException {
        return Files.writeString(dir.resolve("aws-config"), "[default]\ncli_follow_urlparam = false\n");
    }

    /** The AWS CLI signing as one access key, with no config or credentials files of the machine's. */
    private final class Cli {

        private final int admin;
        private final String keyId;
        private final String secret;

        Cli(int admin, String keyId, String secret) {
            this.admin = admin;
            this.keyId = keyId;
            this.secret = secret;
        }

        Run run(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("aws", "ecr"));
            command.addAll(List.of(args));
            command.addAll(List.of("--endpoint-url", "http://127.0.0.1:" + admin, "--output", "json"));
            Path stdout = Files.createTempFile(dir, "aws", ".out");
            Path stderr = Files.createTempFile(dir, "aws", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            Map<String, String> env = builder.environment();
            env.put("AWS_ACCESS_KEY_ID", keyId);
            env.put("AWS_SECRET_ACCESS_KEY", secret);
            env.put("AWS_DEFAULT_REGION", "us-east-1");
            env.put("AWS_CONFIG_FILE", cliConfig().toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            env.put("AWS_PAGER", "");
            env.put("AWS_MAX_ATTEMPTS", "1");
            env.remove("AWS_SESSION_TOKEN");
            env.remove("AWS_PROFILE");
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("aws did not finish: " + command);
            }
            return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        }
    }
}
