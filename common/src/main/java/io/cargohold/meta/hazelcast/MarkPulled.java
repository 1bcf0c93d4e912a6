package io.cargohold.meta.hazelcast;

import com.hazelcast.map.EntryProcessor;
import io.cargohold.spi.ManifestRecord;

import java.util.Map;

/**
 * Moves a cached manifest's last pull forward, atomically and only while it is cached: a pull that
 * races the manifest's expiry must not bring back the record the lifecycle worker just deleted.
 * Answers whether it changed the record.
 */
final class MarkPulled implements EntryProcessor<String, ManifestRecord, Boolean> {

    private static final long serialVersionUID = 1L;

    private final long millis;

    MarkPulled(long millis) {
        this.millis = millis;
    }

    @Override
    public Boolean process(Map.Entry<String, ManifestRecord> entry) {
        ManifestRecord stored = entry.getValue();
        if (stored == null || stored.lastPulledAtMillis() >= millis) {
            return false;
        }
        entry.setValue(stored.pulledAt(millis));
        return true;
    }
}
