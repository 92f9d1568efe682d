package io.lince.images;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a claim-check URI may point at. Default: nothing remote; local files only under
 * {@code fileRoot}, and none at all when no root is set.
 *
 * @param fileRoot {@code file:} URIs must resolve (symlinks followed) inside this directory
 * @param allowedHosts {@code http(s)} hosts, as {@code host} or {@code host:port}; empty = none
 * @param pathPrefixes an http(s) path must start with one of these; empty = any path on an allowed host
 * @param timeout the deadline of a whole fetch: connecting, every attempt and redirect, and the
 *     last byte of the body
 * @param maxBytes largest image fetched
 * @param attempts tries for transient failures (I/O errors, timeouts, 5xx)
 * @param backoff wait before the second try, doubled for each later one
 * @param s3 {@code s3://} buckets and prefixes, and the store; under the same deadline, limit and retries
 */
public record FetchPolicy(Optional<Path> fileRoot, Set<String> allowedHosts, List<String> pathPrefixes,
        Duration timeout, int maxBytes, int attempts, Duration backoff, ObjectStorePolicy s3) {

    /** No object store. */
    public FetchPolicy(Optional<Path> fileRoot, Set<String> allowedHosts, List<String> pathPrefixes,
            Duration timeout, int maxBytes, int attempts, Duration backoff) {
        this(fileRoot, allowedHosts, pathPrefixes, timeout, maxBytes, attempts, backoff, ObjectStorePolicy.NONE);
    }

    public static final int MAX_REDIRECTS = 3;
    /**
     * The longest deadline a fetch may have: fetches run while the batch's exactly-once
     * transaction is open, so they must end well inside its timeout (see StreamsSettings).
     */
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(7);

    public FetchPolicy {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("lince.fetch.timeout-ms is the deadline of a whole fetch and must be between 1 and "
                    + MAX_TIMEOUT.toMillis() + " ms (fetches run inside the batch's transaction), got " + timeout.toMillis());
        }
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
        pathPrefixes = List.copyOf(pathPrefixes);
    }

    public FetchPolicy withS3(ObjectStorePolicy objectStore) {
        return new FetchPolicy(fileRoot, allowedHosts, pathPrefixes, timeout, maxBytes, attempts, backoff, objectStore);
    }

    /** Local files under {@code root}, no remote hosts. */
    public static FetchPolicy localFiles(Optional<Path> root) {
        return new FetchPolicy(root, Set.of(), List.of(), Duration.ofSeconds(5), 20 * 1024 * 1024, 3,
                Duration.ofMillis(200));
    }
}
