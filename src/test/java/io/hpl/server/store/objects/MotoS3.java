package io.hpl.server.store.objects;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3-compatible server for tests, running offline on this machine: moto's server (Python, the
 * {@code moto} package), one request at a time (src/test/resources/s3/moto_s3_server.py), started once
 * per JVM on a free port with one bucket. The Python is {@code -Ds3test.python=…}, else the first of
 * {@code python3} on the PATH and /usr/bin/python3 that has moto.
 */
public final class MotoS3 {
    public static final String BUCKET = "hpl-test";
    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key";
    public static final String REGION = "us-east-1";
    private static MotoS3 running;

    private final Process process;
    private final int port;

    private MotoS3(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The server, started on first use; stopped when the JVM exits. */
    public static synchronized MotoS3 get() {
        if (running == null) {
            running = start();
            Runtime.getRuntime().addShutdownHook(new Thread(running.process::destroy));
        }
        return running;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A store on this server's bucket under {@code prefix}, downloading into {@code cacheDir} without a size limit. */
    public S3ObjectStore open(String prefix, Path cacheDir) {
        return open(prefix, cacheDir, Long.MAX_VALUE, S3ObjectStore.CACHE_GRACE);
    }

    /** The same, keeping at most {@code cacheMaxBytes} of downloaded copies, those read within {@code grace} always. */
    S3ObjectStore open(String prefix, Path cacheDir, long cacheMaxBytes, java.time.Duration grace) {
        return new S3ObjectStore(new S3ObjectStore.Settings(BUCKET, prefix, Optional.of(endpoint()), REGION, true), cacheDir,
                cacheMaxBytes, grace, StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    private static MotoS3 start() {
        String python = findPython();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path script = Files.createTempFile("moto_s3_server", ".py");
            try (InputStream in = MotoS3.class.getResourceAsStream("/s3/moto_s3_server.py")) {
                Files.write(script, in.readAllBytes());
            }
            script.toFile().deleteOnExit();
            Path log = Files.createTempFile("moto_s3_server", ".log");
            Process process = new ProcessBuilder(python, script.toString(), Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!accepts(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroy();
                    throw new IllegalStateException("the test S3 server (moto) did not start: " + Files.readString(log));
                }
                Thread.sleep(100); // bounded poll for the port
            }
            try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(REGION))
                    .endpointOverride(java.net.URI.create("http://127.0.0.1:" + port)).forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                    .build()) {
                s3.createBucket(b -> b.bucket(BUCKET));
            }
            return new MotoS3(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String findPython() {
        List<String> candidates = new ArrayList<>();
        Optional.ofNullable(System.getProperty("s3test.python")).ifPresent(candidates::add);
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import moto.server, werkzeug").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException e) {
                // not there: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("the S3 store tests need an S3-compatible server: a Python with moto (tried "
                + candidates + "); install it (pip install 'moto[server]') or pass -Ds3test.python=/path/to/python3");
    }
}
