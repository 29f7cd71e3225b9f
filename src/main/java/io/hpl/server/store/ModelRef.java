package io.hpl.server.store;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;

/**
 * What a request names: a model and either a version (0: the default alias's version, else the latest)
 * or an alias. {@link ModelStore#resolve} turns it into one concrete version; every path that serves a
 * model (Predict, Evaluate, GetModel, and any other protocol) goes through that one method.
 *
 * <p>{@code name@alias} in the model name is the same as the alias field: model names cannot hold
 * '@' (see {@link ModelStore#validateName}), so the split is never ambiguous.
 */
public record ModelRef(String name, int version, String alias) {

    /** Parses {@code modelName} ("house" or "house@production") with the request's version and alias fields. */
    public static ModelRef of(String modelName, int version, String alias) {
        String name = modelName == null ? "" : modelName;
        String fromName = "";
        int at = name.indexOf('@');
        if (at >= 0) {
            fromName = name.substring(at + 1);
            name = name.substring(0, at);
        }
        String field = alias == null ? "" : alias;
        if (!fromName.isEmpty() && !field.isEmpty() && !fromName.equals(field)) {
            throw HplException.invalid("model_name " + EchoedInput.quote(modelName) + " names alias " + EchoedInput.quote(fromName)
                    + " but the alias field says " + EchoedInput.quote(field) + ": give one of them");
        }
        if (at >= 0 && fromName.isEmpty()) {
            throw HplException.invalid("model_name " + EchoedInput.quote(modelName) + " ends with '@': name an alias after it, or drop the '@'");
        }
        String chosen = fromName.isEmpty() ? field : fromName;
        ModelStore.validateName(name);
        if (!chosen.isEmpty()) {
            ModelAliases.validateAlias(chosen);
            if (version != 0) {
                throw HplException.invalid("set either version (" + version + ") or alias (" + EchoedInput.quote(chosen)
                        + "), not both");
            }
        } else if (version < 0) {
            throw HplException.invalid("version must be 0 (the default alias's version, else the latest) or positive, got " + version);
        }
        return new ModelRef(name, version, chosen);
    }

    /** A model name (which may be {@code name@alias}) and a version, as older request fields give them. */
    public static ModelRef of(String modelName, int version) {
        return of(modelName, version, "");
    }

    public boolean hasAlias() {
        return !alias.isEmpty();
    }

    @Override
    public String toString() {
        return hasAlias() ? name + "@" + alias : version == 0 ? name : name + " version " + version;
    }
}
