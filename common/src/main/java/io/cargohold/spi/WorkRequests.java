package io.cargohold.spi;

/**
 * Work asked of the workers by any process (the control API, the lifecycle trigger), done by whichever
 * process runs that worker: a lifecycle run, or the warm-up of pinned images, by the member that leads the
 * lifecycle workers. Requests do not wait for the work.
 */
public interface WorkRequests {

    /** Asks the lifecycle leader, wherever it runs, for a run now. */
    void requestLifecycleRun();

    /** Calls {@code listener} for every request for a lifecycle run, from any process (on a cluster thread). */
    void onLifecycleRunRequested(Runnable listener);

    /** Asks the member that warms pinned images, wherever it runs, to warm those due now. */
    void requestPinWarmUp();

    /** Calls {@code listener} for every request to warm pinned images, from any process (on a cluster thread). */
    void onPinWarmUpRequested(Runnable listener);
}
