package io.cargohold.testkit;

import io.cargohold.store.s3.S3Settings;
import io.minio.MinioClient;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real S3-compatible server for tests: S3Proxy inside the test JVM, on 127.0.0.1 and a free port,
 * signing with AWS v2 or v4 and fixed test credentials. Storage is either a directory
 * ({@code filesystem-nio2}) or memory ({@code transient-nio2}). Buckets are created by the code under
 * test (or {@link S3Settings}-built clients); {@link #close()} stops the server.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "access";
    public static final String SECRET_KEY = "secret12345";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;

    private S3Server(S3Proxy proxy) {
        this.proxy = proxy;
    }

    /** A server keeping objects as files under {@code directory}: for large blobs. */
    public static S3Server onDisk(Path directory) {
        return onDisk(directory, 0);
    }

    /** As {@link #onDisk(Path)} on {@code port} (0: a free one): a restarted server keeps its endpoint. */
    public static S3Server onDisk(Path directory, int port) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        return start("filesystem-nio2", properties, port);
    }

    /** A server keeping objects in memory: for small ones. */
    public static S3Server inMemory() {
        return start("transient-nio2", new Properties(), 0);
    }

    private static S3Server start(String provider, Properties properties, int port) {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create(provider, properties))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            proxy.start();   // returns once Jetty listens
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        if (!"STARTED".equals(proxy.getState())) {
            throw new IllegalStateException("S3Proxy is " + proxy.getState() + " after start");
        }
        return new S3Server(proxy);
    }

    public int port() {
        return proxy.getPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Settings for {@code bucket} on this server, with the test credentials. */
    public S3Settings settings(String bucket) {
        return new S3Settings(endpoint(), REGION, bucket, ACCESS_KEY, SECRET_KEY);
    }

    /** A path-style client for this server. */
    public MinioClient newClient() {
        return settings("unused").newClient();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        }
    }
}
