package io.lince.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.ModelPublished;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    static ImageEvent image() {
        return ImageEvent.newBuilder().setId("img-1").setEventTime(NOW).setSource("cam-7")
                .setContentType("image/jpeg").setBytes(ByteBuffer.wrap(new byte[] {1, 2, 3})).build();
    }

    static Prediction prediction() {
        return Prediction.newBuilder().setLabel("dogs").setProbabilities(Map.of("cats", 0.3f, "dogs", 0.7f))
                .setConfidence(0.7f).setMargin(0.4f).setEntropy(0.88f).setModelVersion(3).build();
    }

    private static <T extends SpecificRecord> void roundTrip(Class<T> type, T value) {
        Serde<T> serde = WireFormat.defaults().serde(type);
        byte[] bytes = serde.serializer().serialize("t", value);
        assertEquals((byte) 0xC3, bytes[0], "single-object encoding marker");
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(value, serde.deserializer().deserialize("t", bytes));
    }

    @Test
    void everyContractRoundTrips() {
        roundTrip(ImageEvent.class, image());
        roundTrip(ImageEvent.class, ImageEvent.newBuilder(image()).setBytes(null).setUri("file:///x.jpg")
                .setKnownLabel("cats").build());
        roundTrip(Classification.class, Classification.newBuilder().setImageId("img-1").setEventTime(NOW)
                .setPrediction(prediction()).setDecodeMillis(1.5f).setInferenceMillis(40f).setClassifiedAt(NOW).build());
        roundTrip(RetrainingSample.class, RetrainingSample.newBuilder().setImage(image()).setPrediction(prediction())
                .setUncertainty(0.7f).setReason("confidence 0.700 < 0.900").build());
        roundTrip(LabelEvent.class, LabelEvent.newBuilder().setImageId("img-1").setLabel("cats")
                .setLabeller("alice").setLabelledAt(NOW).build());
        roundTrip(ModelPublished.class, ModelPublished.newBuilder().setVersion(2).setParentVersion(1)
                .setArtifactUri("file:///m/v2").setSha256("ab").setClasses(List.of("cats", "dogs")).setInputSize(224)
                .setMetrics(Map.of("trainAccuracy", 0.9)).setTrainedOn(50).setPublishedAt(NOW).build());
        roundTrip(DeadLetter.class, DeadLetter.newBuilder().setTopic("lince.images").setPartition(0).setOffset(9)
                .setKey(ByteBuffer.wrap(new byte[] {1})).setHeaders(Map.of("h", ByteBuffer.wrap(new byte[] {2})))
                .setValue(ByteBuffer.wrap(new byte[] {3})).setImageId("img-1").setStage("decode")
                .setReason("corrupt jpeg").setFailedAt(NOW).build());
    }

    /** ImageEvent as a first version might have been: no contentType, no knownLabel. */
    private static final Schema IMAGE_EVENT_V0 = new Schema.Parser().parse("""
            {"type":"record","name":"ImageEvent","namespace":"io.lince.contracts","fields":[
              {"name":"id","type":"string"},
              {"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"source","type":"string"},
              {"name":"bytes","type":["null","bytes"],"default":null},
              {"name":"uri","type":["null","string"],"default":null}]}""");

    private static byte[] writeV0() throws Exception {
        GenericRecord old = new GenericData.Record(IMAGE_EVENT_V0);
        old.put("id", "old-1");
        old.put("eventTime", NOW.toEpochMilli());
        old.put("source", "legacy-app");
        old.put("bytes", ByteBuffer.wrap(new byte[] {9}));
        ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), IMAGE_EVENT_V0).encode(old);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    @Test
    void readsRecordsWrittenWithAnOlderSchema() throws Exception {
        SingleObjectWireFormat wire = SingleObjectWireFormat.withHistory();
        wire.addSchema(IMAGE_EVENT_V0);
        ImageEvent e = wire.serde(ImageEvent.class).deserializer().deserialize("t", writeV0());
        assertEquals("old-1", e.getId());
        assertEquals("legacy-app", e.getSource());
        assertNull(e.getContentType(), "new field takes its default");
        assertNull(e.getKnownLabel(), "new field takes its default");
        assertEquals(ByteBuffer.wrap(new byte[] {9}), e.getBytes());
    }

    @Test
    void modelRecordsFromBeforeThePromotionGateReadAsPromoted() throws Exception {
        // written with the shipped history's ModelPublished-1 schema, as a v0.1 trainer did
        org.apache.avro.Schema v1;
        try (var in = getClass().getClassLoader().getResourceAsStream("lince/schemas/history/ModelPublished-1.avsc")) {
            v1 = new org.apache.avro.Schema.Parser().parse(in);
        }
        org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(v1);
        old.put("version", 3);
        old.put("artifactUri", "file:/m/resnet34-v0003.lince");
        old.put("sha256", "ab");
        old.put("classes", java.util.List.of("cats", "dogs"));
        old.put("inputSize", 224);
        old.put("metrics", java.util.Map.of());
        old.put("trainedOn", 40);
        old.put("publishedAt", 1000L);
        var bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), v1).encode(old);
        ModelPublished m = SingleObjectWireFormat.withHistory().serde(ModelPublished.class).deserializer()
                .deserialize("t", io.lince.wire.Buffers.toArray(bytes));
        assertEquals(3, m.getVersion());
        assertEquals("promoted", m.getStatus());
        assertEquals("", m.getDecision());
        assertNull(m.getPromotedAt());
    }

    @Test
    void unknownWriterSchemaIsAClearError() throws Exception {
        byte[] old = writeV0();
        SerializationException e = assertThrows(SerializationException.class,
                () -> WireFormat.defaults().serde(ImageEvent.class).deserializer().deserialize("t", old));
        assertTrue(e.getMessage().startsWith("not a readable ImageEvent record"), e.getMessage());
    }

    @Test
    void anUnknownFingerprintIsNamedInHexWithTheOnesThisReaderKnows() throws Exception {
        byte[] old = writeV0();
        SerializationException e = assertThrows(SerializationException.class,
                () -> WireFormat.defaults().serde(ImageEvent.class).deserializer().deserialize("t", old));
        String seen = java.util.HexFormat.of().formatHex(old, 2, 10);
        assertTrue(e.getMessage().contains("fingerprint " + seen), e.getMessage());
        assertTrue(e.getMessage().contains("3186a037d3b5f3fc (current)"), "the current ImageEvent's, as on the wire: " + e.getMessage());
        assertEquals("3186a037d3b5f3fc", AvroSerde.fingerprint(ImageEvent.getClassSchema()));
    }

    @Test
    void theConfluentFramingIsRecognisedAndNamed() {
        byte[] confluent = {0, 0, 0, 0, 7, 2, 4, 6};
        SerializationException e = assertThrows(SerializationException.class,
                () -> WireFormat.defaults().serde(ImageEvent.class).deserializer().deserialize("t", confluent));
        assertTrue(e.getMessage().contains("Confluent schema-registry wire format (magic 0x00, then schema id 7)"), e.getMessage());
    }

    @Test
    void garbageIsAClearError() {
        assertThrows(SerializationException.class,
                () -> WireFormat.defaults().serde(LabelEvent.class).deserializer().deserialize("t", new byte[] {1, 2, 3}));
    }

    @Test
    void deadLettersWrittenWithTheFirstSchemaStillRead() throws Exception {
        Schema v1;
        try (var in = AvroSerdeTest.class.getResourceAsStream("/lince/schemas/history/DeadLetter-1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericData.Record(v1);
        old.put("topic", "lince.images");
        old.put("partition", 0);
        old.put("offset", 7L);
        old.put("key", ByteBuffer.wrap(new byte[] {1}));
        old.put("headers", Map.of("trace", ByteBuffer.wrap(new byte[] {42})));
        old.put("value", null);
        old.put("imageId", "img-1");
        old.put("stage", "decode");
        old.put("reason", "corrupt jpeg");
        old.put("failedAt", NOW.toEpochMilli());
        byte[] bytes = Buffers.toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old));
        DeadLetter read = WireFormat.defaults().serde(DeadLetter.class).deserializer().deserialize("t", bytes);
        assertEquals("corrupt jpeg", read.getReason());
        assertEquals(ByteBuffer.wrap(new byte[] {42}), read.getHeaders().get("trace"));
        assertEquals(List.of(), read.getRecordHeaders(), "no header list in the first schema");
    }

    @Test
    void trailingBytesAfterACompleteRecordAreRefused() {
        Serde<ImageEvent> serde = WireFormat.defaults().serde(ImageEvent.class);
        byte[] one = serde.serializer().serialize("t", image());
        byte[] glued = java.util.Arrays.copyOf(one, one.length + 3);
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("t", glued));
        assertTrue(e.getMessage().contains("3 trailing bytes after a complete record of " + one.length + " bytes"), e.getMessage());
        assertEquals(image(), serde.deserializer().deserialize("t", one), "the record alone still reads");
    }
}
