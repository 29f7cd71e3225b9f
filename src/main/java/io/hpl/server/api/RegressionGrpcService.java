package io.hpl.server.api;

import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.DeleteAliasRequest;
import io.hpl.server.api.v1.DeleteAliasResponse;
import io.hpl.server.api.v1.DeleteDatasetRequest;
import io.hpl.server.api.v1.DeleteDatasetResponse;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.DeleteModelResponse;
import io.hpl.server.api.v1.DownloadModelRequest;
import io.hpl.server.api.v1.DownloadModelResponse;
import io.hpl.server.api.v1.DownloadedModel;
import io.hpl.server.api.v1.EvaluateRequest;
import io.hpl.server.api.v1.EvaluateResponse;
import io.hpl.server.api.v1.GetDatasetRequest;
import io.hpl.server.api.v1.GetModelRequest;
import io.hpl.server.api.v1.ListDatasetsRequest;
import io.hpl.server.api.v1.ListDatasetsResponse;
import io.hpl.server.api.v1.ListMethodsRequest;
import io.hpl.server.api.v1.ListMethodsResponse;
import io.hpl.server.api.v1.ListModelsRequest;
import io.hpl.server.api.v1.ListModelsResponse;
import io.hpl.server.api.v1.ModelInfo;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.DatasetPrediction;
import io.hpl.server.api.v1.PredictDatasetRequest;
import io.hpl.server.api.v1.PredictDatasetResponse;
import io.hpl.server.api.v1.RowSelection;
import io.hpl.server.errors.Cancellation;
import io.hpl.server.serving.DatasetScoring;
import java.util.function.BooleanSupplier;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.api.v1.PredictError;
import io.hpl.server.api.v1.PredictStreamRequest;
import io.hpl.server.api.v1.PredictStreamResponse;
import io.hpl.server.metrics.RequestMetricsInterceptor;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.SetAliasRequest;
import io.hpl.server.api.v1.SetAliasResponse;
import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.GetJobRequest;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.ListJobsRequest;
import io.hpl.server.api.v1.ListJobsResponse;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.WatchJobRequest;
import io.hpl.server.jobs.JobPage;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import io.hpl.server.jobs.TrainingJobs;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.LoadedModels;
import io.hpl.server.serving.PredictionService;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelRef;
import io.hpl.server.store.Pages;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameterScope;
import io.hpl.server.training.MethodRegistry;
import io.grpc.Context;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The API v1 service: maps messages to the domain and back, and moves blocking work (files, DJL,
 * ONNX Runtime) off the event loop. The rules live in the domain classes it calls.
 */
@GrpcService
public class RegressionGrpcService implements RegressionService {
    /** Most rows a Predict scores on the gRPC thread (see {@link #predict}); more go to a worker. */
    static final int INLINE_MAX_ROWS = 16;

    private final DatasetStore datasets;
    private final ModelStore models;
    private final MethodRegistry methods;
    private final TrainingJobs jobs;
    private final PredictionService predictions;
    private final LoadedModels loaded;
    private final PredictCalls predictCalls;
    private final RequestMetricsInterceptor metrics;

    public RegressionGrpcService(DatasetStore datasets, ModelStore models, MethodRegistry methods, TrainingJobs jobs,
                                 PredictionService predictions, LoadedModels loaded, RequestMetricsInterceptor metrics) {
        this.predictCalls = new PredictCalls(predictions);
        this.metrics = metrics;
        this.datasets = datasets;
        this.models = models;
        this.methods = methods;
        this.jobs = jobs;
        this.predictions = predictions;
        this.loaded = loaded;
    }

    /** See {@link BlockingCalls#call}. */
    private static <T> Uni<T> blocking(Supplier<T> work) {
        return BlockingCalls.call(work);
    }

    private static <T> T inContext(Context call, Supplier<T> work) {
        return BlockingCalls.inContext(call, work);
    }

