package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ModelPublished;
import io.lince.contracts.ShadowBatch;
import io.lince.images.ImageDecoder;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.model.ImageClassifier;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.stream.RoutingPolicy;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import io.lince.watch.ShadowRunner;
import io.lince.watch.SidePublisher;
import io.lince.wire.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow scoring end to end on a real broker: the classifier's forward passes run the champion
 * and, on every batch, a shadowed candidate (the {@link ShadowRunner} publishing
 * {@link ShadowBatch}es to {@code lince.shadow}); the trainer's {@link ShadowJudge} folds them and
 * decides. A candidate identical to the champion agrees on 100% of the images and is promoted; a
 * broken one (its head says the other class whatever it sees) is held back, rejected with the
 * numbers, and the champion keeps serving.
 */
class ShadowScoringTest {

    private static final Topics TOPICS = Topics.defaults(1);
    static final int IMAGES = 40;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void anIdenticalCandidateAgreesFullyAndIsPromotedABrokenOneIsHeldBack() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            clients.ensureTopics(TOPICS);
            WireFormat wire = WireFormat.defaults();
            ModelStore store = new ModelStore(dir.resolve("models"));
            ShadowRule rule = new ShadowRule(true, IMAGES, 0.9, 50, Duration.ofMinutes(5));
            try (ModelRegistry registry = new ModelRegistry(clients, TOPICS, wire);
                    SidePublisher side = new SidePublisher(clients, wire);
                    ShadowJudge judge = new ShadowJudge(clients, TOPICS, wire, registry, rule);
                    LinceModel champion = TestModels.constant(1, 32, 3f, -3f);
                    LinceModel same = TestModels.constant(2, 32, 3f, -3f);
                    LinceModel broken = TestModels.constant(3, 32, -3f, 3f)) {
                registry.publish(ModelRegistry.describe(store.put(champion), champion.info(), Map.of(), 0));
                ModelPublished v2 = candidate(store.put(same), same);
                ModelPublished v3 = candidate(store.put(broken), broken);
                registry.publish(ModelPublished.newBuilder(v3).setStatus(ModelRegistry.REJECTED).build());

                // v2, as the trainer publishes a candidate that passed offline: shadowed, to be judged live
                registry.publish(v2);
                ModelPublished decided = mirrorUntilDecided(2, side, judge, registry);
                assertEquals(ModelRegistry.PROMOTED, decided.getStatus(), decided.getDecision());
                assertEquals(1.0, decided.getMetrics().get("shadow.agreement"), 0);
                assertTrue(decided.getMetrics().get("shadow.images") >= IMAGES);
                assertEquals(2, registry.champion().orElseThrow().getVersion());

                // v3, the broken one, shadowed against the new champion v2
                registry.publish(ModelPublished.newBuilder(v3).setStatus(ModelRegistry.SHADOW).build());
                ModelPublished held = mirrorUntilDecided(3, side, judge, registry);
                assertEquals(ModelRegistry.REJECTED, held.getStatus(), held.getDecision());
                assertEquals(0.0, held.getMetrics().get("shadow.agreement"), 0);
                assertTrue(held.getDecision().contains("agreed with the champion on 0.0% of"), held.getDecision());
                assertEquals(2, registry.champion().orElseThrow().getVersion(), "the champion keeps serving");
                assertTrue(ModelRegistry.shadowed(registry.history()).isEmpty(), "nothing is shadowed any more");
            }
        }
    }

    private static ModelPublished candidate(ModelStore.Stored stored, LinceModel m) {
        ModelPublished c = ModelRegistry.candidate(stored, m.info(), new java.util.TreeMap<>(Map.of(ShadowJudge.REQUIRED, 1.0)), 10);
        c.setStatus(ModelRegistry.SHADOW);
        c.setDecision("passed offline");
        return c;
    }

    /**
     * A classifier serving the registry's champion and mirroring the registry's shadow (loaded from the
     * store, as the follower does), batch after batch, while the judge follows, until the
     * shadowed version's latest record is no longer a shadow.
     */
    private static ModelPublished mirrorUntilDecided(int version, SidePublisher side, ShadowJudge judge, ModelRegistry registry)
            throws Exception {
        ModelPublished shadowed = ModelRegistry.shadowed(registry.history()).orElseThrow();
        assertEquals(version, shadowed.getVersion());
        List<ShadowBatch> seen = new ArrayList<>();
        try (ShadowRunner runner = new ShadowRunner(1.0, RoutingPolicy.of("confidence", 0.9), b -> {
                    seen.add(b);
                    side.send(TOPICS.shadow(), "v" + b.getShadowVersion(), b);
                });
                ModelSlot slot = new ModelSlot(LinceModel.load(java.nio.file.Path.of(java.net.URI.create(
                        registry.champion().orElseThrow().getArtifactUri())), ai.djl.Device.cpu()))) {
            runner.mirror(LinceModel.load(java.nio.file.Path.of(java.net.URI.create(shadowed.getArtifactUri())), ai.djl.Device.cpu()));
            ImageClassifier classifier = new ImageClassifier(slot, ImageDecoder.defaults());
            classifier.listen(runner);
            long deadline = System.currentTimeMillis() + 120_000;
            int seed = 0;
            while (System.currentTimeMillis() < deadline) {
                List<ImageClassifier.Prepared> batch = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    batch.add(classifier.prepare(TestImages.jpeg(i % 2, seed++)));
                }
                classifier.classifyPrepared(batch);
                Thread.sleep(50); // the shadow runs on its own thread: a batch arriving while it is busy is skipped
                judge.follow();
                ModelPublished now = registry.versions().get(version);
                if (!ModelRegistry.SHADOW.equals(now.getStatus())) {
                    assertTrue(seen.stream().allMatch(b -> b.getChampionVersion() == slot.info().version()));
                    return now;
                }
            }
        }
        throw new AssertionError("no decision on the shadow v" + version);
    }
}
