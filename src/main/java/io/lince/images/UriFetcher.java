package io.lince.images;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Fetches claim-check image URIs under a {@link FetchPolicy}. Every URI, including each redirect
 * target, is checked against the allow-list before any connection is made; redirects are followed
 * by hand for that reason. Transient failures are retried with exponential backoff. {@code s3://}
 * objects are read through the AWS SDK ({@link S3Objects}), under the same deadline, limit and retries.
 */
public final class UriFetcher implements AutoCloseable {

    /** The URI is not allowed, or the fetch failed for good; the message is the reason. */
    public static final class FetchFailed extends Exception {
        public FetchFailed(String reason) {
            super(reason);
        }
    }

    /** A failure another attempt may fix (a 5xx, 429, an unreachable host or store): retried inside the deadline. */
    static final class Transient extends IOException {
        Transient(String reason) {
            super(reason);
        }
    }

    private final FetchPolicy policy;
    private final HttpClient http;
    private final Path realRoot;
    /** Made at the first s3: URI: a node that never sees one needs no region or credentials. */
    private S3Objects s3;

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
            case "http", "https" -> withRetries(uri, deadline -> http(uri, deadline));
            case "s3" -> s3(uri);
            default -> throw new FetchFailed("uri scheme '" + scheme + "' is not allowed (file, http, https, s3)");
        };
    }

    private byte[] s3(URI uri) throws FetchFailed {
        S3Objects.Address at = S3Objects.Address.of(uri);
        policy.s3().check(at.bucket(), at.key());
        S3Objects store = s3Store();
        return withRetries(uri, deadline -> store.get(at, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))));
    }

    private synchronized S3Objects s3Store() throws FetchFailed {
        if (s3 == null) {
            try {
                s3 = new S3Objects(policy.s3(), policy.timeout(), policy.maxBytes());
            } catch (RuntimeException e) {
                throw new FetchFailed("cannot reach the object store: " + e.getMessage());
            }
        }
        return s3;
    }

    @Override
    public synchronized void close() {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }

    /** One attempt at a fetch that must end by {@code deadline} (System.nanoTime()). */
    private interface Attempt {
        byte[] run(long deadline) throws IOException, InterruptedException, FetchFailed, TimeoutException;
    }

    private byte[] file(URI uri) throws FetchFailed {
        if (realRoot == null) {
            throw new FetchFailed("file: uris are not allowed: no file root is configured (lince.fetch.file-root)");
        }
        Path path;
        try {
            // the root first, on the path as written: whether a file outside it exists is not told
            Path named = Path.of(uri).normalize();
            if (!named.startsWith(realRoot) && !named.startsWith(policy.fileRoot().get().toAbsolutePath().normalize())) {
                throw new FetchFailed("file " + uri.getPath() + " is outside the allowed root " + realRoot);
            }
            path = named.toRealPath(); // then symlinks, checked again below
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

    /**
     * Every attempt, redirect, backoff and byte of every body inside one deadline of
     * {@code policy.timeout()}: a server that answers its headers at once and then sends one byte
     * a second is cut off at the deadline, as is one that never answers.
     */
    private byte[] withRetries(URI uri, Attempt attemptOnce) throws FetchFailed {
        long deadline = System.nanoTime() + policy.timeout().toNanos();
        long wait = policy.backoff().toMillis();
        String last = "";
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                return attemptOnce.run(deadline);
            } catch (Transient e) {
                last = e.getMessage();
            } catch (TimeoutException e) {
                throw new FetchFailed(String.format("fetching %s did not finish within the deadline of %d ms (attempt %d)",
                        uri, policy.timeout().toMillis(), attempt));
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchFailed("interrupted while fetching " + uri);
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (attempt < policy.attempts()) {
                if (left <= wait) {
                    throw new FetchFailed(String.format("fetching %s failed after %d attempts within the deadline of %d ms: %s",
                            uri, attempt, policy.timeout().toMillis(), last));
                }
                sleep(wait);
                wait *= 2;
            }
        }
        throw new FetchFailed("fetching " + uri + " failed after " + policy.attempts() + " attempts: " + last);
    }

    private byte[] http(URI start, long deadline) throws IOException, InterruptedException, FetchFailed, TimeoutException {
        URI uri = start;
        for (int hop = 0; hop <= FetchPolicy.MAX_REDIRECTS; hop++) {
            check(uri);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException();
            }
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(left)).GET().build();
            CompletableFuture<HttpResponse<Body>> pending = http.sendAsync(req, info -> Body.subscriber(info, policy.maxBytes()));
            HttpResponse<Body> res;
            try {
                res = pending.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                pending.cancel(true); // aborts the exchange: no thread keeps reading a trickle
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof java.net.http.HttpTimeoutException) {
                    throw new TimeoutException();
                }
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException(String.valueOf(cause), cause);
            }
            int code = res.statusCode();
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
            Body body = res.body();
            if (body.declared() > policy.maxBytes()) {
                throw new FetchFailed(String.format("%s declares %,d bytes, more than the limit of %,d", uri,
                        body.declared(), policy.maxBytes()));
            }
            if (body.tooLarge()) {
                throw new FetchFailed(String.format("%s sends more than the limit of %,d bytes", uri, policy.maxBytes()));
            }
            return body.bytes();
        }
        throw new FetchFailed("more than " + FetchPolicy.MAX_REDIRECTS + " redirects from " + start);
    }

    /**
     * A response body read into memory up to a limit. The JDK's own byte-array subscriber has no
     * limit, so it would buffer a body of any size before a check could refuse it; this one stops
     * reading (and cancels the exchange) past {@code max}, or at once when the headers declare
     * more, and reads no body at all for a status other than 200.
     */
    private record Body(byte[] bytes, long declared, boolean tooLarge) {

        static HttpResponse.BodySubscriber<Body> subscriber(HttpResponse.ResponseInfo info, int max) {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (info.statusCode() != 200 || declared > max) {
                return HttpResponse.BodySubscribers.replacing(new Body(new byte[0], declared, false));
            }
            return new Limited(declared, max);
        }

        private static final class Limited implements HttpResponse.BodySubscriber<Body> {
            private final long declared;
            private final int max;
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            private final CompletableFuture<Body> result = new CompletableFuture<>();
            private java.util.concurrent.Flow.Subscription subscription;

            Limited(long declared, int max) {
                this.declared = declared;
                this.max = max;
            }

            @Override
            public java.util.concurrent.CompletionStage<Body> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(java.util.List<java.nio.ByteBuffer> items) {
                if (result.isDone()) {
                    return;
                }
                for (java.nio.ByteBuffer b : items) {
                    if (out.size() + b.remaining() > max) {
                        subscription.cancel();
                        result.complete(new Body(new byte[0], declared, true));
                        return;
                    }
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(new Body(out.toByteArray(), declared, false));
            }
        }
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
