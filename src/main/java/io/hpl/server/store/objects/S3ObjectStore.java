package io.hpl.server.store.objects;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO, …) under an optional key prefix, the keys being
 * those of the local layout. {@link #putIfAbsent} is a conditional PUT ({@code If-None-Match: *}),
 * which S3 settles atomically: of two concurrent creators exactly one succeeds, the other gets
 * 412 Precondition Failed (or 409 while the first is still in flight). Objects read as files are
 * downloaded once into a local cache folder ({@link DownloadCache}, bounded in size): only keys that
 * never change content are read that way.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {

    /** The S3 settings ({@code hpl.store.s3.*}). */
    public record Settings(String bucket, String prefix, Optional<String> endpoint, String region, boolean pathStyle) {
        public Settings {
            prefix = prefix == null ? "" : prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        }
    }

    private final S3Client s3;
    private final Settings settings;
    private final TempArea downloads;
    private final DownloadCache cache;

    /** How long a copy handed to a reader is kept even over the cache's limit: it opens it within this. */
    static final Duration CACHE_GRACE = Duration.ofMinutes(1);

    /**
     * A store with the SDK's default credentials chain (environment, web identity, profile, instance role).
     *
     * @param cacheMaxBytes most bytes of downloaded copies kept in {@code cacheDir} (hpl.store.s3.cache-max-bytes)
     */
    public S3ObjectStore(Settings settings, Path cacheDir, long cacheMaxBytes) {
        this(settings, cacheDir, cacheMaxBytes, DefaultCredentialsProvider.builder().build());
    }

    public S3ObjectStore(Settings settings, Path cacheDir, long cacheMaxBytes, AwsCredentialsProvider credentials) {
        this(settings, cacheDir, cacheMaxBytes, CACHE_GRACE, credentials);
    }

    /** As above with another grace for copies just handed out (tests: 0, so the limit applies at once). */
    S3ObjectStore(Settings settings, Path cacheDir, long cacheMaxBytes, Duration cacheGrace, AwsCredentialsProvider credentials) {
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new IllegalArgumentException("hpl.store.s3.bucket is required when hpl.store.backend=s3");
        }
        this.settings = settings;
        Path inProgress = cacheDir.resolve(".downloading");
        this.downloads = new TempArea(inProgress);
        this.cache = new DownloadCache(cacheDir, inProgress, cacheMaxBytes, cacheGrace, System::nanoTime);
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // Checksums only where S3 requires them: S3-compatible servers differ in the newer
                // trailing-checksum uploads, and plain PUTs are what every one of them takes.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        settings.endpoint().filter(e -> !e.isBlank()).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        this.s3 = builder.build();
    }

    @Override
    public void put(String key, byte[] content) {
        call("write", key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(full(key)), RequestBody.fromBytes(content)));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] content) {
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(full(key)).ifNoneMatch("*"), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false; // taken (409: another conditional write of this key is in flight)
            }
            throw failure("write", key, e);
        } catch (SdkException e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public boolean replaceIf(String key, String token, byte[] content) {
        if (token == null) {
            return putIfAbsent(key, content);
        }
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(full(key)).ifMatch(token), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409 || e.statusCode() == 404) {
                return false; // replaced, being replaced, or removed since the token was read
            }
            throw failure("write", key, e);
        } catch (SdkException e) {
            throw failure("write", key, e);
        }
    }

    @Override
    public void putFile(String key, Path file) {
        call("write", key, () -> s3.putObject(b -> b.bucket(settings.bucket()).key(full(key)), RequestBody.fromFile(file)));
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover in tmp/, removed at the next start
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        return readIfPresent(key, () -> s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(full(key))).asByteArray());
    }

    @Override
    public Optional<Versioned> getVersioned(String key) {
        return readIfPresent(key, () -> {
            var object = s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(full(key)));
            return new Versioned(object.asByteArray(), object.response().eTag());
        });
    }

    @Override
    public Optional<String> stat(String key) {
        return readIfPresent(key, () -> s3.headObject(b -> b.bucket(settings.bucket()).key(full(key))).eTag());
    }

    /** One read: empty when the key has no object (404), UNAVAILABLE-style failure for anything else. */
    private <T> Optional<T> readIfPresent(String key, Supplier<T> read) {
        try {
            return Optional.of(read.get());
        } catch (S3Exception e) { // NoSuchKeyException included
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public boolean statIsCheap() {
        return false;
    }

    @Override
    public Optional<Path> localFile(String key) {
        Optional<Path> cached = cache.get(key);
        if (cached.isPresent()) {
            return cached;
        }
        Path part = downloads.newPath(".part");
        try {
            if (readIfPresent(key, () -> s3.getObject(b -> b.bucket(settings.bucket()).key(full(key)),
                    ResponseTransformer.toFile(part))).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(cache.add(key, part));
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                // removed at the next start
            }
        }
    }

    @Override
    public List<StoredObject> list(String prefix) {
        List<StoredObject> found = new ArrayList<>();
        for (ListObjectsV2Response page : pages(prefix, false)) {
            for (S3Object o : page.contents()) {
                found.add(new StoredObject(o.key().substring(settings.prefix().length()), o.eTag()));
            }
        }
        return found;
    }

    @Override
    public List<String> children(String prefix) {
        TreeSet<String> names = new TreeSet<>();
        String full = full(prefix);
        for (ListObjectsV2Response page : pages(prefix, true)) {
            for (CommonPrefix p : page.commonPrefixes()) {
                String rest = p.prefix().substring(full.length());
                names.add(rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest);
            }
            for (S3Object o : page.contents()) {
                names.add(o.key().substring(full.length()));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public void delete(String key) {
        call("delete", key, () -> s3.deleteObject(b -> b.bucket(settings.bucket()).key(full(key))));
        deleteCached(key);
    }

    @Override
    public void deletePrefix(String prefix) {
        for (StoredObject o : list(prefix)) {
            delete(o.key());
        }
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + "/" + settings.prefix();
    }

    @Override
    public void close() {
        s3.close();
    }

    private Iterable<ListObjectsV2Response> pages(String prefix, boolean oneLevel) {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(full(prefix));
        if (oneLevel) {
            request.delimiter("/");
        }
        try {
            // the paginator fetches lazily: materialise here so failures surface as ours
            List<ListObjectsV2Response> all = new ArrayList<>();
            s3.listObjectsV2Paginator(request.build()).forEach(all::add);
            return all;
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
    }

    private void deleteCached(String key) {
        cache.remove(key); // a copy left behind is never read: readers look the object up first
    }

    /** Bytes of downloaded copies held now (for tests). */
    long cachedBytes() {
        return cache.bytes();
    }

    private String full(String key) {
        return settings.prefix() + key;
    }

    private void call(String what, String key, Runnable request) {
        try {
            request.run();
        } catch (SdkException e) {
            throw failure(what, key, e);
        }
    }

    private HplException failure(String what, String key, SdkException e) {
        return new HplException(ErrorKind.UNAVAILABLE, "the model store (" + describe() + ") failed to " + what + " " + key
                + ": " + e.getMessage() + "; check hpl.store.s3.* and the bucket's availability", e);
    }
}
