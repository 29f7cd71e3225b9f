package io.hpl.server.jobs;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.hpl.server.api.v1.RegressionServiceGrpc;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.WatchJobRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The packaged server ({@code target/quarkus-app/quarkus-run.jar}) as a child process on a store
 * folder of the test's, with gRPC and HTTP on free ports of their own, for the subprocess tests
 * (kill -9, SIGTERM). {@link #assumePackaged()} skips a test, saying so, when the jar is absent.
 */
final class PackagedServer {
    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_WITHIN = Duration.ofMinutes(5);

    final Path work;
    final int grpcPort;
    final int httpPort;
    private final List<String> properties;
    Process process;
    private Path log;

    /** Follows WatchJob to the job's end: its last event (null if the stream sent none). */
    static TrainEvent lastEvent(RegressionServiceGrpc.RegressionServiceBlockingStub stub, String jobId) {
        TrainEvent last = null;
        for (Iterator<TrainEvent> it = stub.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build()); it.hasNext(); ) {
            last = it.next();
        }
        return last;
    }

    static void assumePackaged() {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), "skipped: no packaged server at " + JAR.toAbsolutePath()
                + " (build it with ./mvnw -B -q -o package -DskipTests)");
    }

    /** {@code properties}: extra -D settings, the same for every start. */
    PackagedServer(Path work, String... properties) throws IOException {
        this.work = work;
        this.grpcPort = freePort();
        this.httpPort = freePort();
        this.properties = List.of(properties);
    }

    /** Starts it (log in {@code <work>/<name>.log}) and waits until /q/health/ready answers 200. */
    void start(String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Dhpl.store.dir=" + store(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.grpc.server.host=127.0.0.1",
                "-Dquarkus.grpc.server.port=" + grpcPort, "-Dquarkus.http.port=" + httpPort, "-Dai.djl.offline=true",
                // the packaged app is prod: authentication on (these tests send no token), metrics on 9090 (any free port here)
                "-Dhpl.auth.enabled=false", "-Dquarkus.management.port=0"));
        properties.forEach(p -> command.add("-D" + p));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        log = work.resolve(name + ".log");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitReady();
    }

    Path store() {
        return work.resolve("store");
    }

    ManagedChannel channel() {
        return ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Ends it whatever state it is in (tests' finally). */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Polls /q/health/ready (engines loaded, store readable) until 200, the process dies, or READY_WITHIN passes. */
    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited (" + process.exitValue() + "); its log:\n" + log());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            process.waitFor(500, TimeUnit.MILLISECONDS); // a poll interval that also notices an exit at once
        }
        throw new AssertionError("the server was not ready within " + READY_WITHIN + "; its log:\n" + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
