package io.cargohold.spi;

/**
 * Work asked of the workers by any process (the control API, the lifecycle trigger), done by whichever
 * process runs that worker: a lifecycle run by the member that leads the lifecycle workers. Requests do not
 * wait for the work.
 */
public interface WorkRequests {

    /** Asks the lifecycle leader, wherever it runs, for a run now. */
    void requestLifecycleRun();

    /** Calls {@code listener} for every request for a lifecycle run, from any process (on a cluster thread). */
    void onLifecycleRunRequested(Runnable listener);
}
