package io.hpl.server.training;

import java.util.Random;

/** A random order of row positions: how folds, halves and bootstrap-free splits deal rows. */
public final class RowShuffle {
    private RowShuffle() {
    }

    /** 0..n-1 in a random order (Fisher–Yates), the same for the same {@code random} state. */
    public static int[] of(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
