package io.cargohold.lifecycle;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a rule picks images to expire among those it selects: beyond the newest {@code countNumber}
 * ({@code imageCountMoreThan}), or older than {@code countNumber} days since cached
 * ({@code sinceImagePushed}) or since last pulled ({@code sinceImagePulled}).
 */
public enum CountType {
    IMAGE_COUNT_MORE_THAN("imageCountMoreThan"),
    SINCE_IMAGE_PUSHED("sinceImagePushed"),
    SINCE_IMAGE_PULLED("sinceImagePulled");

    private final String value;

    CountType(String value) {
        this.value = value;
    }

    /** The policy text's spelling. */
    public String value() {
        return value;
    }

    /** Whether {@code countNumber} is an age in {@code countUnit}s rather than a number of images. */
    public boolean isAge() {
        return this != IMAGE_COUNT_MORE_THAN;
    }

    public static Optional<CountType> fromValue(String value) {
        return Arrays.stream(values()).filter(type -> type.value.equals(value)).findFirst();
    }
}
