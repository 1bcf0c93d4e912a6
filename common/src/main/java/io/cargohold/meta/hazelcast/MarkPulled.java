package io.cargohold.meta.hazelcast;

import com.hazelcast.map.EntryProcessor;
import io.cargohold.spi.ManifestRecord;

import java.util.Map;

/**
 * Moves a cached manifest's last pull forward, atomically and only while it is cached: a pull that
 * races the manifest's expiry must not bring back the record the lifecycle worker just deleted.
 */
final class MarkPulled implements EntryProcessor<String, ManifestRecord, Void> {

    private static final long serialVersionUID = 1L;

    private final long millis;

    MarkPulled(long millis) {
        this.millis = millis;
    }

    @Override
    public Void process(Map.Entry<String, ManifestRecord> entry) {
        ManifestRecord stored = entry.getValue();
        if (stored != null && stored.lastPulledAtMillis() < millis) {
            entry.setValue(stored.pulledAt(millis));
        }
        return null;
    }
}
