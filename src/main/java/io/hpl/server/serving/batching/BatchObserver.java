package io.hpl.server.serving.batching;

/** What {@link DynamicBatcher} reports about the runs it makes (metrics; tests). */
public interface BatchObserver {
    /** One ONNX Runtime run of {@code calls} callers' {@code rows} rows. */
    void ran(int calls, int rows);

    /** A call waited {@code nanos} in the queue before its batch started. */
    void waited(long nanos);

    BatchObserver NONE = new BatchObserver() {
        @Override
        public void ran(int calls, int rows) {
        }

        @Override
        public void waited(long nanos) {
        }
    };
}
