package io.hpl.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.DatasetStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refused, failed and cancelled uploads leave nothing in the store's tmp folder. */
class DatasetUploadReceiverTest {
    private static final UploadDatasetRequest HEADER = UploadDatasetRequest.newBuilder()
            .setHeader(DatasetHeader.newBuilder().setName("t").setTargetColumn("y")).build();

    @TempDir
    Path root;

    private static UploadDatasetRequest chunk(String text) {
        return UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFrom(text, StandardCharsets.UTF_8)).build();
    }

    @Test
    void anUploadOverTheLimitIsRefusedAndItsTempFileRemoved() throws IOException {
        DatasetUploadReceiver receiver = new DatasetUploadReceiver(new DatasetStore(root, 64));
        receiver.accept(HEADER);
        receiver.accept(chunk("x,y\n1,2\n"));
        assertEquals(1, tempFiles().size(), "the upload is being written to tmp/");
        HplException e = assertThrows(HplException.class, () -> receiver.accept(chunk("1,2\n".repeat(40))));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, e.kind());
        receiver.abort(); // what the service does on the failure: harmless twice
        awaitEmptyTemp();
    }

    @Test
    void aBadCsvIsRefusedAndLeavesNothing() throws IOException {
        DatasetUploadReceiver receiver = new DatasetUploadReceiver(new DatasetStore(root));
        receiver.accept(HEADER);
        receiver.accept(chunk("x,z\n1,2\n"));
        HplException e = assertThrows(HplException.class, receiver::finish); // no column y
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        awaitEmptyTemp();
    }

    @Test
    void aCancelMidStreamRemovesThePartialFile() throws IOException {
        DatasetUploadReceiver receiver = new DatasetUploadReceiver(new DatasetStore(root));
        receiver.accept(HEADER);
        receiver.accept(chunk("x,y\n1,2\n"));
        receiver.abort(); // the client went away
        awaitEmptyTemp();
        HplException e = assertThrows(HplException.class, () -> receiver.accept(chunk("3,4\n")));
        assertEquals(ErrorKind.CANCELLED, e.kind());
        awaitEmptyTemp();
    }

    @Test
    void aHeaderHandledAfterTheCancelOpensNoFile() throws IOException {
        DatasetUploadReceiver receiver = new DatasetUploadReceiver(new DatasetStore(root));
        receiver.abort(); // cancel arrives before the worker thread handles the header
        HplException e = assertThrows(HplException.class, () -> receiver.accept(HEADER));
        assertEquals(ErrorKind.CANCELLED, e.kind());
        awaitEmptyTemp();
    }

    private List<Path> tempFiles() throws IOException {
        Path tmp = root.resolve("tmp");
        if (!Files.exists(tmp)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** Bounded poll of the folder (cleanup is synchronous today; the poll keeps the test honest if it moves off-thread). */
    private void awaitEmptyTemp() throws IOException {
        for (int i = 0; i < 200; i++) {
            if (tempFiles().isEmpty()) {
                return;
            }
            Thread.onSpinWait();
        }
        fail("files left in tmp/: " + tempFiles());
    }
}
