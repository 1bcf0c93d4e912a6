package io.cargohold.edge.http;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.error.RangeNotSatisfiableException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single {@code Range: bytes=...} request (RFC 9110). Several ranges, or another unit, are
 * ignored and the whole blob is sent, as the RFC allows.
 */
final class RangeHeader {

    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private RangeHeader() {
    }

    /** The range to send, or null for the whole blob; unsatisfiable ranges fail with RANGE_INVALID. */
    static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        Matcher matcher = SINGLE.matcher(header.trim());
        if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
            return null;
        }
        try {
            if (matcher.group(1).isEmpty()) {
                long suffix = Long.parseLong(matcher.group(2));
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(header, size);
                }
                long length = Math.min(suffix, size);
                return new ByteRange(size - length, length);
            }
            long first = Long.parseLong(matcher.group(1));
            long last = matcher.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(matcher.group(2)), size - 1);
            if (first >= size || last < first) {
                throw unsatisfiable(header, size);
            }
            return new ByteRange(first, last - first + 1);
        } catch (NumberFormatException e) {
            throw unsatisfiable(header, size);
        }
    }

    private static RangeNotSatisfiableException unsatisfiable(String header, long size) {
        return new RangeNotSatisfiableException(header, size);
    }
}
