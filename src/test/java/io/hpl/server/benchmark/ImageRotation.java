package io.hpl.server.benchmark;

/**
 * Rotation of a grey image about its centre, bilinear, black outside the source. Positive degrees
 * turn the picture counter-clockwise as displayed (row 0 at the top): at +90° what was at the right
 * edge ends at the top. The canvas keeps its size, so corners of the source are cut off and the
 * output's corners stay black.
 */
final class ImageRotation {
    private ImageRotation() {
    }

    /**
     * @param image row-major values of one height × width image
     * @return the rotated image, same layout
     */
    static float[] rotate(float[] image, int height, int width, double degrees) {
        double theta = Math.toRadians(degrees);
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double cy = (height - 1) / 2.0;
        double cx = (width - 1) / 2.0;
        float[] out = new float[height * width];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                // Inverse mapping: rotate the output pixel by −θ to find where it comes from. In
                // coordinates with y up (dy = cy − r), a rotation by −θ is (x cos + y sin, −x sin + y cos).
                double dx = c - cx;
                double dy = cy - r;
                double sx = dx * cos + dy * sin;
                double sy = -dx * sin + dy * cos;
                out[r * width + c] = (float) bilinear(image, height, width, cy - sy, cx + sx);
            }
        }
        return out;
    }

    private static double bilinear(float[] image, int height, int width, double row, double col) {
        int r0 = (int) Math.floor(row);
        int c0 = (int) Math.floor(col);
        double fr = row - r0;
        double fc = col - c0;
        return (1 - fr) * ((1 - fc) * at(image, height, width, r0, c0) + fc * at(image, height, width, r0, c0 + 1))
                + fr * ((1 - fc) * at(image, height, width, r0 + 1, c0) + fc * at(image, height, width, r0 + 1, c0 + 1));
    }

    private static double at(float[] image, int height, int width, int r, int c) {
        return r < 0 || c < 0 || r >= height || c >= width ? 0 : image[r * width + c];
    }
}