    @Override
    public Uni<DatasetInfo> uploadDataset(Multi<UploadDatasetRequest> request) {
        DatasetUploadReceiver receiver = new DatasetUploadReceiver(datasets);
        Context.CancellableContext call = Context.current().withCancellation(); // see blocking()
        return request.emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().invoke(receiver::accept)
                .collect().last()
                .map(last -> ProtoMapper.toProto(inContext(call, receiver::finish)))
                .onFailure().invoke(receiver::abort)
                .onCancellation().invoke(() -> {
                    call.cancel(null); // stops a parse in finish() at its next checkpoint
                    receiver.abort();
                })
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<DatasetInfo> getDataset(GetDatasetRequest request) {
        return blocking(() -> ProtoMapper.toProto(datasets.get(request.getId())
                .orElseThrow(() -> HplException.notFound("dataset " + EchoedInput.quote(request.getId()) + " not found"))));
    }

    @Override
    public Uni<ListDatasetsResponse> listDatasets(ListDatasetsRequest request) {
        return blocking(() -> {
            Pages.Page<DatasetRecord> page = Pages.of("ListDatasets", datasets.list(), DatasetStore::listKey,
                    request.getPageSize(), request.getPageToken());
            return ListDatasetsResponse.newBuilder()
                    .addAllDatasets(page.items().stream().map(ProtoMapper::toProto).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public Uni<DeleteDatasetResponse> deleteDataset(DeleteDatasetRequest request) {
        return blocking(() -> {
            if (!datasets.delete(request.getId())) {
                throw HplException.notFound("dataset " + EchoedInput.quote(request.getId()) + " not found");
            }
            return DeleteDatasetResponse.getDefaultInstance();
        });
    }

    @Override
    public Uni<ListMethodsResponse> listMethods(ListMethodsRequest request) {
        return blocking(() -> {
            if (!request.hasDatasetFormat()) {
                return ListMethodsResponse.newBuilder().addAllMethods(methods.all().stream()
                        .map(m -> ProtoMapper.toProto(m, m.hyperParameters())).toList()).build();
            }
            if (request.getDatasetFormat() == DataFormat.UNRECOGNIZED) {
                throw HplException.invalid("dataset_format: unknown format " + request.getDatasetFormatValue()
                        + "; use DATA_FORMAT_CSV or DATA_FORMAT_IMAGE_ARCHIVE, or leave it unset for every method");
            }
            boolean images = request.getDatasetFormat() == DataFormat.DATA_FORMAT_IMAGE_ARCHIVE;
            return ListMethodsResponse.newBuilder().addAllMethods(methods.all().stream()
                    .filter(m -> !images || m.takesImages())
                    .map(m -> ProtoMapper.toProto(m, HyperParameterScope.applying(m.hyperParameters(), images)))
                    .toList()).build();
        });
    }

    /** StartTraining, then WatchJob from the start; see {@link #watch}. */
    @Override
    public Multi<TrainEvent> train(TrainRequest request) {
        return watch(() -> jobs.start(JobMapper.spec(request), request.getRequestId()).id(), 0,
                request.getCancelOnDisconnect());
    }

    @Override
    public Uni<JobInfo> startTraining(TrainRequest request) {
        return blocking(() -> JobMapper.toProto(jobs.start(JobMapper.spec(request), request.getRequestId())));
    }

    @Override
    public Uni<JobInfo> getJob(GetJobRequest request) {
        return blocking(() -> JobMapper.toProto(jobs.get(request.getJobId())));
    }

    @Override
    public Uni<ListJobsResponse> listJobs(ListJobsRequest request) {
        return blocking(() -> {
            JobPage page = jobs.list(JobMapper.fromProto(request.getState()), request.getModelName(),
                    request.getPageSize(), request.getPageToken());
            return ListJobsResponse.newBuilder().addAllJobs(page.jobs().stream().map(JobMapper::toProto).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public Uni<JobInfo> cancelJob(CancelJobRequest request) {
        return blocking(() -> JobMapper.toProto(jobs.cancel(request.getJobId())));
    }

    @Override
    public Multi<TrainEvent> watchJob(WatchJobRequest request) {
        return watch(request::getJobId, request.getFromSequence(), false);
    }

    /**
     * Streams a job's events. Closing the stream only detaches this watcher: the job goes on, unless
     * {@code cancelOnDisconnect} (Train's opt-in to the old behaviour) and its final event has not gone out.
     */
    private Multi<TrainEvent> watch(Supplier<String> jobId, long fromSequence, boolean cancelOnDisconnect) {
        return Multi.createFrom().<TrainEvent>emitter(emitter -> {
            String id = jobId.get();
            TrainEventStream stream = new TrainEventStream(emitter);
            Runnable detach = jobs.watch(id, fromSequence, stream);
            emitter.onTermination(() -> {
                detach.run();
                if (cancelOnDisconnect && !stream.ended()) {
                    try {
                        jobs.cancel(id);
                    } catch (HplException e) {
                        // it succeeded meanwhile: nothing to cancel, and nobody left to tell
                    }
                }
            });
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<PredictResponse> predict(PredictRequest request) {
        // A few rows for a table model whose session is loaded: scored on the gRPC thread, no worker hop,
        // with the version resolved here. Anything that may load a model, decode images or score many rows
        // goes to a worker.
        int rows = PredictCalls.tableRows(request);
        Optional<ModelRecord> warm = rows >= 0 && rows <= INLINE_MAX_ROWS
                ? predictions.warmTableModel(request.getModelName(), request.getVersion(), request.getAlias())
                : Optional.empty();
        Supplier<PredictResponse> work = () -> predictCalls.answer(request, warm);
        return warm.isPresent() ? BlockingCalls.inline(work) : blocking(work);
    }

    /**
     * Answers each request of the stream in order on a worker thread, as Predict would, with a failed
     * request answered by an error message instead of ending the stream; only the end of the call
     * (cancel, deadline) ends it. How many requests are read ahead is {@link StreamCredits}' business.
     */
    @Override
    public Multi<PredictStreamResponse> predictStream(Multi<PredictStreamRequest> requests) {
        Context.CancellableContext call = Context.current().withCancellation(); // see BlockingCalls.call
        return requests.emitOn(Infrastructure.getDefaultWorkerPool())
                .map(message -> inContext(call, () -> streamAnswer(message, call)))
                .onTermination().invoke(() -> call.cancel(null))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    /** Most characters of a PredictStreamRequest.request_id: it is echoed, not stored. */
    static final int MAX_REQUEST_ID_CHARS = 256;

    private PredictStreamResponse streamAnswer(PredictStreamRequest message, Context call) {
        long start = System.nanoTime();
        PredictStreamResponse.Builder out = PredictStreamResponse.newBuilder();
        PredictRequest request = message.getRequest();
        String model = "";
        io.grpc.Status.Code code = io.grpc.Status.Code.OK;
        try {
            if (message.getRequestId().length() > MAX_REQUEST_ID_CHARS) {
                throw HplException.invalid("request_id has " + message.getRequestId().length() + " characters; at most "
                        + MAX_REQUEST_ID_CHARS + " are echoed");
            }
            out.setRequestId(message.getRequestId());
            PredictResponse response = predictCalls.answer(request, Optional.empty());
            model = response.getModelName();
            return out.setResponse(response).build();
        } catch (RuntimeException e) {
            io.grpc.Status status = GrpcErrors.toStatus(e).getStatus();
            code = status.getCode();
            if (call.isCancelled() || code == io.grpc.Status.Code.CANCELLED) {
                throw e; // the caller is gone: nobody reads an answer
            }
            return out.setError(PredictError.newBuilder().setCode(code.value()).setCodeName(code.name())
                    .setMessage(status.getDescription() == null ? "" : status.getDescription())).build();
        } finally {
            metrics.recordStreamed(model, code, System.nanoTime() - start, code == io.grpc.Status.Code.OK
                    ? PredictCalls.batchRows(request) : -1);
        }
    }

    @Override
    public Uni<EvaluateResponse> evaluate(EvaluateRequest request) {
        return blocking(() -> {
            ModelRef model = ref(request.getModelName(), request.getVersion(), request.getAlias());
            PredictionService.Evaluation evaluation = switch (request.getDataCase()) {
                case DATASET_ID -> predictions.evaluateDataset(model, request.getDatasetId());
                case INLINE -> predictions.evaluateRows(model, ProtoMapper.rows(request.getInline().getRowsList()));
                case INLINE_IMAGES -> predictions.evaluateImages(model,
                        ProtoMapper.images(request.getInlineImages().getImagesList()),
                        request.getInlineImages().getTargetsList().stream().mapToDouble(Double::doubleValue).toArray(),
                        request.getInlineImages().getResizeImages());
                default -> throw HplException.invalid("give the data to evaluate on: dataset_id, inline rows or inline_images");
            };
            return EvaluateResponse.newBuilder()
                    .setModelName(evaluation.model().name())
                    .setVersion(evaluation.model().version())
                    .setMetrics(ProtoMapper.toProto(evaluation.metrics()))
                    .build();
        });
    }

    /**
     * Scores a stored dataset a chunk at a time on a worker thread: the next chunk is read and scored
     * only when gRPC's transport takes more ({@link CallReadiness}), and the loop stops when the client
     * cancels (the call's context, as in {@link BlockingCalls}). The thread is held for the stream's
     * life, waiting while the client is slow.
     */
    @Override
    public Multi<PredictDatasetResponse> predictDataset(PredictDatasetRequest request) {
        Context.CancellableContext call = Context.current().withCancellation();
        CallReadiness.Gate gate = CallReadiness.current();
        return Multi.createFrom().<PredictDatasetResponse>emitter(emitter -> {
            try {
                inContext(call, () -> {
                    streamPredictions(request, gate, () -> emitter.isCancelled() || call.isCancelled(), emitter::emit);
                    return null;
                });
                emitter.complete();
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onTermination().invoke(() -> call.cancel(null))
                .onFailure().transform(GrpcErrors::toStatus);
    }

    private void streamPredictions(PredictDatasetRequest request, CallReadiness.Gate gate, BooleanSupplier stopped,
                                   java.util.function.Consumer<PredictDatasetResponse> emit) {
        if (request.getRows() == RowSelection.UNRECOGNIZED) {
            throw HplException.invalid("rows: unknown selection " + request.getRowsValue()
                    + "; use ROW_SELECTION_ALL (the default) or ROW_SELECTION_UNLABELLED_ONLY");
        }
        double level = ProtoMapper.intervalLevel(request);
        String idColumn = request.getIdColumn().isEmpty() ? null : request.getIdColumn();
        try (DatasetScoring scoring = predictions.openDatasetScoring(
                ref(request.getModelName(), request.getVersion(), request.getAlias()), request.getDatasetId(), request.getChunkRows(), idColumn,
                request.getRows() == RowSelection.ROW_SELECTION_UNLABELLED_ONLY)) {
            IntervalRule intervals = scoring.model().intervals();
            while (!stopped.getAsBoolean()) {
                if (gate != null) {
                    try {
                        gate.awaitReady(stopped);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw HplException.cancelled("PredictDataset stopped: the server is shutting down");
                    }
                }
                Cancellation.checkpoint("PredictDataset on dataset " + EchoedInput.quote(request.getDatasetId()));
                DatasetScoring.ScoredChunk chunk = scoring.next();
                if (chunk == null) {
                    return;
                }
                PredictDatasetResponse.Builder b = PredictDatasetResponse.newBuilder()
                        .setModelName(scoring.model().name()).setVersion(scoring.model().version());
                Predictions p = chunk.predictions();
                for (int i = 0; i < p.size(); i++) {
                    double halfWidth = intervals.halfWidth(p.variance()[i], level);
                    DatasetPrediction.Builder row = DatasetPrediction.newBuilder().setRowIndex(chunk.index()[i])
                            .setMean(p.mean()[i]).setVariance(p.variance()[i])
                            .setLower(p.mean()[i] - halfWidth).setUpper(p.mean()[i] + halfWidth);
                    if (chunk.ids() != null) {
                        row.setRowId(chunk.ids()[i]);
                    }
                    b.addPredictions(row);
                }
                emit.accept(b.build());
            }
        }
    }

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        return blocking(() -> {
            Pages.Page<ModelRecord> page = Pages.of("ListModels", models.list(request.getName()), ModelStore::listKey,
                    request.getPageSize(), request.getPageToken());
            return ListModelsResponse.newBuilder()
                    .addAllModels(page.items().stream().map(this::modelInfo).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public Uni<ModelInfo> getModel(GetModelRequest request) {
        return blocking(() -> modelInfo(models.resolve(ref(request.getName(), request.getVersion(), request.getAlias()))));
    }

    /** A version's metadata with what is live about it: the aliases pointing at it and whether it is loaded. */
    private ModelInfo modelInfo(ModelRecord record) {
        return ProtoMapper.toProto(record).toBuilder().addAllAliases(models.aliasesOf(record))
                .setLoaded(loaded.isLoaded(record)).build();
    }

    private static ModelRef ref(String modelName, int version, String alias) {
        return ModelRef.of(modelName, version, alias);
    }

    @Override
    public Uni<SetAliasResponse> setAlias(SetAliasRequest request) {
        return blocking(() -> {
            int before = models.setAlias(request.getModelName(), request.getAlias(), request.getVersion());
            return SetAliasResponse.newBuilder().setModelName(request.getModelName()).setAlias(request.getAlias())
                    .setVersion(request.getVersion()).setPreviousVersion(before).build();
        });
    }

    @Override
    public Uni<DeleteAliasResponse> deleteAlias(DeleteAliasRequest request) {
        return blocking(() -> DeleteAliasResponse.newBuilder()
                .setVersion(models.deleteAlias(request.getModelName(), request.getAlias())).build());
    }

    /** Chunks of DownloadModel: under gRPC's default 4 MiB message limit of clients, few messages per model. */
    static final int DOWNLOAD_CHUNK_BYTES = 1 << 20;

    @Override
    public Multi<DownloadModelResponse> downloadModel(DownloadModelRequest request) {
        return Multi.createFrom().<DownloadModelResponse>emitter(emitter -> {
            ModelRecord model = models.resolve(ModelRef.of(request.getName(), request.getVersion()));
            byte[] onnx = models.readOnnx(model);
            byte[] metadata = models.readMetadata(model);
            emitter.emit(DownloadModelResponse.newBuilder().setHeader(DownloadedModel.newBuilder()
                    .setModel(ProtoMapper.toProto(model))
                    .setMetadataJson(new String(metadata, java.nio.charset.StandardCharsets.UTF_8))
                    .setOnnxBytes(onnx.length).setOnnxSha256(ModelStore.sha256(onnx))).build());
            for (int off = 0; off < onnx.length && !emitter.isCancelled(); off += DOWNLOAD_CHUNK_BYTES) {
                emitter.emit(DownloadModelResponse.newBuilder().setChunk(com.google.protobuf.ByteString.copyFrom(onnx, off,
                        Math.min(DOWNLOAD_CHUNK_BYTES, onnx.length - off))).build());
            }
            emitter.complete();
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<DeleteModelResponse> deleteModel(DeleteModelRequest request) {
        return blocking(() -> {
            int deleted = models.delete(request.getName(), request.getVersion());
            loaded.evict(request.getName(), request.getVersion());
            return DeleteModelResponse.newBuilder().setVersionsDeleted(deleted).build();
        });
    }
}
