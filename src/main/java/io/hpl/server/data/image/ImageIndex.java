package io.hpl.server.data.image;

import io.hpl.server.data.CellValue;
import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.FeatureEncoder;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The index CSV of an image archive: header {@code file,<target>} (other columns only when listed
 * in ignore_columns, so a misspelt target is caught), then one row per image. An empty target
 * cell makes the image unlabelled; a target is read by {@link FeatureEncoder#readTarget}, the same
 * rule as for CSV datasets. Errors name the index file and line.
 */
final class ImageIndex {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).setTrim(true).get();
    private static final char BOM = '\uFEFF';

    /** One listed image: its path inside the archive, its target (NaN = unlabelled), and where it is listed. */
    record Entry(String member, String file, double target, String label) {
    }

    private ImageIndex() {
    }

    static List<Entry> parse(byte[] csv, ImageArchiveOptions options, DatasetSchema schema) {
        String name = options.indexFile();
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try (CSVParser parser = CSVParser.builder()
                .setReader(new InputStreamReader(new ByteArrayInputStream(csv), decoder)).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            if (!hasNext(name, parser, records)) {
                throw HplException.invalid(name + ": the index is empty; its first line must be the header "
                        + ImageArchiveOptions.FILE_COLUMN + "," + options.targetColumn());
            }
            Map<String, Integer> columns = header(name, records.next().toList(), options);
            FeatureEncoder targets = new FeatureEncoder(schema);
            List<Entry> entries = new ArrayList<>();
            Map<String, String> seen = new HashMap<>();
            while (true) {
                long line = parser.getCurrentLineNumber() + 1;
                if (!hasNext(name, parser, records)) {
                    break;
                }
                CSVRecord record = records.next();
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue; // a blank line
                }
                String where = name + " line " + line;
                if (record.size() != columns.size()) {
                    throw HplException.invalid(where + ": expected " + columns.size() + " cells (one per header column) but got "
                            + record.size());
                }
                String file = record.get(columns.get(ImageArchiveOptions.FILE_COLUMN));
                if (file.isEmpty()) {
                    throw HplException.invalid(where + ": the " + ImageArchiveOptions.FILE_COLUMN + " cell is empty");
                }
                String member = options.indexFolder() + ImageArchive.normalise(file);
                String earlier = seen.putIfAbsent(member, where);
                if (earlier != null) {
                    throw HplException.invalid(where + ": file " + EchoedInput.quote(file) + " is listed twice (also on " + earlier + ")");
                }
                String label = "file " + EchoedInput.quote(file) + " (" + where + ")";
                double target = targets.readTarget(label, column -> CellValue.text(record.get(columns.get(column))));
                entries.add(new Entry(member, file, target, label));
            }
            if (entries.isEmpty()) {
                throw HplException.invalid(name + ": the index lists no images; add one row per image after the header");
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a byte array does not fail
        }
    }

    /** Column name → position, after checking the header holds exactly the columns an image index may have. */
    private static Map<String, Integer> header(String name, List<String> cells, ImageArchiveOptions options) {
        List<String> names = new ArrayList<>(cells);
        if (!names.isEmpty() && !names.get(0).isEmpty() && names.get(0).charAt(0) == BOM) {
            names.set(0, names.get(0).substring(1).strip());
        }
        String where = name + " line 1 (header)";
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String column = names.get(i);
            boolean known = column.equals(ImageArchiveOptions.FILE_COLUMN) || column.equals(options.targetColumn())
                    || options.ignoreColumns().contains(column);
            if (!known) {
                throw HplException.invalid(where + ": unexpected column " + EchoedInput.quote(column) + "; an image index has the columns "
                        + ImageArchiveOptions.FILE_COLUMN + " and " + options.targetColumn()
                        + " (the target_column); list other columns in ignore_columns");
            }
            if (index.putIfAbsent(column, i) != null) {
                throw HplException.invalid(where + ": column name " + EchoedInput.quote(column) + " appears twice");
            }
        }
        for (String required : List.of(ImageArchiveOptions.FILE_COLUMN, options.targetColumn())) {
            if (!index.containsKey(required)) {
                throw HplException.invalid(where + ": column " + EchoedInput.quote(required) + " is missing; the header must be "
                        + ImageArchiveOptions.FILE_COLUMN + "," + options.targetColumn() + " (got " + String.join(",", names) + ")");
            }
        }
        for (String ignored : options.ignoreColumns()) {
            if (!index.containsKey(ignored)) {
                throw HplException.invalid(where + ": ignore column (ignore_columns) " + EchoedInput.quote(ignored) + " is not in the header");
            }
        }
        return index;
    }

    private static boolean hasNext(String name, CSVParser parser, Iterator<CSVRecord> records) {
        long line = parser.getCurrentLineNumber() + 1;
        try {
            return records.hasNext();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw HplException.invalid(name + " line " + line + ": the index is not valid UTF-8 text");
            }
            throw HplException.invalid(name + " line " + line + ": malformed CSV: " + e.getCause().getMessage());
        }
    }
}
