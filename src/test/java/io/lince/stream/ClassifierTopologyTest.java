package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.RetrainingSample;
import io.lince.images.ImageDecoder;
import io.lince.kafka.Topics;
import io.lince.model.ImageClassifier;
import io.lince.model.ModelSlot;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Routing with a real ResNet-34 (32 px) whose head is fixed to be sure, or unsure. */
class ClassifierTopologyTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private final WireFormat wire = WireFormat.defaults();

    private final class Harness implements AutoCloseable {
        final ModelSlot slot;
        final TopologyTestDriver driver;
        final TestInputTopic<String, byte[]> images;
        final TestOutputTopic<String, Classification> classifications;
        final TestOutputTopic<String, RetrainingSample> retraining;
        final TestOutputTopic<String, DeadLetter> dead;
        ClassifierTopology.Settings settings;
        /** The driver's mock wall clock, which the processor reads too. */
        final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(START.toEpochMilli());

        Harness(float... logits) {
            this(BatchSettings.defaults(), logits);
        }

        Harness(BatchSettings batching, float... logits) {
            this(batching, ImageSource.inlineOnly(), logits);
        }

        Harness(BatchSettings batching, ImageSource source, float... logits) {
            this(batching, source, io.lince.model.LinceModel::outputs, logits);
        }

        Harness(BatchSettings batching, ImageSource source, ImageClassifier.Forward forward, float... logits) {
            this(batching, source, forward, ClassifierWorkers.sameThread(), logits);
        }

        Harness(BatchSettings batching, ImageSource source, ImageClassifier.Forward forward, ClassifierWorkers workers,
                float... logits) {
            slot = new ModelSlot(TestModels.constant(7, 32, logits));
            var classifier = new ImageClassifier(slot, new io.lince.images.InputCrop(new ImageDecoder(100_000, 1_000_000), true), 0,
                    forward);
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
            settings = new ClassifierTopology.Settings(source, RoutingPolicy.of("confidence", 0.9), batching,
                    ClassifierMetrics.NONE, now::get, workers, InputRecords.none(), EventChecks.DEFAULTS);
            driver = new TopologyTestDriver(ClassifierTopology.build(TOPICS, wire, classifier, settings), p, START);
            images = driver.createInputTopic(TOPICS.images(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            classifications = driver.createOutputTopic(TOPICS.classifications(), Serdes.String().deserializer(),
                    wire.serde(Classification.class).deserializer());
            retraining = driver.createOutputTopic(TOPICS.retraining(), Serdes.String().deserializer(),
                    wire.serde(RetrainingSample.class).deserializer());
            dead = driver.createOutputTopic(TOPICS.deadLetter(), Serdes.String().deserializer(),
                    wire.serde(DeadLetter.class).deserializer());
        }

        void send(String id, byte[] image) {
            images.pipeInput(id, event(id, image));
        }

        /** Lets the batch's delay pass on the driver's wall clock. */
        void waitOut() {
            advance(Duration.ofMillis(200));
        }

        void advance(Duration d) {
            now.addAndGet(d.toMillis());
            driver.advanceWallClockTime(d);
        }

        void sendUri(String id, String uri) {
            images.pipeInput(id, wire.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder()
                    .setId(id).setEventTime(Instant.ofEpochMilli(1000)).setSource("test").setUri(uri).build()));
        }

        byte[] event(String id, byte[] image) {
            return wire.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder()
                    .setId(id).setEventTime(Instant.ofEpochMilli(1000)).setSource("test")
                    .setBytes(image == null ? null : ByteBuffer.wrap(image)).build());
        }

        @Override
        public void close() {
            driver.close();
            slot.close();
        }
    }

    @Test
    void aConfidentResultIsPublishedAndNotSentForLabelling() {
        try (Harness h = new Harness(6f, -6f)) {
            h.send("a", TestImages.jpeg(0, 1));
            h.waitOut();
            Classification c = h.classifications.readValue();
            assertEquals("a", c.getImageId());
            assertEquals("discs", c.getPrediction().getLabel());
            assertTrue(c.getPrediction().getConfidence() > 0.99f);
            assertEquals(7, c.getPrediction().getModelVersion());
            assertEquals(1000L, c.getEventTime().toEpochMilli());
            assertTrue(h.retraining.isEmpty());
            assertTrue(h.dead.isEmpty());
        }
    }

    @Test
    void anUnsureResultIsAlsoSentForLabellingWithItsReason() {
        try (Harness h = new Harness(0.2f, 0f)) {
            h.send("b", TestImages.jpeg(1, 2));
            h.waitOut();
            Classification c = h.classifications.readValue();
            assertEquals("discs", c.getPrediction().getLabel());
            RetrainingSample s = h.retraining.readValue();
            assertEquals("b", s.getImage().getId());
            assertEquals(c.getPrediction(), s.getPrediction());
            assertEquals(c.getPrediction().getConfidence(), s.getUncertainty());
            assertTrue(s.getReason().matches("confidence 0\\.5\\d\\d < 0\\.900"), s.getReason());
            assertTrue(s.getImage().getBytes().remaining() > 0, "the image travels with the sample");
        }
    }

    @Test
    void anImageIsSentForLabellingOnceEvenWhenItComesAgain() {
        try (Harness h = new Harness(0.2f, 0f)) {
            h.send("b", TestImages.jpeg(1, 2));
            h.waitOut();
            h.send("b", TestImages.jpeg(1, 2)); // a producer retry, or the same photo again
            h.waitOut();
            assertEquals(2, h.classifications.readValuesToList().size());
            assertEquals(1, h.retraining.readValuesToList().size());
        }
    }

    @Test
    void aTombstoneErasesTheImageAfterEverythingPublishedBeforeIt() {
        try (Harness h = new Harness(new BatchSettings(8, Duration.ofSeconds(10)), 0.2f, 0f)) {
            h.send("b", TestImages.jpeg(1, 2)); // waits for its batch to fill
            h.images.pipeInput("b", (byte[]) null); // the erasure flushes it first
            var out = h.retraining.readKeyValuesToList();
            assertEquals(2, out.size());
            assertEquals("b", out.get(0).key);
            assertTrue(out.get(0).value != null, "the sample, published before the erasure");
            assertEquals("b", out.get(1).key);
            assertNull(out.get(1).value, "then its tombstone on the compacted retraining topic");
            assertEquals(1, h.classifications.readValuesToList().size());

            h.send("b", TestImages.jpeg(1, 2)); // published again after the erasure: a new image
            h.advance(Duration.ofSeconds(11));
            assertEquals(1, h.retraining.readValuesToList().size(), "the id was forgotten, so it is routed again");

            h.images.pipeInput((String) null, (byte[]) null);
            h.advance(Duration.ofSeconds(11));
            assertReason(h.dead.readValue(), "deserialize", "a tombstone without a usable image id");
        }
    }

    @Test
    void theSelectionStateIsSavedInItsChangeloggedStoreOnceABatch() {
        try (Harness h = new Harness(new BatchSettings(4, Duration.ofSeconds(10)), 0.2f, 0f)) {
            for (int i = 0; i < 8; i++) {
                h.send("s-" + i, TestImages.jpeg(1, i));
            }
            org.apache.kafka.streams.state.KeyValueStore<String, io.lince.contracts.SelectorState> store =
                    h.driver.getKeyValueStore(ClassifierTopology.SELECTION);
            assertEquals(8, store.get("selector").getSeen(), "what a task that takes over goes on from");
        }
    }

    @Test
    void anImageItsPublisherLabelledGoesToTheTrainingDataEvenWhenConfident() {
        try (Harness h = new Harness(6f, -6f)) {
            h.images.pipeInput("k", wire.serde(ImageEvent.class).serializer().serialize("t", ImageEvent.newBuilder()
                    .setId("k").setEventTime(Instant.ofEpochMilli(1000)).setSource("test").setKnownLabel("stripes")
                    .setBytes(ByteBuffer.wrap(TestImages.jpeg(1, 3))).build()));
            h.waitOut();
            RetrainingSample s = h.retraining.readValue();
            assertEquals("labelled by its publisher", s.getReason());
            assertEquals("stripes", s.getImage().getKnownLabel());
        }
    }

    @Test
    void badInputGoesToTheDeadLetterTopicAndTheStreamGoesOn() {
        try (Harness h = new Harness(6f, -6f)) {
            h.send("good-1", TestImages.jpeg(0, 1));
            h.send("truncated", TestImages.truncatedJpeg());
            h.send("random", TestImages.randomBytes(300));
            h.send("empty", new byte[0]);
            h.send("webp", TestImages.webp());
            h.send("huge", TestImages.pngClaiming(30_000, 30_000));
            h.send("oversized", new byte[200_000]);
            h.send("no-image", null);
            var headers = new RecordHeaders().add("trace", new byte[] {42});
            h.images.pipeInput(new TestRecord<>("not-avro", new byte[] {1, 2, 3}, headers));
            h.send("cmyk", TestImages.cmykJpeg());
            h.images.pipeInput("unknown-schema", unknownSchemaRecord());
            h.send("good-2", TestImages.png(40, 40));
            h.waitOut();

            assertEquals(List.of("good-1", "cmyk", "good-2"), h.classifications.readKeyValuesToList().stream()
                    .map(kv -> kv.key).toList());
            Map<String, DeadLetter> dead = h.dead.readKeyValuesToList().stream()
                    .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
            assertEquals(9, dead.size(), dead.keySet().toString());
            assertReason(dead.get("unknown-schema"), "deserialize", "not a readable ImageEvent");
            assertTrue(dead.get("unknown-schema").getReason().contains("is not one this reader knows: "
                    + io.lince.wire.AvroSerde.fingerprint(ImageEvent.getClassSchema()) + " (current)"), dead.get("unknown-schema").getReason());
            assertReason(dead.get("truncated"), "decode", "corrupt jpeg");
            assertReason(dead.get("random"), "decode", "not an image");
            assertReason(dead.get("empty"), "decode", "empty payload");
            assertReason(dead.get("webp"), "decode", "unsupported format webp");
            assertReason(dead.get("huge"), "decode", "header declares 30000x30000");
            assertReason(dead.get("oversized"), "decode", "payload of 200,000 bytes exceeds");
            assertReason(dead.get("no-image"), "fetch", "event carries neither");
            DeadLetter notAvro = dead.get("not-avro");
            assertReason(notAvro, "deserialize", "not a readable ImageEvent");
            assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), notAvro.getValue(), "original bytes kept");
            assertEquals(ByteBuffer.wrap(new byte[] {42}), notAvro.getHeaders().get("trace"), "headers kept");
            assertEquals(TOPICS.images(), notAvro.getTopic());
        }
    }

    @Test
    void aDeadLetterKeepsTheKeyByteForByteAndEveryHeaderInOrder() {
        try (Harness h = new Harness(6f, -6f)) {
            byte[] binaryKey = {(byte) 0xff, (byte) 0xfe, 0x00, 0x6b, (byte) 0x80};
            var headers = new RecordHeaders().add("trace", new byte[] {42}).add("trace", new byte[] {43})
                    .add("empty", null).add("trace", new byte[] {44});
            var raw = h.driver.createInputTopic(TOPICS.images(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
            raw.pipeInput(new TestRecord<>(binaryKey, new byte[] {1, 2, 3}, headers));
            raw.pipeInput(new TestRecord<>("text-key".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {4}));
            h.waitOut();

            var out = h.dead.readKeyValuesToList();
            assertEquals(2, out.size());
            DeadLetter d = out.get(0).value;
            assertEquals(null, out.get(0).key, "an undecodable key cannot key the dead letter; it is in the body");
            assertEquals(ByteBuffer.wrap(binaryKey), d.getKey(), "the key, byte for byte");
            assertEquals(List.of("trace=42", "trace=43", "empty=null", "trace=44"), d.getRecordHeaders().stream()
                    .map(x -> x.getKey() + "=" + (x.getValue() == null ? "null" : String.valueOf(x.getValue().get(0)))).toList());
            assertEquals(ByteBuffer.wrap(new byte[] {44}), d.getHeaders().get("trace"), "the first schema's map: the last value");
            assertEquals("text-key", out.get(1).key, "a text key still keys its dead letter");
        }
    }

    @Test
    void anImageOnASlowHostHoldsBackNeitherItsBatchNorTheImagesBehindIt() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ImageSource slowForOne = event -> {
            if (event.getUri() != null) {
                try {
                    release.await(); // the slow host answers only when the test says so
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return TestImages.jpeg(0, 9);
            }
            return io.lince.wire.Buffers.toArray(event.getBytes());
        };
        try (ClassifierWorkers workers = ClassifierWorkers.of(1, 2, 1);
                Harness h = new Harness(new BatchSettings(4, Duration.ofMillis(100)), slowForOne,
                        io.lince.model.LinceModel::outputs, workers, 6f, -6f)) {
            h.sendUri("slow", "http://slow.example/x.jpg");
            for (int i = 0; i < 6; i++) {
                h.send("good-" + i, TestImages.jpeg(1, i));
            }
            List<String> out = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < 6 && System.nanoTime() < deadline) {
                h.advance(Duration.ofMillis(20));
                Thread.sleep(5);
                h.classifications.readKeyValuesToList().forEach(kv -> out.add(kv.key));
            }
            assertEquals(6, out.size(), "the six good images are out while the slow one is still fetching: " + out);
            assertFalse(out.contains("slow"));
            release.countDown();
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!out.contains("slow") && System.nanoTime() < deadline) {
                h.advance(Duration.ofMillis(20));
                Thread.sleep(5);
                h.classifications.readKeyValuesToList().forEach(kv -> out.add(kv.key));
            }
            assertTrue(out.contains("slow"), "then the slow one, in a later batch");
        }
    }

    @Test
    void aFullBatchRunsAtOnceAndTheRestWaitsInTheChangeloggedBuffer() {
        try (Harness h = new Harness(new BatchSettings(4, Duration.ofSeconds(10)), 6f, -6f)) {
            for (int i = 0; i < 7; i++) {
                h.send("img-" + i, TestImages.jpeg(i % 2, i));
            }
            List<Classification> first = h.classifications.readValuesToList();
            assertEquals(4, first.size(), "a full batch does not wait");
            first.forEach(c -> assertEquals(4, c.getBatchSize()));
            KeyValueStore<Long, PendingImage> buffer = h.driver.getKeyValueStore(ClassifierTopology.BUFFER);
            assertEquals(3, buffer.approximateNumEntries(), "three wait in the store");
            assertTrue(h.driver.producedTopicNames().contains("test-" + ClassifierTopology.BUFFER + "-changelog"),
                    "the buffer is changelogged: " + h.driver.producedTopicNames());

            h.advance(Duration.ofSeconds(9));
            assertTrue(h.classifications.isEmpty(), "not before the delay");
            h.advance(Duration.ofSeconds(2));
            List<Classification> rest = h.classifications.readValuesToList();
            assertEquals(List.of("img-4", "img-5", "img-6"), rest.stream().map(Classification::getImageId).toList());
            rest.forEach(c -> assertEquals(3, c.getBatchSize()));
            assertEquals(0, buffer.approximateNumEntries());
        }
    }

    @Test
    void aLoneImageWaitsAtMostTheDelay() {
        try (Harness h = new Harness(new BatchSettings(8, Duration.ofMillis(100)), 6f, -6f)) {
            h.send("lone", TestImages.jpeg(0, 1));
            h.advance(Duration.ofMillis(60));
            assertTrue(h.classifications.isEmpty());
            h.advance(Duration.ofMillis(50));
            Classification c = h.classifications.readValue();
            assertEquals(1, c.getBatchSize());
            assertTrue(c.getQueueMillis() >= 100 && c.getQueueMillis() <= 125, "waited " + c.getQueueMillis());
        }
    }

    @Test
    void waitsAreTimedOnTheWallClockNotOnStreamsCachedTime() {
        try (Harness h = new Harness(new BatchSettings(8, Duration.ofMillis(100)), 6f, -6f)) {
            h.send("late", TestImages.jpeg(0, 1));
            // Streams' cached time stands still while a batch runs inside process(); the wall clock does not
            h.now.addAndGet(500);
            h.advance(Duration.ofMillis(30));
            Classification c = h.classifications.readValue();
            assertEquals(1, c.getBatchSize(), "overdue by the wall clock: flushed at the next tick");
            assertEquals(530f, c.getQueueMillis(), 1f);
        }
    }

    @Test
    void claimCheckUrisAreFetchedOnlyInsideTheAllowList(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path root = java.nio.file.Files.createDirectories(dir.resolve("images"));
        java.nio.file.Path ok = java.nio.file.Files.write(root.resolve("ok.jpg"), TestImages.jpeg(0, 4));
        java.nio.file.Path outside = java.nio.file.Files.write(dir.resolve("outside.jpg"), TestImages.jpeg(0, 5));
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var policy = new io.lince.images.FetchPolicy(java.util.Optional.of(root), java.util.Set.of("127.0.0.1"),
                List.of(), Duration.ofMillis(500), 1_000_000, 2, Duration.ofMillis(10));
        try (Harness h = new Harness(BatchSettings.defaults(),
                ImageSource.claimCheck(new io.lince.images.UriFetcher(policy)), 6f, -6f)) {
            h.sendUri("by-uri", ok.toUri().toString());
            h.sendUri("outside", outside.toUri().toString());
            h.sendUri("metadata", "http://169.254.169.254/latest/meta-data/");
            h.sendUri("unreachable", "http://127.0.0.1:" + closed + "/x.jpg");
            h.send("inline", TestImages.jpeg(1, 6));
            h.waitOut();
            assertEquals(List.of("by-uri", "inline"), h.classifications.readKeyValuesToList().stream()
                    .map(kv -> kv.key).toList());
            Map<String, DeadLetter> dead = h.dead.readKeyValuesToList().stream()
                    .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
            assertEquals(3, dead.size());
            assertTrue(dead.get("outside").getReason().contains("outside the allowed root"));
            assertTrue(dead.get("metadata").getReason().contains("169.254.169.254 is not on the allow-list"));
            assertTrue(dead.get("unreachable").getReason().contains("failed after 2 attempts"));
            dead.values().forEach(d -> assertEquals("fetch", d.getStage()));
        }
    }

    @Test
    void s3ClaimChecksAreClassifiedAndRefusalsDeadLettered(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (io.lince.testing.S3Server s3 = io.lince.testing.S3Server.start(dir, "photos")) {
            s3.put("photos", "incoming/cat.jpg", TestImages.jpeg(0, 4));
            s3.put("photos", "archive/old.jpg", TestImages.jpeg(1, 5));
            var policy = io.lince.images.FetchPolicy.localFiles(java.util.Optional.empty())
                    .withS3(new io.lince.images.ObjectStorePolicy(List.of("photos/incoming/"), java.util.Optional.of(s3.endpoint()),
                            java.util.Optional.of("us-east-1"), true));
            try (var fetcher = new io.lince.images.UriFetcher(policy);
                    Harness h = new Harness(BatchSettings.defaults(), ImageSource.claimCheck(fetcher), 6f, -6f)) {
                h.sendUri("cat", "s3://photos/incoming/cat.jpg");
                h.sendUri("old", "s3://photos/archive/old.jpg");
                h.sendUri("gone", "s3://photos/incoming/gone.jpg");
                h.waitOut();
                assertEquals(List.of("cat"), h.classifications.readKeyValuesToList().stream().map(kv -> kv.key).toList());
                Map<String, DeadLetter> dead = h.dead.readKeyValuesToList().stream()
                        .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
                assertEquals(java.util.Set.of("old", "gone"), dead.keySet());
                assertTrue(dead.get("old").getReason().contains("not under an allowed bucket or prefix"), dead.get("old").getReason());
                assertTrue(dead.get("gone").getReason().contains("no such object"), dead.get("gone").getReason());
                dead.values().forEach(d -> assertEquals("fetch", d.getStage()));
            }
        }
    }

    /** Single-object encoding of a record whose writer schema no reader knows. */
    private static byte[] unknownSchemaRecord() {
        org.apache.avro.Schema s = new org.apache.avro.Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        var rec = new org.apache.avro.generic.GenericData.Record(s);
        rec.put("x", 1);
        try {
            ByteBuffer b = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                    org.apache.avro.generic.GenericData.get(), s).encode(rec);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertReason(DeadLetter d, String stage, String start) {
        assertEquals(stage, d.getStage(), d.getReason());
        assertTrue(d.getReason().startsWith(start), d.getReason());
    }

    @Test
    void aSwappedModelIsUsedFromTheNextRecord() {
        try (Harness h = new Harness(6f, -6f)) {
            h.send("before", TestImages.jpeg(0, 1));
            h.waitOut();
            h.slot.swap(TestModels.constant(8, 32, -6f, 6f));
            h.send("after", TestImages.jpeg(0, 1));
            h.waitOut();
            Map<String, Classification> out = h.classifications.readKeyValuesToList().stream()
                    .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
            assertEquals(7, out.get("before").getPrediction().getModelVersion());
            assertEquals(8, out.get("after").getPrediction().getModelVersion());
            assertEquals("stripes", out.get("after").getPrediction().getLabel());
        }
    }


    @Test
    void aRecordDeclaringTwoGigabytesOfImageIsDeadLetteredNotAllocated() {
        try (Harness h = new Harness(6f, -6f)) {
            // a real event with a one-byte image, whose length field is then made to say 2,147,483,639
            byte[] bomb = TestImages.lengthBomb(h.event("bomb", new byte[] {42}));
            assertTrue(bomb.length < 64, "a small record: " + bomb.length + " bytes");
            h.images.pipeInput("bomb", bomb);
            h.send("after", TestImages.jpeg(0, 1));
            h.waitOut();
            DeadLetter d = h.dead.readValue();
            assertEquals("deserialize", d.getStage());
            assertTrue(d.getReason().contains("2147483639"), d.getReason());
            assertEquals("after", h.classifications.readValue().getImageId(), "and the stream goes on");
        }
    }

    @Test
    void aBatchThatFailsIsSplitUntilThePoisonRecordFailsAlone() {
        // a forward pass that fails whenever its batch holds a pure red image
        int side = 32 * 32 * 3;
        ImageClassifier.Forward picky = (model, rgb, n) -> {
            for (int i = 0; i < n; i++) {
                if ((rgb.get(i * side) & 0xff) > 250 && rgb.get(i * side + 1) == 0 && rgb.get(i * side + 2) == 0) {
                    throw new IllegalStateException("kernel failed on this input");
                }
            }
            return model.outputs(rgb, n);
        };
        try (Harness h = new Harness(new BatchSettings(4, Duration.ofMillis(100)), ImageSource.inlineOnly(), picky, 6f, -6f)) {
            java.awt.image.BufferedImage red = new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 40; x++) {
                    red.setRGB(x, y, 0xff0000);
                }
            }
            h.send("a", TestImages.jpeg(0, 1));
            h.send("poison", io.lince.images.SyntheticImages.encode(red, "png"));
            h.send("b", TestImages.jpeg(1, 2));
            h.send("c", TestImages.jpeg(0, 3));
            assertEquals(java.util.List.of("a", "b", "c"), h.classifications.readValuesToList().stream()
                    .map(Classification::getImageId).toList(), "the rest of its batch is classified");
            DeadLetter d = h.dead.readValue();
            assertEquals("poison", d.getImageId());
            assertEquals("classify", d.getStage());
            assertTrue(d.getReason().contains("IllegalStateException: kernel failed on this input"), d.getReason());
            assertTrue(h.dead.isEmpty());
        }
    }

    @Test
    void anImageSentForLabellingIsRememberedForTheRetentionAndThenForgotten() {
        try (Harness h = new Harness(0.2f, 0f)) { // unsure of everything: every image is routed
            byte[] img = TestImages.jpeg(0, 1);
            h.send("x", img);
            h.waitOut();
            assertEquals(1, h.retraining.readValuesToList().size());
            h.send("x", img); // the same id again, a day later: not sent twice
            h.advance(Duration.ofDays(1));
            assertTrue(h.retraining.isEmpty());
            h.advance(SelectionSettings.SENT_RETENTION); // past the retention: forgotten
            h.send("x", img);
            h.waitOut();
            assertEquals(1, h.retraining.readValuesToList().size(), "sent again once forgotten");
        }
    }

    @Test
    void aTaskHoldingARecordTooLongIsReportedAsAStall() {
        try (Harness h = new Harness(new BatchSettings(8, Duration.ofSeconds(600)), 6f, -6f)) {
            h.send("held", TestImages.jpeg(0, 1)); // a batch of 8 with 10 minutes of delay: it waits
            h.advance(Duration.ofMillis(10)); // the punctuator reports what the task holds
            long now = h.now.get();
            assertTrue(h.settings.workers().stalls(now, Duration.ofSeconds(120)).isEmpty());
            var stalls = h.settings.workers().stalls(now + 121_000, Duration.ofSeconds(120));
            assertEquals(1, stalls.size());
            assertTrue(stalls.get(0).contains("has held a record for 121 s"), stalls.get(0));
            h.advance(Duration.ofSeconds(600)); // its delay passes: published, nothing held
            assertEquals("held", h.classifications.readValue().getImageId());
            assertTrue(h.settings.workers().stalls(h.now.get() + 600_000, Duration.ofSeconds(120)).isEmpty());
        }
    }

    @Test
    void eventsWhoseIdOrTimeCannotBeCopiedDownstreamAreDeadLettered() {
        try (Harness h = new Harness(6f, -6f)) {
            var ser = wire.serde(ImageEvent.class).serializer();
            byte[] jpeg = TestImages.jpeg(0, 1);
            java.util.function.BiFunction<String, Instant, ImageEvent.Builder> event = (id, t) -> ImageEvent.newBuilder()
                    .setId(id).setEventTime(t).setSource("test").setBytes(ByteBuffer.wrap(jpeg));
            h.images.pipeInput("k1", ser.serialize("t", event.apply("", Instant.ofEpochMilli(1000)).build()));
            h.images.pipeInput("k2", ser.serialize("t", event.apply("x".repeat(300), Instant.ofEpochMilli(1000)).build()));
            h.images.pipeInput("k3", ser.serialize("t", event.apply("both", Instant.ofEpochMilli(1000)).setUri("file:/x.jpg").build()));
            h.images.pipeInput("k4", ser.serialize("t", event.apply("ancient", Instant.ofEpochMilli(Long.MIN_VALUE)).build()));
            h.images.pipeInput("k5", ser.serialize("t", event.apply("future", Instant.now().plus(Duration.ofDays(30))).build()));
            h.send("fine", jpeg);
            h.waitOut();
            assertEquals("fine", h.classifications.readValue().getImageId());
            assertTrue(h.classifications.isEmpty());
            List<DeadLetter> dead = h.dead.readValuesToList();
            assertEquals(5, dead.size());
            assertTrue(dead.stream().allMatch(d -> d.getStage().equals("validate")));
            List<String> reasons = dead.stream().map(DeadLetter::getReason).toList();
            assertEquals("empty image id", reasons.get(0));
            assertTrue(reasons.get(1).startsWith("image id of 300 characters"), reasons.get(1));
            assertTrue(reasons.get(2).contains("both image bytes and a uri"), reasons.get(2));
            assertTrue(reasons.get(3).startsWith("event time"), reasons.get(3));
            assertTrue(reasons.get(4).startsWith("event time"), reasons.get(4));
        }
    }
}
