package io.hpl.server.data.image;

import io.hpl.server.data.ImageInput;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How to read an image archive: the index CSV's name and target column, the index columns to
 * ignore, the declared image shape and whether other sizes are resized. Checked on construction,
 * so a bad header is refused before any bytes are stored.
 *
 * @param indexFile the index CSV's path inside the archive; the file names it lists are relative to its folder
 */
public record ImageArchiveOptions(String targetColumn, List<String> ignoreColumns, ImageInput input, boolean resize,
        String indexFile) {
    public static final String DEFAULT_TARGET = "target";
    public static final String DEFAULT_INDEX = "labels.csv";
    /** The index column that names each image. */
    public static final String FILE_COLUMN = "file";

    public ImageArchiveOptions {
        targetColumn = targetColumn == null || targetColumn.isBlank() ? DEFAULT_TARGET : targetColumn;
        indexFile = indexFile == null || indexFile.isBlank() ? DEFAULT_INDEX : ImageArchive.normalise(indexFile);
        if (targetColumn.equals(FILE_COLUMN)) {
            throw HplException.invalid("target_column: " + EchoedInput.quote(FILE_COLUMN) + " is the index column naming the images; choose another");
        }
        LinkedHashSet<String> ignored = new LinkedHashSet<>();
        for (String name : ignoreColumns == null ? List.<String>of() : ignoreColumns) {
            if (name == null || name.isBlank()) {
                throw HplException.invalid("ignore_columns contains an empty column name");
            }
            if (name.equals(targetColumn) || name.equals(FILE_COLUMN)) {
                throw HplException.invalid("ignore_columns: " + EchoedInput.quote(name) + " is needed by an image dataset and cannot be ignored");
            }
            ignored.add(name);
        }
        ignoreColumns = List.copyOf(ignored);
        if (input == null) {
            throw HplException.invalid("image: channels, height and width are required for an image archive");
        }
    }

    /** Options from a request's fields; the shape's own rules (1 or 3 channels, sides 1..1024) become INVALID_ARGUMENT. */
    public static ImageArchiveOptions of(String targetColumn, List<String> ignoreColumns, int channels, int height, int width,
            boolean resize, String indexFile) {
        return new ImageArchiveOptions(targetColumn, ignoreColumns, imageInput(channels, height, width), resize, indexFile);
    }

    /** A declared image shape, its errors as INVALID_ARGUMENT. */
    public static ImageInput imageInput(int channels, int height, int width) {
        try {
            return new ImageInput(channels, height, width);
        } catch (IllegalArgumentException e) {
            throw HplException.invalid("image: " + e.getMessage());
        }
    }

    /** The same options with another index file. */
    public ImageArchiveOptions withIndex(String index) {
        return new ImageArchiveOptions(targetColumn, ignoreColumns, input, resize, index);
    }

    /** The folder the index file lies in, with a trailing "/", or "" at the archive's root. */
    String indexFolder() {
        int slash = indexFile.lastIndexOf('/');
        return slash < 0 ? "" : indexFile.substring(0, slash + 1);
    }
}
