package io.hpl.server.store;

import io.hpl.server.data.DatasetSchema;
import java.time.Instant;

/**
 * What the store knows about a published dataset; kept as {@code dataset.json} beside its
 * {@code data.csv}.
 *
 * @param id        content address: "ds-" and 24 hex digits derived from the bytes and the header's choices
 * @param sha256    of the uploaded bytes, hex
 * @param sizeBytes of the uploaded bytes
 */
public record DatasetRecord(String id, String name, DatasetSchema schema, long labelledRows, long unlabelledRows,
        String sha256, long sizeBytes, Instant createdAt) {
}
