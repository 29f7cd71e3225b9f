package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.TableLimits;
import io.hpl.server.data.image.ImageLimits;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store-wide upload limits: uploads in flight and bytes of datasets stored. */
class UploadLimitsTest {
    private static final DatasetHeaderSpec HEADER = new DatasetHeaderSpec("t", "y", List.of(), List.of());

    @TempDir
    Path root;

    private DatasetStore store(int maxInFlight, long maxStoredBytes) {
        return new DatasetStore(root, new UploadLimits(1L << 20, maxInFlight, maxStoredBytes), ImageLimits.DEFAULTS,
                TableLimits.DEFAULTS);
    }

    /** A small CSV of exactly {@code bytes} bytes, different for each {@code seed}. */
    private static byte[] csv(int seed, int bytes) {
        StringBuilder s = new StringBuilder("x,y\n");
        int row = 0;
        while (s.length() < bytes - 12) {
            s.append(seed).append(',').append(row++ % 10).append('\n');
        }
        while (s.length() < bytes - 1) {
            s.append(' ');
        }
        s.append('\n');
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static DatasetRecord upload(DatasetStore store, byte[] bytes) {
        try (DatasetUpload upload = store.begin(HEADER)) {
            upload.append(bytes);
            return upload.finish();
        }
    }

    private List<Path> tmpEntries() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp").resolve("datasets"))) {
            return files.toList();
        }
    }

    @Test
    void uploadsBeyondTheInFlightLimitAreRefusedUntilOneEnds() {
        DatasetStore store = store(2, 1L << 30);
        DatasetUpload first = store.begin(HEADER);
        DatasetUpload second = store.begin(HEADER);
        HplException refused = assertThrows(HplException.class, () -> store.begin(HEADER));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, refused.kind());
        assertTrue(refused.getMessage().contains("hpl.upload.max-in-flight"), refused.getMessage());
        first.abort();
        first.abort(); // twice gives back one slot, not two
        store.begin(HEADER).abort();
        second.append(csv(1, 100));
        second.finish();
        DatasetUpload third = store.begin(HEADER);
        DatasetUpload fourth = store.begin(HEADER);
        assertThrows(HplException.class, () -> store.begin(HEADER), "finished and aborted uploads gave back exactly their slots");
        third.abort();
        fourth.abort();
    }

    @Test
    void storedBytesAreCountedAcrossPublishDeleteAndRestart() throws IOException {
        DatasetStore store = store(4, 250);
        DatasetRecord a = upload(store, csv(1, 120));
        assertEquals(120, store.storedBytes());
        upload(store, csv(1, 120)); // the same bytes again: the same dataset, nothing more stored
        assertEquals(120, store.storedBytes());

        HplException refused = assertThrows(HplException.class, () -> upload(store, csv(2, 140)));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, refused.kind());
        assertTrue(refused.getMessage().contains("hpl.upload.max-stored-bytes")
                && refused.getMessage().contains("DeleteDataset"), refused.getMessage());
        assertEquals(List.of(), tmpEntries(), "the refused upload's file is gone");

        assertEquals(120, store(4, 250).storedBytes(), "a restarted store counts what it holds");
        assertTrue(store.delete(a.id()));
        assertEquals(0, store.storedBytes());
        upload(store, csv(2, 140));
        assertEquals(140, store.storedBytes());
    }

    /** Two processes on one store: each counts the other's datasets against the limit, and its deletes. */
    @Test
    void storedBytesCountWhatOtherProcessesStored() {
        DatasetStore first = store(4, 250);
        DatasetStore second = store(4, 250); // started before the first stored anything
        DatasetRecord a = upload(first, csv(1, 120));
        HplException refused = assertThrows(HplException.class, () -> upload(second, csv(2, 140)));
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, refused.kind());
        assertTrue(refused.getMessage().contains("the store holds 120 bytes"), refused.getMessage());
        assertTrue(second.delete(a.id()));
        upload(first, csv(3, 140)); // the first counts the second's delete
        assertEquals(140, first.storedBytes());
    }
}
