package io.cargohold.spi;

import java.util.List;

/**
 * A page of records read from storage in its key order, and where the next page starts (the key of
 * the last document read, as the listing method takes it; null after the last page). A page may hold
 * fewer records than asked for while more follow: unreadable documents are skipped.
 */
public record StoragePage<T>(List<T> items, String next) {
}
