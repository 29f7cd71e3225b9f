package io.hpl.server;

import io.hpl.server.config.ServerConfig;
import io.hpl.server.jobs.TrainingWorker;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The entry point: the server (hpl.mode=server, the default) serves until it is stopped; a worker
 * (hpl.mode=worker, env HPL_MODE=worker, a Kubernetes Job's pod) runs its one training job and
 * exits with {@link TrainingWorker}'s exit code. A worker serves nothing: its gRPC, HTTP and
 * management ports are moved to ephemeral ports on the loopback interface before Quarkus starts.
 */
@QuarkusMain
public class Main implements QuarkusApplication {
    private static final Logger LOG = Logger.getLogger(Main.class);
    static final Map<String, String> WORKER_LISTENERS = Map.of(
            "quarkus.grpc.server.host", "127.0.0.1", "quarkus.grpc.server.port", "0",
            "quarkus.http.host", "127.0.0.1", "quarkus.http.port", "0",
            "quarkus.management.host", "127.0.0.1", "quarkus.management.port", "0");

    @Inject
    ServerConfig config;

    @Inject
    Instance<TrainingWorker> worker;

    public static void main(String... args) {
        String mode = System.getProperty("hpl.mode", System.getenv().getOrDefault("HPL_MODE", "server"));
        if ("worker".equals(mode)) {
            WORKER_LISTENERS.forEach((key, value) -> {
                if (System.getProperty(key) == null) {
                    System.setProperty(key, value);
                }
            });
        }
        Quarkus.run(Main.class, args);
    }

    @Override
    public int run(String... args) {
        switch (config.mode()) {
            case "server" -> {
                Quarkus.waitForExit();
                return 0;
            }
            case "worker" -> {
                String jobId = config.worker().jobId().orElse("");
                if (jobId.isBlank()) {
                    LOG.error("hpl.mode=worker needs hpl.worker.job-id (HPL_WORKER_JOB_ID): the job to run");
                    return 2;
                }
                return worker.get().runUntilExit(jobId);
            }
            default -> {
                LOG.errorf("hpl.mode must be server or worker, not '%s'", config.mode());
                return 2;
            }
        }
    }
}
