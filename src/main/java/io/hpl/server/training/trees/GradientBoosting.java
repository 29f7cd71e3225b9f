package io.hpl.server.training.trees;

import io.hpl.server.errors.HplException;
import io.hpl.server.model.TreeEnsemble;
import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Fits gradient-boosted trees with XGBoost (histogram method, squared error) and hands them back
 * as an engine-free {@link TreeEnsemble}. XGBoost's native objects live only inside {@link #fit}.
 */
public final class GradientBoosting {
    private GradientBoosting() {
    }

    /**
     * @param x      rows, all of width {@code inputs}; NaN is a missing value
     * @param y      targets
     * @param weight per-row weights, or null for 1 each
     */
    public static TreeEnsemble fit(float[][] x, float[] y, float[] weight, int inputs, BoostingSettings s, long seed) {
        return fitAndScore(x, y, weight, inputs, s, seed, new float[0][]).trees();
    }

    /** The fitted trees and XGBoost's own predictions for {@code rows}: what the export parity test compares. */
    record Scored(TreeEnsemble trees, float[] xgboostPredictions) {
    }

    static Scored fitAndScore(float[][] x, float[] y, float[] weight, int inputs, BoostingSettings s, long seed,
                              float[][] rows) {
        if (x.length == 0) {
            throw new IllegalArgumentException("no rows to fit");
        }
        float[] flat = new float[x.length * inputs];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * inputs, inputs);
        }
        DMatrix matrix = null;
        Booster booster = null;
        try {
            matrix = new DMatrix(flat, x.length, inputs, Float.NaN);
            matrix.setLabel(y);
            if (weight != null) {
                matrix.setWeight(weight);
            }
            booster = XGBoost.train(matrix, parameters(s, seed), s.rounds(), Map.of(), null, null);
            TreeEnsemble trees = XgboostJsonModel.read(booster.toByteArray("json"), inputs);
            float[] predictions = new float[rows.length];
            if (rows.length > 0) {
                float[] flatRows = new float[rows.length * inputs];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, flatRows, i * inputs, inputs);
                }
                DMatrix scored = new DMatrix(flatRows, rows.length, inputs, Float.NaN);
                try {
                    float[][] out = booster.predict(scored);
                    for (int i = 0; i < rows.length; i++) {
                        predictions[i] = out[i][0];
                    }
                } finally {
                    scored.dispose();
                }
            }
            return new Scored(trees, predictions);
        } catch (XGBoostError e) {
            throw HplException.precondition("gradient boosting failed: " + e.getMessage());
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            if (matrix != null) {
                matrix.dispose();
            }
        }
    }

    private static Map<String, Object> parameters(BoostingSettings s, long seed) {
        Map<String, Object> p = new HashMap<>();
        p.put("objective", "reg:squarederror");
        p.put("tree_method", "hist");
        p.put("grow_policy", "lossguide");
        p.put("max_depth", 0); // depth unbounded: leaf-wise growth is limited by max_leaves
        p.put("max_leaves", s.maxLeaves());
        p.put("eta", s.learningRate());
        p.put("min_child_weight", s.minChildWeight());
        p.put("lambda", s.l2());
        p.put("subsample", s.subsample());
        p.put("colsample_bytree", s.columnSample());
        p.put("max_bin", s.maxBins());
        p.put("base_score", 0.0); // targets arrive standardised
        p.put("seed", seed);
        // One thread, like the PyTorch trainer: OpenMP workers spin-wait, and on a busy 2-core machine
        // two of them made a 2 s fit take 40 s.
        p.put("nthread", 1);
        p.put("verbosity", 0);
        return p;
    }
}
