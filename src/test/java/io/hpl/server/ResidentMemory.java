package io.hpl.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test JVM's resident set size (Linux), for the flat-memory checks of long runs. */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    public static long kilobytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
