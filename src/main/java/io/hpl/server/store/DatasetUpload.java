package io.hpl.server.store;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One dataset upload in progress: chunks are appended to a temporary file while their SHA-256 is
 * computed and their total size checked against the store's limit; {@link #finish()} parses and
 * publishes the dataset. Closing an upload that was not finished aborts it, so
 * try-with-resources never leaves a temporary file behind. Methods are synchronized: a stream's
 * chunks arrive in order, but a cancellation may abort from another thread.
 */
public final class DatasetUpload implements AutoCloseable {
    private final DatasetStore store;
    private final DatasetHeaderSpec header;
    private final Path tempFile;
    private final long maxBytes;
    private final FileChannel out;
    private final MessageDigest digest;
    private final UploadQuota quota;
    private long size;
    /** Bytes reserved in the quota: ahead of size by a chunk whose write failed. */
    private long reserved;
    private boolean open = true;
    private boolean quotaReturned;

    DatasetUpload(DatasetStore store, DatasetHeaderSpec header, Path tempFile, long maxBytes, UploadQuota quota)
            throws IOException {
        this.store = store;
        this.header = header;
        this.tempFile = tempFile;
        this.maxBytes = maxBytes;
        this.quota = quota;
        this.out = FileChannel.open(tempFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.digest = sha256();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public DatasetHeaderSpec header() {
        return header;
    }

    /** Bytes received so far. */
    public synchronized long size() {
        return size;
    }

    /** Appends the next chunk of the file; RESOURCE_EXHAUSTED (and the upload aborted) past the size limit. */
    public synchronized void append(byte[] chunk) {
        requireOpen();
        if (size + chunk.length > maxBytes) {
            abort();
            throw HplException.exhausted("the dataset is larger than the upload limit of " + maxBytes + " bytes");
        }
        try {
            quota.reserve(chunk.length);
            reserved += chunk.length;
        } catch (HplException e) {
            abort();
            throw e;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            abort();
            throw new HplException(ErrorKind.INTERNAL, "cannot store the upload: " + e.getMessage(), e);
        }
        digest.update(chunk);
        size += chunk.length;
    }

    /**
     * Parses the received file and publishes it as a dataset, or returns the dataset already
     * published with the same bytes and choices. The temporary file is gone afterwards, whatever
     * the outcome.
     */
    public synchronized DatasetRecord finish() {
        requireOpen();
        try {
            out.force(true); // the bytes must be on disk before a rename can publish them
            out.close();
            open = false;
            return store.publish(header, tempFile, HexFormat.of().formatHex(digest.digest()), size);
        } catch (IOException e) {
            throw new HplException(ErrorKind.INTERNAL, "cannot store the upload: " + e.getMessage(), e);
        } finally {
            abort();
        }
    }

    /** Discards the upload and its temporary file; does nothing once finished or aborted. */
    public synchronized void abort() {
        open = false;
        if (!quotaReturned) { // once, whether the upload finished or not
            quotaReturned = true;
            quota.end(reserved);
        }
        try {
            out.close();
            Files.deleteIfExists(tempFile);
        } catch (IOException e) {
            // Best effort: whatever is left in the temporary folder is removed when the store next starts.
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("the upload is already finished or aborted");
        }
    }
}
