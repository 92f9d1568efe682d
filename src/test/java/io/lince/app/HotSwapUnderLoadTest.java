package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.images.SyntheticImages;
import io.lince.kafka.Topics;
import io.lince.model.LinceModel;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.testing.TestModels;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new version is published while a steady stream runs: nothing is lost, no batch mixes
 * versions, once v2 answers v1 never answers again, and the stream does not stall for longer
 * than a batch.
 */
class HotSwapUnderLoadTest {

    private static final Topics TOPICS = Topics.defaults(1);

    @TempDir
    Path work;

    @Test
    @Timeout(180)
    void swappingMidStreamLosesNothingAndDoesNotStall() throws Exception {
        WireFormat wire = WireFormat.defaults();
        NodeOptions options = TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work, TOPICS,
                new BatchSettings(8, Duration.ofMillis(20)), TrainerSettings.defaults(), "swap-test");
        int n = 600;
        Map<String, Classification> results = new HashMap<>();
        List<Classification> ordered = new ArrayList<>();
        try (LinceNode node = LinceNode.start(options);
                KafkaProducer<String, ImageEvent> producer = new KafkaProducer<>(node.clients().producer(),
                        new StringSerializer(), wire.serde(ImageEvent.class).serializer());
                KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(node.clients().reader(),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPICS.classifications(), 0);
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            var d = wire.serde(Classification.class).deserializer();
            SyntheticImages gen = new SyntheticImages(9, 32, 24);
            long t0 = System.nanoTime();
            boolean published = false;
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(TOPICS.images(), "s-" + i, ImageEvent.newBuilder().setId("s-" + i)
                        .setEventTime(Instant.now()).setSource("swap").setBytes(ByteBuffer.wrap(gen.jpeg(i % 2))).build()));
                if (i == n / 3 && !published) {
                    // a second version, published as the trainer would, while the stream runs
                    try (LinceModel v2 = TestModels.constant(2, 32, -3f, 3f)) {
                        ModelStore.Stored s = new ModelStore(work.resolve("models")).put(v2);
                        node.registry().publish(ModelRegistry.describe(s, v2.info(), Map.of(), 0));
                    }
                    published = true;
                }
                Thread.sleep(Math.max(0, (t0 + (i + 1) * 15_000_000L - System.nanoTime()) / 1_000_000)); // ~66/s
                reader.poll(Duration.ZERO).forEach(r -> ordered.add(d.deserialize(r.topic(), r.value())));
            }
            producer.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ordered.size() < n && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(r -> ordered.add(d.deserialize(r.topic(), r.value())));
            }
        }
        ordered.forEach(c -> results.merge(c.getImageId(), c, (a, b) -> {
            throw new AssertionError("two classifications for " + a.getImageId());
        }));
        assertEquals(n, results.size(), "every image answered");

        // in stream order: v1 ... v1 v2 ... v2, never back
        int firstV2 = -1;
        for (int i = 0; i < ordered.size(); i++) {
            int v = ordered.get(i).getPrediction().getModelVersion();
            if (v == 2 && firstV2 < 0) {
                firstV2 = i;
            }
            if (firstV2 >= 0) {
                assertEquals(2, v, "v1 answered after v2 at position " + i);
            }
        }
        assertTrue(firstV2 > 0 && firstV2 < n, "the swap happened mid-stream (first v2 at " + firstV2 + ")");

        // no stall: around the swap, the gap between results is at most one batch's compute plus the batch delay
        double maxBatchMillis = ordered.stream().mapToDouble(Classification::getInferenceMillis).max().orElse(0);
        long gapAtSwap = ordered.get(firstV2).getClassifiedAt().toEpochMilli()
                - ordered.get(firstV2 - 1).getClassifiedAt().toEpochMilli();
        long typicalGap = typicalGap(ordered);
        assertTrue(gapAtSwap <= typicalGap + maxBatchMillis + 20 + 100,
                "gap at the swap " + gapAtSwap + " ms; typical " + typicalGap + " ms, one batch up to " + maxBatchMillis + " ms");
    }

    private static long typicalGap(List<Classification> ordered) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < ordered.size(); i++) {
            gaps.add(ordered.get(i).getClassifiedAt().toEpochMilli() - ordered.get(i - 1).getClassifiedAt().toEpochMilli());
        }
        gaps.sort(Comparator.naturalOrder());
        return gaps.get((int) (gaps.size() * 0.99));
    }
}
