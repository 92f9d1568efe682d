package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.ModelPublished;
import io.lince.contracts.RetrainingSample;
import io.lince.images.SyntheticImages;
import io.lince.kafka.Topics;
import io.lince.registry.ModelRegistry;
import io.lince.retraining.Recipe;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.testing.TestImages;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * The whole loop on a real in-process broker: images → exactly one classification each → the
 * unsure ones reach lince.retraining → labels arrive → the trainer publishes v2 → the classifier
 * swaps it in → later classifications carry v2, and are better than v1's guesses.
 */
class LinceLoopIntegrationTest {

    private static final Topics TOPICS = Topics.defaults(2);
    private final WireFormat wire = WireFormat.defaults();

    @TempDir
    Path work;

    private NodeOptions options() {
        return TestNodes.options(Role.ALL, Optional.empty(), Map.of(), work, TOPICS,
                new BatchSettings(4, Duration.ofMillis(20)), TrainerSettings.defaults().withRetrainEvery(32).withRecipe(Recipe.headOnly()), "it");
    }

    /** Everything the test reads back, by topic. */
    private final class Results {
        final Map<String, List<Classification>> classifications = new HashMap<>();
        final Map<String, RetrainingSample> retraining = new HashMap<>();
        final Map<String, DeadLetter> dead = new HashMap<>();
        final List<ModelPublished> models = new ArrayList<>();

        void add(ConsumerRecord<String, byte[]> r) {
            String t = r.topic();
            if (t.equals(TOPICS.classifications())) {
                Classification c = wire.serde(Classification.class).deserializer().deserialize(t, r.value());
                classifications.computeIfAbsent(c.getImageId(), k -> new ArrayList<>()).add(c);
            } else if (t.equals(TOPICS.retraining())) {
                RetrainingSample s = wire.serde(RetrainingSample.class).deserializer().deserialize(t, r.value());
                retraining.put(s.getImage().getId(), s);
            } else if (t.equals(TOPICS.deadLetter())) {
                dead.put(r.key(), wire.serde(DeadLetter.class).deserializer().deserialize(t, r.value()));
            } else {
                models.add(wire.serde(ModelPublished.class).deserializer().deserialize(t, r.value()));
            }
        }
    }

