package io.lince.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads ImageNet ResNet-34 weights for {@code init-model --weights} and checks them before
 * they are used: the file is streamed to a temporary file beside the destination while its
 * sha256 is computed, and moved into place only when the digest matches (entirely, or, for
 * torchvision's files, the prefix its file name carries, which is how torchvision publishes and
 * checks it: {@code resnet34-b627a593.pth}).
 */
public final class WeightsDownload {

    /** A known source: where, and what its digest must start with. */
    public record Source(String name, URI uri, String sha256Prefix) {}

    /** torchvision's ResNet34_Weights.IMAGENET1K_V1 (73.3% top-1), a torch.save state dict. */
    public static final Source TORCHVISION = new Source("torchvision",
            URI.create("https://download.pytorch.org/models/resnet34-b627a593.pth"), "b627a593");
    /** timm's resnet34.tv_in1k (the same torchvision weights as safetensors); its sha256 is on the file's page. */
    public static final Source TIMM = new Source("timm",
            URI.create("https://huggingface.co/timm/resnet34.tv_in1k/resolve/main/model.safetensors"), null);

    /** Larger than any ResNet-34 checkpoint (87 MB in fp32): a bigger answer is not these weights. */
    static final long MAX_BYTES = 256L << 20;

    private WeightsDownload() {}

    /**
     * Fetches {@code uri} into {@code out}.
     *
     * @param expectedSha256 the full digest, or a prefix of it (at least 8 hex digits); null: the
     *     prefix in the URI's file name ({@code name-PREFIX.pth}), as torchvision checks its files
     * @return the file's sha256
     * @throws IOException when the download fails or the digest does not match; {@code out} is then untouched
     */
    public static String fetch(URI uri, String expectedSha256, Path out, Duration timeout) throws IOException {
        String expected = expectedSha256 != null ? expectedSha256.toLowerCase(Locale.ROOT) : prefixInName(uri);
        if (expected == null || !expected.matches("[0-9a-f]{8,64}")) {
            throw new IOException("no digest to check " + uri + " against: give --sha256 (its page publishes it)");
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, out.getFileName().toString(), ".partial");
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("GET " + uri + " answered " + response.statusCode());
            }
            MessageDigest sha = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
            long total = 0;
            try (InputStream in = response.body(); OutputStream o = Files.newOutputStream(partial)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > MAX_BYTES) {
                        throw new IOException(uri + " is larger than " + (MAX_BYTES >> 20) + " MiB: not ResNet-34 weights");
                    }
                    sha.update(buf, 0, n);
                    o.write(buf, 0, n);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.startsWith(expected)) {
                throw new IOException(uri + " has sha256 " + actual + ", which does not match the published " + expected
                        + (expected.length() < 64 ? "…" : "") + ": not written");
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return actual;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri, e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** torchvision's convention: {@code resnet34-b627a593.pth} carries the first hex digits of its sha256. */
    static String prefixInName(URI uri) {
        String name = Path.of(uri.getPath()).getFileName().toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-([0-9a-f]{8,64})\\.[a-z]+$").matcher(name);
        return m.find() ? m.group(1) : null;
    }
}
