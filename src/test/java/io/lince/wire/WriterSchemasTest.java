package io.lince.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer team adds a field to its ImageEvent: without a registry, classifiers given that
 * schema ({@code lince.schemas.writers}) read its events by Avro resolution; without it they
 * dead-letter them with the fingerprint, the ones they know and what to do; a schema that cannot
 * be read fails at start.
 */
class WriterSchemasTest {

    /** Lince's ImageEvent with one more field, as a newer producer writes it. */
    static final String NEWER = Files.exists(Path.of("schemas/ImageEvent.avsc")) ? read("schemas/ImageEvent.avsc").replace(
            "{\"name\": \"knownLabel\"", "{\"name\": \"deviceId\", \"type\": [\"null\", \"string\"], \"default\": null},\n    {\"name\": \"knownLabel\"")
            : null;

    @TempDir
    Path dir;

    @Test
    void aNewerProducersEventsAreReadOnceItsSchemaIsGiven() throws Exception {
        Path writers = Files.createDirectories(dir.resolve("writers"));
        Files.writeString(writers.resolve("ImageEvent.avsc"), NEWER);
        Schema newer = new Schema.Parser().parse(NEWER);
        byte[] value = encode(newer, "cam-7");

        String reason = assertThrows(SerializationException.class,
                () -> SingleObjectWireFormat.withHistory().serde(ImageEvent.class).deserializer().deserialize("t", value)).getMessage();
        assertTrue(reason.contains(AvroSerde.fingerprint(newer)), "names the fingerprint it got: " + reason);
        assertTrue(reason.contains(AvroSerde.fingerprint(ImageEvent.getClassSchema()) + " (current)"), "and the ones it knows: " + reason);
        assertTrue(reason.contains("lince.schemas.writers"), "and what to do: " + reason);

        ImageEvent read = SingleObjectWireFormat.withHistory().withWriters(writers).serde(ImageEvent.class).deserializer()
                .deserialize("t", value);
        assertEquals("img-1", read.getId());
        assertEquals("app", read.getSource());
        assertEquals("cats", read.getKnownLabel());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read.getBytes());
        assertNull(read.getUri());
    }

    @Test
    void anUnreadableSchemaFailsTheStartWithAvrosReason() throws Exception {
        Path writers = Files.createDirectories(dir.resolve("writers"));
        Files.writeString(writers.resolve("ImageEvent.avsc"), NEWER.replace("{\"name\": \"id\", \"type\": \"string\"}",
                "{\"name\": \"id\", \"type\": \"int\"}"));
        String reason = assertThrows(IllegalArgumentException.class, () -> SingleObjectWireFormat.withHistory().withWriters(writers))
                .getMessage();
        assertTrue(reason.contains("cannot be read as Lince's ImageEvent") && reason.contains("/fields/0/type"), reason);

        Files.writeString(writers.resolve("ImageEvent.avsc"), "{\"type\":\"record\",\"name\":\"Mine\",\"fields\":[]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SingleObjectWireFormat.withHistory().withWriters(writers))
                .getMessage().contains("Mine is not a record on Lince's topics"));
    }

    @Test
    void checkTellsLincesOwnSchemaFromANewerOne() throws Exception {
        SingleObjectWireFormat.Verdict own = SingleObjectWireFormat.check(Path.of("schemas/ImageEvent.avsc"));
        assertTrue(own.readable() && own.describe().contains("Lince's own schema"), own.describe());
        Path newer = Files.writeString(dir.resolve("ImageEvent.avsc"), NEWER);
        SingleObjectWireFormat.Verdict v = SingleObjectWireFormat.check(newer);
        assertTrue(v.readable() && v.describe().contains("lince.schemas.writers"), v.describe());
        SingleObjectWireFormat.Verdict broken = SingleObjectWireFormat.check(Files.writeString(dir.resolve("x.avsc"), "{"));
        assertFalse(broken.readable());
        assertTrue(broken.describe().startsWith("NOT readable: does not parse"), broken.describe());
    }

    private static byte[] encode(Schema schema, String device) throws Exception {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", "img-1");
        r.put("eventTime", 1_767_225_600_000L);
        r.put("source", "app");
        r.put("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        r.put("deviceId", device);
        r.put("knownLabel", "cats");
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(r);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
