package io.hpl.server.training;

import io.hpl.server.data.ImageInput;
import io.hpl.server.data.Table;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.Standardizer;
import io.hpl.server.model.TargetScale;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A table split and scaled for training, the one place where that happens.
 * Labelled rows are split into training rows and held-out calibration rows (σ² and validation
 * metrics are measured there, never on rows the network has fitted). Features are standardised
 * with mean/std over every training row, labelled and unlabelled (one-hot inputs are left as
 * 0/1; images per channel); the target with the labelled training rows' mean/std (population std).
 * Missing feature values (NaN, from empty cells) are left out of the feature statistics and
 * imputed by {@link Standardizer#standardise}, so the matrices here are finite.
 */
public record PreparedData(
        Standardizer features,
        TargetScale target,
        float[][] labelledX,
        float[] labelledY,
        float[][] unlabelledX,
        float[][] calibrationX,
        double[] calibrationY) {

    public int width() {
        return features.width();
    }

    /** Row indices of a table: labelled training rows, held-out calibration rows, unlabelled rows. */
    public record RowSplit(List<Integer> training, List<Integer> calibration, List<Integer> unlabelled) {
    }

    /** Which rows train and which calibrate: the labelled rows shuffled with the seed, the first share held out. */
    public static RowSplit split(Table table, double calibrationFraction, long seed) {
        List<Integer> labelled = new ArrayList<>();
        List<Integer> unlabelled = new ArrayList<>();
        for (int i = 0; i < table.rows(); i++) {
            (Double.isNaN(table.y()[i]) ? unlabelled : labelled).add(i);
        }
        int calibrationCount = (int) Math.max(1, Math.round(calibrationFraction * labelled.size()));
        if (labelled.size() - calibrationCount < 2) {
            throw HplException.precondition("the dataset has " + labelled.size() + " labelled rows; training needs at least "
                    + (2 + calibrationCount) + " (2 to train on and " + calibrationCount
                    + " held out to calibrate sigma^2 with calibration_fraction " + calibrationFraction + ")");
        }
        Collections.shuffle(labelled, new Random(seed * 0x9E3779B97F4A7C15L + 17));
        return new RowSplit(List.copyOf(labelled.subList(calibrationCount, labelled.size())),
                List.copyOf(labelled.subList(0, calibrationCount)), List.copyOf(unlabelled));
    }

    public static PreparedData prepare(Table table, double calibrationFraction, long seed) {
        RowSplit split = split(table, calibrationFraction, seed);
        List<Integer> training = split.training();
        List<Integer> calibration = split.calibration();
        List<Integer> unlabelled = split.unlabelled();

        List<Integer> featureRows = new ArrayList<>(training);
        featureRows.addAll(unlabelled);
        Standardizer standardizer = fitStandardizer(table, featureRows);
        TargetScale target = fitTarget(table, training);

        float[] y = new float[training.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) ((table.y()[training.get(i)] - target.mean()) / target.std());
        }
        double[] calibrationY = calibration.stream().mapToDouble(i -> table.y()[i]).toArray();
        return new PreparedData(standardizer, target,
                standardise(table, training, standardizer), y,
                standardise(table, unlabelled, standardizer),
                standardise(table, calibration, standardizer), calibrationY);
    }

    private static Standardizer fitStandardizer(Table table, List<Integer> rows) {
        if (table.schema().isImage()) {
            return fitChannels(table, rows);
        }
        int d = table.schema().encodedWidth();
        boolean[] oneHot = table.schema().oneHotMask();
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            if (oneHot[j]) {
                std[j] = 1f; // indicators stay 0/1
                continue;
            }
            // Missing values (NaN) are left out of the statistics; they are imputed with the mean.
            double sum = 0;
            int present = 0;
            for (int i : rows) {
                float v = table.x()[i][j];
                if (!Float.isNaN(v)) {
                    sum += v;
                    present++;
                }
            }
            double m = present > 0 ? sum / present : 0;
            double ss = 0;
            for (int i : rows) {
                float v = table.x()[i][j];
                if (!Float.isNaN(v)) {
                    ss += (v - m) * (v - m);
                }
            }
            double s = present > 0 ? Math.sqrt(ss / present) : 0;
            mean[j] = (float) m;
            std[j] = s > 1e-12 ? (float) s : 1f; // a constant column carries no information; avoid 0/0
        }
        return new Standardizer(mean, std);
    }

    /**
     * Images: one mean/std per channel over every pixel of the rows (as image pipelines normalise),
     * repeated across the channel's pixels so the rest of the pipeline stays per-input.
     */
    private static Standardizer fitChannels(Table table, List<Integer> rows) {
        ImageInput image = table.schema().image();
        int plane = image.height() * image.width();
        float[] mean = new float[image.values()];
        float[] std = new float[image.values()];
        for (int c = 0; c < image.channels(); c++) {
            double sum = 0;
            double squares = 0;
            for (int i : rows) {
                float[] x = table.x()[i];
                for (int p = c * plane; p < (c + 1) * plane; p++) {
                    sum += x[p];
                    squares += (double) x[p] * x[p];
                }
            }
            double n = (double) rows.size() * plane;
            double m = sum / n;
            double s = Math.sqrt(Math.max(0, squares / n - m * m));
            java.util.Arrays.fill(mean, c * plane, (c + 1) * plane, (float) m);
            java.util.Arrays.fill(std, c * plane, (c + 1) * plane, s > 1e-12 ? (float) s : 1f);
        }
        return new Standardizer(mean, std);
    }

    private static TargetScale fitTarget(Table table, List<Integer> rows) {
        double sum = 0;
        for (int i : rows) {
            sum += table.y()[i];
        }
        double m = sum / rows.size();
        double ss = 0;
        for (int i : rows) {
            ss += (table.y()[i] - m) * (table.y()[i] - m);
        }
        double s = Math.sqrt(ss / rows.size());
        return new TargetScale(m, s > 1e-12 ? s : 1.0);
    }

    private static float[][] standardise(Table table, List<Integer> rows, Standardizer s) {
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = standardiseRow(table.x()[rows.get(r)], s);
        }
        return out;
    }

    /**
     * The same arithmetic, in float32, that the exported ONNX graph does (NaN imputed, then Sub,
     * then Div), so every regressor sees finite inputs only.
     */
    public static float[] standardiseRow(float[] raw, Standardizer s) {
        float[] out = new float[raw.length];
        for (int j = 0; j < raw.length; j++) {
            out[j] = s.standardise(j, raw[j]);
        }
        return out;
    }
}
