package io.hpl.server.training.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** What HPL's uncertainty learner g reads, and the one place its input is built. */
public enum UncertaintyInput {
    /**
     * The authors' choice: (p − ref, p) with p the strong-view prediction and ref the pseudo-label
     * (on the outer batch: p = f_θ'(x_o), ref = y_o, i.e. (r_o, p_o)).
     */
    VIEW,
    /** The standardised row itself: the weak view in training (outer batch: its weak view), the row when serving. */
    ROW;

    /** g's input [B, 2] or [B, d]; callers pass detached arrays (g never sends gradient into f_θ). */
    NDArray build(NDArray prediction, NDArray reference, NDArray row) {
        if (this == ROW) {
            return row;
        }
        return NDArrays.stack(new NDList(prediction.sub(reference), prediction), 1);
    }

    int width(int rowWidth) {
        return this == ROW ? rowWidth : 2;
    }
}
