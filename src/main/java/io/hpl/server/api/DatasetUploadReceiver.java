package io.hpl.server.api;

import io.hpl.server.api.v1.DataFormat;
import io.hpl.server.api.v1.DatasetHeader;
import io.hpl.server.api.v1.ImageOptions;
import io.hpl.server.data.image.ImageArchiveOptions;
import io.hpl.server.api.v1.UploadDatasetRequest;
import io.hpl.server.errors.HplException;
import io.hpl.server.store.DatasetHeaderSpec;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.DatasetStore;
import io.hpl.server.store.DatasetUpload;

/**
 * Follows one UploadDataset stream: a header first, then chunks; nothing is kept if it fails. A
 * cancel (client gone, deadline passed) arrives on another thread than the messages: once aborted,
 * a message still in flight (a header included) leaves no temporary file behind, so a dropped
 * upload leaves nothing in the store's tmp folder. Not synchronized: abort must not wait for a
 * parse in {@link #finish()} (DatasetUpload serialises the two itself).
 */
final class DatasetUploadReceiver {
    private final DatasetStore store;
    // volatile, and accept writes upload before reading aborted while abort writes aborted before
    // reading upload: whichever comes second sees the other's write, so a header racing a cancel is
    // always aborted by one of the two.
    private volatile DatasetUpload upload;
    private volatile boolean aborted;
    private long messages;

    DatasetUploadReceiver(DatasetStore store) {
        this.store = store;
    }

    void accept(UploadDatasetRequest message) {
        if (aborted) {
            throw cancelled();
        }
        messages++;
        switch (message.getPartCase()) {
            case HEADER -> {
                if (upload != null) {
                    throw HplException.invalid("message " + messages + ": a second header; send one header, then chunks");
                }
                DatasetUpload started = store.begin(spec(message.getHeader()));
                upload = started;
                if (aborted) { // cancelled while the header was being handled
                    started.abort();
                    throw cancelled();
                }
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

    private static HplException cancelled() {
        return HplException.cancelled("the upload was cancelled (client gone or deadline passed); nothing was kept");
    }

    DatasetRecord finish() {
        if (upload == null) {
            throw HplException.invalid("the upload is empty: send a header, then the file (CSV or image archive) in chunks");
        }
        return upload.finish();
    }

    void abort() {
        aborted = true;
        DatasetUpload started = upload;
        if (started != null) {
            started.abort();
        }
    }

    private static DatasetHeaderSpec spec(DatasetHeader h) {
        if (h.getFormat() == DataFormat.UNRECOGNIZED) {
            throw HplException.invalid("header.format: unknown format " + h.getFormatValue()
                    + "; use DATA_FORMAT_CSV or DATA_FORMAT_IMAGE_ARCHIVE");
        }
        if (h.getFormat() == DataFormat.DATA_FORMAT_IMAGE_ARCHIVE) {
            if (!h.hasImage()) {
                throw HplException.invalid("header.image is required for DATA_FORMAT_IMAGE_ARCHIVE: give channels, height and width");
            }
            if (h.getCategoricalColumnsCount() > 0) {
                throw HplException.invalid("header.categorical_columns: an image dataset has no feature columns");
            }
            ImageOptions image = h.getImage();
            return DatasetHeaderSpec.images(h.getName(), ImageArchiveOptions.of(h.getTargetColumn(), h.getIgnoreColumnsList(),
                    image.getChannels(), image.getHeight(), image.getWidth(), image.getResize(), image.getIndexFile()));
        }
        if (h.hasImage()) {
            throw HplException.invalid("header.image is only for format DATA_FORMAT_IMAGE_ARCHIVE");
        }
        return new DatasetHeaderSpec(h.getName(), h.getTargetColumn(), h.getIgnoreColumnsList(), h.getCategoricalColumnsList());
    }
}
