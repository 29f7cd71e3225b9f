package io.hpl.server.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.model.PiecewiseLinearEncoding;
import io.hpl.server.training.nn.MlpNetwork;
import io.hpl.server.training.nn.PackedMlpNetwork;
import io.hpl.server.training.nn.RegressorNetwork;
import io.hpl.server.data.ImageInput;
import io.hpl.server.training.views.ImageAugmentation;
import io.hpl.server.training.views.ImageViews;
import io.hpl.server.training.views.TabularViews;
import io.hpl.server.training.views.Views;
import io.hpl.server.training.checkpoint.Checkpoint;
import io.hpl.server.training.checkpoint.IncompatibleCheckpointException;
import io.hpl.server.training.checkpoint.RunState;
import io.hpl.server.training.checkpoint.SeededRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The loop every method shares: prepare the data, build f_θ, run the method's steps with progress
 * reports, then calibrate σ² on the held-out labelled rows. Methods supply only their session.
 * All native arrays of a run belong to one manager closed at the end; each step's temporaries to a
 * sub-manager closed after the step, so memory stays flat however long the run. With
 * {@code early_stopping_patience} the run ends early when the calibration MAE stops falling and the
 * best evaluated iterate is served ({@link EarlyStopping}).
 */
public abstract class IterativeMethod implements TrainingMethod {

    protected abstract MethodSession open(SessionContext context);

    /** Which σ² to serve when the method learns one per row; methods that declare served_variance read it. */
    protected ServedVariance servedVariance(HyperParameters hp) {
        return ServedVariance.AUTO;
    }

    /** The tabular view settings of this method (supervised methods use the weak view only). */
    protected Views tabularViews(HyperParameters hp, DatasetSchema schema, Random random) {
        return new TabularViews(hp.get(CommonHyperParameters.WEAK_NOISE), 0, 0, TabularViews.groupsOf(schema), random);
    }

    /** Images: the request's augmentation policy; tables: the method's noise (and swap) views. */
    private Views views(HyperParameters hp, PreparedData data, DatasetSchema schema, Random random) {
        if (schema.isImage()) {
            ImageInput image = schema.image();
            return new ImageViews(ImageAugmentation.from(hp, image.height(), image.width()), image, data.features(), random);
        }
        return tabularViews(hp, schema, random);
    }

    /**
     * f_θ's starting weights: for tables an MLP or a packed ensemble (whose encoding's bins come from
     * the standardised training rows), the requested backbone for images.
     */
    private static Regressor initialRegressor(HyperParameters hp, DatasetSchema schema, PreparedData data, Random random) {
        if (schema.isImage()) {
            return hp.get(ImageHyperParameters.BACKBONE).create(schema.image(), random);
        }
        List<Integer> hidden = hp.get(CommonHyperParameters.HIDDEN_LAYERS);
        if (hp.get(TabularHyperParameters.TABULAR_BACKBONE) == TabularHyperParameters.Backbone.PACKED_ENSEMBLE) {
            PiecewiseLinearEncoding encoding = PiecewiseLinearFit.fit(List.of(data.labelledX(), data.unlabelledX()),
                    schema.oneHotMask(), hp.get(TabularHyperParameters.EMBEDDING_BINS));
            return PackedMlpNetwork.initial(encoding, hidden, hp.get(TabularHyperParameters.ENSEMBLE_SIZE), random);
        }
        return MlpNetwork.initial(schema.encodedWidth(), hidden, random);
    }

    /**
     * Trains, resuming from the run's checkpoint when it has one that fits (same method, same
     * number of iterations, the same parts of state); one that does not fit is reported and the run
     * starts over.
     */
    @Override
    public final TrainingOutcome train(TrainingRun run) {
        Optional<Checkpoint> checkpoint = run.checkpointing().latest();
        if (checkpoint.isPresent()) {
            try {
                return train(run, checkpoint);
            } catch (IncompatibleCheckpointException e) {
                run.checkpointing().discarded(checkpoint.get(), e.getMessage());
            }
        }
        return train(run, Optional.empty());
    }

