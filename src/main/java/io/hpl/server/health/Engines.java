package io.hpl.server.health;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.hpl.server.config.ServerConfig;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.PyTorchEngine;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Loads PyTorch (DJL extracts ~430 MB of natives on a first start) and ONNX Runtime in the
 * background at start-up, and holds readiness down, over HTTP and over grpc.health.v1, until both
 * are up: a pod takes no traffic it cannot serve.
 */
@ApplicationScoped
public class Engines {
    public static final String SERVICE = "hpl.v1.RegressionService";
    private static final Logger LOG = Logger.getLogger(Engines.class);

    private final ServerConfig config;
    private final GrpcHealthStorage health;
    private volatile Device trainingDevice;
    private volatile String failure;
    private final CountDownLatch settled = new CountDownLatch(1);

    public Engines(ServerConfig config, GrpcHealthStorage health) {
        this.config = config;
        this.health = health;
    }

    void onStart(@Observes StartupEvent event) {
        health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, ServingStatus.NOT_SERVING);
        health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
        Thread loader = new Thread(this::load, "hpl-engine-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        try {
            long start = System.nanoTime();
            // PyTorch reads its thread counts once, when the engine loads.
            String threads = Integer.toString(config.training().threads());
            System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads",
                    System.getProperty("ai.djl.pytorch.num_interop_threads", threads));
            Engine engine = PyTorchEngine.get();
            Device device = chooseDevice(config.training().device(), engine);
            OrtEnvironment.getEnvironment();
            trainingDevice = device;
            health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, ServingStatus.SERVING);
            health.setStatus(SERVICE, ServingStatus.SERVING);
            LOG.infof("engines ready in %.1f s: PyTorch %s training on %s, ONNX Runtime serving on %s",
                    (System.nanoTime() - start) / 1e9, engine.getVersion(), device, config.serving().device());
        } catch (RuntimeException | Error e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("the engines failed to load; the server stays not ready", e);
        } finally {
            settled.countDown();
        }
    }

    private static Device chooseDevice(String setting, Engine engine) {
        return switch (setting.toLowerCase(Locale.ROOT)) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("hpl.training.device must be cpu, gpu or auto, not " + setting);
        };
    }

    /** Waits until loading has succeeded or failed; true when the engines are ready. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && ready();
    }

    public boolean ready() {
        return trainingDevice != null;
    }

    /** Why the engines did not load, or null. */
    public String failure() {
        return failure;
    }

    /** The device training runs on; UNAVAILABLE while the engines are still loading. */
    public Device trainingDevice() {
        Device device = trainingDevice;
        if (device == null) {
            throw new HplException(ErrorKind.UNAVAILABLE, failure == null
                    ? "the training engine is still loading; retry in a few seconds"
                    : "the training engine failed to load: " + failure);
        }
        return device;
    }
}
