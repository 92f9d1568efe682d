package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.Topics;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A trainer on a new, empty disk rebuilds exactly the labelled set from Kafka alone. */
class TrainerRebuildTest {

    private static final Topics TOPICS = Topics.defaults(2);

    @TempDir
    Path dir;

    private NodeOptions trainer(EmbeddedKafka kafka, Path work) {
        return TestNodes.options(Role.TRAINER, Optional.of(kafka.bootstrapServers()), Map.of(), work, TOPICS,
                new BatchSettings(8, Duration.ofMillis(50)), TrainerSettings.defaults().withRetrainEvery(1_000), "rebuild-test");
    }

    @Test
    @Timeout(180)
    void aTrainerOnAnEmptyDiskRebuildsTheLabelledSet() throws Exception {
        WireFormat wire = WireFormat.defaults();
        Map<String, String> expected = new TreeMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            try (LinceNode first = LinceNode.start(trainer(kafka, dir.resolve("disk-1")));
                    KafkaProducer<String, RetrainingSample> samples = new KafkaProducer<>(first.clients().producer(),
                            new StringSerializer(), wire.serde(RetrainingSample.class).serializer());
                    KafkaProducer<String, LabelEvent> labels = new KafkaProducer<>(first.clients().producer(),
                            new StringSerializer(), wire.serde(LabelEvent.class).serializer())) {
                for (int i = 0; i < 12; i++) {
                    String id = "x-" + i;
                    String label = TestModels.CLASSES.get(i % 2);
                    // labels first for half of them: the join does not care
                    if (i % 2 == 0) {
                        labels.send(new ProducerRecord<>(TOPICS.labels(), id, label(id, label)));
                    }
                    samples.send(new ProducerRecord<>(TOPICS.retraining(), id, sample(id)));
                    if (i % 2 == 1) {
                        labels.send(new ProducerRecord<>(TOPICS.labels(), id, label(id, "discs")));
                        labels.send(new ProducerRecord<>(TOPICS.labels(), id, label(id, label))); // corrected
                    }
                    expected.put(id, label);
                }
                samples.flush();
                labels.flush();
                await(() -> first.trainer().orElseThrow().labels(), expected);
            }
            // a new instance, new work directory (no local state), same cluster
            try (LinceNode second = LinceNode.start(trainer(kafka, dir.resolve("disk-2")))) {
                await(() -> second.trainer().orElseThrow().labels(), expected);
            }
        }
    }

    private static void await(Supplier<Map<String, String>> actual, Map<String, String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!actual.get().equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(expected, actual.get());
    }

    private static RetrainingSample sample(String id) {
        ImageEvent image = ImageEvent.newBuilder().setId(id).setEventTime(Instant.now()).setSource("t")
                .setBytes(ByteBuffer.wrap(TestImages.jpeg(0, id.hashCode()))).build();
        Prediction p = Prediction.newBuilder().setLabel("discs").setProbabilities(Map.of("discs", 0.5f, "stripes", 0.5f))
                .setConfidence(0.5f).setMargin(0f).setEntropy(1f).setModelVersion(1).build();
        return RetrainingSample.newBuilder().setImage(image).setPrediction(p).setUncertainty(0.5f).setReason("r").build();
    }

    private static LabelEvent label(String id, String label) {
        return LabelEvent.newBuilder().setImageId(id).setLabel(label).setLabeller("t").setLabelledAt(Instant.now()).build();
    }
}
