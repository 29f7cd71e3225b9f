package io.hpl.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server started with authentication on and no key makes one admin key, once, and keeps only its hash in the key file. */
class InitialAdminKeyTest {
    @TempDir
    Path store;

    @Test
    void theFirstStartMakesAnAdminKeyWhoseTokenOnlyTheOwnerCanRead() throws IOException {
        List<ApiKey> made = InitialAdminKey.createOrRead(store);
        Path tokenFile = store.resolve("auth/admin-token");
        String token = Files.readString(tokenFile).trim();
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertFalse(Files.readString(store.resolve("auth/keys")).contains(token), "the key file holds the hash only");

        ApiKeys keys = new ApiKeys(made);
        assertEquals(InitialAdminKey.NAME, keys.match(token).orElseThrow().name());
        assertEquals(Role.ADMIN, keys.match(token).orElseThrow().role());
        assertTrue(keys.match(token + "x").isEmpty());
    }

    @Test
    void laterStartsReadTheSameKey() throws IOException {
        InitialAdminKey.createOrRead(store);
        String token = Files.readString(store.resolve("auth/admin-token")).trim();
        List<ApiKey> again = InitialAdminKey.createOrRead(store);
        assertEquals(token, Files.readString(store.resolve("auth/admin-token")).trim(), "no new token");
        assertTrue(new ApiKeys(again).match(token).isPresent());
    }
}
