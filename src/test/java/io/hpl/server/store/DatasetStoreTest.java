package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class DatasetStoreTest {
    private static final String CSV = """
            id,x,colour,y
            1,0.5,red,1.0
            2,1.5,blue,
            3,2.5,red,3.0
            """;
    private static final DatasetHeaderSpec HEADER = new DatasetHeaderSpec("small", "y", List.of("id"), List.of());

    @TempDir
    Path root;

    private DatasetStore store() {
        return new DatasetStore(root);
    }

    private static DatasetRecord upload(DatasetStore store, DatasetHeaderSpec header, byte[] bytes, int chunkSize) {
        try (DatasetUpload upload = store.begin(header)) {
            for (int from = 0; from < bytes.length; from += chunkSize) {
                upload.append(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + chunkSize)));
            }
            return upload.finish();
        }
    }

    private static DatasetRecord upload(DatasetStore store, String csv) {
        return upload(store, HEADER, csv.getBytes(StandardCharsets.UTF_8), 7);
    }

    private static HplException assertFails(ErrorKind kind, Executable call) {
        HplException e = assertThrows(HplException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private List<Path> tmpEntries() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("tmp").resolve("datasets"))) {
            return s.toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** dataset.json keeps which columns had missing values, and the rows keep NaN, across a restart. */
    @Test
    void missingValuesSurviveARestart() {
        DatasetRecord record = upload(store(), "id,x,colour,y\n1,,red,1.0\n2,1.5,,\n3,2.5,red,3.0\n");
        DatasetStore restarted = new DatasetStore(root);
        DatasetRecord read = restarted.get(record.id()).orElseThrow();
        assertEquals(List.of(Column.numeric("x").withMissing(), Column.categorical("colour", List.of("red")).withMissing()),
                read.schema().features());
        assertEquals(2, read.labelledRows());
        Table table = restarted.load(record.id());
        assertTrue(Float.isNaN(table.x()[0][0]));
        assertArrayEquals(new float[] {1.5f, 0, 0, 1}, table.x()[1]); // x, x__missing, colour=red, colour__missing
    }

    @Test
    void uploadPublishesRecordAndFiles() throws Exception {
        DatasetStore store = store();
        byte[] bytes = CSV.getBytes(StandardCharsets.UTF_8);
        DatasetRecord record = upload(store, CSV);

        assertTrue(record.id().matches("ds-[0-9a-f]{24}"), record.id());
        assertEquals("small", record.name());
        assertEquals(2, record.labelledRows());
        assertEquals(1, record.unlabelledRows());
        assertEquals(sha256(bytes), record.sha256());
        assertEquals(bytes.length, record.sizeBytes());
        assertEquals(List.of(Column.numeric("x"), Column.categorical("colour", List.of("blue", "red"))),
                record.schema().features());
        assertEquals(List.of("id"), record.schema().ignoredColumns());

        Path dir = root.resolve("datasets").resolve(record.id());
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("data.csv")));
        assertTrue(Files.exists(dir.resolve("dataset.json")));
        assertEquals(List.of(), tmpEntries());

        assertEquals(record, store.get(record.id()).orElseThrow());
        assertEquals(List.of(record), store.list());
        // A new store on the same root reads the same record back.
        assertEquals(List.of(record), new DatasetStore(root).list());

        Table table = store.load(record.id());
        assertEquals(record.schema(), table.schema());
        assertEquals(3, table.rows());
        assertArrayEquals(new float[] {2.5f, 0, 1}, table.x()[2]);
        assertTrue(Double.isNaN(table.y()[1]));
    }

    @Test
    void loadWithAnotherSchemaReencodes() {
        DatasetStore store = store();
        DatasetRecord record = upload(store, CSV);
        DatasetSchema model = new DatasetSchema("y",
                List.of(Column.categorical("colour", List.of("blue", "green", "red"))), List.of());
        Table table = store.load(record.id(), model);
        assertEquals(model.features(), table.schema().features());
        assertArrayEquals(new float[] {0, 0, 1}, table.x()[0]);

        DatasetSchema unknownCategory = new DatasetSchema("y", List.of(Column.categorical("colour", List.of("red"))), List.of());
        HplException e = assertFails(ErrorKind.INVALID_ARGUMENT, () -> store.load(record.id(), unknownCategory));
        assertTrue(e.getMessage().contains("line 3, column 'colour': unknown category 'blue'"), e.getMessage());
    }

    @Test
    void reuploadOfSameBytesAndChoicesIsIdempotent() {
        DatasetStore store = store();
        DatasetRecord first = upload(store, CSV);
        var renamed = new DatasetHeaderSpec("another name", "y", List.of("id", "id"), List.of());
        DatasetRecord again = upload(store, renamed, CSV.getBytes(StandardCharsets.UTF_8), 1000);
        assertEquals(first, again); // the existing record, first name included
        assertEquals(1, store.list().size());

        var otherChoices = new DatasetHeaderSpec("small", "y", List.of("id"), List.of("x"));
        DatasetRecord other = upload(store, otherChoices, CSV.getBytes(StandardCharsets.UTF_8), 1000);
        assertNotEquals(first.id(), other.id());
        assertEquals(List.of(first, other), store.list()); // oldest first
    }

    @Test
    void idIgnoresListOrderButNotContent() {
        DatasetStore store = store();
        String sha = "ab".repeat(32);
        String a = store.datasetId(sha, new DatasetHeaderSpec("n", "y", List.of("p", "q"), List.of("r", "s")));
        String b = store.datasetId(sha, new DatasetHeaderSpec("m", "y", List.of("q", "p"), List.of("s", "r")));
        String c = store.datasetId(sha, new DatasetHeaderSpec("n", "y", List.of("p"), List.of("q", "r", "s")));
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void concurrentIdenticalUploadsGiveOneDataset() throws Exception {
        DatasetStore store = store();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<DatasetRecord>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> upload(store, CSV)));
            }
            String id = results.get(0).get().id();
            for (Future<DatasetRecord> r : results) {
                assertEquals(id, r.get().id());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, store.list().size());
        assertEquals(List.of(), tmpEntries());
    }

    @Test
    void deleteRemovesDataset() throws IOException {
        DatasetStore store = store();
        DatasetRecord record = upload(store, CSV);
        assertTrue(store.delete(record.id()));
        assertTrue(store.get(record.id()).isEmpty());
        assertEquals(List.of(), store.list());
        assertFalse(Files.exists(root.resolve("datasets").resolve(record.id())));
        assertEquals(List.of(), tmpEntries());
        assertFalse(store.delete(record.id()));
    }

    @Test
    void unknownIdIsNotFoundAndBadIdIsInvalid() {
        DatasetStore store = store();
        HplException e = assertFails(ErrorKind.NOT_FOUND, () -> store.load("ds-missing"));
        assertEquals("dataset 'ds-missing' not found", e.getMessage());
        assertFails(ErrorKind.NOT_FOUND, () -> store.load("ds-missing", new DatasetSchema("y", List.of(), List.of())));
        assertTrue(store.get("ds-missing").isEmpty());
        for (String bad : List.of("../etc", "ds/1", "DS-1", "", "a.b")) {
            assertFails(ErrorKind.INVALID_ARGUMENT, () -> store.get(bad));
            assertFails(ErrorKind.INVALID_ARGUMENT, () -> store.delete(bad));
            assertFails(ErrorKind.INVALID_ARGUMENT, () -> store.load(bad));
        }
    }

    @Test
    void crashLeftoversAreCleanedAndNeverListed() throws IOException {
        // Simulate a crash: an upload and a half-assembled dataset in tmp/, and a dataset
        // folder without its record.
        Path staging = Files.createDirectories(root.resolve("tmp").resolve("datasets").resolve("publish-1234"));
        Files.writeString(staging.resolve("data.csv"), CSV);
        Files.writeString(root.resolve("tmp").resolve("datasets").resolve("upload-99.csv"), "a,y\n");
        Path broken = Files.createDirectories(root.resolve("datasets").resolve("ds-0123456789abcdef01234567"));
        Files.writeString(broken.resolve("data.csv"), CSV);

        DatasetStore store = store();
        assertEquals(List.of(), tmpEntries());
        assertEquals(List.of(), store.list());
        assertTrue(store.get("ds-0123456789abcdef01234567").isEmpty());
        assertFails(ErrorKind.NOT_FOUND, () -> store.load("ds-0123456789abcdef01234567"));
    }

    @Test
    void folderWithoutRecordAtTheIdIsReplacedByAnUpload() throws Exception {
        DatasetStore store = store();
        byte[] bytes = CSV.getBytes(StandardCharsets.UTF_8);
        String id = store.datasetId(sha256(bytes), HEADER);
        Files.createDirectories(root.resolve("datasets").resolve(id).resolve("junk"));

        DatasetRecord record = upload(store, CSV);
        assertEquals(id, record.id());
        assertEquals(List.of(record), store.list());
    }

    @Test
    void uploadOverLimitIsResourceExhaustedAndLeavesNothing() throws IOException {
        DatasetStore store = new DatasetStore(root, 100);
        try (DatasetUpload upload = store.begin(HEADER)) {
            upload.append(new byte[64]);
            HplException e = assertFails(ErrorKind.RESOURCE_EXHAUSTED, () -> upload.append(new byte[64]));
            assertTrue(e.getMessage().contains("100 bytes"), e.getMessage());
            assertThrows(IllegalStateException.class, upload::finish);
        }
        assertEquals(List.of(), tmpEntries());
        assertEquals(List.of(), store.list());
    }

    @Test
    void unfinishedOrFailedUploadLeavesNothing() throws IOException {
        DatasetStore store = store();
        try (DatasetUpload upload = store.begin(HEADER)) {
            upload.append(CSV.getBytes(StandardCharsets.UTF_8));
            assertEquals(1, tmpEntries().size());
        } // closed without finishing: aborted
        assertEquals(List.of(), tmpEntries());

        HplException e = assertFails(ErrorKind.INVALID_ARGUMENT, () -> upload(store, "id,x,colour,y\n1,2,red\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertEquals(List.of(), tmpEntries());
        assertEquals(List.of(), store.list());
    }

    @Test
    void headerSpecIsValidatedBeforeUpload() {
        assertFails(ErrorKind.INVALID_ARGUMENT, () -> new DatasetHeaderSpec("n", "", List.of(), List.of()));
        HplException e = assertFails(ErrorKind.INVALID_ARGUMENT, () -> new DatasetHeaderSpec("n".repeat(201), "y", List.of(), List.of()));
        assertTrue(e.getMessage().contains("200"), e.getMessage());
        new DatasetHeaderSpec("n".repeat(200), "y", null, null);
        assertFails(ErrorKind.INVALID_ARGUMENT, () -> new DatasetHeaderSpec("n", "y", List.of("y"), List.of()));
    }

    @Test
    void largeCsvUploadedInChunks() throws Exception {
        Path file = root.resolve("large.csv");
        long labelled = 0;
        long rows = 0;
        Random random = new Random(42);
        String[] towns = {"north", "south", "east", "west", "centre"};
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,a,b,c,d,e,f,town,y\n");
            while (Files.size(file) < 20L << 20 || rows % 1000 != 0) {
                for (int i = 0; i < 1000; i++, rows++) {
                    w.write(Long.toString(rows));
                    for (int k = 0; k < 6; k++) {
                        w.write(',');
                        w.write(Double.toString(random.nextGaussian()));
                    }
                    w.write(',');
                    w.write(towns[random.nextInt(towns.length)]);
                    w.write(',');
                    if (random.nextInt(4) != 0) {
                        w.write(Double.toString(random.nextGaussian()));
                        labelled++;
                    }
                    w.write('\n');
                }
                w.flush();
            }
        }
        assertTrue(Files.size(file) >= 20L << 20);

        DatasetStore store = store();
        DatasetRecord record;
        try (DatasetUpload upload = store.begin(new DatasetHeaderSpec("large", "y", List.of("id"), List.of()));
                InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                upload.append(n == chunk.length ? chunk.clone() : Arrays.copyOf(chunk, n));
            }
            record = upload.finish();
        }
        assertEquals(labelled, record.labelledRows());
        assertEquals(rows - labelled, record.unlabelledRows());
        assertEquals(Files.size(file), record.sizeBytes());
        assertEquals(sha256(Files.readAllBytes(file)), record.sha256());
        assertEquals(6 + towns.length, record.schema().encodedWidth());

        Table table = store.load(record.id());
        assertEquals(rows, table.rows());
        assertEquals(labelled, table.labelledRows());
    }
}
