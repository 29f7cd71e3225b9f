package io.hpl.server.store;

import io.hpl.server.data.DatasetOptions;
import io.hpl.server.data.image.ImageArchiveOptions;
import io.hpl.server.errors.HplException;
import java.util.List;
import java.util.TreeSet;

/**
 * The choices that come with an upload, before its bytes: a name for people, the target column,
 * and the columns to ignore or treat as categorical; for an image archive, how to read it
 * ({@code images}, null for CSV). Checked on construction, so an upload with a bad header is
 * refused before any bytes are stored.
 */
public record DatasetHeaderSpec(String name, String targetColumn, List<String> ignoreColumns, List<String> categoricalColumns,
        ImageArchiveOptions images) {
    /** Longest accepted name, in characters. */
    public static final int MAX_NAME_LENGTH = 200;

    public DatasetHeaderSpec {
        name = name == null ? "" : name;
        if (name.length() > MAX_NAME_LENGTH) {
            throw HplException.invalid("name is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        ignoreColumns = ignoreColumns == null ? List.of() : List.copyOf(ignoreColumns);
        categoricalColumns = categoricalColumns == null ? List.of() : List.copyOf(categoricalColumns);
        if (images == null) {
            DatasetOptions.infer(targetColumn, ignoreColumns, categoricalColumns); // the column rules live there
        } else {
            if (!categoricalColumns.isEmpty()) {
                throw HplException.invalid("categorical_columns: an image dataset has no feature columns");
            }
            targetColumn = images.targetColumn(); // the image rules (and defaults) live in ImageArchiveOptions
            ignoreColumns = images.ignoreColumns();
        }
    }

    /** A CSV upload. */
    public DatasetHeaderSpec(String name, String targetColumn, List<String> ignoreColumns, List<String> categoricalColumns) {
        this(name, targetColumn, ignoreColumns, categoricalColumns, null);
    }

    /** An image archive upload. */
    public static DatasetHeaderSpec images(String name, ImageArchiveOptions images) {
        return new DatasetHeaderSpec(name, images.targetColumn(), images.ignoreColumns(), List.of(), images);
    }

    public boolean isImageArchive() {
        return images != null;
    }

    /** How to read the uploaded file. */
    public DatasetOptions options() {
        return DatasetOptions.infer(targetColumn, ignoreColumns, categoricalColumns);
    }

    /**
     * The choices that change what a dataset means, in a canonical form (lists as sorted sets):
     * two uploads of the same bytes with the same choices are the same dataset, whatever their
     * names or list orders.
     */
    List<Object> canonicalChoices() {
        List<Object> tabular = List.of(targetColumn, List.copyOf(new TreeSet<>(ignoreColumns)),
                List.copyOf(new TreeSet<>(categoricalColumns)));
        if (images == null) {
            return tabular; // unchanged, so CSV datasets keep their ids
        }
        return List.of(tabular, List.of("image", images.input().channels(), images.input().height(), images.input().width(),
                images.resize(), images.indexFile()));
    }
}
