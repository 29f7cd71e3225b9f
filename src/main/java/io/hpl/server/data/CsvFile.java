package io.hpl.server.data;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.Cancellation;
import io.hpl.server.errors.HplException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One streaming pass over a CSV file: the header, then each row. It owns the file-level rules
 * (RFC 4180 syntax, UTF-8, a valid header, one cell per header column) and the line numbers that
 * error messages use, so every pass of the reader reports the same way. Rows are never held
 * together in memory. Every cell, header names included, is held to the cell length limit
 * ({@link TableLimits#checkCell}) before anyone parses it.
 */
final class CsvFile implements AutoCloseable {
    /**
     * RFC 4180 with cells trimmed. Blank lines (e.g. a trailing one) are skipped by
     * {@link #forEachRow}, not by the parser: a parser that skips them silently would shift the
     * line numbers of the rows after them.
     */
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            .setIgnoreEmptyLines(false)
            .setTrim(true)
            .get();
    private static final int BUFFER_CHARS = 1 << 16;
    private static final char BOM = '\uFEFF';

    /** Receives one data row. */
    @FunctionalInterface
    interface RowVisitor {
        void row(Row row);
    }

    /** One data row, its cells looked up by column name. */
    final class Row {
        private final String label;
        private final CSVRecord record;

        private Row(String label, CSVRecord record) {
            this.label = label;
            this.record = record;
        }

        /** "line N", N the 1-based line the row starts on, for error messages. */
        String label() {
            return label;
        }

        /** The trimmed text of a column's cell, or null for a name not in the header. */
        String text(String column) {
            Integer i = columnIndex.get(column);
            return i == null ? null : record.get(i);
        }

        /** The cell of a column; {@link CellValue#MISSING} for a name not in the header. */
        CellValue cell(String column) {
            return CellValue.text(text(column));
        }
    }

    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final List<String> header;
    private final Map<String, Integer> columnIndex;
    private final TableLimits limits;

    private CsvFile(CSVParser parser, TableLimits limits) {
        this.parser = parser;
        this.limits = limits;
        this.records = parser.iterator();
        long line = nextLine();
        if (!hasNext(line)) {
            throw HplException.invalid("the CSV file is empty: the first line must be a header naming the columns");
        }
        List<String> names = new ArrayList<>(records.next().toList());
        for (int i = 0; i < names.size(); i++) {
            limits.checkCell(headerLabel(), Integer.toString(i + 1), names.get(i));
        }
        if (!names.isEmpty() && !names.get(0).isEmpty() && names.get(0).charAt(0) == BOM) {
            names.set(0, names.get(0).substring(1).strip());
        }
        this.header = Collections.unmodifiableList(names);
        this.columnIndex = indexHeader(names);
    }

    /** Opens {@code csv} and reads its header, holding every cell to {@code limits}. */
    static CsvFile open(Path csv, TableLimits limits) {
        try {
            var reader = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(csv), StandardCharsets.UTF_8.newDecoder()), BUFFER_CHARS);
            try {
                return new CsvFile(CSVParser.builder().setReader(reader).setFormat(FORMAT).get(), limits);
            } catch (RuntimeException e) {
                reader.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
    }

    private static Map<String, Integer> indexHeader(List<String> names) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.isEmpty()) {
                throw HplException.invalid(headerLabel() + ": column " + (i + 1) + " has no name");
            }
            Integer earlier = index.putIfAbsent(name, i);
            if (earlier != null) {
                throw HplException.invalid(headerLabel() + ": column name " + EchoedInput.quote(name) + " appears twice (columns "
                        + (earlier + 1) + " and " + (i + 1) + ")");
            }
        }
        return index;
    }

    /** How error messages refer to the header line. */
    static String headerLabel() {
        return "line 1 (header)";
    }

    /** Column names in file order. */
    List<String> header() {
        return header;
    }

    boolean hasColumn(String name) {
        return columnIndex.containsKey(name);
    }

    /** Rows between two looks at the caller's context (an upload's client or an Evaluate's). */
    static final int CHECK_EVERY_ROWS = 4096;

    private long rowsRead;

    /**
     * Visits every data row in file order.
     *
     * @return the number of rows visited
     */
    long forEachRow(RowVisitor visitor) {
        long rows = 0;
        for (Row row = nextRow(); row != null; row = nextRow()) {
            visitor.row(row);
            rows++;
        }
        return rows;
    }

    /**
     * The next data row in file order, or null at the end of the file: the pull form of
     * {@link #forEachRow}, for readers that take a file a chunk at a time. Same rules, same labels.
     */
    Row nextRow() {
        while (true) {
            long line = nextLine();
            if (!hasNext(line)) {
                return null;
            }
            CSVRecord record = records.next();
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue; // a blank line
            }
            String rowLabel = "line " + line;
            if (record.size() != header.size()) {
                throw HplException.invalid(rowLabel + ": expected " + header.size() + " cells (one per header column) but got "
                        + record.size());
            }
            for (int i = 0; i < record.size(); i++) {
                limits.checkCell(rowLabel, header.get(i), record.get(i));
            }
            rowsRead++;
            if (rowsRead % CHECK_EVERY_ROWS == 0) {
                Cancellation.checkpoint("reading the CSV (at " + rowLabel + ")");
            }
            return new Row(rowLabel, record);
        }
    }

    /** The line the next record starts on: the parser has consumed the previous record's line break. */
    private long nextLine() {
        return parser.getCurrentLineNumber() + 1;
    }

    /** Parses the next record (the iterator reads ahead), turning parse failures into errors that name the line. */
    private boolean hasNext(long line) {
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw HplException.invalid("line " + line + ": the file is not valid UTF-8 text");
            }
            throw new HplException(ErrorKind.INVALID_ARGUMENT, "line " + line + ": malformed CSV: " + e.getCause().getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
