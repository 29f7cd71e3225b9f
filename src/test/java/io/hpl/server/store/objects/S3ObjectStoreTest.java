package io.hpl.server.store.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** What only the S3 backend has to say: an unreachable bucket is UNAVAILABLE, naming what to check. */
class S3ObjectStoreTest {
    @TempDir
    Path local;

    @Test
    void anUnreachableBucketIsUnavailableWithAMessageThatSaysWhere() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort(); // free once closed: nothing listens there
        }
        S3ObjectStore store = new S3ObjectStore(new S3ObjectStore.Settings("no-such-bucket", "p/",
                Optional.of("http://127.0.0.1:" + closedPort), "us-east-1", true), local, Long.MAX_VALUE,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
        for (Runnable call : new Runnable[] {() -> store.get("models/m/1/model.json"), () -> store.put("a", new byte[] {1}),
                () -> store.putIfAbsent("a", new byte[] {1}), () -> store.list("models/")}) {
            HplException e = assertThrows(HplException.class, call::run);
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("s3://no-such-bucket/p/") && e.getMessage().contains("hpl.store.s3"), e.getMessage());
        }
    }

    /** Read as files, objects are copied into the cache folder, which keeps to its limit and downloads again on need. */
    @Test
    void theDownloadCacheKeepsToItsLimit() throws IOException {
        Path cacheDir = local.resolve("cache");
        S3ObjectStore store = MotoS3.get().open("cache-limit-" + System.nanoTime() + "/", cacheDir, 2_500, java.time.Duration.ZERO);
        try {
            for (String id : new String[] {"a", "b", "c"}) {
                byte[] content = new byte[1_000];
                java.util.Arrays.fill(content, (byte) id.charAt(0));
                store.put("datasets/" + id + "/data.csv", content);
            }
            for (String id : new String[] {"a", "b", "c", "a"}) {
                Path copy = store.localFile("datasets/" + id + "/data.csv").orElseThrow();
                assertEquals(id.charAt(0), java.nio.file.Files.readAllBytes(copy)[999], "the copy of " + id);
                assertTrue(store.cachedBytes() <= 2_500, store.cachedBytes() + " bytes cached");
            }
            assertTrue(java.nio.file.Files.exists(cacheDir.resolve("datasets/c/data.csv")));
            assertTrue(!java.nio.file.Files.exists(cacheDir.resolve("datasets/b/data.csv")), "b: least recently read");
        } finally {
            store.close();
        }
    }

    @Test
    void aPrefixGetsItsSlash() {
        assertEquals("hpl/prod/", new S3ObjectStore.Settings("b", "hpl/prod", Optional.empty(), "us-east-1", false).prefix());
        assertEquals("", new S3ObjectStore.Settings("b", "", Optional.empty(), "us-east-1", false).prefix());
    }
}
