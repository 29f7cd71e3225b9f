package io.hpl.server.serving.batching;

/** What {@link DynamicBatcher} reports about the runs it makes (metrics; tests). */
public interface BatchObserver {
    /** One ONNX Runtime run of {@code calls} (2 or more) callers' {@code rows} rows. */
    void ran(int calls, int rows);

    /** A call scored in a run of its own (the server was idle, or it could not wait): called often, keep it cheap. */
    void alone();

    /** A call that queued waited {@code nanos} before its batch started. */
    void waited(long nanos);

    BatchObserver NONE = new BatchObserver() {
        @Override
        public void ran(int calls, int rows) {
        }

        @Override
        public void alone() {
        }

        @Override
        public void waited(long nanos) {
        }
    };
}
