package io.cargohold.edge;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The lines written to the access log ({@code cargohold.access}) while it is open, as the logger
 * received them. A line is written when its response ends, which can be just after the client has
 * read the response: {@link #await} waits for it.
 */
public final class AccessLogLines implements AutoCloseable {

    public static final String LOGGER = "cargohold.access";

    private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }
    };

    private AccessLogLines() {
        appender.setName("access-log-lines");
        appender.start();
        logger.addAppender(appender);
    }

    public static AccessLogLines capture() {
        return new AccessLogLines();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The first line, parsed, for which {@code matching} holds; fails the test after {@link EdgeHarness#TIMEOUT}. */
    public JsonObject await(String what, Predicate<JsonObject> matching) {
        long deadline = System.nanoTime() + EdgeHarness.TIMEOUT.toNanos();
        while (true) {
            for (String line : lines) {
                JsonObject json = new JsonObject(line);
                if (matching.test(json)) {
                    return json;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no access log line for " + what + " in " + lines);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** The line of the request for {@code path} (with its query) answered with {@code status}. */
    public JsonObject await(String path, int status) {
        return await(path + " " + status, line -> path.equals(line.getString("path"))
                && line.getInteger("status") == status);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
