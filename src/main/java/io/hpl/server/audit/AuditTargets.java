package io.hpl.server.audit;

import io.hpl.server.api.v1.CancelJobRequest;
import io.hpl.server.api.v1.DatasetInfo;
import io.hpl.server.api.v1.DeleteAliasRequest;
import io.hpl.server.api.v1.DeleteDatasetRequest;
import io.hpl.server.api.v1.DeleteModelRequest;
import io.hpl.server.api.v1.DeleteModelResponse;
import io.hpl.server.api.v1.JobInfo;
import io.hpl.server.api.v1.SetAliasRequest;
import io.hpl.server.api.v1.SetAliasResponse;
import io.hpl.server.api.v1.TrainEvent;
import io.hpl.server.api.v1.TrainRequest;
import io.hpl.server.errors.EchoedInput;
import java.util.Map;

/**
 * The ids a mutating call acts on, read from its request and its first reply: the dataset id an
 * upload got, the job a training request made, the model name and version a delete removed. Values
 * are shortened like any echoed input (a made-up id can be long).
 */
final class AuditTargets {
    private AuditTargets() {
    }

    static void fromRequest(Object message, Map<String, String> into) {
        if (message instanceof TrainRequest r) {
            put(into, "dataset_id", r.getDatasetId());
            put(into, "model_name", r.getModelName());
            put(into, "request_id", r.getRequestId());
        } else if (message instanceof CancelJobRequest r) {
            put(into, "job_id", r.getJobId());
        } else if (message instanceof DeleteModelRequest r) {
            put(into, "model_name", r.getName());
            into.put("version", Integer.toString(r.getVersion())); // 0 = every version: worth saying
        } else if (message instanceof DeleteDatasetRequest r) {
            put(into, "dataset_id", r.getId());
        } else if (message instanceof SetAliasRequest r) {
            put(into, "model_name", r.getModelName());
            put(into, "alias", r.getAlias());
            into.put("version", Integer.toString(r.getVersion()));
        } else if (message instanceof DeleteAliasRequest r) {
            put(into, "model_name", r.getModelName());
            put(into, "alias", r.getAlias());
        }
        // UploadDatasetRequest: the id exists only once the bytes are in; it comes from the reply.
    }

    static void fromReply(Object message, Map<String, String> into) {
        if (message instanceof DatasetInfo d) {
            put(into, "dataset_id", d.getId());
        } else if (message instanceof JobInfo j) {
            put(into, "job_id", j.getId());
        } else if (message instanceof TrainEvent e && e.hasAccepted()) {
            put(into, "job_id", e.getAccepted().getJobId());
        } else if (message instanceof DeleteModelResponse d) {
            into.put("versions_deleted", Integer.toString(d.getVersionsDeleted()));
        } else if (message instanceof SetAliasResponse a) {
            into.put("previous_version", Integer.toString(a.getPreviousVersion())); // what a rollback goes back to
        }
    }

    private static void put(Map<String, String> into, String key, String value) {
        if (value != null && !value.isEmpty()) {
            into.put(key, EchoedInput.shorten(value));
        }
    }
}
