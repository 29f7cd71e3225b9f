package io.hpl.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against {@link ServerConfig}: the settings and their defaults are read from the
 * interface's {@code @WithDefault} annotations by reflection, the doc's from its table rows
 * ({@code | `hpl.key` | `HPL_KEY` | `default` … | meaning |}). Either side changing alone fails here.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("docs", "configuration.md");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(hpl\\.[^`]+)`\\s*\\|\\s*`([^`]*)`\\s*\\|\\s*`([^`]*)`.*");

    record DocRow(String env, String defaultValue) { }

    @Test
    void everySettingIsDocumentedWithItsDefault() throws IOException {
        Map<String, String> code = settings();
        Map<String, DocRow> doc = documented();
        List<String> problems = new ArrayList<>();
        code.forEach((key, value) -> {
            DocRow row = doc.get(key);
            if (row == null) {
                problems.add(key + " (default " + value + ") is missing from " + DOC);
            } else if (!row.defaultValue().equals(value)) {
                problems.add(key + ": " + DOC + " gives default '" + row.defaultValue() + "', ServerConfig '" + value + "'");
            }
        });
        doc.forEach((key, row) -> {
            if (!code.containsKey(key)) {
                problems.add(DOC + " names " + key + ", which ServerConfig does not have");
            }
            String env = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            if (!row.env().equals(env)) {
                problems.add(key + ": " + DOC + " gives environment variable " + row.env() + ", it is " + env);
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void readsEveryGroupOfServerConfig() {
        // Guards the reflection itself: a reader that found nothing would make the test above pass vacuously.
        Map<String, String> code = settings();
        assertEquals("hpl-data", code.get("hpl.store.dir"));
        assertEquals("33554432", code.get("hpl.images.max-pixels-in-flight"));
        long groups = code.keySet().stream().map(k -> k.split("\\.")[1]).distinct().count();
        assertEquals(ServerConfig.class.getDeclaredMethods().length, groups, code.keySet().toString());
    }

    /** Every leaf of ServerConfig, by its property name, with its default (settings without one map to "(none)", as the doc writes them). */
    static Map<String, String> settings() {
        Map<String, String> out = new TreeMap<>();
        collect("hpl", ServerConfig.class, out);
        return out;
    }

    private static void collect(String prefix, Class<?> type, Map<String, String> out) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.isSynthetic() || m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String key = prefix + "." + propertyName(m);
            if (m.getReturnType().isInterface() && declaredIn(m.getReturnType(), ServerConfig.class)) {
                collect(key, m.getReturnType(), out);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.put(key, d == null ? "(none)" : d.value());
            }
        }
    }

    /** A group of ServerConfig at any depth (hpl.serving.batching is a group inside hpl.serving). */
    private static boolean declaredIn(Class<?> type, Class<?> outer) {
        for (Class<?> c = type.getEnclosingClass(); c != null; c = c.getEnclosingClass()) {
            if (c == outer) {
                return true;
            }
        }
        return false;
    }

    /** SmallRye's naming: {@code @WithName} if present, else the method name in kebab case. */
    private static String propertyName(Method m) {
        WithName name = m.getAnnotation(WithName.class);
        return name != null ? name.value() : m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Map<String, DocRow> documented() throws IOException {
        Map<String, DocRow> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                DocRow previous = rows.put(m.group(1), new DocRow(m.group(2), m.group(3)));
                assertTrue(previous == null, m.group(1) + " has two rows in " + DOC);
            }
        }
        return rows;
    }
}
