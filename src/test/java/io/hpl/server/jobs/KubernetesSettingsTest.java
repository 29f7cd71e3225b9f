package io.hpl.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.config.ServerConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hpl.training.kubernetes.* read into the executor's settings: the contract's defaults, and refusals a person can act on. */
class KubernetesSettingsTest {
    @TempDir
    Path dir;

    private static ServerConfig config(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(ServerConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus' "1h" form, as in the app
                .withSources(new MapBackedConfigSource("test", values) { }).build();
        return config.getConfigMapping(ServerConfig.class);
    }

    @Test
    void theDefaultsAreTheContracts() {
        KubernetesJobExecutor.Settings s = KubernetesJobExecutor.Settings.of(config(Map.of(
                "hpl.training.kubernetes.image", "img:1")));
        assertEquals(KubernetesJobExecutor.ownNamespace(), s.namespace(), "the server's own namespace");
        if (!Files.isReadable(KubernetesJobExecutor.NAMESPACE_FILE)) {
            assertEquals("default", s.namespace(), "outside a cluster");
        }
        assertEquals("img:1", s.image());
        assertEquals("hpl-worker", s.serviceAccount());
        assertEquals(3, s.backoffLimit());
        assertEquals("2", s.cpu());
        assertEquals("8Gi", s.memory());
        assertEquals(1, s.gpus());
        assertFalse(s.gpuJobs(), "hpl.training.device auto: the server's own device decides nothing");
        assertEquals(Duration.ofHours(1), s.ttlAfterFinished());
        assertEquals(Optional.empty(), s.envFromSecret());
        assertEquals(Optional.empty(), s.template());
    }

    @Test
    void deviceGpuMakesGpuJobsAndATemplateFileIsRead() throws Exception {
        Path template = Files.writeString(dir.resolve("job.yaml"), "apiVersion: batch/v1\nkind: Job\n");
        KubernetesJobExecutor.Settings s = KubernetesJobExecutor.Settings.of(config(Map.of(
                "hpl.training.kubernetes.image", "img:1", "hpl.training.device", "gpu",
                "hpl.training.kubernetes.namespace", "ml", "hpl.training.kubernetes.job-template", template.toString())));
        assertTrue(s.gpuJobs());
        assertEquals("ml", s.namespace());
        assertTrue(s.template().orElseThrow().contains("kind: Job"));
    }

    @Test
    void aMissingImageOrTemplateIsRefusedNamingTheSetting() {
        IllegalArgumentException noImage = assertThrows(IllegalArgumentException.class,
                () -> KubernetesJobExecutor.Settings.of(config(Map.of("hpl.training.executor", "kubernetes"))));
        assertTrue(noImage.getMessage().contains("hpl.training.kubernetes.image"), noImage.getMessage());
        IllegalArgumentException noFile = assertThrows(IllegalArgumentException.class,
                () -> KubernetesJobExecutor.Settings.of(config(Map.of("hpl.training.kubernetes.image", "img:1",
                        "hpl.training.kubernetes.job-template", dir.resolve("absent.yaml").toString()))));
        assertTrue(noFile.getMessage().contains("hpl.training.kubernetes.job-template"), noFile.getMessage());
    }
}
