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
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, String.valueOf(value));
        }
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    AvroSerde(Class<T> type, SchemaStore olderSchemas) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, olderSchemas);
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
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException s) {
                throw s;
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
