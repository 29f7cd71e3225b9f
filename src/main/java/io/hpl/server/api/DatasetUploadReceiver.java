package io.hpl.server.api;

import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;

/** Follows one UploadDataset stream: a header first, then chunks; nothing is kept if it fails. */
final class DatasetUploadReceiver {
    private final DatasetStore store;
    private DatasetUpload upload;
    private long messages;

    DatasetUploadReceiver(DatasetStore store) {
        this.store = store;
    }

    void accept(UploadDatasetRequest message) {
        messages++;
        switch (message.getPartCase()) {
            case HEADER -> {
                if (upload != null) {
                    throw HplException.invalid("message " + messages + ": a second header; send one header, then chunks");
                }
                upload = store.begin(spec(message.getHeader()));
            }
            case CHUNK -> {
                if (upload == null) {
                    throw HplException.invalid("message " + messages + ": the first message must be the header");
                }
                upload.append(message.getChunk().toByteArray());
            }
            default -> throw HplException.invalid("message " + messages + ": neither a header nor a chunk");
        }
    }

    DatasetRecord finish() {
        if (upload == null) {
            throw HplException.invalid("the upload is empty: send a header, then the CSV in chunks");
        }
        return upload.finish();
    }

    void abort() {
        if (upload != null) {
            upload.abort();
        }
    }

    private static DatasetHeaderSpec spec(DatasetHeader h) {
        if (h.getFormatValue() > 1) {
            throw HplException.invalid("header.format: unknown format " + h.getFormatValue() + "; only CSV is supported");
        }
        return new DatasetHeaderSpec(h.getName(), h.getTargetColumn(), h.getIgnoreColumnsList(), h.getCategoricalColumnsList());
    }
}
