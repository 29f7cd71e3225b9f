package io.hpl.server.serving;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;

class OrtSessionFactoryTest {
    @Test
    void cudaWithoutCudaProviderFailsClearly() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "CUDA provider present");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new OrtSessionFactory(OrtSessionFactory.Device.CUDA));
        assertTrue(e.getMessage().contains("-Pcuda"), e.getMessage());
    }
}
