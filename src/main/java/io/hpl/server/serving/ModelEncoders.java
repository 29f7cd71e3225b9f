package io.hpl.server.serving;

import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.store.ModelRecord;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link FeatureEncoder} per model version in use. Building one indexes every category of every
 * column, work repeated on every Predict before. Keyed by the record instance: {@code ModelStore}
 * hands out the same instance while the version's model.json is unchanged, so a rewritten or
 * replaced version gets a new encoder. Encoders are immutable, so callers share them freely.
 */
final class ModelEncoders {
    /** More versions than any server serves at once; past it the map starts over rather than grow. */
    private static final int MAX_ENTRIES = 1024;

    private final Map<ModelRecord, FeatureEncoder> encoders = new IdentityHashMap<>();

    synchronized FeatureEncoder of(ModelRecord model) {
        FeatureEncoder encoder = encoders.get(model);
        if (encoder == null) {
            if (encoders.size() >= MAX_ENTRIES) {
                encoders.clear();
            }
            encoder = new FeatureEncoder(model.schema());
            encoders.put(model, encoder);
        }
        return encoder;
    }
}
