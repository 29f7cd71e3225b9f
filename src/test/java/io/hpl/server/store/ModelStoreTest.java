package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.data.Column;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.ConformalScores;
import io.hpl.server.model.GaussianIntervals;
import io.hpl.server.training.MethodName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    @TempDir
    Path root;

    static ModelRecord draft(String name) {
        return new ModelRecord(name, 0, MethodName.SUPERVISED, Map.of("iterations", "10"), 3, "ds-1", "abc",
                new DatasetSchema("y", List.of(Column.numeric("a")), List.of()),
                new Metrics(10, 0.1, 0.2, 0.9, 1.0, 0.9, Double.NaN), null, null, 0, "constant", 8, 0, 2, 1.5);
    }

    @Test
    void publishesNumberedVersionsAndReadsThemBack() {
        ModelStore store = new ModelStore(root);
        ModelRecord v1 = store.publish(draft("m"), new byte[] {1, 2, 3});
        ModelRecord v2 = store.publish(draft("m"), new byte[] {4});
        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals(2, store.get("m", 0).version(), "version 0 is the latest");
        assertArrayEquals(new byte[] {1, 2, 3}, store.readOnnx(store.get("m", 1)));
        assertEquals(ModelStore.sha256(new byte[] {4}), store.get("m", 2).onnxSha256());
        assertTrue(Double.isNaN(store.get("m", 1).calibrationMetrics().spearmanVarianceAbsError()));
        assertEquals(2, store.list("").size());
        // a new store over the same directory sees the same thing (restart)
        assertEquals(2, new ModelStore(root).list("m").size());
    }

    /** model.json keeps an image schema's shape (and a tabular one's absence of it) across a restart. */
    @Test
    void imageAndTabularSchemasRoundTrip() {
        ModelRecord tabular = draft("t");
        ModelRecord image = withSchema(draft("i"), DatasetSchema.images("angle", new ImageInput(3, 32, 24)));
        ModelStore store = new ModelStore(root);
        store.publish(tabular, new byte[] {1});
        store.publish(image, new byte[] {2});

        ModelStore restarted = new ModelStore(root);
        DatasetSchema readImage = restarted.get("i", 0).schema();
        assertEquals(image.schema(), readImage);
        assertTrue(readImage.isImage());
        assertEquals(3 * 32 * 24, readImage.encodedWidth());
        DatasetSchema readTabular = restarted.get("t", 0).schema();
        assertEquals(tabular.schema(), readTabular);
        assertFalse(readTabular.isImage());
    }

    private static ModelRecord withSchema(ModelRecord r, DatasetSchema schema) {
        return new ModelRecord(r.name(), r.version(), r.method(), r.hyperParameters(), r.seed(), r.datasetId(),
                r.datasetSha256(), schema, r.calibrationMetrics(), r.createdAt(), r.onnxSha256(), r.onnxSizeBytes(),
                r.varianceDefinition(), r.labelledRowsUsed(), r.unlabelledRowsUsed(), r.calibrationRows(),
                r.trainingSeconds(), r.conformal(), r.uncertaintyNote(), r.selection());
    }

    /** The conformal scores and the note go to model.json and come back; the scores stay sorted. */
    @Test
    void conformalCalibrationRoundTrips() {
        ModelRecord d = draft("c");
        ModelRecord withScores = new ModelRecord(d.name(), 0, d.method(), d.hyperParameters(), d.seed(), d.datasetId(),
                d.datasetSha256(), d.schema(), d.calibrationMetrics(), null, null, 0, d.varianceDefinition(),
                d.labelledRowsUsed(), d.unlabelledRowsUsed(), d.calibrationRows(), d.trainingSeconds(),
                new ConformalScores(new double[] {0.3, 0.1, 2.5}), "constant sigma^2 served: test", null);
        new ModelStore(root).publish(withScores, new byte[] {1});
        ModelRecord read = new ModelStore(root).get("c", 1);
        assertArrayEquals(new double[] {0.1, 0.3, 2.5}, read.conformal().sorted());
        assertEquals("constant sigma^2 served: test", read.uncertaintyNote());
        assertInstanceOf(ConformalScores.class, read.intervals());
    }

    /** A model.json written before conformal calibration (no scores, note or reliability) loads with Gaussian intervals. */
    @Test
    void modelJsonFromBeforeConformalCalibrationStillLoads() throws IOException {
        Path dir = root.resolve("models").resolve("old").resolve("1");
        Files.createDirectories(dir);
        Files.write(dir.resolve(ModelStore.ONNX), new byte[] {1});
        Files.writeString(dir.resolve(ModelStore.METADATA), """
                {"name":"old","version":1,"method":"SUPERVISED","hyperParameters":{"iterations":"10"},"seed":3,
                 "datasetId":"ds-1","datasetSha256":"abc",
                 "schema":{"targetColumn":"y","features":[{"name":"a","kind":"NUMERIC","categories":[]}],"ignoredColumns":[]},
                 "calibrationMetrics":{"rows":10,"mae":0.1,"rmse":0.2,"r2":0.9,"nll":1.0,"coverage90":0.9,
                                       "spearmanVarianceAbsError":"NaN"},
                 "createdAt":"2026-01-01T00:00:00Z","onnxSha256":"x","onnxSizeBytes":1,"varianceDefinition":"constant",
                 "labelledRowsUsed":8,"unlabelledRowsUsed":0,"calibrationRows":2,"trainingSeconds":1.5}
                """);
        ModelRecord old = new ModelStore(root).get("old", 1);
        assertEquals(null, old.conformal());
        assertInstanceOf(GaussianIntervals.class, old.intervals());
        assertEquals(ModelRecord.GAUSSIAN_NOTE, old.uncertaintyNote());
        assertTrue(old.calibrationMetrics().reliability().isEmpty());
        assertTrue(Double.isNaN(old.calibrationMetrics().intervalCoverage(0.9)));
        assertEquals(0.9, old.calibrationMetrics().coverage90());
    }

    @Test
    void aFailedPublishIsInvisibleAndTheStoreStaysUsable() {
        new ModelStore(root).publish(draft("m"), new byte[] {1});
        ModelStore crashing = new ModelStore(root, record -> {
            assertTrue(Files.exists(root.resolve("models/m/" + record.version()).resolve(ModelStore.ONNX)),
                    "the graph is written before model.json");
            assertEquals(List.of(1), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList(),
                    "and the version does not list without model.json");
            throw new IOException("simulated crash");
        });
        assertThrows(UncheckedIOException.class, () -> crashing.publish(draft("m"), new byte[] {2}));
        assertEquals(List.of(1), new ModelStore(root).list("m").stream().map(ModelRecord::version).toList());
        assertEquals(2, new ModelStore(root).publish(draft("m"), new byte[] {3}).version());
    }

    @Test
    void leftoversOfAKilledProcessAreRemovedAtStartAndHalfVersionsNeverList() throws IOException {
        new ModelStore(root).publish(draft("m"), new byte[] {1});
        Path leftover = Files.createDirectories(root.resolve("tmp/models/dead-writer"));
        Files.write(leftover.resolve(ModelStore.ONNX), new byte[] {9});
        Path half = Files.createDirectories(root.resolve("models/m/7"));
        Files.write(half.resolve(ModelStore.ONNX), new byte[] {9}); // no model.json: not published

        ModelStore store = new ModelStore(root);
        assertFalse(Files.exists(leftover));
        assertEquals(1, store.list("").size());
        assertEquals(1, store.get("m", 0).version());
    }

    @Test
    void anotherStoreSeesEachPublishAndDeleteAtOnceThoughItCachesTheListing() throws IOException {
        ModelStore writer = new ModelStore(root);
        ModelStore reader = new ModelStore(root); // another replica on the same volume
        Path dir = root.resolve("models").resolve("m");
        writer.publish(draft("m"), new byte[] {1});
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(dir, old); // an old directory time must not make the reader trust a stale listing
        assertEquals(1, reader.get("m", 0).version());
        assertEquals(1, reader.get("m", 0).version());
        writer.publish(draft("m"), new byte[] {2});
        assertEquals(2, reader.get("m", 0).version(), "a version published by another process is seen at once");
        Files.setLastModifiedTime(dir, old);
        assertEquals(2, reader.get("m", 0).version());
        writer.delete("m", 2);
        assertEquals(1, reader.get("m", 0).version(), "and so is a delete");
        writer.delete("m", 0);
        assertThrows(HplException.class, () -> reader.get("m", 0));
    }

    @Test
    void versionZeroSkipsANewerVersionWhosePublishHasNotFinished() throws IOException {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        Path inFlight = root.resolve("models").resolve("m").resolve("2"); // claimed and written, model.json not yet
        Files.createDirectories(inFlight);
        Files.write(inFlight.resolve(ModelStore.CLAIM), new byte[] {0});
        Files.write(inFlight.resolve("model.onnx"), new byte[] {2});
        assertEquals(1, store.get("m", 0).version());
        assertEquals(java.util.List.of(1), store.list("m").stream().map(ModelRecord::version).toList());
    }

    @Test
    void deleteOneOrAllVersions() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        store.publish(draft("m"), new byte[] {3});
        assertEquals(1, store.delete("m", 2));
        assertEquals(List.of(1, 3), store.list("m").stream().map(ModelRecord::version).toList());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(HplException.class, () -> store.get("m", 2)).kind());
        assertEquals(2, store.delete("m", 0));
        assertTrue(store.list("").isEmpty());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(HplException.class, () -> store.delete("m", 0)).kind());
    }

    /** A client pinned to version 2 must never silently get another model after version 2 is deleted. */
    @Test
    void versionNumbersAreNeverReusedAfterADeleteEvenAcrossARestart() {
        ModelStore store = new ModelStore(root);
        store.publish(draft("m"), new byte[] {1});
        store.publish(draft("m"), new byte[] {2});
        store.delete("m", 2);
        assertEquals(3, store.publish(draft("m"), new byte[] {3}).version(), "deleting the latest does not free its number");
        store.delete("m", 0);
        ModelStore restarted = new ModelStore(root);
        assertEquals(4, restarted.publish(draft("m"), new byte[] {4}).version(), "nor does deleting all, across a restart");
        assertEquals(List.of(4), restarted.list("m").stream().map(ModelRecord::version).toList());
        assertEquals(1, restarted.publish(draft("other"), new byte[] {5}).version(), "marks are per model");
    }

    @Test
    void badNamesAreInvalidArguments() {
        ModelStore store = new ModelStore(root);
        for (String bad : new String[] {"", "../etc", "a/b", ".hidden", "x".repeat(65)}) {
            HplException e = assertThrows(HplException.class, () -> store.publish(draft(bad), new byte[] {1}), bad);
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertTrue(files.noneMatch(p -> p.toString().contains("etc")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
