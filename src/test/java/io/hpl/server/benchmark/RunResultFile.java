package io.hpl.server.benchmark;

import io.hpl.server.evaluation.CoveragePoint;
import io.hpl.server.evaluation.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Runs saved one per line (tab-separated) as they finish, so that a long benchmark split over
 * several JVMs (one per seed, say) is rendered as one table afterwards, and a crash loses one run
 * at most. Diagnostics are not kept; resident sizes are, as iteration:KB pairs; of the reliability
 * curve, the conformal 90% coverage only.
 */
final class RunResultFile {
    private RunResultFile() {
    }

    static void append(Path file, RunResult r) {
        Metrics m = r.test();
        StringBuilder resident = new StringBuilder();
        r.residentKb().forEach((it, kb) -> resident.append(resident.isEmpty() ? "" : ",").append(it).append(':').append(kb));
        String line = String.join("\t", r.dataset(), Double.toString(r.gamma()), Integer.toString(r.seed()), r.variant(),
                Long.toString(m.rows()), Double.toString(m.mae()), Double.toString(m.rmse()), Double.toString(m.r2()),
                Double.toString(m.nll()), Double.toString(m.coverage90()), Double.toString(m.spearmanVarianceAbsError()),
                String.format(Locale.ROOT, "%.4f", r.millisPerIteration()), resident.toString(),
                Double.toString(m.intervalCoverage(0.9))) + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to " + file, e);
        }
    }

    static List<RunResult> read(Path file) {
        List<RunResult> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                // Files from before the conformal column have 13 fields: their interval coverage is unknown.
                List<CoveragePoint> conformal = f.length > 13 && !f[13].equals("NaN")
                        ? List.of(new CoveragePoint(0.9, Double.parseDouble(f[13]))) : List.of();
                Metrics m = new Metrics(Long.parseLong(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                        Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]),
                        conformal);
                SortedMap<Long, Long> resident = new TreeMap<>();
                for (String pair : f[12].isEmpty() ? new String[0] : f[12].split(",")) {
                    String[] kv = pair.split(":");
                    resident.put(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
                }
                out.add(new RunResult(f[0], Double.parseDouble(f[1]), Integer.parseInt(f[2]), f[3], m,
                        Double.parseDouble(f[11]), Map.of(), resident));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return out;
    }
}
