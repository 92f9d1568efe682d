package io.lince.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: s3rver (npm, {@code src/test/node}) in a child process
 * on a free loopback port, storing under a temporary directory. Tests that need it are skipped,
 * with the reason, where node or {@code src/test/node/node_modules} is missing ({@code .ci/run}
 * runs {@code npm ci} there). Its credentials are s3rver's fixed pair, which Lince's fetcher finds
 * through the SDK's standard chain (the {@code aws.accessKeyId} system properties) as it would
 * find real ones.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";
    private static final Path SERVERS = Path.of("src/test/node").toAbsolutePath();

    private final Process process;
    private final URI endpoint;
    private final S3Client client;

    private S3Server(Process process, int port) {
        this.process = process;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
        this.client = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                // s3rver predates the SDK's aws-chunked uploads (signed chunks, trailing checksums)
                // and would store the chunk framing as the object: plain uploads
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Starts it with these buckets, or skips the calling test with the reason. */
    public static S3Server start(Path directory, String... buckets) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isDirectory(SERVERS.resolve("node_modules/s3rver")),
                "s3rver is not installed (cd src/test/node && npm ci)");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("node", SERVERS.resolve("s3-server.js").toString(),
                directory.toString()));
        command.addAll(java.util.List.of(buckets));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            Assumptions.abort("node is not installed: " + e.getMessage());
            throw e;
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first;
        try {
            first = line.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("s3rver did not start: " + e, e);
        }
        if (first == null || !first.startsWith("listening ")) {
            p.destroyForcibly();
            throw new IOException("s3rver did not start: " + first);
        }
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return new S3Server(p, Integer.parseInt(first.substring("listening ".length()).strip()));
    }

    public URI endpoint() {
        return endpoint;
    }

    public void put(String bucket, String key, byte[] bytes) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        try {
            process.getOutputStream().close(); // its stdin ends: it stops by itself
        } catch (IOException e) {
            // it is going anyway
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
