package io.hpl.server.data.image;

import io.hpl.server.data.DatasetSchema;
import io.hpl.server.data.Table;
import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads an image archive into a {@link Table}: one row per image listed in the index, CHW floats
 * in [0, 1], NaN targets for unlabelled images. Every listed image is decoded, so a dataset that
 * reads without error is whole. Archive members the index does not list are ignored (archives
 * often carry READMEs, {@code __MACOSX/} folders or thumbnails).
 *
 * <p>Two passes over the archive: the first finds the index and every member's name, so a
 * missing or duplicated file is reported before any decoding; the second decodes the listed
 * images in archive order. Memory is bounded by {@link ImageLimits} before decoding starts.
 */
public final class ImageArchiveReader {
    /** How many CSV members a missing-index error lists. */
    private static final int CSV_FILES_SHOWN = 5;

    private final ImageLimits limits;

    public ImageArchiveReader(ImageLimits limits) {
        this.limits = limits;
    }

    public Table read(Path archiveFile, ImageArchiveOptions options) {
        ImageArchive archive = ImageArchive.open(archiveFile, limits.maxFileBytes());
        DatasetSchema schema = DatasetSchema.images(options.targetColumn(), options.input());
        Map<String, Integer> memberCounts = new HashMap<>();
        List<byte[]> index = new ArrayList<>();
        archive.forEachMember((name, content) -> {
            String member = ImageArchive.normalise(name);
            memberCounts.merge(member, 1, Integer::sum);
            if (member.equals(options.indexFile())) {
                index.add(archive.readMember(member, content));
            }
        });
        if (memberCounts.isEmpty()) {
            throw HplException.invalid("the archive is empty: it should hold the index " + options.indexFile() + " and the images");
        }
        if (index.isEmpty()) {
            throw HplException.invalid("the index file " + EchoedInput.quote(options.indexFile()) + " is not in the archive (CSV files in it: "
                    + csvMembers(memberCounts) + "); name it with image.index_file");
        }
        if (index.size() > 1) {
            throw HplException.invalid("the index file " + EchoedInput.quote(options.indexFile()) + " appears " + index.size() + " times in the archive");
        }
        List<ImageIndex.Entry> entries = ImageIndex.parse(index.get(0), options, schema);
        checkLimits(entries.size(), options);
        Map<String, Integer> rowOf = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            ImageIndex.Entry entry = entries.get(i);
            int count = memberCounts.getOrDefault(entry.member(), 0);
            if (count == 0) {
                throw HplException.invalid(entry.label() + ": " + EchoedInput.quote(entry.member()) + " is not in the archive");
            }
            if (count > 1) {
                throw HplException.invalid(entry.label() + ": the archive holds " + count + " members named '" + entry.member()
                        + "'; names must be unique");
            }
            rowOf.put(entry.member(), i);
        }

        ImageDecoder decoder = new ImageDecoder(options.input(), options.resize(), limits);
        float[][] x = new float[entries.size()][];
        archive.forEachMember((name, content) -> {
            Integer row = rowOf.get(ImageArchive.normalise(name));
            if (row != null) {
                ImageIndex.Entry entry = entries.get(row);
                x[row] = decoder.decode(entry.label(), archive.readMember(entry.file(), content));
            }
        });
        double[] y = entries.stream().mapToDouble(ImageIndex.Entry::target).toArray();
        Table table = new Table(schema, x, y);
        if (table.labelledRows() == 0) {
            throw HplException.precondition("no labelled images: the target column " + EchoedInput.quote(options.targetColumn()) + " of "
                    + options.indexFile() + " is empty in all " + y.length + " rows; at least one image needs a target value");
        }
        return table;
    }

    private void checkLimits(int images, ImageArchiveOptions options) {
        if (images > limits.maxImages()) {
            throw HplException.exhausted(options.indexFile() + " lists " + images + " images; the limit is " + limits.maxImages()
                    + " (hpl.images.max-images)");
        }
        long values = (long) images * options.input().values();
        if (values > limits.maxValues()) {
            throw HplException.exhausted(images + " images of " + options.input() + " are " + values
                    + " values, over the limit of " + limits.maxValues() + " (hpl.images.max-values)");
        }
    }

    private static String csvMembers(Map<String, Integer> members) {
        List<String> csv = members.keySet().stream().filter(n -> n.toLowerCase().endsWith(".csv")).sorted().toList();
        if (csv.isEmpty()) {
            return "none";
        }
        String shown = csv.stream().limit(CSV_FILES_SHOWN).collect(Collectors.joining(", "));
        return csv.size() > CSV_FILES_SHOWN ? shown + " and " + (csv.size() - CSV_FILES_SHOWN) + " more" : shown;
    }
}
