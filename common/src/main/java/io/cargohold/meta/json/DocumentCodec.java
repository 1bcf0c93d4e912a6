package io.cargohold.meta.json;

/**
 * Turns one kind of metadata record into the bytes of a document and back. Decoding fails with an
 * unchecked exception naming what was wrong; it never answers null.
 */
public interface DocumentCodec<V> {

    byte[] encode(V value);

    V decode(byte[] document);
}
