package io.hpl.server.training.views;

import io.hpl.server.training.NativeArrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hpl.server.model.FixedViews;
import java.util.Random;

/**
 * Augmented views of standardised rows. Weak: x + N(0, weakNoise²). Strong: each feature column
 * (a one-hot group as a unit), with probability {@code swapProbability}, takes the value of another
 * row of the batch, then + N(0, strongNoise²). Swapping is off by default: it is not
 * label-preserving where one feature carries the target (docs/decisions.md, "Tabular strong view").
 */
public final class TabularViews implements Views {
    private final double weakNoise;
    private final double strongNoise;
    private final double swapProbability;
    private final int[][] groups;
    private final Random random;

    /** {@code groups[k]} lists the encoded inputs of feature column k. */
    public TabularViews(double weakNoise, double strongNoise, double swapProbability, int[][] groups, Random random) {
        this.weakNoise = weakNoise;
        this.strongNoise = strongNoise;
        this.swapProbability = swapProbability;
        this.groups = groups;
        this.random = random;
    }

    /**
     * For each feature column, the encoded inputs it spans (one for numeric, one per category, then
     * its missing indicator if it has one), so a swap moves a value together with its missingness.
     */
    public static int[][] groupsOf(io.hpl.server.data.DatasetSchema schema) {
        int[][] groups = new int[schema.features().size()][];
        int next = 0;
        for (int k = 0; k < groups.length; k++) {
            int width = schema.features().get(k).encodedWidth();
            groups[k] = new int[width];
            for (int j = 0; j < width; j++) {
                groups[k][j] = next++;
            }
        }
        return groups;
    }

    /** The rows as they are (no view): for evaluation. */
    public static NDArray plain(NDManager manager, float[][] rows, int[] index) {
        int d = rows[index[0]].length;
        float[] flat = new float[index.length * d];
        for (int r = 0; r < index.length; r++) {
            System.arraycopy(rows[index[r]], 0, flat, r * d, d);
        }
        return NativeArrays.copyOf(manager, flat, new Shape(index.length, d));
    }

    @Override
    public NDArray weak(NDManager manager, float[][] rows, int[] index) {
        int d = rows[index[0]].length;
        float[] flat = new float[index.length * d];
        for (int r = 0; r < index.length; r++) {
            float[] row = rows[index[r]];
            for (int j = 0; j < d; j++) {
                flat[r * d + j] = row[j] + (float) (random.nextGaussian() * weakNoise);
            }
        }
        return NativeArrays.copyOf(manager, flat, new Shape(index.length, d));
    }

    /**
     * {@code count} strong views fixed once, for serving σ²: the same rule as {@link #strong}, except
     * that a swapped feature comes from a random row of {@code sources} (training rows), since a
     * served row has no batch. Drawn from {@code random}, so a seeded run gives the same views.
     */
    @Override
    public FixedViews fixed(int count, float[][] sources, Random random) {
        int d = sources[0].length;
        float[] keep = new float[count * d];
        float[] offset = new float[count * d];
        java.util.Arrays.fill(keep, 1f);
        for (int k = 0; k < count; k++) {
            if (swapProbability > 0) {
                for (int[] group : groups) {
                    if (random.nextDouble() < swapProbability) {
                        float[] other = sources[random.nextInt(sources.length)];
                        for (int j : group) {
                            keep[k * d + j] = 0f;
                            offset[k * d + j] = other[j];
                        }
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                offset[k * d + j] += (float) (random.nextGaussian() * strongNoise);
            }
        }
        return new FixedViews(count, d, keep, offset);
    }

    @Override
    public NDArray strong(NDManager manager, float[][] rows, int[] index) {
        int d = rows[index[0]].length;
        float[] flat = new float[index.length * d];
        for (int r = 0; r < index.length; r++) {
            System.arraycopy(rows[index[r]], 0, flat, r * d, d);
        }
        if (swapProbability > 0 && index.length > 1) {
            for (int r = 0; r < index.length; r++) {
                for (int[] group : groups) {
                    if (random.nextDouble() < swapProbability) {
                        float[] other = rows[index[random.nextInt(index.length)]];
                        for (int j : group) {
                            flat[r * d + j] = other[j];
                        }
                    }
                }
            }
        }
        for (int k = 0; k < flat.length; k++) {
            flat[k] += (float) (random.nextGaussian() * strongNoise);
        }
        return NativeArrays.copyOf(manager, flat, new Shape(index.length, d));
    }
}
