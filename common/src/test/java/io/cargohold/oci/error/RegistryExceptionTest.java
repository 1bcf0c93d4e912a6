package io.cargohold.oci.error;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryExceptionTest {

    @Test
    void of_storageFailureWrappedByCaller_isThatFailure() {
        RegistryException storage = RegistryException.storageUnavailable("s3", "GET blobs/sha256/ab in bucket b",
                "java.net.ConnectException: Connection refused", new ConnectException("Connection refused"));

        RegistryException answered = RegistryException.of(new CompletionException(new IllegalStateException(storage)));

        assertThat(answered).isSameAs(storage);
        assertThat(answered.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(answered.httpStatus()).isEqualTo(503);
        assertThat(answered.getMessage()).isEqualTo("storage unavailable: s3 GET blobs/sha256/ab in bucket b: "
                + "java.net.ConnectException: Connection refused");
    }

    @Test
    void of_failureWithoutRegistryCause_isUnknown500KeepingTheCause() {
        IllegalStateException bug = new IllegalStateException("bug");

        RegistryException answered = RegistryException.of(bug);

        assertThat(answered.code()).isEqualTo(OciErrorCode.UNKNOWN);
        assertThat(answered.httpStatus()).isEqualTo(500);
        assertThat(answered.getMessage()).isEqualTo("internal error");
        assertThat(answered.getCause()).isSameAs(bug);
    }
}
