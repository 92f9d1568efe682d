package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fetch-weights against a local HTTP server serving a file the test makes: nothing leaves the machine. */
class WeightsDownloadTest {

    @TempDir
    Path dir;

    @Test
    void writesTheFileOnlyWhenItsDigestMatches() throws Exception {
        byte[] weights = new byte[300_000];
        new Random(1).nextBytes(weights);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        String prefix = sha.substring(0, 8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/models/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = path.endsWith("missing.pth") ? null : weights;
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/";
            Path out = dir.resolve("resnet34.pth");

            // torchvision's convention: the digest's prefix is in the file name
            assertEquals(sha, WeightsDownload.fetch(URI.create(base + "resnet34-" + prefix + ".pth"), null, out, Duration.ofSeconds(10)));
            assertArrayEquals(weights, Files.readAllBytes(out));

            Path other = dir.resolve("other.pth");
            IOException wrong = assertThrows(IOException.class, () -> WeightsDownload.fetch(
                    URI.create(base + "resnet34-deadbeef.pth"), null, other, Duration.ofSeconds(10)));
            assertTrue(wrong.getMessage().contains("does not match the published deadbeef"), wrong.getMessage());
            assertFalse(Files.exists(other), "a file that fails its check is not written");

            assertEquals(sha, WeightsDownload.fetch(URI.create(base + "model.safetensors"), sha.toUpperCase(), other,
                    Duration.ofSeconds(10)));
            IOException noDigest = assertThrows(IOException.class, () -> WeightsDownload.fetch(
                    URI.create(base + "model.safetensors"), null, dir.resolve("x"), Duration.ofSeconds(10)));
            assertTrue(noDigest.getMessage().contains("give --sha256"), noDigest.getMessage());
            IOException missing = assertThrows(IOException.class, () -> WeightsDownload.fetch(
                    URI.create(base + "missing.pth"), sha, dir.resolve("y"), Duration.ofSeconds(10)));
            assertTrue(missing.getMessage().contains("answered 404"), missing.getMessage());
            try (var files = Files.list(dir)) {
                assertTrue(files.noneMatch(f -> f.toString().endsWith(".partial")), "no partial file is left");
            }
        } finally {
            server.stop(0);
        }
    }
}
