package io.lince.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Avro hands bytes fields over as {@link ByteBuffer}s; image decoders and Kafka want arrays. */
public final class Buffers {

    private Buffers() {}

    /** The buffer's remaining bytes, copied; the buffer's own position is left alone. */
    public static byte[] toArray(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The buffer's remaining bytes as UTF-8 text, or null when they are not valid UTF-8 (never replaced). */
    public static String utf8(ByteBuffer buf) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(buf.duplicate()).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