    @Test
    @Timeout(240)
    void classifiesRoutesLabelsRetrainsAndSwaps() throws Exception {
        try (LinceNode node = LinceNode.start(options());
                KafkaProducer<String, ImageEvent> images = new KafkaProducer<>(node.clients().producer(),
                        new StringSerializer(), wire.serde(ImageEvent.class).serializer());
                KafkaProducer<String, LabelEvent> labels = new KafkaProducer<>(node.clients().producer(),
                        new StringSerializer(), wire.serde(LabelEvent.class).serializer());
                KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(node.clients().reader(),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(TOPICS.classifications(), TOPICS.retraining(), TOPICS.deadLetter(), TOPICS.models())) {
                reader.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            reader.assign(parts);
            reader.seekToBeginning(parts);
            Results results = new Results();

            // 1. v1 (a new, untrained head) is unsure of everything
            Map<String, String> truth = new HashMap<>();
            SyntheticImages gen = new SyntheticImages(5, 64, 48);
            send(images, "first", 32, gen, truth);
            images.send(new ProducerRecord<>(TOPICS.images(), "bad-1", event("bad-1", TestImages.truncatedJpeg())));
            images.send(new ProducerRecord<>(TOPICS.images(), "bad-2", event("bad-2", TestImages.randomBytes(64))));
            images.flush();
            await(reader, results, () -> results.classifications.size() == 32 && results.dead.size() == 2
                    && results.retraining.size() == 32);
            results.classifications.forEach((id, list) -> assertEquals(1, list.size(), "exactly one result for " + id));
            results.classifications.values().forEach(l -> assertEquals(1, l.get(0).getPrediction().getModelVersion()));
            assertEquals("decode", results.dead.get("bad-1").getStage());
            assertTrue(results.dead.get("bad-2").getReason().startsWith("not an image"));

            // 2. the upstream app labels what was sent for labelling; the trainer publishes v2
            for (String id : results.retraining.keySet()) {
                labels.send(new ProducerRecord<>(TOPICS.labels(), id, LabelEvent.newBuilder().setImageId(id)
                        .setLabel(truth.get(id)).setLabeller("it").setLabelledAt(Instant.now()).build()));
            }
            labels.flush();
            await(reader, results, () -> results.models.stream().anyMatch(m -> m.getVersion() == 2));
            ModelPublished v2 = results.models.stream().filter(m -> m.getVersion() == 2).findFirst().orElseThrow();
            assertEquals(1, v2.getParentVersion());
            assertEquals(ModelRegistry.PROMOTED, v2.getStatus(), v2.getDecision());
            assertTrue(v2.getDecision().startsWith("better: "), v2.getDecision());
            int held = v2.getMetrics().get("eval.images").intValue();
            assertTrue(held > 0, "some labelled images are held out to judge it");
            assertEquals(32, v2.getTrainedOn() + held, "trained on every labelled image outside the evaluation slice");
            assertTrue(v2.getEvaluationSlice().startsWith("stream: 0 images, sha256 "), v2.getEvaluationSlice());
            assertTrue(v2.getEvaluationSlice().contains("; uncertain: " + held + " images, sha256 "), v2.getEvaluationSlice());
            // the checkpoint carries what the classifiers calibrate and watch with, as the registry says
            io.lince.model.ModelInfo stored = io.lince.model.Checkpoint.readInfo(java.nio.file.Path.of(java.net.URI.create(v2.getArtifactUri())));
            assertEquals(v2.getTemperature(), stored.temperature(), 0);
            assertTrue(stored.reference() != null && stored.reference().images() >= 32, "a drift reference of what it saw");
            assertTrue(v2.getMetrics().containsKey("ece") && v2.getMetrics().containsKey("championEce"), v2.getMetrics().toString());
            // a slice this small cannot judge an INT8 graph, so none is made (Int8ServingTest covers one that is)
            assertNull(v2.getInt8ArtifactUri());
            assertFalse(v2.getInt8Allowed());
            assertTrue(v2.getInt8Decision().startsWith("no INT8 graph: the evaluation slice has " + held + " images, 50 needed"),
                    v2.getInt8Decision());
            await(reader, results, () -> node.slot().orElseThrow().info().version() == 2);

            // 3. later images are classified by v2, and it learnt something
            send(images, "later", 40, gen, truth);
            images.flush();
            await(reader, results, () -> results.classifications.keySet().stream().filter(k -> k.startsWith("later")).count() == 40);
            int right = 0;
            for (int i = 0; i < 40; i++) {
                List<Classification> l = results.classifications.get("later-" + i);
                assertEquals(1, l.size());
                assertEquals(2, l.get(0).getPrediction().getModelVersion());
                right += l.get(0).getPrediction().getLabel().equals(truth.get("later-" + i)) ? 1 : 0;
            }
            assertTrue(right >= 32, "v2 got " + right + "/40 right; v1 could only guess");

            // 4. rollback: promoting v1 again makes every classifier serve it within seconds
            long t0 = System.nanoTime();
            node.registry().promote(1, "rollback drill");
            await(reader, results, () -> node.slot().orElseThrow().info().version() == 1);
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "switched within seconds");
            assertEquals(1, node.registry().champion().orElseThrow().getVersion());
            assertEquals(ModelRegistry.RETIRED, node.registry().versions().get(2).getStatus());
        }
    }

    private void send(KafkaProducer<String, ImageEvent> p, String prefix, int n, SyntheticImages gen, Map<String, String> truth) {
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            int label = i % 2;
            truth.put(id, SyntheticImages.CLASSES.get(label));
            p.send(new ProducerRecord<>(TOPICS.images(), id, event(id, gen.jpeg(label))));
        }
    }

    private static ImageEvent event(String id, byte[] bytes) {
        return ImageEvent.newBuilder().setId(id).setEventTime(Instant.now()).setSource("it")
                .setBytes(ByteBuffer.wrap(bytes)).build();
    }

    private static void await(KafkaConsumer<String, byte[]> reader, Results results, BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; have " + results.classifications.size() + " classifications, "
                        + results.retraining.size() + " retraining, " + results.dead.size() + " dead, models "
                        + results.models.stream().map(ModelPublished::getVersion).toList());
            }
            reader.poll(Duration.ofMillis(200)).forEach(results::add);
        }
    }
}
