package io.cargohold.pin;

import io.vertx.core.Future;

/** Reads what the pins keep, once per lifecycle run or preview: pins are few. */
public interface PinReader {

    PinReader NONE = () -> Future.succeededFuture(PinnedManifests.NONE);

    Future<PinnedManifests> pinned();
}
