package io.lince.images;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What an {@code s3://bucket/key} claim check may point at, and where the store is. Default:
 * nothing. Credentials are the AWS SDK's standard chain (system properties, environment, profile,
 * container and instance roles); nothing about them is configured here.
 *
 * @param allowed {@code bucket} (any key in it) or {@code bucket/prefix} (keys starting with the
 *     prefix); empty = no s3: URIs at all
 * @param endpoint an S3-compatible store's address (MinIO, Ceph, R2, a local test server); empty =
 *     AWS S3 of the region
 * @param region the signing region; empty = the SDK's region chain, or {@code us-east-1} where it
 *     finds none and an endpoint is set (S3-compatible stores mostly ignore it)
 * @param pathStyle {@code http://endpoint/bucket/key} rather than {@code http://bucket.endpoint/key}:
 *     most S3-compatible stores want it
 */
public record ObjectStorePolicy(List<String> allowed, Optional<URI> endpoint, Optional<String> region, boolean pathStyle) {

    public static final ObjectStorePolicy NONE = new ObjectStorePolicy(List.of(), Optional.empty(), Optional.empty(), false);

    public ObjectStorePolicy {
        allowed = List.copyOf(allowed);
        for (String a : allowed) {
            if (a.isBlank() || a.startsWith("/")) {
                throw new IllegalArgumentException("lince.fetch.s3.allowed entries are bucket or bucket/prefix, got '" + a + "'");
            }
        }
    }

    /** A bucket and key the allow-list names, or the reason it doesn't. Checked before any request. */
    void check(String bucket, String key) throws UriFetcher.FetchFailed {
        if (allowed.isEmpty()) {
            throw new UriFetcher.FetchFailed("s3: uris are not allowed: no bucket is listed (lince.fetch.s3.allowed)");
        }
        // S3 keys are not paths, but an HTTP layer between here and the store may still resolve
        // dot segments, which would step out of an allowed prefix: refuse them outright.
        for (String segment : key.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new UriFetcher.FetchFailed("s3 key " + key + " has a '" + segment + "' segment: refused");
            }
        }
        for (String a : allowed) {
            int slash = a.indexOf('/');
            String b = slash < 0 ? a : a.substring(0, slash);
            String prefix = slash < 0 ? "" : a.substring(slash + 1);
            if (b.equals(bucket) && key.startsWith(prefix)) {
                return;
            }
        }
        throw new UriFetcher.FetchFailed("s3://" + bucket + "/" + key + " is not under an allowed bucket or prefix " + allowed);
    }
}
