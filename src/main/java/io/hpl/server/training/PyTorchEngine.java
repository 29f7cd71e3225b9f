package io.hpl.server.training;

import ai.djl.engine.Engine;

/** The one place that loads DJL's PyTorch engine, so the offline switch is always set first. */
public final class PyTorchEngine {
    private PyTorchEngine() {
    }

    /**
     * DJL would otherwise try to download natives at first use; the server ships them as Maven
     * dependencies and must not reach the network. An explicit setting by the operator wins.
     */
    public static Engine get() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine("PyTorch");
    }
}
