package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinReader;
import io.cargohold.pin.PinnedManifests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pins of the cluster, in the durable control map {@link ControlMaps#PINS} (by id, as JSON text), for the
 * workers that warm them and the lifecycle that keeps them. Hazelcast's calls block (they write through to the
 * document store), so they run on a worker thread.
 */
public final class HazelcastPins implements PinReader {

    private final Vertx vertx;
    private final IMap<String, String> map;

    public HazelcastPins(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.map = hazelcast.getMap(ControlMaps.PINS);
    }

    /** Every pin, by image. */
    public Future<List<Pin>> all() {
        return vertx.executeBlocking(() -> {
            List<Pin> pins = new ArrayList<>();
            map.values().forEach(text -> pins.add(Pin.fromJson(new JsonObject(text))));
            pins.sort(Comparator.comparing(Pin::image));
            return pins;
        }, false);
    }

    /** Whether it was stored: false when a pin with its id exists. */
    public Future<Boolean> create(Pin pin) {
        return vertx.executeBlocking(() -> map.putIfAbsent(pin.id(), pin.toJson().encode()) == null, false);
    }

    /** Stores a pin's new state; false, and nothing stored, when it was unpinned meanwhile. */
    public Future<Boolean> update(Pin pin) {
        return vertx.executeBlocking(() -> map.replace(pin.id(), pin.toJson().encode()) != null, false);
    }

    public Future<Void> remove(String id) {
        return vertx.executeBlocking(() -> {
            map.delete(id);
            return null;
        }, false);
    }

    @Override
    public Future<PinnedManifests> pinned() {
        return all().map(PinnedManifests::of);
    }
}
