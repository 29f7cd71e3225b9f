package io.hpl.server.training.auto;

import ai.djl.ndarray.NDManager;
import io.hpl.server.data.Table;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.Blend;
import io.hpl.server.model.Regressor;
import io.hpl.server.model.TreeEnsemble;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.training.CommonHyperParameters;
import io.hpl.server.training.HyperParameter;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.PreparedData;
import io.hpl.server.training.PyTorchEngine;
import io.hpl.server.training.Selection;
import io.hpl.server.training.TrainedModelForward;
import io.hpl.server.training.TrainingCancelledException;
import io.hpl.server.training.TrainingMethod;
import io.hpl.server.training.TrainingOutcome;
import io.hpl.server.training.TrainingProgress;
import io.hpl.server.training.TrainingRun;
import io.hpl.server.training.trees.BoostingSettings;
import io.hpl.server.training.trees.ResidualVariance;
import io.hpl.server.training.trees.TreeHyperParameters;
import io.hpl.server.training.trees.TreeOutcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The tabular default. Trains the candidates ({@link AutoCandidate}) one after another within a time
 * budget, each on the same labelled training rows, and serves the blend of them that has the lowest
 * MAE on held-out rows, or the best one alone where blending does not pay ({@link BlendChoice}).
 * <p>
 * Which held-out rows: the calibration rows, cross-fitted (dealt into two halves, the weights fitted on
 * one half score the other), so every calibration row's blended prediction comes from weights that never
 * saw it; σ²'s scale, the conformal scores and the calibration metrics are computed from those
 * predictions, and the served weights are then refitted on all calibration rows. With fewer than
 * {@link #MIN_CALIBRATION_ROWS_TO_SELECT} calibration rows that choice is mostly noise, so AUTO then
 * chooses on {@link OutOfFold} predictions of its training rows instead (each candidate trained five
 * more times), and the calibration rows, untouched by the choice, serve σ² and the intervals.
 */
public final class AutoMethod implements TrainingMethod {
    public static final HyperParameter<Integer> TIME_BUDGET_SECONDS = HyperParameter.integer(
            "time_budget_seconds", 90, 5, 7 * 24 * 3600, "AUTO: wall-clock seconds for all candidates together; a"
                    + " candidate still running at the budget's end is dropped, and none starts after it (GBDT always runs)");
    /** Below this many calibration rows AUTO chooses on out-of-fold predictions of its training rows ({@link OutOfFold}). */
    static final int MIN_CALIBRATION_ROWS_TO_SELECT = 100;

    private final Function<MethodName, TrainingMethod> methods;
    private final Function<Boolean, List<AutoCandidate>> candidates;

    /** @param methods the methods the candidates name (the registry's) */
    public AutoMethod(Function<MethodName, TrainingMethod> methods) {
        this(methods, AutoCandidate::forTable);
    }

    /** @param candidates the candidates for a table with (true) or without unlabelled rows */
    AutoMethod(Function<MethodName, TrainingMethod> methods, Function<Boolean, List<AutoCandidate>> candidates) {
        this.methods = methods;
        this.candidates = candidates;
    }

    @Override
    public MethodName name() {
        return MethodName.AUTO;
    }

    @Override
    public String description() {
        return "tables: trains gradient-boosted trees and a packed MLP ensemble, each supervised and with HPL's"
                + " pseudo-labels, within a time budget, and serves the blend (or the single model) with the lowest MAE on"
                + " held-out rows; the default for tables";
    }

    @Override
    public List<HyperParameter<?>> hyperParameters() {
        return List.of(TIME_BUDGET_SECONDS, CommonHyperParameters.CALIBRATION_FRACTION);
    }

    @Override
    public boolean takesImages() {
        return false;
    }

    @Override
    public boolean semiSupervised() {
        return false;
    }

    /** One finished candidate: its model and its outputs on the calibration rows (standardised units). */
    private record Trained(AutoCandidate candidate, TrainingOutcome outcome, double[] calibrationOutput, double seconds) {
    }

    @Override
    public TrainingOutcome train(TrainingRun run) {
        if (run.table().schema().isImage()) {
            throw HplException.precondition("AUTO chooses among tabular models; for images name a method (HPL is the"
                    + " default there)");
        }
        long start = System.nanoTime();
        long deadline = start + run.hyperParameters().get(TIME_BUDGET_SECONDS) * 1_000_000_000L;
        double calibrationFraction = run.hyperParameters().get(CommonHyperParameters.CALIBRATION_FRACTION);
        PreparedData data = PreparedData.prepare(run.table(), calibrationFraction, run.seed());
        List<AutoCandidate> candidates = this.candidates.apply(data.unlabelledX().length > 0);
        List<Trained> trained = new ArrayList<>();
        List<Selection.Candidate> report = new ArrayList<>();
        try (NDManager manager = PyTorchEngine.get().newBaseManager()) {
            for (int c = 0; c < candidates.size(); c++) {
                AutoCandidate candidate = candidates.get(c);
                if (c > 0 && System.nanoTime() > deadline) {
                    report.add(skipped(candidate, "skipped: time budget spent"));
                    continue;
                }
                long t = System.nanoTime();
                try {
                    TrainingOutcome outcome = trainCandidate(run, run.table(), candidate, calibrationFraction,
                            c == 0 ? Long.MAX_VALUE : deadline);
                    checkSameSplit(data, outcome.model());
                    double[] out = TrainedModelForward.regressorOutputs(manager, outcome.model().regressor(),
                            data.calibrationX());
                    trained.add(new Trained(candidate, outcome, out, (System.nanoTime() - t) / 1e9));
                } catch (TrainingCancelledException e) {
                    if (run.cancelled().getAsBoolean()) {
                        throw e;
                    }
                    report.add(skipped(candidate, "stopped: time budget spent"));
                } catch (HplException e) {
                    report.add(skipped(candidate, "failed: " + e.getMessage()));
                }
                run.progress().accept(new TrainingProgress(c + 1, candidates.size(), Double.NaN,
                        bestMae(data, trained), Map.of()));
            }
        }
        if (trained.isEmpty()) {
            throw HplException.precondition("AUTO: no candidate could be trained on this table: " + report.stream()
                    .map(c -> c.name() + " " + c.status()).toList());
        }
        BlendChoice choice = trained.size() > 1 && data.calibrationY().length < MIN_CALIBRATION_ROWS_TO_SELECT
                ? chooseOutOfFold(run, trained, calibrationFraction, deadline) : null;
        double[] calibrationOutput;
        if (choice != null) {
            calibrationOutput = blend(trained, choice.weights());
        } else {
            choice = BlendChoice.choose(trained.stream().map(Trained::calibrationOutput).toArray(double[][]::new),
                    standardisedCalibrationTargets(data), run.seed(),
                    "the " + data.calibrationY().length + " calibration rows (standardised target units)");
            calibrationOutput = choice.crossFitted(); // every row's prediction from weights fitted without it
        }
        return serve(run, data, trained, report, choice, calibrationOutput, (System.nanoTime() - start) / 1e6);
    }

    /**
     * Small tables: each candidate's out-of-fold predictions (target units) of the labelled training rows
     * decide the blend. A candidate that fails or runs out of budget in a fold gets weight 0; null when none
     * got through.
     */
    private BlendChoice chooseOutOfFold(TrainingRun run, List<Trained> trained, double calibrationFraction, long deadline) {
        PreparedData.RowSplit split = PreparedData.split(run.table(), calibrationFraction, run.seed());
        List<Integer> training = split.training();
        int[] fold = OutOfFold.folds(training.size(), run.seed());
        double[] y = training.stream().mapToDouble(i -> run.table().y()[i]).toArray();
        List<double[]> outputs = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        try (NDManager manager = PyTorchEngine.get().newBaseManager()) {
            for (int k = 0; k < trained.size(); k++) {
                double[] predicted = outOfFold(run, trained.get(k).candidate(), training, fold, calibrationFraction,
                        k == 0 ? Long.MAX_VALUE : deadline, manager);
                if (predicted != null) {
                    outputs.add(predicted);
                    kept.add(k);
                }
            }
        }
        if (outputs.isEmpty()) {
            return null; // no candidate got through every fold: choose on the calibration rows after all
        }
        BlendChoice inner = BlendChoice.choose(outputs.toArray(double[][]::new), y, run.seed(), OutOfFold.FOLDS
                + "-fold out-of-fold predictions of the " + training.size() + " labelled training rows (target units; fewer"
                + " than " + MIN_CALIBRATION_ROWS_TO_SELECT + " calibration rows)");
        double[] weights = new double[trained.size()];
        for (int j = 0; j < kept.size(); j++) {
            weights[kept.get(j)] = inner.weights()[j];
        }
        return new BlendChoice(weights, inner.crossFitted(), inner.reason());
    }

    /** One candidate's predictions of the training rows, each from a model that did not see its label; null if it failed. */
    private double[] outOfFold(TrainingRun run, AutoCandidate candidate, List<Integer> training, int[] fold,
                               double calibrationFraction, long deadline, NDManager manager) {
        double[] predicted = new double[training.size()];
        for (int f = 0; f < OutOfFold.FOLDS; f++) {
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < training.size(); i++) {
                if (fold[i] == f) {
                    positions.add(i);
                }
            }
            if (positions.isEmpty()) {
                continue;
            }
            try {
                TrainingOutcome outcome = trainCandidate(run, OutOfFold.foldTable(run.table(), training, fold, f),
                        candidate, calibrationFraction, deadline);
                float[][] rows = positions.stream().map(i -> run.table().x()[training.get(i)]).toArray(float[][]::new);
                double[] mean = TrainedModelForward.predict(manager, outcome.model(), rows).mean();
                for (int j = 0; j < mean.length; j++) {
                    predicted[positions.get(j)] = mean[j];
                }
            } catch (TrainingCancelledException e) {
                if (run.cancelled().getAsBoolean()) {
                    throw e;
                }
                return null;
            } catch (HplException e) {
                return null;
            }
        }
        return predicted;
    }

    /** Σ_k w_k · candidate k's outputs on the calibration rows (standardised units). */
    private static double[] blend(List<Trained> trained, double[] weights) {
        double[][] outputs = trained.stream().map(Trained::calibrationOutput).toArray(double[][]::new);
        double[] out = new double[outputs[0].length];
        for (int i = 0; i < out.length; i++) {
            out[i] = BlendWeights.blend(outputs, weights, i);
        }
        return out;
    }

    private TrainingOutcome trainCandidate(TrainingRun run, Table table, AutoCandidate candidate,
                                           double calibrationFraction, long deadline) {
        TrainingMethod method = methods.apply(candidate.method());
        Map<String, String> given = new HashMap<>(candidate.hyperParameters());
        given.put(CommonHyperParameters.CALIBRATION_FRACTION.name(), Double.toString(calibrationFraction));
        HyperParameters hp = HyperParameters.resolve(method.hyperParameters(), given);
        return method.train(new TrainingRun(table, hp, run.seed(), run.device(), p -> { },
                () -> run.cancelled().getAsBoolean() || System.nanoTime() > deadline));
    }

    private TrainingOutcome serve(TrainingRun run, PreparedData data, List<Trained> trained,
                                  List<Selection.Candidate> skipped, BlendChoice choice, double[] calibrationOutput,
                                  double millis) {
        double[] weights = choice.weights();
        List<Regressor> members = new ArrayList<>();
        List<Double> memberWeights = new ArrayList<>();
        List<Selection.Candidate> report = new ArrayList<>();
        for (int k = 0; k < trained.size(); k++) {
            Trained t = trained.get(k);
            double mae = TreeOutcome.meanAbsoluteError(data, t.calibrationOutput());
            report.add(new Selection.Candidate(t.candidate().name(), t.candidate().method().name(), mae, weights[k],
                    t.seconds(), weights[k] > 0 ? "used" : "not used"));
            if (weights[k] > 0) {
                members.add(t.outcome().model().regressor());
                memberWeights.add(weights[k]);
            }
        }
        report.addAll(skipped);
        Regressor served = members.size() == 1 ? members.get(0)
                : new Blend(members, normalised(memberWeights));
        TrainingOutcome outcome = TreeOutcome.of(run.table().schema(), data, served, calibrationOutput,
                logVariance(data, run.seed()),
                maxUnlabelled(trained), millis, Map.of());
        return outcome.withSelection(new Selection(report, describe(report), choice.reason()));
    }

    /**
     * The served model's per-row σ² candidate: trees on the out-of-fold residuals of a default GBDT (the
     * structure of the noise is the table's, whichever mean model is served); UncertaintyCalibration
     * then serves it or a constant, rescaled to the served model's calibration residuals.
     */
    private static TreeEnsemble logVariance(PreparedData data, long seed) {
        BoostingSettings defaults = TreeHyperParameters.settings(HyperParameters.resolve(TreeHyperParameters.GBDT, Map.of()));
        return ResidualVariance.fit(data, defaults, TreeHyperParameters.VARIANCE_FOLDS.defaultValue(), seed);
    }

    private static long maxUnlabelled(List<Trained> trained) {
        return trained.stream().mapToLong(t -> t.outcome().unlabelledRowsUsed()).max().orElse(0);
    }

    /** Candidates must be trained on AUTO's own split, or blending their outputs would mix units. */
    private static void checkSameSplit(PreparedData data, TrainedModel model) {
        if (!Arrays.equals(data.features().mean(), model.features().mean())
                || !Arrays.equals(data.features().std(), model.features().std())
                || data.target().mean() != model.target().mean() || data.target().std() != model.target().std()) {
            throw new IllegalStateException("a candidate was trained on another split than AUTO's");
        }
    }

    private static double[] standardisedCalibrationTargets(PreparedData data) {
        double[] y = new double[data.calibrationY().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (data.calibrationY()[i] - data.target().mean()) / data.target().std();
        }
        return y;
    }

    private static double bestMae(PreparedData data, List<Trained> trained) {
        return trained.stream().mapToDouble(t -> TreeOutcome.meanAbsoluteError(data, t.calibrationOutput())).min()
                .orElse(Double.NaN);
    }

    private static Selection.Candidate skipped(AutoCandidate candidate, String status) {
        return new Selection.Candidate(candidate.name(), candidate.method().name(), Double.NaN, 0, 0, status);
    }

    private static String describe(List<Selection.Candidate> report) {
        StringBuilder s = new StringBuilder();
        for (Selection.Candidate c : report) {
            if (c.weight() > 0) {
                s.append(s.length() == 0 ? "" : " + ").append(String.format(Locale.ROOT, "%.2f·%s", c.weight(), c.name()));
            }
        }
        return s.toString();
    }

    private static double[] normalised(List<Double> weights) {
        double sum = weights.stream().mapToDouble(Double::doubleValue).sum();
        return weights.stream().mapToDouble(w -> w / sum).toArray();
    }
}
