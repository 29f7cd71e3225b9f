package io.hpl.server.benchmark;

import io.hpl.server.data.CsvDatasetReader;
import io.hpl.server.data.DatasetOptions;
import io.hpl.server.data.Table;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One public dataset of the protocol, read through the same CSV reader an upload uses, with the
 * reference run's splits. {@link #split} turns it into a training table (labelled and unlabelled
 * rows; test rows left out) and the test rows.
 */
record BenchmarkDataset(String name, Table table, boolean logTarget, List<char[]> roles) {
    static final double[] GAMMAS = {0.05, 0.10, 0.20};

    record Split(Table train, float[][] testX, double[] testY) {
    }

    static BenchmarkDataset load(String name) {
        return switch (name) {
            case "house_lucas" -> read(name, "price", true, List.of());
            case "storms" -> read(name, "wind", false, List.of("name"));
            case "diamonds" -> read(name, "price", true, List.of());
            case "cps1988" -> read(name, "wage", true, List.of());
            default -> throw new IllegalArgumentException("unknown dataset " + name);
        };
    }

    private static BenchmarkDataset read(String name, String target, boolean log, List<String> ignore) {
        try {
            Path csv = Files.createTempFile(name, ".csv");
            try (InputStream in = new GZIPInputStream(resource(name + ".csv.gz"))) {
                Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
            }
            Table table = new CsvDatasetReader().read(csv, DatasetOptions.infer(target, ignore, List.of())).table();
            Files.delete(csv);
            if (log) {
                double[] y = table.y();
                for (int i = 0; i < y.length; i++) {
                    y[i] = Math.log(y[i]);
                }
            }
            List<char[]> roles = new ArrayList<>();
            for (int seed = 0; seed < 3; seed++) {
                roles.add(readRoles(name + "_seed" + seed + ".csv.gz", table.rows()));
            }
            return new BenchmarkDataset(name, table, log, roles);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** roles[row * 3 + g] for γ index g. */
    private static char[] readRoles(String file, int rows) throws IOException {
        char[] roles = new char[rows * GAMMAS.length];
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(resource(file)),
                StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                String[] cells = line.split(",");
                int row = Integer.parseInt(cells[0]);
                for (int g = 0; g < GAMMAS.length; g++) {
                    roles[row * GAMMAS.length + g] = cells[1 + g].charAt(0);
                }
            }
        }
        return roles;
    }

    private static InputStream resource(String file) {
        InputStream in = BenchmarkDataset.class.getResourceAsStream("/benchmark/" + file);
        if (in == null) {
            throw new IllegalStateException("missing benchmark resource " + file);
        }
        return in;
    }

    Split split(int seed, int gammaIndex) {
        char[] r = roles.get(seed);
        List<float[]> trainX = new ArrayList<>();
        List<Double> trainY = new ArrayList<>();
        List<float[]> testX = new ArrayList<>();
        List<Double> testY = new ArrayList<>();
        for (int i = 0; i < table.rows(); i++) {
            switch (r[i * GAMMAS.length + gammaIndex]) {
                case 'T' -> {
                    testX.add(table.x()[i]);
                    testY.add(table.y()[i]);
                }
                case 'L' -> {
                    trainX.add(table.x()[i]);
                    trainY.add(table.y()[i]);
                }
                case 'U' -> {
                    trainX.add(table.x()[i]);
                    trainY.add(Double.NaN); // the target is never read
                }
                default -> throw new IllegalStateException("bad role at row " + i);
            }
        }
        return new Split(new Table(table.schema(), trainX.toArray(float[][]::new),
                trainY.stream().mapToDouble(Double::doubleValue).toArray()),
                testX.toArray(float[][]::new), testY.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
