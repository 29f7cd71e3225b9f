package io.hpl.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decisions and key parsing without a server. */
class AuthenticatorTest {
    private final Authenticator on = new Authenticator(true, AuthInterceptorTest.testKeys());

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Authenticator.AUTHORIZATION, "Bearer " + token);
        return headers;
    }

    @Test
    void healthIsOpenAndReflectionNeedsAReader() {
        assertTrue(on.decide("grpc.health.v1.Health/Check", new Metadata()).allowed());
        assertTrue(on.decide("grpc.health.v1.Health/Watch", new Metadata()).allowed());
        String reflection = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
        assertEquals(Status.Code.UNAUTHENTICATED, on.decide(reflection, new Metadata()).refusal().getCode());
        assertTrue(on.decide(reflection, bearer(AuthInterceptorTest.READER_TOKEN)).allowed());
    }

    @Test
    void aMethodMissingFromTheTableNeedsAdmin() {
        String kserve = "inference.ModelRepositoryService/RepositoryIndex"; // Triton's repository extension: not served, not listed
        assertFalse(MethodRoles.declares(kserve));
        Authenticator.Decision reader = on.decide(kserve, bearer(AuthInterceptorTest.READER_TOKEN));
        assertEquals(Status.Code.PERMISSION_DENIED, reader.refusal().getCode());
        assertEquals("method " + kserve + " needs role admin; key 'dash' has role reader", reader.refusal().getDescription());
        assertTrue(on.decide(kserve, bearer(AuthInterceptorTest.ADMIN_TOKEN)).allowed());
    }

    @Test
    void theCallerIsTheKeysNameAndRole() {
        assertEquals(new Caller("ci", Role.ADMIN),
                on.decide("hpl.v1.RegressionService/Predict", bearer(AuthInterceptorTest.ADMIN_TOKEN)).caller());
        assertEquals(Caller.ANONYMOUS, new Authenticator(false, new ApiKeys(List.of()))
                .decide("hpl.v1.RegressionService/DeleteModel", new Metadata()).caller());
    }

    @Test
    void withAuthenticationOnAndNoKeyTheServerRefusesToStartSayingHowToAddOne() {
        Authenticator noKeys = new Authenticator(true, new ApiKeys(List.of()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> noKeys.refuseToStartWithoutKeys(null));
        assertTrue(e.getMessage().contains("hpl.auth.keys") && e.getMessage().contains("sha256sum")
                && e.getMessage().contains("hpl.auth.enabled=false"), e.getMessage());
        new Authenticator(false, new ApiKeys(List.of())).refuseToStartWithoutKeys(null); // off: starts
        on.refuseToStartWithoutKeys(null); // keys: starts
    }

    @Test
    void bearerTokensAreParsedStrictly() {
        assertEquals(Optional.of("abc"), Authenticator.bearerToken("Bearer abc"));
        assertEquals(Optional.of("abc"), Authenticator.bearerToken("BEARER  abc "));
        assertEquals(Optional.empty(), Authenticator.bearerToken("Bearer "));
        assertEquals(Optional.empty(), Authenticator.bearerToken("Basic abc"));
        assertEquals(Optional.empty(), Authenticator.bearerToken("abc"));
        assertEquals(Optional.empty(), Authenticator.bearerToken(null));
    }

    @Test
    void keysAreStoredHashedAndBadEntriesSayWhatIsWrong() {
        String hash = AuthInterceptorTest.hex("secret");
        // The documented recipe: printf %s secret | sha256sum
        assertEquals("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", hash);
        ApiKey key = ApiKey.parse(" ops : Admin : " + hash.toUpperCase());
        assertEquals("ops", key.name());
        assertEquals(Role.ADMIN, key.role());
        IllegalArgumentException token = assertThrows(IllegalArgumentException.class, () -> ApiKey.parse("ops:admin:secret"));
        assertTrue(token.getMessage().contains("SHA-256 of the token"), token.getMessage());
        IllegalArgumentException role = assertThrows(IllegalArgumentException.class, () -> ApiKey.parse("ops:root:" + hash));
        assertTrue(role.getMessage().contains("use reader or admin"), role.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApiKey.parse("ops:admin"));
        assertThrows(IllegalArgumentException.class, () -> new ApiKeys(List.of(key, ApiKey.parse("ops:reader:" + hash))));
    }

    @Test
    void aKeysFileHasOneKeyALineAndComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# rotated 2026-12-01\n\nci:admin:" + AuthInterceptorTest.hex("t1")
                + "\ndash:reader:" + AuthInterceptorTest.hex("t2") + "\n");
        ApiKeys keys = new ApiKeys(ApiKeys.readFile(file));
        assertEquals(2, keys.size());
        assertEquals("dash", keys.match("t2").orElseThrow().name());
        assertTrue(keys.match("t3").isEmpty());
        Files.writeString(file, "ci:admin:nothex\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.readFile(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
