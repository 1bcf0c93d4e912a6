package io.cargohold.oci;

/** The platform an index entry is built for. */
public record Platform(String os, String architecture, String variant) {

    public boolean matches(String os, String architecture) {
        return this.os.equals(os) && this.architecture.equals(architecture);
    }
}
