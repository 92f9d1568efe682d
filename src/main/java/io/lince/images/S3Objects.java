package io.lince.images;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads one object of an allowed bucket through the AWS SDK's S3 client, under the same deadline
 * and byte limit as an http(s) claim check. The SDK does not retry (Lince's {@link UriFetcher}
 * does, inside the deadline), and each call's timeout is what is left of that deadline, the body
 * included: the body is read inside the call, by a transformer that stops past the limit.
 */
final class S3Objects implements AutoCloseable {

    /** Where an object lies: {@code s3://bucket/key}. */
    record Address(String bucket, String key) {

        /** The authority, and the decoded path without its first slash. */
        static Address of(URI uri) throws UriFetcher.FetchFailed {
            String bucket = uri.getRawAuthority();
            String path = uri.getPath();
            if (bucket == null || bucket.isEmpty() || path == null || path.length() < 2) {
                throw new UriFetcher.FetchFailed("an s3 uri is s3://bucket/key, got " + uri);
            }
            return new Address(bucket, path.substring(1));
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }

    private final S3Client client;
    private final int maxBytes;

    S3Objects(ObjectStorePolicy policy, Duration timeout, int maxBytes) {
        this.maxBytes = maxBytes;
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .forcePathStyle(policy.pathStyle())
                .region(region(policy));
        policy.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
    }

    private static Region region(ObjectStorePolicy policy) {
        if (policy.region().isPresent()) {
            return Region.of(policy.region().get());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            if (policy.endpoint().isPresent()) {
                return Region.US_EAST_1;
            }
            throw new IllegalArgumentException("s3: claim checks need a region: set lince.fetch.s3.region or AWS_REGION", e);
        }
    }

    /** The object's bytes; {@link UriFetcher.Transient} for what another attempt may fix, {@link UriFetcher.FetchFailed} for what it won't. */
    byte[] get(Address at, Duration left) throws UriFetcher.Transient, UriFetcher.FetchFailed, java.util.concurrent.TimeoutException {
        String where = at.toString();
        GetObjectRequest request = GetObjectRequest.builder().bucket(at.bucket()).key(at.key())
                .overrideConfiguration(o -> o.apiCallTimeout(left).apiCallAttemptTimeout(left)).build();
        ResponseTransformer<GetObjectResponse, Object> bounded = (response, in) -> {
                Long declared = response.contentLength();
                if (declared != null && declared > maxBytes) {
                    in.abort();
                    return String.format("%s is %,d bytes, more than the limit of %,d", where, declared, maxBytes);
                }
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    in.abort();
                    return String.format("%s sends more than the limit of %,d bytes", where, maxBytes);
                }
                return bytes;
        };
        Object result;
        try {
            result = client.getObject(request, bounded);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new java.util.concurrent.TimeoutException(where);
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = Optional.ofNullable(e.awsErrorDetails()).map(d -> d.errorCode()).orElse("");
            if (status >= 500 || status == 429) {
                throw new UriFetcher.Transient("S3 " + status + " " + code + " for " + where);
            }
            if (status == 404) {
                throw new UriFetcher.FetchFailed("no such object: " + where + (code.isEmpty() ? "" : " (" + code + ")"));
            }
            throw new UriFetcher.FetchFailed("S3 refused " + where + ": " + status + " " + code);
        } catch (SdkClientException e) {
            throw new UriFetcher.Transient(e.getClass().getSimpleName() + " for " + where + ": " + e.getMessage());
        }
        if (result instanceof String reason) {
            throw new UriFetcher.FetchFailed(reason);
        }
        return (byte[]) result;
    }

    @Override
    public void close() {
        client.close();
    }
}
