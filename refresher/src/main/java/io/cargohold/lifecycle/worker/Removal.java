package io.cargohold.lifecycle.worker;

import io.cargohold.lifecycle.StoredImage;

/**
 * An image to delete and why: {@code reason} is the rule's explanation or the quota's, and
 * {@code quota} names the quota that evicts it ({@code global} or a rule's prefix; null for a
 * lifecycle policy rule).
 */
record Removal(StoredImage image, String reason, String quota) {
}
