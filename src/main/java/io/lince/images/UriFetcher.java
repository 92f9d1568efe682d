package io.lince.images;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Fetches claim-check image URIs under a {@link FetchPolicy}. Every URI, including each redirect
 * target, is checked against the allow-list before any connection is made; redirects are followed
 * by hand for that reason. Transient failures are retried with exponential backoff.
 */
public final class UriFetcher {

    /** The URI is not allowed, or the fetch failed for good; the message is the reason. */
    public static final class FetchFailed extends Exception {
        public FetchFailed(String reason) {
            super(reason);
        }
    }

    private static final class Transient extends IOException {
        Transient(String reason) {
            super(reason);
        }
    }

    private final FetchPolicy policy;
    private final HttpClient http;
    private final Path realRoot;

    public UriFetcher(FetchPolicy policy) {
        this.policy = policy;
        this.http = HttpClient.newBuilder()
                .connectTimeout(policy.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.realRoot = policy.fileRoot().map(UriFetcher::real).orElse(null);
    }

    public byte[] fetch(String uriText) throws FetchFailed {
        URI uri;
        try {
            uri = URI.create(uriText).normalize();
        } catch (IllegalArgumentException e) {
            throw new FetchFailed("malformed uri: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> file(uri);
            case "http", "https" -> withRetries(uri);
            default -> throw new FetchFailed("uri scheme '" + scheme + "' is not allowed (file, http, https)");
        };
    }

    private byte[] file(URI uri) throws FetchFailed {
        if (realRoot == null) {
            throw new FetchFailed("file: uris are not allowed: no file root is configured (lince.fetch.file-root)");
        }
        Path path;
        try {
            path = Path.of(uri).toRealPath();
        } catch (NoSuchFileException e) {
            throw new FetchFailed("no such file: " + uri.getPath());
        } catch (IOException | IllegalArgumentException e) {
            throw new FetchFailed("unreadable file uri " + uri + ": " + e.getMessage());
        }
        if (!path.startsWith(realRoot)) {
            throw new FetchFailed("file " + uri.getPath() + " is outside the allowed root " + realRoot);
        }
        try {
            long size = Files.size(path);
            if (size > policy.maxBytes()) {
                throw new FetchFailed(String.format("file of %,d bytes exceeds the limit of %,d bytes", size, policy.maxBytes()));
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new FetchFailed("cannot read " + uri.getPath() + ": " + e.getMessage());
        }
    }

    private byte[] withRetries(URI uri) throws FetchFailed {
        long wait = policy.backoff().toMillis();
        String last = "";
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                return http(uri);
            } catch (Transient | java.net.http.HttpTimeoutException e) {
                last = e.getMessage();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchFailed("interrupted while fetching " + uri);
            }
            if (attempt < policy.attempts()) {
                sleep(wait);
                wait *= 2;
            }
        }
        throw new FetchFailed("fetching " + uri + " failed after " + policy.attempts() + " attempts: " + last);
    }

    private byte[] http(URI start) throws IOException, InterruptedException, FetchFailed {
        URI uri = start;
        for (int hop = 0; hop <= FetchPolicy.MAX_REDIRECTS; hop++) {
            check(uri);
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(policy.timeout()).GET().build();
            HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            int code = res.statusCode();
            try (InputStream body = res.body()) {
                if (code >= 300 && code < 400) {
                    String location = res.headers().firstValue("location")
                            .orElseThrow(() -> new FetchFailed("redirect " + code + " without a location"));
                    uri = uri.resolve(location).normalize();
                    continue; // checked at the top of the loop before anything is sent
                }
                if (code >= 500) {
                    throw new Transient("HTTP " + code + " from " + uri);
                }
                if (code != 200) {
                    throw new FetchFailed("HTTP " + code + " from " + uri);
                }
                long declared = res.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > policy.maxBytes()) {
                    throw new FetchFailed(String.format("%s declares %,d bytes, more than the limit of %,d", uri,
                            declared, policy.maxBytes()));
                }
                byte[] bytes = body.readNBytes(policy.maxBytes() + 1);
                if (bytes.length > policy.maxBytes()) {
                    throw new FetchFailed(String.format("%s sends more than the limit of %,d bytes", uri, policy.maxBytes()));
                }
                return bytes;
            }
        }
        throw new FetchFailed("more than " + FetchPolicy.MAX_REDIRECTS + " redirects from " + start);
    }

    /** The allow-list: host (with port when listed so), then path prefix. */
    private void check(URI uri) throws FetchFailed {
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchFailed("redirect to a " + scheme + ": uri is not allowed: " + uri);
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (uri.getRawUserInfo() != null) {
            throw new FetchFailed("uris with user info are not allowed: " + host);
        }
        boolean hostOk = policy.allowedHosts().contains(host)
                || (uri.getPort() > 0 && policy.allowedHosts().contains(host + ":" + uri.getPort()));
        if (!hostOk) {
            throw new FetchFailed("host " + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + " is not on the allow-list");
        }
        String path = uri.getPath() == null ? "/" : uri.getPath();
        if (!policy.pathPrefixes().isEmpty() && policy.pathPrefixes().stream().noneMatch(path::startsWith)) {
            throw new FetchFailed("path " + path + " is not under an allowed prefix " + policy.pathPrefixes());
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("the file root " + p + " does not exist", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
