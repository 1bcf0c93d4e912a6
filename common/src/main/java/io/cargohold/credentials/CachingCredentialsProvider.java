package io.cargohold.credentials;

import io.cargohold.spi.Credentials;
import io.cargohold.spi.CredentialsProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.Optional;

/**
 * A rule's credentials, read from their {@link CredentialsSource} on a worker thread and kept
 * until the source's refresh instant ({@link ExpiringCredentials#refreshAt()}) or until the
 * upstream rejects them ({@link #invalidate()}). Concurrent callers share one read; a failed
 * read is not kept.
 */
public final class CachingCredentialsProvider implements CredentialsProvider, AutoCloseable {

    private final Vertx vertx;
    private final CredentialsSource source;
    private final Clock clock;
    private volatile Future<ExpiringCredentials> cached;

    public CachingCredentialsProvider(Vertx vertx, CredentialsSource source, Clock clock) {
        this.vertx = vertx;
        this.source = source;
        this.clock = clock;
    }

    public CachingCredentialsProvider(Vertx vertx, CredentialsSource source) {
        this(vertx, source, Clock.systemUTC());
    }

    @Override
    public Future<Optional<Credentials>> credentials() {
        return current().map(read -> Optional.of(read.credentials()));
    }

    @Override
    public void invalidate() {
        cached = null;
    }

    /**
     * Reads the credentials now, bypassing the cache (a success replaces the cached ones), and
     * reports the outcome for {@code key} ({@code rules[0].credentials}); never fails.
     */
    public Future<CredentialsCheck> validate(String key) {
        Future<ExpiringCredentials> read = read();
        read.onSuccess(value -> cached = read);
        return read.map(value -> CredentialsCheck.readable(key, source.reference()))
                .otherwise(failure -> CredentialsCheck.unreadable(key, source.reference(), failure));
    }

    public String reference() {
        return source.reference();
    }

    @Override
    public void close() {
        source.close();
    }

    private synchronized Future<ExpiringCredentials> current() {
        Future<ExpiringCredentials> current = cached;
        if (current == null || current.failed()
                || (current.succeeded() && !clock.instant().isBefore(current.result().refreshAt()))) {
            current = read();
            cached = current;
        }
        return current;
    }

    /** Reads on a worker thread; a failure says which reference could not be read and why, in one line. */
    private Future<ExpiringCredentials> read() {
        return vertx.<ExpiringCredentials>executeBlocking(source::read, false)
                .recover(failure -> Future.failedFuture(new CredentialsReadException("credentials "
                        + source.reference() + " cannot be read: " + describe(failure), failure)));
    }

    /** The reason of a failed read: the source's one line, without the reference in front. */
    static String describe(Throwable failure) {
        Throwable reason = failure instanceof CredentialsReadException && failure.getCause() != null
                && failure.getMessage().startsWith("credentials ") ? failure.getCause() : failure;
        String message = reason.getMessage();
        return message == null ? reason.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }
}
