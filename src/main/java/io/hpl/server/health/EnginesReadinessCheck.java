package io.hpl.server.health;

import io.hpl.server.config.ServerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when PyTorch and ONNX Runtime are loaded and the store directory is writable. */
@Readiness
@ApplicationScoped
public class EnginesReadinessCheck implements HealthCheck {
    private final Engines engines;
    private final ServerConfig config;

    public EnginesReadinessCheck(Engines engines, ServerConfig config) {
        this.engines = engines;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Path store = Path.of(config.store().dir());
        boolean storeWritable = Files.isDirectory(store) && Files.isWritable(store);
        return HealthCheckResponse.named("hpl-engines-and-store")
                .status(engines.ready() && storeWritable)
                .withData("engines", engines.ready() ? "loaded" : engines.failure() == null ? "loading" : "failed")
                .withData("store", store.toAbsolutePath() + (storeWritable ? " (writable)" : " (NOT writable)"))
                .build();
    }
}
