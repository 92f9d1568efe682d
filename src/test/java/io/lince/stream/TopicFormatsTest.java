package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.RetrainingSample;
import io.lince.images.ImageDecoder;
import io.lince.kafka.Topics;
import io.lince.model.ImageClassifier;
import io.lince.model.ModelSlot;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.wire.ClassificationJson;
import io.lince.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** {@code lince.images.format=raw} (image bytes keyed by id) and {@code lince.output.format=json}. */
class TopicFormatsTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** A classifier topology reading {@code input}, writing classifications with {@code wire}. */
    private static final class Harness implements AutoCloseable {
        final ModelSlot slot = new ModelSlot(TestModels.constant(7, 32, 6f, -6f));
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> images;
        final TestOutputTopic<String, byte[]> classifications;
        final TestOutputTopic<String, RetrainingSample> retraining;
        final TestOutputTopic<String, DeadLetter> dead;
        final AtomicLong now = new AtomicLong(START.toEpochMilli());

        Harness(ImageInput input, WireFormat wire) {
            var classifier = new ImageClassifier(slot, new io.lince.images.InputCrop(new ImageDecoder(100_000, 1_000_000), true), 0,
                    io.lince.model.LinceModel::outputs);
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "formats");
            var settings = new ClassifierTopology.Settings(ImageSource.inlineOnly(), RoutingPolicy.of("confidence", 0.9),
                    BatchSettings.defaults(), ClassifierMetrics.NONE, now::get, ClassifierWorkers.sameThread(), InputRecords.none(),
                    EventChecks.DEFAULTS);
            driver = new TopologyTestDriver(ClassifierTopology.build(TOPICS, input, wire, classifier, settings), p, START);
            images = driver.createInputTopic(TOPICS.images(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
            classifications = driver.createOutputTopic(TOPICS.classifications(), Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer());
            retraining = driver.createOutputTopic(TOPICS.retraining(), Serdes.String().deserializer(),
                    wire.serde(RetrainingSample.class).deserializer());
            dead = driver.createOutputTopic(TOPICS.deadLetter(), Serdes.String().deserializer(),
                    wire.serde(DeadLetter.class).deserializer());
        }

        void waitOut() {
            now.addAndGet(200);
            driver.advanceWallClockTime(Duration.ofMillis(200));
        }

        @Override
        public void close() {
            driver.close();
            slot.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rawImagesAreKeyedByIdWithOptionalHeadersAndBadOnesAreDeadLettered() {
        WireFormat wire = WireFormat.defaults();
        try (Harness h = new Harness(ImageInput.raw(), wire)) {
            h.images.pipeInput(new TestRecord<>(utf8("plain"), TestImages.jpeg(0, 1), new RecordHeaders(),
                    Instant.parse("2026-01-01T00:00:05Z")));
            var headers = new RecordHeaders().add(ImageInput.CONTENT_TYPE, utf8("image/png"))
                    .add(ImageInput.KNOWN_LABEL, utf8("stripes")).add(ImageInput.SOURCE, utf8("camera-7"));
            h.images.pipeInput(new TestRecord<>(utf8("labelled"), TestImages.png(40, 40), headers, START));
            h.images.pipeInput(new TestRecord<>((byte[]) null, TestImages.jpeg(1, 2), new RecordHeaders(), START));
            h.images.pipeInput(new TestRecord<>(utf8("pdf"), TestImages.jpeg(1, 3),
                    new RecordHeaders().add(ImageInput.CONTENT_TYPE, utf8("application/pdf")), START));
            h.images.pipeInput(new TestRecord<>(utf8("garbage"), TestImages.randomBytes(300), new RecordHeaders(), START));
            h.waitOut();

            var out = h.classifications.readKeyValuesToMap();
            assertEquals(Set.of("plain", "labelled"), out.keySet());
            Classification plain = wire.serde(Classification.class).deserializer().deserialize("t", out.get("plain"));
            assertEquals(Instant.parse("2026-01-01T00:00:05Z"), plain.getEventTime(), "the record's timestamp is the event time");
            RetrainingSample known = h.retraining.readValue();
            assertEquals("labelled", known.getImage().getId());
            assertEquals("stripes", known.getImage().getKnownLabel(), "the header's trusted label goes to the training data");
            assertEquals("camera-7", known.getImage().getSource());
            assertEquals("image/png", known.getImage().getContentType());

            var dead = h.dead.readValuesToList();
            assertEquals(3, dead.size(), dead.toString());
            assertTrue(dead.stream().anyMatch(d -> d.getStage().equals("deserialize")
                    && d.getReason().startsWith("a raw image needs its image id as the record key") && d.getReason().contains("the key is null")),
                    dead.toString());
            assertTrue(dead.stream().anyMatch(d -> d.getStage().equals("deserialize")
                    && d.getReason().contains("'application/pdf' is not an image type")), dead.toString());
            assertTrue(dead.stream().anyMatch(d -> d.getStage().equals("decode") && "garbage".equals(d.getImageId())), dead.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> ImageInput.of("protobuf", null));
    }

    @Test
    void classificationsAsJsonFollowTheirSchemaAndReadersTakeBothFormats() throws Exception {
        WireFormat avro = WireFormat.defaults();
        WireFormat json = avro.classificationsAs("json");
        try (Harness h = new Harness(ImageInput.avro(avro.serde(io.lince.contracts.ImageEvent.class).deserializer()), json)) {
            h.images.pipeInput(utf8("a"), avro.serde(io.lince.contracts.ImageEvent.class).serializer().serialize("t",
                    io.lince.contracts.ImageEvent.newBuilder().setId("a").setEventTime(Instant.ofEpochMilli(1000))
                            .setSource("test").setBytes(java.nio.ByteBuffer.wrap(TestImages.jpeg(0, 1))).build()));
            h.waitOut();
            byte[] value = h.classifications.readValue();
            JsonNode doc = new ObjectMapper().readTree(value);
            assertEquals("a", doc.get("imageId").asText());
            assertEquals(1000, doc.get("eventTime").asLong());
            assertEquals("discs", doc.get("prediction").get("label").asText());
            assertEquals(7, doc.get("prediction").get("modelVersion").asInt());
            assertTrue(doc.get("prediction").get("probabilities").get("discs").asDouble() > 0.99);

            JsonNode schema = new ObjectMapper().readTree(Path.of("schemas/Classification.schema.json").toFile());
            assertFollows(schema, doc, "");

            // what internal readers use reads JSON and Avro alike
            Classification fromJson = ClassificationJson.either(avro.serde(Classification.class).deserializer()).deserialize("t", value);
            byte[] asAvro = avro.serde(Classification.class).serializer().serialize("t", fromJson);
            assertEquals(fromJson, json.serde(Classification.class).deserializer().deserialize("t", asAvro));
            assertEquals(fromJson, ClassificationJson.read(ClassificationJson.write(fromJson)), "a faithful round trip");
        }
        assertThrows(IllegalArgumentException.class, () -> WireFormat.defaults().classificationsAs("xml"));
    }

    /** The document has every required property, and none the schema does not name (recursively). */
    private static void assertFollows(JsonNode schema, JsonNode doc, String path) {
        Set<String> names = new HashSet<>();
        schema.get("properties").fieldNames().forEachRemaining(names::add);
        for (JsonNode r : schema.get("required")) {
            assertTrue(doc.has(r.asText()), path + "/" + r.asText() + " is required");
        }
        for (Iterator<String> it = doc.fieldNames(); it.hasNext();) {
            String f = it.next();
            assertTrue(names.contains(f), path + "/" + f + " is not in the schema");
            JsonNode s = schema.get("properties").get(f);
            String type = s.get("type").asText();
            JsonNode v = doc.get(f);
            switch (type) {
                case "string" -> assertTrue(v.isTextual(), path + "/" + f);
                case "integer" -> assertTrue(v.isIntegralNumber(), path + "/" + f);
                case "number" -> assertTrue(v.isNumber(), path + "/" + f);
                case "object" -> {
                    assertTrue(v.isObject(), path + "/" + f);
                    if (s.has("properties")) {
                        assertFollows(s, v, path + "/" + f);
                    }
                }
                default -> throw new AssertionError(type);
            }
        }
    }
}
