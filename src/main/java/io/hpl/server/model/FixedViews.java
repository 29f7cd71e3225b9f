package io.hpl.server.model;

/**
 * K strong views of a standardised row x, fixed once when the model is made so that serving is
 * deterministic: view k = x ⊙ keep_k + offset_k. {@code keep} is 0 on the features swapped in
 * from a training row and 1 elsewhere; {@code offset} holds the swapped-in values plus the view's
 * noise. Both are row-major [count][width].
 */
public record FixedViews(int count, int width, float[] keep, float[] offset) {
    public FixedViews {
        if (count < 1 || keep.length != count * width || offset.length != count * width) {
            throw new IllegalArgumentException(count + " views of width " + width + " need " + count * width
                    + " keep and offset values, got " + keep.length + " and " + offset.length);
        }
    }
}
