package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.testing.S3Server;
import io.lince.testing.TestImages;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3://} claim checks against a real S3-compatible server (s3rver): objects under an
 * allowed bucket and prefix are read; anything else is refused before a request is sent; a
 * missing object fails at once; a large one is refused by its declared size; an unreachable store
 * is retried inside the deadline. Skipped where node or s3rver is missing.
 */
class S3ClaimCheckTest {

    @TempDir
    static Path dir;

    private static S3Server server;
    private static final byte[] CAT = TestImages.jpeg(0, 1);

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.start(dir, "photos", "private");
        server.put("photos", "cats/a.jpg", CAT);
        server.put("photos", "dogs/b.jpg", TestImages.jpeg(1, 2));
        server.put("photos", "cats/big.jpg", new byte[50_000]);
        server.put("private", "cats/a.jpg", CAT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static UriFetcher fetcher(URI endpoint, Duration timeout, List<String> allowed) {
        return new UriFetcher(new FetchPolicy(Optional.empty(), Set.of(), List.of(), timeout, 20_000, 3, Duration.ofMillis(50))
                .withS3(new ObjectStorePolicy(allowed, Optional.of(endpoint), Optional.of("us-east-1"), true)));
    }

    @Test
    @Timeout(60)
    void readsObjectsUnderAnAllowedBucketAndPrefix() throws Exception {
        try (UriFetcher f = fetcher(server.endpoint(), Duration.ofSeconds(5), List.of("photos/cats/"))) {
            assertArrayEquals(CAT, f.fetch("s3://photos/cats/a.jpg"));
        }
        try (UriFetcher f = fetcher(server.endpoint(), Duration.ofSeconds(5), List.of("photos"))) {
            assertArrayEquals(TestImages.jpeg(1, 2), f.fetch("s3://photos/dogs/b.jpg"), "a bare bucket allows every key in it");
        }
    }

    @Test
    @Timeout(60)
    void refusesWhatTheAllowListDoesNotName() throws Exception {
        try (UriFetcher f = fetcher(server.endpoint(), Duration.ofSeconds(5), List.of("photos/cats/"))) {
            assertReason(f, "s3://photos/dogs/b.jpg", "is not under an allowed bucket or prefix [photos/cats/]");
            assertReason(f, "s3://private/cats/a.jpg", "is not under an allowed bucket or prefix");
            assertReason(f, "s3://photos/cats/../dogs/b.jpg", "s3://photos/dogs/b.jpg is not under an allowed bucket");
            assertReason(f, "s3://photos/cats%2F..%2F..%2Fprivate/x", "has a '..' segment");
            assertReason(f, "s3://photos", "an s3 uri is s3://bucket/key");
        }
        try (UriFetcher none = new UriFetcher(FetchPolicy.localFiles(Optional.empty()))) {
            assertReason(none, "s3://photos/cats/a.jpg", "no bucket is listed (lince.fetch.s3.allowed)");
        }
    }

    @Test
    @Timeout(60)
    void aMissingObjectFailsAtOnceAndALargeOneByItsDeclaredSize() throws Exception {
        try (UriFetcher f = fetcher(server.endpoint(), Duration.ofSeconds(5), List.of("photos"))) {
            long t0 = System.nanoTime();
            assertReason(f, "s3://photos/cats/none.jpg", "no such object: s3://photos/cats/none.jpg");
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "a 404 is not retried");
            assertReason(f, "s3://photos/cats/big.jpg", "s3://photos/cats/big.jpg is 50,000 bytes, more than the limit of 20,000");
        }
    }

    @Test
    @Timeout(60)
    void anUnreachableStoreIsRetriedInsideTheDeadline() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (UriFetcher f = fetcher(URI.create("http://127.0.0.1:" + closed), Duration.ofSeconds(2), List.of("photos"))) {
            long t0 = System.nanoTime();
            String reason = assertThrows(UriFetcher.FetchFailed.class, () -> f.fetch("s3://photos/cats/a.jpg")).getMessage();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(reason.contains("failed after 3 attempts") && reason.contains("s3://photos/cats/a.jpg"), reason);
            assertTrue(ms < 2_500, "inside the 2 s deadline, took " + ms + " ms");
        }
    }

    private static void assertReason(UriFetcher f, String uri, String expected) {
        String reason = assertThrows(UriFetcher.FetchFailed.class, () -> f.fetch(uri)).getMessage();
        assertTrue(reason.contains(expected), uri + ": " + reason);
    }
}
