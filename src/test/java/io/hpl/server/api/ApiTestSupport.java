package io.hpl.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.Method;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.health.Engines;
import io.hpl.server.api.v1.RegressionService;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.smallrye.mutiny.Multi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the API and metrics tests: uploads in chunks, rows as Structs, status assertions. */
public final class ApiTestSupport {
    public static final Duration TIMEOUT = Duration.ofMinutes(3);

    private ApiTestSupport() {
    }

    static DatasetInfo upload(RegressionService client, DatasetHeader header, byte[] csv, int chunkSize) {
        List<UploadDatasetRequest> messages = new ArrayList<>();
        messages.add(UploadDatasetRequest.newBuilder().setHeader(header).build());
        for (int off = 0; off < csv.length; off += chunkSize) {
            messages.add(UploadDatasetRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(csv, off, Math.min(chunkSize, csv.length - off))).build());
        }
        return client.uploadDataset(Multi.createFrom().iterable(messages)).await().atMost(TIMEOUT);
    }

    public static DatasetInfo upload(RegressionService client, String target, String csv, String... ignore) {
        DatasetHeader header = DatasetHeader.newBuilder().setName("test").setTargetColumn(target)
                .addAllIgnoreColumns(List.of(ignore)).build();
        return upload(client, header, csv.getBytes(StandardCharsets.UTF_8), 1000);
    }

    /**
     * Waits for the engines, then trains a small SUPERVISED model on GeneratedCsv's table (columns
     * a, b, c; target y) under {@code name}: the model the request-check tests send bad input to.
     */
    public static void trainSmallTabularModel(RegressionService client, Engines engines, String name) throws InterruptedException {
        assertTrue(engines.awaitReady(Duration.ofMinutes(2)), "engines did not load: " + engines.failure());
        DatasetInfo dataset = upload(client, "y", GeneratedCsv.make(60, 0, 3), "id");
        List<TrainEvent> events = client.train(TrainRequest.newBuilder().setDatasetId(dataset.getId())
                .setMethod(Method.SUPERVISED).setModelName(name)
                .putHyperparameters("iterations", "20").putHyperparameters("hidden_layers", "8").build())
                .collect().asList().await().atMost(TIMEOUT);
        assertTrue(events.get(events.size() - 1).hasFinished(), String.valueOf(events.get(events.size() - 1)));
    }

    public static Struct row(Map<String, Object> cells) {
        Struct.Builder b = Struct.newBuilder();
        cells.forEach((k, v) -> b.putFields(k, v instanceof Number n
                ? Value.newBuilder().setNumberValue(n.doubleValue()).build()
                : Value.newBuilder().setStringValue(String.valueOf(v)).build()));
        return b.build();
    }

    /** Asserts the call fails with {@code code} and a message containing every one of {@code words}. */
    static StatusRuntimeException assertStatus(Status.Code code, Supplier<?> call, String... words) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = String.valueOf(e.getStatus().getDescription());
        for (String w : words) {
            assertTrue(description.contains(w), "'" + description + "' should mention '" + w + "'");
        }
        return e;
    }
}
