package io.lince.wire;

import java.nio.ByteBuffer;

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
}
