package io.lince.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lince.testing.SlowHttp;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The claim-check allow-list, against local files and an HTTP server on loopback. */
class UriFetcherTest {

    private static final byte[] IMAGE = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3};

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger flakyCalls = new AtomicInteger();
    private final AtomicInteger forbiddenCalls = new AtomicInteger();
    private String base;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/images/cat.jpg", x -> reply(x, 200, IMAGE));
        server.createContext("/images/big.jpg", x -> reply(x, 200, new byte[5_000]));
        server.createContext("/images/flaky.jpg", x -> reply(x, flakyCalls.incrementAndGet() < 3 ? 503 : 200, IMAGE));
        server.createContext("/images/gone.jpg", x -> reply(x, 404, new byte[0]));
        server.createContext("/images/to-metadata", x -> redirect(x, "http://169.254.169.254/latest/meta-data/"));
        server.createContext("/images/to-file", x -> redirect(x, "file:///etc/passwd"));
        server.createContext("/images/to-private", x -> redirect(x, "/private/secret.jpg"));
        server.createContext("/images/hop", x -> redirect(x, "/images/cat.jpg"));
        // headers at once, then a byte every 200 ms: 5 s for the whole body; and a host that never answers
        server.createContext("/images/trickle.jpg", SlowHttp.trickle(25, 200));
        server.createContext("/images/hang.jpg", SlowHttp.silent(10_000));
        server.createContext("/private/secret.jpg", x -> {
            forbiddenCalls.incrementAndGet();
            reply(x, 200, IMAGE);
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static void reply(com.sun.net.httpserver.HttpExchange x, int code, byte[] body) throws java.io.IOException {
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange x, String to) throws java.io.IOException {
        x.getResponseHeaders().add("Location", to);
        reply(x, 302, new byte[0]);
    }

    private UriFetcher fetcher(Optional<Path> root, Set<String> hosts) {
        return new UriFetcher(new FetchPolicy(root, hosts, List.of("/images/"), Duration.ofSeconds(2), 1_000, 3,
                Duration.ofMillis(10)));
    }

    @Test
    void oneDeadlineCoversTheWholeFetchBodyIncluded() {
        UriFetcher f = fetcher(Optional.empty(), Set.of("127.0.0.1:" + server.getAddress().getPort()));
        for (String name : List.of("trickle.jpg", "hang.jpg")) {
            long t0 = System.nanoTime();
            String reason = refused(f, base + "/images/" + name);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // the policy's 2 s for everything (three attempts were allowed), not 5 s of trickle or 10 s of silence
            assertTrue(ms < 4_000, name + " took " + ms + " ms: " + reason);
            assertTrue(reason.contains("deadline of 2000 ms"), reason);
        }
        assertArrayEquals(IMAGE, assertDoesNotThrow(() -> f.fetch(base + "/images/cat.jpg")), "and the next fetch works");
    }

    private String refused(UriFetcher f, String uri) {
        return assertThrows(UriFetcher.FetchFailed.class, () -> f.fetch(uri)).getMessage();
    }

    @Test
    void fetchesAllowedFilesAndNothingOutsideTheRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path inside = Files.write(root.resolve("a.jpg"), IMAGE);
        Path outside = Files.write(dir.resolve("outside.jpg"), IMAGE);
        Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        UriFetcher f = fetcher(Optional.of(root), Set.of());
        assertArrayEquals(IMAGE, f.fetch(inside.toUri().toString()));
        assertTrue(refused(f, outside.toUri().toString()).contains("outside the allowed root"));
        assertTrue(refused(f, root.toUri() + "../outside.jpg").contains("outside the allowed root"));
        assertTrue(refused(f, root.resolve("link.jpg").toUri().toString()).contains("outside the allowed root"),
                "a symlink out of the root is refused");
        assertTrue(refused(f, root.resolve("none.jpg").toUri().toString()).startsWith("no such file"));
        // outside the root, whether the file exists is not told
        assertEquals(refused(f, outside.toUri().toString()).replace("outside.jpg", "X"),
                refused(f, dir.resolve("missing.jpg").toUri().toString()).replace("missing.jpg", "X"));
        assertTrue(refused(fetcher(Optional.empty(), Set.of()), inside.toUri().toString())
                .contains("no file root is configured"));
    }

    @Test
    void remoteHostsAreRefusedByDefaultBeforeAnyConnection() {
        UriFetcher f = new UriFetcher(FetchPolicy.localFiles(Optional.empty()));
        assertTrue(refused(f, base + "/images/cat.jpg").contains("is not on the allow-list"));
        assertTrue(refused(f, "http://169.254.169.254/latest/meta-data/").contains("169.254.169.254 is not on the allow-list"));
        assertTrue(refused(f, "gopher://example.com/x").contains("scheme 'gopher' is not allowed"));
    }

    @Test
    void fetchesFromAnAllowedHostAndPath() throws Exception {
        UriFetcher f = fetcher(Optional.empty(), Set.of("127.0.0.1:" + server.getAddress().getPort()));
        assertArrayEquals(IMAGE, f.fetch(base + "/images/cat.jpg"));
        assertArrayEquals(IMAGE, f.fetch(base + "/images/hop"), "a redirect inside the allow-list is followed");
        assertTrue(refused(f, base + "/private/secret.jpg").contains("not under an allowed prefix"));
        assertTrue(refused(f, base + "/images/big.jpg").contains("more than the limit"));
        assertTrue(refused(f, base + "/images/gone.jpg").startsWith("HTTP 404"));
    }

    @Test
    void redirectsOutOfTheAllowListAreNeverFollowed() {
        UriFetcher f = fetcher(Optional.empty(), Set.of("127.0.0.1:" + server.getAddress().getPort()));
        assertTrue(refused(f, base + "/images/to-metadata").contains("169.254.169.254 is not on the allow-list"));
        assertTrue(refused(f, base + "/images/to-file").contains("redirect to a file: uri is not allowed"));
        assertTrue(refused(f, base + "/images/to-private").contains("not under an allowed prefix"));
        assertEquals(0, forbiddenCalls.get(), "the forbidden target was never requested");
    }

    @Test
    void retriesTransientFailuresWithBackoffAndGivesUpOnUnreachableHosts() throws Exception {
        UriFetcher f = fetcher(Optional.empty(), Set.of("127.0.0.1"));
        assertArrayEquals(IMAGE, f.fetch(base + "/images/flaky.jpg"));
        assertEquals(3, flakyCalls.get(), "two 503s, then success");
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String r = refused(f, "http://127.0.0.1:" + closed + "/images/x.jpg");
        assertTrue(r.contains("failed after 3 attempts"), r);
    }
}
