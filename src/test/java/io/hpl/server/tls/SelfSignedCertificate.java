package io.hpl.server.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away self-signed certificate for localhost / 127.0.0.1, made by the JDK's keytool in a
 * temp directory: a PKCS12 key store, and the certificate and its private key as PEM files (what a
 * Kubernetes TLS Secret holds: tls.crt, tls.key). Nothing here is committed; each test JVM makes its own.
 */
public record SelfSignedCertificate(Path keyStore, String password, Path certificatePem, Path privateKeyPem) {

    public static SelfSignedCertificate create() {
        try {
            Path dir = Files.createTempDirectory("hpl-tls-test");
            Path keyStore = dir.resolve("server.p12");
            Path pem = dir.resolve("server.crt");
            String password = "test-only-" + Long.toHexString(System.nanoTime());
            keytool("-genkeypair", "-alias", "hpl", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "hpl", "-keystore", keyStore.toString(), "-storepass", password,
                    "-file", pem.toString());
            Path key = dir.resolve("server.key");
            writePrivateKeyPem(keyStore, password, key);
            keyStore.toFile().deleteOnExit();
            pem.toFile().deleteOnExit();
            key.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return new SelfSignedCertificate(keyStore, password, pem, key);
        } catch (IOException e) {
            throw new IllegalStateException("could not make a test certificate: " + e.getMessage(), e);
        }
    }

    /** keytool does not write private keys: PKCS#8 from the key store, base64 in PEM armour. */
    private static void writePrivateKeyPem(Path keyStore, String password, Path into) throws IOException {
        try (var in = Files.newInputStream(keyStore)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            byte[] pkcs8 = store.getKey("hpl", password.toCharArray()).getEncoded();
            Files.writeString(into, "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("could not read the test key back: " + e.getMessage(), e);
        }
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + new String(process.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for keytool", e);
        }
    }
}
