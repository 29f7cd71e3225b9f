package io.hpl.server.metrics;

import io.hpl.server.jobs.TrainingJobs;
import io.hpl.server.serving.LoadedModels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Gauges read from the components that own the state, so nothing is counted twice. */
@ApplicationScoped
public class ServerGauges {
    // Strong references: Micrometer holds a gauge's object weakly.
    private final TrainingJobs jobs;
    private final LoadedModels loaded;

    public ServerGauges(TrainingJobs jobs, LoadedModels loaded) {
        this.jobs = jobs;
        this.loaded = loaded;
    }

    void register(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("hpl.training.queue.jobs", jobs, TrainingJobs::pending)
                .description("Training jobs accepted and not yet ended, the running one included")
                .register(registry);
        Gauge.builder("hpl.models.loaded", loaded, LoadedModels::loaded)
                .description("Model versions with an open ONNX Runtime session")
                .register(registry);
    }
}
