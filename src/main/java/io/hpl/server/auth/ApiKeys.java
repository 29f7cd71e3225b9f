package io.hpl.server.auth;

import io.hpl.server.config.ServerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API keys ({@code hpl.auth.keys} and the lines of {@code hpl.auth.keys-file}), read
 * once at start: rotating a key is a restart. Only SHA-256 hashes are held, so a leaked configuration
 * or Secret does not leak a usable token; a presented token is hashed and compared with every key in
 * constant time ({@link MessageDigest#isEqual}), so timing does not tell how much of a hash matched.
 */
@ApplicationScoped
public class ApiKeys {
    private final List<ApiKey> keys;

    @Inject
    public ApiKeys(ServerConfig config) {
        this(loadOrMakeInitial(config));
    }

    /** The configured keys; with authentication on and none configured, the initial admin key ({@link InitialAdminKey}). */
    static List<ApiKey> loadOrMakeInitial(ServerConfig config) {
        List<ApiKey> configured = load(config.auth());
        return configured.isEmpty() && config.auth().enabled()
                ? InitialAdminKey.createOrRead(Path.of(config.store().dir())) : configured;
    }

    public ApiKeys(List<ApiKey> keys) {
        Set<String> names = new HashSet<>();
        for (ApiKey key : keys) {
            if (!names.add(key.name())) {
                throw new IllegalArgumentException("two API keys are named '" + key.name()
                        + "': each key needs its own name (it identifies the caller in the audit log)");
            }
        }
        this.keys = List.copyOf(keys);
    }

    /** The key whose hash is the token's SHA-256, if any. Looks at every key whatever matches. */
    public Optional<ApiKey> match(String token) {
        byte[] hash = sha256(token);
        ApiKey found = null;
        for (ApiKey key : keys) {
            if (MessageDigest.isEqual(hash, key.tokenSha256()) && found == null) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return keys.size();
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static List<ApiKey> load(ServerConfig.Auth auth) {
        List<ApiKey> out = new ArrayList<>();
        auth.keys().ifPresent(entries -> entries.stream().filter(e -> !e.isBlank()).map(ApiKey::parse).forEach(out::add));
        auth.keysFile().ifPresent(file -> out.addAll(readFile(Path.of(file))));
        return out;
    }

    /** One {@code name:role:sha256} per line; blank lines and lines starting with '#' are skipped. */
    static List<ApiKey> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read hpl.auth.keys-file " + file + ": " + e.getMessage(), e);
        }
        List<ApiKey> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(ApiKey.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
