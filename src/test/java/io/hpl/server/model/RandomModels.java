package io.hpl.server.model;

import io.hpl.server.data.Column;
import io.hpl.server.data.ColumnKind;
import io.hpl.server.data.DatasetSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random models and rows for engine-parity tests: numeric columns on very different
 * scales (so standardisation matters) mixed with one-hot columns.
 */
public final class RandomModels {
    /** Scale of each numeric column, by name. */
    private static final String[] NUMERIC = {"tiny", "unit", "large", "huge"};
    private static final double[] SCALE = {1e-3, 1.0, 1e4, 1e6};

    public static final DatasetSchema SCHEMA = new DatasetSchema("price",
            List.of(Column.numeric(NUMERIC[0]),
                    Column.categorical("colour", List.of("blue", "green", "red")),
                    Column.numeric(NUMERIC[1]),
                    Column.numeric(NUMERIC[2]),
                    Column.categorical("size", List.of("L", "M")),
                    Column.numeric(NUMERIC[3])),
            List.of("id"));

    /** {@link #SCHEMA} with missing values in two numeric columns and one categorical column. */
    public static final DatasetSchema SCHEMA_WITH_MISSING = new DatasetSchema("price",
            List.of(Column.numeric(NUMERIC[0]).withMissing(),
                    Column.categorical("colour", List.of("blue", "green", "red")).withMissing(),
                    Column.numeric(NUMERIC[1]),
                    Column.numeric(NUMERIC[2]).withMissing(),
                    Column.categorical("size", List.of("L", "M")),
                    Column.numeric(NUMERIC[3])),
            List.of("id"));

    private RandomModels() {
    }

    /** d→32→32→1 MLP with He-uniform weights, a standardizer matching {@link #rows}, constant σ². */
    public static TrainedModel model(long seed) {
        return model(seed, SCHEMA);
    }

    /** As {@link #model(long)}, for {@link #SCHEMA} or {@link #SCHEMA_WITH_MISSING}. */
    public static TrainedModel model(long seed, DatasetSchema schema) {
        Random random = new Random(seed);
        int d = schema.encodedWidth();
        float[] mean = new float[d];
        float[] std = new float[d];
        boolean[] oneHot = schema.oneHotMask();
        int numeric = 0;
        for (int j = 0; j < d; j++) {
            if (oneHot[j]) {
                mean[j] = 0.4f;
                std[j] = (float) Math.sqrt(0.4 * 0.6);
            } else {
                double scale = SCALE[numeric++];
                mean[j] = (float) (scale * random.nextGaussian());
                std[j] = (float) (scale * (0.5 + random.nextDouble()));
            }
        }
        Mlp mlp = new Mlp(List.of(dense(random, d, 32), dense(random, 32, 32), dense(random, 32, 1)));
        return new TrainedModel(schema, new Standardizer(mean, std), mlp, new TargetScale(250.0, 40.0),
                new ConstantVariance(12.5));
    }

    /**
     * The model with a learned σ²: HPL's view-based learner (2→16→1) over 8 fixed views that
     * swap some features and add noise, or a row-based one (d→16→1). Weights are small so that
     * exp(g) stays in a moderate range.
     */
    public static TrainedModel withLearnedVariance(TrainedModel model, boolean viewBased, long seed) {
        return viewBased ? withViewVariance(model, 8, seed) : withLearnedVariance(model, false, 0, seed);
    }

    /** The model with HPL's view-based σ² over {@code k} fixed views (few for a costly regressor). */
    public static TrainedModel withViewVariance(TrainedModel model, int k, long seed) {
        return withLearnedVariance(model, true, k, seed);
    }

    private static TrainedModel withLearnedVariance(TrainedModel model, boolean viewBased, int k, long seed) {
        Random random = new Random(seed);
        int d = model.schema().encodedWidth();
        VarianceModel variance;
        if (viewBased) {
            float[] keep = new float[k * d];
            float[] offset = new float[k * d];
            for (int i = 0; i < keep.length; i++) {
                boolean swapped = random.nextDouble() < 0.3;
                keep[i] = swapped ? 0f : 1f;
                offset[i] = (float) ((swapped ? random.nextGaussian() : 0) + 0.1 * random.nextGaussian());
            }
            Mlp learner = new Mlp(List.of(scaled(dense(random, 2, 16), 0.2f), scaled(dense(random, 16, 1), 0.2f)));
            variance = new ViewLearnedVariance(learner, new FixedViews(k, d, keep, offset), 3.5);
        } else {
            Mlp learner = new Mlp(List.of(scaled(dense(random, d, 16), 0.3f), scaled(dense(random, 16, 1), 0.3f)));
            variance = new RowLearnedVariance(learner, 0.75);
        }
        return new TrainedModel(model.schema(), model.features(), model.regressor(), model.target(), variance);
    }

    private static DenseLayer scaled(DenseLayer layer, float factor) {
        float[] w = layer.weight().clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= factor;
        }
        return new DenseLayer(layer.inputs(), layer.outputs(), w, layer.bias());
    }

    /** Rows around the model's standardizer: numeric ~ mean ± 2 std, one category hot per column. */
    public static float[][] rows(TrainedModel model, long seed, int n) {
        return rows(model, seed, n, 0);
    }

    /**
     * As {@link #rows(TrainedModel, long, int)}, with each cell of a column that has missing values
     * missing with probability {@code missing}, encoded as the FeatureEncoder does: NaN (numeric)
     * or an all-zero one-hot block, and the indicator 1.
     */
    public static float[][] rows(TrainedModel model, long seed, int n, double missing) {
        Random random = new Random(seed);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            List<Float> row = new ArrayList<>();
            int j = 0;
            for (Column c : model.schema().features()) {
                boolean absent = c.hasMissing() && random.nextDouble() < missing;
                if (c.kind() == ColumnKind.NUMERIC) {
                    row.add(absent ? Float.NaN
                            : (float) (model.features().mean()[j] + 2 * model.features().std()[j] * random.nextGaussian()));
                } else {
                    int hot = absent ? -1 : random.nextInt(c.categories().size());
                    for (int k = 0; k < c.categories().size(); k++) {
                        row.add(k == hot ? 1f : 0f);
                    }
                }
                if (c.hasMissing()) {
                    row.add(absent ? 1f : 0f);
                }
                j += c.encodedWidth();
            }
            rows[i] = new float[row.size()];
            for (int k = 0; k < row.size(); k++) {
                rows[i][k] = row.get(k);
            }
        }
        return rows;
    }

    private static DenseLayer dense(Random random, int in, int out) {
        float bound = (float) Math.sqrt(6.0 / in);
        float[] w = new float[in * out];
        float[] b = new float[out];
        for (int i = 0; i < w.length; i++) {
            w[i] = bound * (2 * random.nextFloat() - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.1f * (2 * random.nextFloat() - 1);
        }
        return new DenseLayer(in, out, w, b);
    }
}
