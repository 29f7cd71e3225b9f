package io.hpl.server.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import io.smallrye.config.WithDefault;

/** Every setting of hpl-server, under the prefix {@code hpl}; docs/configuration.md lists them (ConfigurationDocTest checks it). */
@ConfigMapping(prefix = "hpl")
public interface ServerConfig {

    Store store();

    Upload upload();

    Predict predict();

    Images images();

    Tables tables();

    Training training();

    Serving serving();

    Auth auth();

    interface Store {
        /** Root of the local model and dataset store. */
        @WithDefault("hpl-data")
        String dir();
    }

    interface Upload {
        /** Largest dataset upload accepted, in bytes. */
        @WithDefault("1073741824")
        long maxBytes();

        /** Uploads being received at once, store-wide; one more is refused RESOURCE_EXHAUSTED. */
        @WithDefault("4")
        int maxInFlight();

        /** Most bytes of datasets the store holds (their uploaded files, uploads in flight included). */
        @WithDefault("68719476736")
        long maxStoredBytes();
    }

    interface Predict {
        /** Most rows in one Predict or inline Evaluate request. */
        @WithDefault("10000")
        int maxRows();
    }

    /** Memory guards for image datasets and image requests (see ImageLimits). */
    interface Images {
        /** Most images in one dataset. */
        @WithDefault("200000")
        int maxImages();

        /** Most decoded floats (images x channels x height x width) in one dataset or one request. */
        @WithDefault("268435456")
        long maxValues();

        /** Most pixels of one image before resizing (width x height, read from its header); 4096 x 4096. */
        @WithDefault("16777216")
        long maxSourcePixels();

        /** Most pixels decoded at once across all uploads and requests (2^25: two 4096 x 4096 images). */
        @WithDefault("33554432")
        long maxPixelsInFlight();

        /** Largest archive member once decompressed, in bytes. */
        @WithDefault("67108864")
        long maxFileBytes();
    }

    /** Guards for table data, checked before the memory or CPU they bound is spent (see TableLimits). */
    interface Tables {
        /** Most characters in one cell, at upload and in Predict/Evaluate rows; checked before the cell is parsed. */
        @WithDefault("1000")
        int maxCellChars();

        /** Most distinct categories of one categorical column; each is one model input (a one-hot column). */
        @WithDefault("1000")
        int maxCategoriesPerColumn();
    }

    interface Training {
        /** cpu, gpu, or auto (gpu when DJL sees one). */
        @WithDefault("auto")
        String device();

        /** PyTorch intra-op threads for training; 1 is fastest for the small MLPs on a loaded machine. */
        @WithDefault("1")
        int threads();

        /** Most jobs waiting behind the running one; more is RESOURCE_EXHAUSTED. */
        @WithDefault("16")
        int maxQueued();

        /** Most weights of a table model's network per job, estimated from hidden_layers (2^24: 64 MB as floats). */
        @WithDefault("16777216")
        long maxParameters();

        /** Most iterations x batch_size per job (2^27), so one job cannot hold the only trainer for a day. */
        @WithDefault("134217728")
        long maxIterationsTimesBatch();

        /** How long the record of an ended job (succeeded, failed or cancelled) is kept; older ones are pruned. */
        @WithDefault("P7D")
        Duration jobRetention();

        /** On shutdown, how long to wait for the running job to checkpoint and stop; it continues at the next start either way. */
        @WithDefault("PT8S")
        Duration shutdownWait();

        /**
         * A Train/WatchJob stream of an unfinished job that got no event for this long gets a heartbeat
         * event, so proxies with idle timeouts keep it and clients see liveness; 0 turns them off.
         */
        @WithDefault("PT10S")
        Duration heartbeatEvery();

        /** A running job of an iterative (network) method writes a checkpoint every this many iterations; 0: off. */
        @WithDefault("0")
        long checkpointEveryIterations();

        /** ... and after the first iteration that ends this long after its last checkpoint; 0: off. */
        @WithDefault("PT30S")
        Duration checkpointEvery();
    }

    interface Serving {
        /** cpu or cuda: the ONNX Runtime execution provider. */
        @WithDefault("cpu")
        String device();

        /** Model versions kept loaded in ONNX Runtime sessions (least recently used ones are closed). */
        @WithDefault("32")
        int maxLoadedModels();

        /** Dynamic batching of concurrent small scoring calls (serving/batching/DynamicBatcher). */
        Batching batching();

        interface Batching {
            /** Coalesce concurrent small scoring calls on one model version into one ONNX Runtime run. */
            @WithDefault("true")
            boolean enabled();

            /** Most rows in one coalesced run; a call of this many rows or more runs alone. */
            @WithDefault("64")
            int maxBatchRows();

            /** How long a batch that already has queued calls may wait for more; 0: runs with what is queued. */
            @WithDefault("0ms")
            Duration maxQueueDelay();

            /** Most rows waiting per model version; past it a call is refused RESOURCE_EXHAUSTED. */
            @WithDefault("4096")
            int maxQueuedRows();

            /** Batches of one model version running at once; a call that finds them all busy waits in the queue. */
            @WithDefault("1")
            int concurrentRuns();
        }
    }

    /** Bearer-token authentication and roles (io.hpl.server.auth); docs/operations.md#security. */
    interface Auth {
        /** Every call but health needs a token; off only in dev and test (application.properties). */
        @WithDefault("true")
        boolean enabled();

        /** API keys as name:role:sha256-hex-of-token entries, comma separated; role is reader or admin. */
        Optional<List<String>> keys();

        /** A file of keys, one name:role:sha256 per line ('#' comments), e.g. a mounted Kubernetes Secret. */
        Optional<String> keysFile();
    }
}
