package io.cargohold.launcher;

import io.cargohold.config.ConfigException;
import io.cargohold.store.rocksdb.ImportProgress;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What start-up says while it runs, and how a step's failure reaches the launcher. */
class StartupStepsTest {

    private final StartupSteps steps = new StartupSteps(new ImportProgress());

    @Test
    void notReadyReason_duringAStep_namesIt() {
        String during = steps.run("joining the cluster", steps::notReadyReason);

        assertThat(during).isEqualTo("starting: joining the cluster");
    }

    @Test
    void await_stepFailsWithARuntimeException_thrownAsItIs() {
        ConfigException invalid = new ConfigException("auth.tokenKey: too short");

        assertThatThrownBy(() -> steps.run("setting up the roles", () -> steps.await(Future.failedFuture(invalid))))
                .isSameAs(invalid);
    }

    @Test
    void await_stepFailsWithACheckedException_namesTheStep() {
        assertThatThrownBy(() -> steps.run("opening storage",
                () -> steps.await(Future.failedFuture(new IOException("disk gone")))))
                .hasMessage("opening storage failed: java.io.IOException: disk gone");
    }

    @Test
    void await_completed_answersTheResult() {
        assertThat(steps.run("opening storage", () -> steps.await(Future.succeededFuture("open")))).isEqualTo("open");
    }
}
