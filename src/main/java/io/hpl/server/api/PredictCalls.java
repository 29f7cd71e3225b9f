package io.hpl.server.api;

import io.hpl.server.api.v1.Prediction;
import io.hpl.server.api.v1.PredictRequest;
import io.hpl.server.api.v1.PredictResponse;
import io.hpl.server.errors.HplException;
import io.hpl.server.model.IntervalRule;
import io.hpl.server.model.Predictions;
import io.hpl.server.serving.PredictionService;
import io.hpl.server.store.ModelRecord;
import io.hpl.server.store.ModelRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One PredictRequest answered, whichever of its four forms it uses: what Predict and PredictStream
 * share. Rows and images get a Prediction per row; the columns and x forms (the fast path) get
 * PredictResponse.packed, built without an object per row.
 */
public final class PredictCalls {
    /** The request forms; exactly one per request. */
    enum Form {
        ROWS, IMAGES, COLUMNS, X
    }

    private final PredictionService predictions;

    PredictCalls(PredictionService predictions) {
        this.predictions = predictions;
    }

    /** The form the request uses; INVALID_ARGUMENT when it sets more than one. Nothing set reads as (empty) rows. */
    static Form form(PredictRequest request) {
        List<String> set = new ArrayList<>(2);
        if (request.getRowsCount() > 0) {
            set.add("rows");
        }
        if (request.getImagesCount() > 0) {
            set.add("images");
        }
        if (request.hasColumns()) {
            set.add("columns");
        }
        if (request.hasX()) {
            set.add("x");
        }
        if (set.size() > 1) {
            throw HplException.invalid("set either rows, columns or x (table models) or images (image models), one form,"
                    + " not both: this request sets " + String.join(" and ", set));
        }
        return set.isEmpty() ? Form.ROWS : switch (set.get(0)) {
            case "images" -> Form.IMAGES;
            case "columns" -> Form.COLUMNS;
            case "x" -> Form.X;
            default -> Form.ROWS;
        };
    }

    /**
     * How many rows a table request carries, read without decoding it (-1 for images or a malformed
     * request): what decides whether it is small enough to score on the gRPC thread.
     */
    static int tableRows(PredictRequest request) {
        if (request.getImagesCount() > 0) {
            return -1;
        }
        if (request.hasX()) {
            int width = request.getX().getWidth();
            return width > 0 ? request.getX().getValuesCount() / width : -1;
        }
        if (request.hasColumns()) {
            if (request.getColumns().getColumnsCount() == 0) {
                return -1;
            }
            var first = request.getColumns().getColumns(0);
            return first.getFloatsCount() + first.getDoublesCount() + first.getTextsCount();
        }
        return request.getRowsCount();
    }

    /** The request's batch: its images, or its table rows as {@link #tableRows} reads them. */
    public static int batchRows(PredictRequest request) {
        return request.getImagesCount() > 0 ? request.getImagesCount() : tableRows(request);
    }

    /**
     * Scores the request. {@code warm}: the model already resolved (and loaded) by the caller, or
     * empty to resolve it here.
     */
    PredictResponse answer(PredictRequest request, Optional<ModelRecord> warm) {
        Form form = form(request);
        double level = ProtoMapper.intervalLevel(request);
        ModelRef ref = ModelRef.of(request.getModelName(), request.getVersion(), request.getAlias());
        PredictionService.Scored scored = switch (form) {
            case IMAGES -> predictions.predictImages(ref, ProtoMapper.images(request.getImagesList()),
                    request.getResizeImages());
            case ROWS -> warm.isPresent() ? predictions.predict(warm.get(), ProtoMapper.rows(request.getRowsList()))
                    : predictions.predict(ref, ProtoMapper.rows(request.getRowsList()));
            case COLUMNS -> warm.isPresent() ? predictions.predictColumns(warm.get(), ProtoMapper.columns(request.getColumns()))
                    : predictions.predictColumns(ref, ProtoMapper.columns(request.getColumns()));
            case X -> warm.isPresent() ? predictions.predictEncoded(warm.get(), ProtoMapper.encodedRows(request.getX()))
                    : predictions.predictEncoded(ref, ProtoMapper.encodedRows(request.getX()));
        };
        PredictResponse.Builder b = PredictResponse.newBuilder()
                .setModelName(scored.model().name()).setVersion(scored.model().version());
        Predictions p = scored.predictions();
        IntervalRule intervals = scored.model().intervals();
        if (form == Form.COLUMNS || form == Form.X) {
            return b.setPacked(ProtoMapper.packed(p, intervals, level)).build();
        }
        for (int i = 0; i < p.size(); i++) {
            double halfWidth = intervals.halfWidth(p.variance()[i], level);
            b.addPredictions(Prediction.newBuilder().setMean(p.mean()[i]).setVariance(p.variance()[i])
                    .setLower(p.mean()[i] - halfWidth).setUpper(p.mean()[i] + halfWidth));
        }
        return b.build();
    }
}
