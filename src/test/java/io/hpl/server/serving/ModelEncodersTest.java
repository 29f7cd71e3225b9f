package io.hpl.server.serving;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.evaluation.Metrics;
import io.hpl.server.model.RandomModels;
import io.hpl.server.model.TrainedModel;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.training.MethodName;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One encoder per record instance: reused while the record is the same, rebuilt for another. */
class ModelEncodersTest {
    private static ModelRecord record(TrainedModel model) {
        return new ModelRecord("m", 1, MethodName.SUPERVISED, Map.of(), 1, "ds-1", "abc", model.schema(),
                new Metrics(10, 0.1, 0.2, 0.9, 1.0, 0.9, Double.NaN), null, null, 0, "constant", 8, 0, 2, 1.5);
    }

    @Test
    void theSameRecordSharesItsEncoderAndAnotherRecordGetsItsOwn() {
        TrainedModel model = RandomModels.model(3);
        ModelRecord first = record(model);
        ModelEncoders encoders = new ModelEncoders();
        FeatureEncoder encoder = encoders.of(first);
        assertSame(encoder, encoders.of(first));
        assertNotSame(encoder, encoders.of(record(model)), "an equal but re-read record (model.json rewritten) is rebuilt");
    }
}
