package io.hpl.server.serving;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import org.jboss.logging.Logger;

/**
 * Creates ONNX Runtime sessions with the options measured best for small MLPs on a small box
 * (docs/decisions.md, "ONNX Runtime session options"): one intra-op and one inter-op thread, full graph optimisation, memory
 * pattern on, no spinning. Concurrency comes from concurrent {@code run} calls, not from
 * ORT's thread pool, whose default 2-thread pool tripled the p99 at 256 rows.
 */
public final class OrtSessionFactory {
    private static final Logger LOG = Logger.getLogger(OrtSessionFactory.class);

    public enum Device {
        CPU,
        CUDA
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final Device device;

    /** @throws IllegalStateException if CUDA is asked for but this ONNX Runtime build or machine lacks it */
    public OrtSessionFactory(Device device) {
        this.device = device;
        if (device == Device.CUDA) {
            EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
            if (!available.contains(OrtProvider.CUDA)) {
                throw new IllegalStateException("CUDA serving requested, but this ONNX Runtime offers only "
                        + available + ": build with -Pcuda (onnxruntime_gpu) and run where CUDA is installed");
            }
        }
    }

    public Device device() {
        return device;
    }

    public OrtEnvironment environment() {
        return env;
    }

    public OrtSession createSession(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = options()) {
            OrtSession session = env.createSession(model, options);
            LOG.infof("ONNX Runtime session created on the %s execution provider", device);
            return session;
        }
    }

    /** A ready-to-use model session for bytes written by {@link io.hpl.server.export.OnnxModelWriter}. */
    public OnnxModelSession open(byte[] model) throws OrtException {
        return new OnnxModelSession(env, createSession(model));
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setMemoryPatternOptimization(true);
            // Spinning wins nothing at this model size and burns a core on a 2-core machine.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (device == Device.CUDA) {
                options.addCUDA(0);
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
