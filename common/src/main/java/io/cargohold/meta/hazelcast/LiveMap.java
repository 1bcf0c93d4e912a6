package io.cargohold.meta.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.map.listener.MapClearedListener;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This member's copy of a small cluster map, kept current by an entry listener, so readers on the
 * hot path (every pull resolves its rule) never wait on the cluster. {@code onChange} gets the
 * whole current content after every change anywhere in the cluster, within milliseconds.
 */
public final class LiveMap implements AutoCloseable {

    private final IMap<String, String> map;
    private final Map<String, String> copy = new ConcurrentHashMap<>();
    private final Consumer<Map<String, String>> onChange;
    private final UUID registration;

    private LiveMap(IMap<String, String> map, Consumer<Map<String, String>> onChange) {
        this.map = map;
        this.onChange = onChange;
        this.registration = map.addEntryListener(new Listener(), true);
        copy.putAll(map);
        changed();
    }

    /** Starts following map {@code name}; blocks while it reads the map once (not on an event loop). */
    public static LiveMap follow(HazelcastInstance hazelcast, String name, Consumer<Map<String, String>> onChange) {
        return new LiveMap(hazelcast.getMap(name), onChange);
    }

    public Map<String, String> snapshot() {
        return Map.copyOf(copy);
    }

    private synchronized void changed() {
        onChange.accept(Map.copyOf(copy));
    }

    @Override
    public void close() {
        map.removeEntryListener(registration);
    }

    private final class Listener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String>, EntryEvictedListener<String, String>, MapClearedListener {

        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            copy.put(event.getKey(), event.getValue());
            changed();
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            copy.put(event.getKey(), event.getValue());
            changed();
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            copy.remove(event.getKey());
            changed();
        }

        @Override
        public void entryEvicted(EntryEvent<String, String> event) {
            copy.remove(event.getKey());
            changed();
        }

        @Override
        public void mapCleared(MapEvent event) {
            copy.clear();
            changed();
        }
    }
}
