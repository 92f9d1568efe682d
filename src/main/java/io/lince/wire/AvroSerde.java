package io.lince.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde for one generated Avro class in single-object encoding. Thread-safe. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    static {
        // Avro allocates what a record's length fields declare before it reads the bytes: a
        // 24-byte ImageEvent declaring 2 GB of image would take the heap down with it. These bound
        // every read by what Lince can accept at all (the largest record is 16 MiB); a record over
        // them fails to read, with the length in its reason, and is dead-lettered. Set before any
        // Avro decoder exists (they are read once); a user's own -D setting wins.
        limit("org.apache.avro.limits.bytes.maxLength", 64 * 1024 * 1024);
        limit("org.apache.avro.limits.string.maxLength", 16 * 1024 * 1024);
        limit("org.apache.avro.limits.collectionItems.maxLength", 1_000_000);
        // Avro reads them once, when SystemLimitException is first loaded, and touching any
        // generated record class (its static decoder) loads it: if that happened before this
        // class, the limits would silently be Avro's (2 GB). Have Avro read them again; its
        // resetLimits() is package-private (made for Avro's own tests), hence reflection.
        try {
            java.lang.reflect.Method reset = org.apache.avro.SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot apply Lince's Avro read limits: " + e);
        }
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, String.valueOf(value));
        }
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    /** The fingerprints this reader resolves, as they appear on the wire: for error messages. */
    private final java.util.List<String> known;

    AvroSerde(Class<T> type, SchemaStore olderSchemas, java.util.List<Schema> olderOfType) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, olderSchemas);
        java.util.List<String> k = new java.util.ArrayList<>();
        k.add(fingerprint(schema) + " (current)");
        olderOfType.forEach(o -> k.add(fingerprint(o)));
        this.known = java.util.List.copyOf(k);
    }

    /** A schema's single-object fingerprint as the wire carries it: CRC-64-AVRO, little-endian, in hex. */
    public static String fingerprint(Schema schema) {
        long fp = org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
        byte[] le = new byte[8];
        for (int i = 0; i < 8; i++) {
            le[i] = (byte) (fp >>> (8 * i));
        }
        return java.util.HexFormat.of().formatHex(le);
    }

    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return Buffers.toArray(encoder.encode(data));
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName(), e);
        }
    }

    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(data);
            // Avro's binary decoding here reads no further than the record (a direct decoder), so
            // what is left in the stream afterwards came after a complete record: two records
            // glued together, or garbage a producer appended. Either way it is not one record.
            T record = decoder.decode(in, null);
            if (in.available() > 0) {
                throw new SerializationException(String.format("not a readable %s record: %,d trailing bytes after a complete record of %,d bytes",
                        type.getSimpleName(), in.available(), data.length - in.available()));
            }
            return record;
        } catch (org.apache.avro.message.MissingSchemaException e) {
            String seen = data.length >= 10 ? java.util.HexFormat.of().formatHex(data, 2, 10) : "?";
            throw new SerializationException(String.format("not a readable %s record: its writer schema's fingerprint %s"
                    + " (bytes 3-10, CRC-64-AVRO of the parsing canonical form, little-endian) is not one this reader knows: %s."
                    + " Write with Lince's exact schema (schemas/%s.avsc; a Python avro canonical form that keeps logicalType"
                    + " gives another fingerprint: see schemas/README.md), or, for a newer schema of yours, give it to the"
                    + " classifiers (lince.schemas.writers; `lince schemas check` tells whether it is readable)",
                    type.getSimpleName(), seen, String.join(", ", known), type.getSimpleName()), e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException s) {
                throw s;
            }
            if (data.length >= 5 && data[0] == 0) {
                throw new SerializationException(String.format("not a readable %s record: it starts like the Confluent"
                        + " schema-registry wire format (magic 0x00, then schema id %d); Lince reads Avro single-object"
                        + " encoding (C3 01, then the 8-byte schema fingerprint): see schemas/README.md", type.getSimpleName(),
                        java.nio.ByteBuffer.wrap(data, 1, 4).getInt()), e);
            }
            throw new SerializationException(
                    "not a readable " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }
}
