package io.hpl.server.training;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A declared hyperparameter: its name, type, default, allowed range, meaning and the kinds of
 * dataset it applies to. Requests give values as text (JSON clients and grpcurl alike);
 * {@link #parse} checks one against the declaration and says what was expected.
 */
public record HyperParameter<T>(String name, String type, T defaultValue, String description, String allowed,
                                Function<String, T> parser, AppliesTo appliesTo) {

    /** The kinds of dataset a hyperparameter means something for; declared with it, checked in one place. */
    public enum AppliesTo {
        TABLES_AND_IMAGES,
        TABLES,
        IMAGES;

        public boolean includes(boolean imageDataset) {
            return this == TABLES_AND_IMAGES || (this == IMAGES) == imageDataset;
        }
    }

    HyperParameter(String name, String type, T defaultValue, String description, String allowed, Function<String, T> parser) {
        this(name, type, defaultValue, description, allowed, parser, AppliesTo.TABLES_AND_IMAGES);
    }

    /** This declaration, for table datasets only. */
    public HyperParameter<T> tablesOnly() {
        return new HyperParameter<>(name, type, defaultValue, description, allowed, parser, AppliesTo.TABLES);
    }

    /** This declaration, for image datasets only. */
    public HyperParameter<T> imagesOnly() {
        return new HyperParameter<>(name, type, defaultValue, description, allowed, parser, AppliesTo.IMAGES);
    }

    public T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (HplException e) {
            throw e;
        } catch (RuntimeException e) {
            throw HplException.invalid("hyperparameter " + EchoedInput.quote(name) + ": " + EchoedInput.quote(text) + " is not a valid " + type
                    + " (allowed: " + allowed + ")");
        }
    }

    public String format(Object value) {
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(v -> v instanceof Enum<?> e
                    ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(v)).toList());
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT); // the way requests spell it
        }
        return String.valueOf(value);
    }

    public static HyperParameter<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        String allowed = "[" + min + ", " + max + "]";
        return new HyperParameter<>(name, "int", defaultValue, description, allowed, text -> {
            int v = Integer.parseInt(text);
            checkRange(name, v, min, max, allowed, text);
            return v;
        });
    }

    public static HyperParameter<Double> real(String name, double defaultValue, double min, double max, String description) {
        String allowed = "[" + fmt(min) + ", " + fmt(max) + "]";
        return new HyperParameter<>(name, "double", defaultValue, description, allowed, text -> {
            double v = Double.parseDouble(text);
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            checkRange(name, v, min, max, allowed, text);
            return v;
        });
    }

    public static HyperParameter<List<Integer>> integerList(
            String name, List<Integer> defaultValue, int min, int max, String description) {
        String allowed = "comma-separated integers in [" + min + ", " + max + "], at least one";
        return new HyperParameter<>(name, "int_list", List.copyOf(defaultValue), description, allowed, text -> {
            List<Integer> values = new ArrayList<>();
            for (String part : text.split(",")) {
                int v = Integer.parseInt(part.trim());
                checkRange(name, v, min, max, allowed, text);
                values.add(v);
            }
            return List.copyOf(values);
        });
    }

    public static <E extends Enum<E>> HyperParameter<E> choice(String name, E defaultValue, String description) {
        Class<E> type = defaultValue.getDeclaringClass();
        String allowed = String.join("|", Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        return new HyperParameter<>(name, "enum", defaultValue, description, allowed, text -> {
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw HplException.invalid("hyperparameter " + EchoedInput.quote(name) + ": " + EchoedInput.quote(text) + " is not one of " + allowed);
            }
        });
    }

    /** A comma-separated list of enum constants, each at most once, at least one. */
    public static <E extends Enum<E>> HyperParameter<List<E>> choices(String name, List<E> defaultValue, String description) {
        Class<E> type = defaultValue.get(0).getDeclaringClass();
        String allowed = "comma-separated, at least one of " + String.join("|", Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        return new HyperParameter<>(name, "enum_list", List.copyOf(defaultValue), description, allowed, text -> {
            List<E> values = new ArrayList<>();
            for (String part : text.split(",")) {
                E value;
                try {
                    value = Enum.valueOf(type, part.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw HplException.invalid("hyperparameter " + EchoedInput.quote(name) + ": " + EchoedInput.quote(part.trim()) + " is not one of " + allowed);
                }
                if (values.contains(value)) {
                    throw HplException.invalid("hyperparameter " + EchoedInput.quote(name) + ": " + EchoedInput.quote(part.trim()) + " is listed twice");
                }
                values.add(value);
            }
            return List.copyOf(values);
        });
    }

    private static void checkRange(String name, double v, double min, double max, String allowed, String text) {
        if (v < min || v > max) {
            throw HplException.invalid("hyperparameter " + EchoedInput.quote(name) + ": " + text + " is outside " + allowed);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public String toString() {
        return name + ":" + type + "=" + format(defaultValue);
    }

    /** The default as text, the way ListMethods shows it. */
    public String defaultText() {
        return format(defaultValue);
    }

}
