package io.hpl.server.jobs;

import io.hpl.server.export.OnnxModelWriter;
import io.hpl.server.store.DatasetRecord;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelStore;
import io.hpl.server.training.HyperParameters;
import io.hpl.server.training.MethodName;
import io.hpl.server.training.TrainingOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Turns a finished run into a published model version: ONNX graph with provenance, plus metadata. */
final class ModelExport {
    private final OnnxModelWriter writer = new OnnxModelWriter();
    private final ModelStore models;

    ModelExport(ModelStore models) {
        this.models = models;
    }

    /** Publishes the run of job {@code jobId}; the version's metadata and ONNX provenance name the job. */
    ModelRecord publish(String jobId, TrainJobSpec spec, MethodName method, HyperParameters hp, DatasetRecord dataset,
                        TrainingOutcome outcome, double seconds) {
        Map<String, String> text = new TreeMap<>(hp.asText());
        ModelRecord draft = new ModelRecord(spec.modelName(), 0, method, text, spec.seed(), dataset.id(),
                dataset.sha256(), outcome.model().schema(), outcome.calibrationMetrics(), null, null, 0,
                outcome.model().variance().definition(), outcome.labelledRowsUsed(), outcome.unlabelledRowsUsed(),
                outcome.calibrationRows(), seconds, outcome.conformal(), outcome.uncertaintyNote(),
                outcome.selection(), jobId);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("hpl.model_name", spec.modelName());
        provenance.put("hpl.method", method.name());
        provenance.put("hpl.job_id", jobId);
        provenance.put("hpl.seed", Long.toString(spec.seed()));
        provenance.put("hpl.dataset_id", dataset.id());
        provenance.put("hpl.dataset_sha256", dataset.sha256());
        provenance.put("hpl.target", outcome.model().schema().targetColumn());
        provenance.put("hpl.inputs", String.join(",", outcome.model().schema().encodedNames()));
        provenance.put("hpl.variance_definition", outcome.model().variance().definition());
        provenance.put("hpl.uncertainty_note", draft.uncertaintyNote());
        text.forEach((k, v) -> provenance.put("hpl.hp." + k, v));
        return models.publish(draft, writer.write(outcome.model(), provenance), spec.promote());
    }
}
