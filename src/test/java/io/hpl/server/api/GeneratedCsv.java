package io.hpl.server.api;

import java.util.Locale;
import java.util.Random;

/** CSV text for API tests: y = sin(2a) + 0.05·(b − 100) + effect(c) + noise; an id column to ignore. */
public final class GeneratedCsv {
    private GeneratedCsv() {
    }

    public static String make(int labelled, int unlabelled, long seed) {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("id,a,b,c,y\n");
        String[] categories = {"red", "green", "blue"};
        for (int i = 0; i < labelled + unlabelled; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian() * 10 + 100;
            int c = random.nextInt(3);
            double y = Math.sin(2 * a) + 0.05 * (b - 100) + (c - 1) * 0.7 + 0.1 * random.nextGaussian();
            csv.append(String.format(Locale.ROOT, "r%d,%.5f,%.4f,%s,%s%n", i, a, b, categories[c],
                    i < labelled ? String.format(Locale.ROOT, "%.5f", y) : ""));
        }
        return csv.toString();
    }

    /**
     * {@link #make}'s text with the cells of a and c empty with probability {@code fraction} each
     * (b always filled), as a CSV exported from a table with missing values.
     */
    public static String withMissing(int labelled, int unlabelled, double fraction, long seed) {
        Random random = new Random(seed + 1000);
        StringBuilder csv = new StringBuilder();
        for (String line : make(labelled, unlabelled, seed).split("\n")) {
            String[] cells = line.split(",", -1);
            if (csv.length() > 0) { // not the header
                if (random.nextDouble() < fraction) {
                    cells[1] = "";
                }
                if (random.nextDouble() < fraction) {
                    cells[3] = "";
                }
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        return csv.toString();
    }
}