    private TrainingOutcome train(TrainingRun run, Optional<Checkpoint> checkpoint) {
        HyperParameters hp = run.hyperParameters();
        PreparedData data = PreparedData.prepare(run.table(), hp.get(CommonHyperParameters.CALIBRATION_FRACTION), run.seed());
        if (semiSupervised()) {
            TrainingMethod.requireUnlabelledRows(name(), data.unlabelledX().length, "the dataset");
        }
        Engine engine = PyTorchEngine.get(); // loads the natives before any JniUtils call
        // Grad mode is thread-local in PyTorch and DJL only clears it on the thread that loaded the engine.
        JniUtils.setGradMode(false);
        SeededRandom random = new SeededRandom(run.seed());
        long iterations = hp.get(CommonHyperParameters.ITERATIONS);
        int progressEvery = hp.get(CommonHyperParameters.PROGRESS_EVERY);
        try (NDManager job = NDManager.newBaseManager(run.device(), "PyTorch")) {
            // Everything below is built from the seed exactly as in a fresh run; a checkpoint then
            // overwrites the mutable part of it (RunState), so nothing depends on how the run began.
            RunState state = new RunState();
            state.random("random", random);
            RegressorNetwork network = RegressorNetwork.of(job, initialRegressor(hp, run.table().schema(), data, random),
                    hp.get(CommonHyperParameters.DROPOUT));
            state.arrays("network.parameters", network.parameters());
            state.arrays("network.buffers", network.buffers());
            Views views = views(hp, data, run.table().schema(), random);
            MethodSession session = open(new SessionContext(job, network, data, hp, random, views, state));
            LoopTotals totals = new LoopTotals();
            totals.register(state);
            EarlyStopping stopping = new EarlyStopping(hp.get(TabularHyperParameters.EARLY_STOPPING_PATIENCE));
            stopping.register(state);
            long first = 1;
            if (checkpoint.isPresent()) {
                Checkpoint c = checkpoint.get();
                if (!c.method().equals(name().name()) || c.totalIterations() != iterations || c.iteration() >= iterations) {
                    throw new IncompatibleCheckpointException("the checkpoint is of " + c.method() + " at iteration "
                            + c.iteration() + " of " + c.totalIterations() + ", this run is " + name() + " with "
                            + iterations + " iterations");
                }
                state.restore(c.parts());
                first = c.iteration() + 1;
                run.checkpointing().resumed(c);
            }
            long ran = first - 1;
            for (long it = first; it <= iterations; it++) {
                if (run.cancelled().getAsBoolean()) {
                    if (run.checkpointing().suspendRequested()) {
                        if (ran > 0) {
                            run.checkpointing().write(checkpoint(state, ran, iterations));
                        }
                        throw new TrainingSuspendedException(ran);
                    }
                    throw new TrainingCancelledException(it);
                }
                // PyTorch's generator (dropout masks) keeps its state natively, out of reach of a
                // checkpoint: it is seeded again at every step from (seed, iteration) instead.
                engine.setRandomSeed(stepSeed(run.seed(), it));
                long start = System.nanoTime();
                StepResult result;
                try (NDManager scratch = job.newSubManager()) {
                    result = session.step(scratch, it);
                }
                totals.stepNanos += System.nanoTime() - start;
                ran = it;
                if (!Double.isFinite(result.loss())) {
                    throw HplException.precondition("training diverged at iteration " + it
                            + " (loss " + result.loss() + "); lower the learning rate or the unlabelled weight");
                }
                totals.lossSum += result.loss();
                totals.lossCount++;
                totals.components.putAll(result.components());
                if (it % progressEvery == 0 || it == iterations) {
                    double mae;
                    try (NDManager scratch = job.newSubManager()) {
                        mae = meanAbsoluteError(predict(scratch, network, data), data.calibrationY());
                    }
                    boolean stop = stopping.record(it, mae, network);
                    if (stopping.enabled()) {
                        totals.components.put("best_iteration", (double) stopping.bestIteration());
                    }
                    run.progress().accept(new TrainingProgress(it, iterations, totals.lossSum / totals.lossCount, mae,
                            Map.copyOf(totals.components)));
                    totals.lossSum = 0;
                    totals.lossCount = 0;
                    if (stop) {
                        break; // the last progress event then has iteration < totalIterations
                    }
                }
                if (it < iterations && run.checkpointing().due(it)) {
                    run.checkpointing().write(checkpoint(state, it, iterations));
                }
            }
            Map<String, Double> components = new HashMap<>(totals.components);
            if (stopping.enabled()) {
                stopping.restoreBest(network); // the served model, σ² calibration included, is the best iterate
                components.put("iterations_run", (double) ran);
            }
            return finish(run, data, network, session, totals.stepNanos / 1e6 / ran, components, job);
        }
    }

    private Checkpoint checkpoint(RunState state, long iteration, long iterations) {
        return new Checkpoint(name().name(), iteration, iterations, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
                state.capture());
    }

    /** PyTorch's seed for one step: a mix of the run's seed and the iteration (SplitMix64's finaliser). */
    static int stepSeed(long seed, long iteration) {
        long z = seed + iteration * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31));
    }

    private TrainingOutcome finish(TrainingRun run, PreparedData data, RegressorNetwork network, MethodSession session,
                                   double millisPerIteration, Map<String, Double> diagnostics, NDManager job) {
        try (NDManager scratch = job.newSubManager()) {
            double[] mean = predict(scratch, network, data);
            double[] raw = session.rawVariance(scratch, calibrationRows(scratch, data));
            CalibratedUncertainty uncertainty = UncertaintyCalibration.fit(data.calibrationY(), mean, raw,
                    session::variance, servedVariance(run.hyperParameters()));
            TrainedModel model = new TrainedModel(run.table().schema(), data.features(), network.snapshot(),
                    data.target(), uncertainty.variance());
            return new TrainingOutcome(model, uncertainty.metrics(), data.labelledX().length, data.unlabelledX().length,
                    data.calibrationY().length, millisPerIteration, Map.copyOf(diagnostics), uncertainty.conformal(),
                    uncertainty.note());
        }
    }

    private static NDArray calibrationRows(NDManager scratch, PreparedData data) {
        return TabularViews.plain(scratch, data.calibrationX(), IntStream.range(0, data.calibrationX().length).toArray());
    }

    /** Eval-mode predictions on the calibration rows, in target units. */
    private static double[] predict(NDManager scratch, RegressorNetwork network, PreparedData data) {
        float[] out = EvalChunks.map(scratch, calibrationRows(scratch, data), rows -> network.predict(rows, false));
        double[] mean = new double[out.length];
        for (int i = 0; i < out.length; i++) {
            mean[i] = data.target().mean() + data.target().std() * out[i];
        }
        return mean;
    }

    private static double meanAbsoluteError(double[] prediction, double[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += Math.abs(prediction[i] - y[i]);
        }
        return sum / y.length;
    }
}
