package io.lince.images;

import java.nio.charset.StandardCharsets;

/** Image formats told apart by their first bytes, not by what a publisher claims. */
public enum ImageFormat {
    JPEG("image/jpeg", true),
    PNG("image/png", true),
    GIF("image/gif", true),
    BMP("image/bmp", true),
    WEBP("image/webp", false),
    TIFF("image/tiff", false),
    UNKNOWN("application/octet-stream", false);

    private final String mimeType;
    private final boolean decodable;

    ImageFormat(String mimeType, boolean decodable) {
        this.mimeType = mimeType;
        this.decodable = decodable;
    }

    public String mimeType() {
        return mimeType;
    }

    /** Whether the JDK's ImageIO decodes it (WebP and TIFF would need extra plugins). */
    public boolean decodable() {
        return decodable;
    }

    public static ImageFormat sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return JPEG;
        }
        if (startsWith(b, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G'})) {
            return PNG;
        }
        if (startsWith(b, 0, ascii("GIF8"))) {
            return GIF;
        }
        if (startsWith(b, 0, ascii("BM"))) {
            return BMP;
        }
        if (startsWith(b, 0, ascii("RIFF")) && startsWith(b, 8, ascii("WEBP"))) {
            return WEBP;
        }
        if (startsWith(b, 0, ascii("II*\0")) || startsWith(b, 0, ascii("MM\0*"))) {
            return TIFF;
        }
        return UNKNOWN;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (b.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
