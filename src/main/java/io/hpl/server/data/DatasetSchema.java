package io.hpl.server.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;

/**
 * What the inputs of a dataset mean: the target, the features in file order, and the columns
 * that are neither; or, for an image dataset, the declared image shape (then {@code features} is
 * empty and {@code image} is set). A model keeps the schema of the data it was trained on, and
 * every row it scores later is encoded with that schema.
 */
public record DatasetSchema(String targetColumn, List<Column> features, List<String> ignoredColumns, ImageInput image) {
    public DatasetSchema {
        features = List.copyOf(features);
        ignoredColumns = List.copyOf(ignoredColumns);
        if (image != null && !features.isEmpty()) {
            throw new IllegalArgumentException("an image schema has no feature columns");
        }
    }

    /** A tabular schema. */
    public DatasetSchema(String targetColumn, List<Column> features, List<String> ignoredColumns) {
        this(targetColumn, features, ignoredColumns, null);
    }

    /** An image schema: each row is one image of {@code image}'s shape, CHW floats in [0, 1]. */
    public static DatasetSchema images(String targetColumn, ImageInput image) {
        return new DatasetSchema(targetColumn, List.of(), List.of(), image);
    }

    /**
     * Not a JSON property: Jackson would read this "is" getter as a boolean {@code image} that
     * clashes with the {@link #image} component, and model.json / dataset.json would not read back.
     */
    @JsonIgnore
    public boolean isImage() {
        return image != null;
    }

    /** Number of model inputs: one-hot encoded columns, or the image's values. */
    public int encodedWidth() {
        if (image != null) {
            return image.values();
        }
        return features.stream().mapToInt(Column::encodedWidth).sum();
    }

    /** True when some feature column had missing values, so encoded rows may hold NaN. */
    @JsonIgnore
    public boolean hasMissingValues() {
        return features.stream().anyMatch(Column::hasMissing);
    }

    /**
     * A name for each encoded input: the column name, or {@code column=category} for one-hot
     * inputs, then {@code column__missing} for a column's missing indicator; for images one name
     * for the whole tensor.
     */
    public List<String> encodedNames() {
        if (image != null) {
            return List.of("image[" + image + "]");
        }
        List<String> names = new ArrayList<>();
        for (Column c : features) {
            if (c.kind() == ColumnKind.NUMERIC) {
                names.add(c.name());
            } else {
                for (String category : c.categories()) {
                    names.add(c.name() + "=" + category);
                }
            }
            if (c.hasMissing()) {
                names.add(c.name() + Column.MISSING_SUFFIX);
            }
        }
        return names;
    }

    /**
     * True for each encoded input that is a 0/1 indicator, one-hot or missing (never for images):
     * those are not standardised.
     */
    public boolean[] oneHotMask() {
        boolean[] mask = new boolean[encodedWidth()];
        int i = 0;
        for (Column c : features) {
            for (int k = 0; k < c.valueWidth(); k++) {
                mask[i++] = c.kind() == ColumnKind.CATEGORICAL;
            }
            if (c.hasMissing()) {
                mask[i++] = true;
            }
        }
        return mask;
    }
}
