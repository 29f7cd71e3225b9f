package io.hpl.server.training;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The values of one training run: every declared hyperparameter, given or defaulted, validated. */
public final class HyperParameters {
    private final Map<String, Object> values;
    private final Map<String, String> text;

    private HyperParameters(Map<String, Object> values, Map<String, String> text) {
        this.values = values;
        this.text = text;
    }

    /** Checks the given values against the declarations; unknown names are an error, not ignored. */
    public static HyperParameters resolve(List<HyperParameter<?>> declared, Map<String, String> given) {
        Map<String, HyperParameter<?>> byName = new LinkedHashMap<>();
        declared.forEach(p -> byName.put(p.name(), p));
        for (String name : given.keySet()) {
            if (!byName.containsKey(name)) {
                throw HplException.invalid("unknown hyperparameter " + EchoedInput.quote(name) + "; this method accepts: "
                        + String.join(", ", new TreeSet<>(byName.keySet())));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> text = new LinkedHashMap<>();
        for (HyperParameter<?> p : declared) {
            String raw = given.get(p.name());
            Object value = raw == null || raw.isBlank() ? p.defaultValue() : p.parse(raw);
            values.put(p.name(), value);
            text.put(p.name(), p.format(value));
        }
        return new HyperParameters(values, text);
    }

    /** True when the method declares {@code parameter}, so {@link #get} has a value for it. */
    public boolean declares(HyperParameter<?> parameter) {
        return values.containsKey(parameter.name());
    }

    @SuppressWarnings("unchecked")
    public <T> T get(HyperParameter<T> parameter) {
        Object value = values.get(parameter.name());
        if (value == null) {
            throw new IllegalStateException("hyperparameter " + parameter.name() + " is not declared by this method");
        }
        return (T) value;
    }

    /** Every value as text, in declaration order: what ModelInfo records. */
    public Map<String, String> asText() {
        return Map.copyOf(text);
    }
}
