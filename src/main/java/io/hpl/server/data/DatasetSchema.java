package io.hpl.server.data;

import java.util.ArrayList;
import java.util.List;

/**
 * What the columns of a dataset mean: the target, the features in file order, and the columns
 * that are neither. A model keeps the schema of the data it was trained on, and every row it
 * scores later is encoded with that schema.
 */
public record DatasetSchema(String targetColumn, List<Column> features, List<String> ignoredColumns) {
    public DatasetSchema {
        features = List.copyOf(features);
        ignoredColumns = List.copyOf(ignoredColumns);
    }

    /** Number of model inputs once categoricals are one-hot encoded. */
    public int encodedWidth() {
        return features.stream().mapToInt(Column::encodedWidth).sum();
    }

    /** A name for each encoded input: the column name, or {@code column=category} for one-hot inputs. */
    public List<String> encodedNames() {
        List<String> names = new ArrayList<>();
        for (Column c : features) {
            if (c.kind() == ColumnKind.NUMERIC) {
                names.add(c.name());
            } else {
                for (String category : c.categories()) {
                    names.add(c.name() + "=" + category);
                }
            }
        }
        return names;
    }

    /** True for each encoded input that is a one-hot indicator. */
    public boolean[] oneHotMask() {
        boolean[] mask = new boolean[encodedWidth()];
        int i = 0;
        for (Column c : features) {
            for (int k = 0; k < c.encodedWidth(); k++) {
                mask[i++] = c.kind() == ColumnKind.CATEGORICAL;
            }
        }
        return mask;
    }
}
