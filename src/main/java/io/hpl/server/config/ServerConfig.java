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

    /**
     * server (default): serve the API and run training jobs; worker: run the one training job
     * hpl.worker.job-id from the store and exit (a Kubernetes Job's pod, hpl.training.executor=kubernetes).
     */
    @WithDefault("server")
    String mode();

    Worker worker();

    interface Worker {
        /** The job a worker runs (HPL_WORKER_JOB_ID, set by the Kubernetes executor); required in worker mode. */
        Optional<String> jobId();
    }

    interface Store {
        /** Root of the local model and dataset store (with backend s3: this process's work files and download cache). */
        @WithDefault("hpl-data")
        String dir();

        /** Where models, datasets and job records live: {@code local} (under dir) or {@code s3}. */
        @WithDefault("local")
        String backend();

        /** The S3-compatible bucket, for backend s3. */
        StoreS3 s3();

        /** How often a serving replica re-reads versions and aliases other processes published (backend s3). */
        @WithDefault("5s")
        Duration refreshInterval();
    }

    /** hpl.store.s3.*: the bucket of backend s3 (a group of ServerConfig's own, so the doc test finds it). */
    interface StoreS3 {
        /** The bucket; required with backend s3. */
        Optional<String> bucket();

        /** Key prefix inside the bucket (none: the bucket's root). */
        Optional<String> prefix();

        /** Endpoint URL for S3-compatible servers (MinIO…); none: AWS S3 of the region. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Path-style URLs (http://host/bucket/key), as MinIO wants. */
        @WithDefault("false")
        boolean pathStyle();

        /** Most bytes of downloaded dataset copies kept under dir/tmp/cache; least recently used go first (8 GiB). */
        @WithDefault("8589934592")
        long cacheMaxBytes();
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

        /** PredictDataset streams open at once on this replica; one more is refused RESOURCE_EXHAUSTED. */
        @WithDefault("16")
        int maxDatasetStreams();
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

        /** Where jobs run: in-process (default: one at a time on this server) or kubernetes (a Job per training job). */
        @WithDefault("in-process")
        String executor();

        Kubernetes kubernetes();
    }

    /** The Kubernetes executor's Jobs (io.hpl.server.jobs.KubernetesJobExecutor); read only with executor=kubernetes. */
    interface Kubernetes {
        /** Where the Jobs go; default: the server's own namespace (service-account file), else "default". */
        Optional<String> namespace();

        /** The worker's image (the server's own image); required with executor=kubernetes. */
        Optional<String> image();

        /** The worker pod's service account (no API rights needed). */
        @WithDefault("hpl-worker")
        String serviceAccount();

        /** Pod failures retried (each retry resumes from the job's checkpoint) before the job is FAILED. */
        @WithDefault("3")
        int backoffLimit();

        /** CPU request and limit of the worker container. */
        @WithDefault("2")
        String cpu();

        /** Memory request and limit of the worker container. */
        @WithDefault("8Gi")
        String memory();

        /** nvidia.com/gpu per GPU job (GPU jobs: hpl.training.device=gpu). */
        @WithDefault("1")
        int gpu();

        /** A finished Job (and its pods) is deleted this long after it ended (ttlSecondsAfterFinished). */
        @WithDefault("1h")
        Duration ttlAfterFinished();

        /** A Secret passed to the worker container as envFrom (the S3 store's settings and credentials). */
        Optional<String> envFromSecret();

        /** A YAML file holding a batch/v1 Job to start from (nodeSelector, tolerations, volumes...). */
        Optional<String> jobTemplate();
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
