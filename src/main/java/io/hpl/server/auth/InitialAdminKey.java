package io.hpl.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The key of a server started with authentication on and no key configured: made once, on the first
 * such start, as Grafana and Jenkins make an initial admin password, so that the one command that
 * runs the server gives a secured server. The token goes to {@code <store>/auth/admin-token}
 * (owner-only), only its SHA-256 to {@code <store>/auth/keys}; later starts read the same key. A
 * configured key (hpl.auth.keys, hpl.auth.keys-file) replaces it.
 */
final class InitialAdminKey {
    static final String NAME = "initial-admin";
    private static final Logger LOG = Logger.getLogger(InitialAdminKey.class);

    private InitialAdminKey() {
    }

    static List<ApiKey> createOrRead(Path storeDir) {
        Path dir = storeDir.resolve("auth");
        Path keys = dir.resolve("keys");
        Path tokenFile = dir.resolve("admin-token");
        if (Files.isRegularFile(keys)) {
            List<ApiKey> existing = ApiKeys.readFile(keys);
            LOG.warnf("no API key is configured: using the initial admin key '%s' (its token is in %s); configure"
                    + " hpl.auth.keys or hpl.auth.keys-file to replace it", NAME, tokenFile.toAbsolutePath());
            return existing;
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        String entry = NAME + ":" + Role.ADMIN.name().toLowerCase(java.util.Locale.ROOT) + ":"
                + HexFormat.of().formatHex(ApiKeys.sha256(token));
        try {
            Files.createDirectories(dir);
            writeOwnerOnly(tokenFile, token + "\n");
            writeOwnerOnly(keys, "# made at first start because no API key was configured; see docs/operations.md#security\n"
                    + entry + "\n"); // last: a start that died before it makes a new token next time
        } catch (IOException e) {
            throw new UncheckedIOException("no API key is configured and the initial admin key cannot be written under "
                    + dir + ": " + e.getMessage() + "; set hpl.auth.keys (docs/operations.md#security)", e);
        }
        LOG.warnf("no API key is configured: made the admin key '%s'; its token is in %s (send 'authorization: Bearer"
                + " <token>'). Configure hpl.auth.keys or hpl.auth.keys-file to replace it.", NAME, tokenFile.toAbsolutePath());
        return List.of(ApiKey.parse(entry));
    }

    /** Written aside, readable by the owner only, then renamed into place. */
    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp);
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): its default ACLs apply.
        }
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
