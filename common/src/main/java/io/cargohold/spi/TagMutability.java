package io.cargohold.spi;

/** Whether a repository's cached tags may move to a newer upstream digest (ECR's imageTagMutability). */
public enum TagMutability {
    MUTABLE,
    /** A refresh never moves a tag; the newer upstream digest is recorded on the tag instead. */
    IMMUTABLE
}
