package io.hpl.server.training;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import io.hpl.server.training.auto.AutoMethod;
import io.hpl.server.training.method.HplJointMethod;
import io.hpl.server.training.method.HplMethod;
import io.hpl.server.training.method.MeanTeacherMethod;
import io.hpl.server.training.method.PseudoLabelMethod;
import io.hpl.server.training.method.SupervisedMethod;
import io.hpl.server.training.trees.GbdtMethod;
import io.hpl.server.training.trees.HplGbdtMethod;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The training methods this server offers, by name. */
public final class MethodRegistry {
    private final Map<MethodName, TrainingMethod> methods = new EnumMap<>(MethodName.class);

    public MethodRegistry(List<TrainingMethod> available) {
        available.forEach(m -> methods.put(m.name(), m));
    }

    /** The given methods and AUTO, which trains candidates through them. */
    private static MethodRegistry withAuto(List<TrainingMethod> available) {
        MethodRegistry registry = new MethodRegistry(available);
        registry.methods.put(MethodName.AUTO, new AutoMethod(registry::get));
        return registry;
    }

    public static MethodRegistry standard() {
        return withAuto(List.of(new SupervisedMethod(), new PseudoLabelMethod(), new HplMethod(),
                new HplJointMethod(), new MeanTeacherMethod(), new GbdtMethod(), new HplGbdtMethod()));
    }

    public Optional<TrainingMethod> find(MethodName name) {
        return Optional.ofNullable(methods.get(name));
    }

    public TrainingMethod get(MethodName name) {
        return find(name).orElseThrow(() -> new HplException(ErrorKind.UNIMPLEMENTED, "method " + name
                + " is not available on this server; available: " + methods.keySet()));
    }

    public Collection<TrainingMethod> all() {
        return methods.values();
    }

    /**
     * The method used when a request names none: AUTO for a table (it tries trees, their
     * semi-supervised variant and an MLP, and serves what wins on held-out rows); for images the best
     * semi-supervised method when there are unlabelled rows, else supervised training.
     */
    public MethodName defaultFor(boolean image, long unlabelledRows) {
        if (!image && methods.containsKey(MethodName.AUTO)) {
            return MethodName.AUTO;
        }
        if (unlabelledRows > 0 && methods.containsKey(MethodName.HPL)) {
            return MethodName.HPL;
        }
        return MethodName.SUPERVISED;
    }
}
