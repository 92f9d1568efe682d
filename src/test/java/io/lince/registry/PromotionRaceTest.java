package io.lince.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ModelPublished;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotions are compare-and-set on the log: one written on a stale view of the champion is void
 * for every reader, two racing promotions leave exactly one serving version, and a trainer's
 * candidate judged against a champion that was rolled back meanwhile is not promoted.
 */
class PromotionRaceTest {

    private static final Topics TOPICS = Topics.defaults(1);

    @TempDir
    Path dir;

    private static ModelPublished version(int v, String status) {
        return ModelPublished.newBuilder().setVersion(v).setArtifactUri("file:/m" + v).setSha256("00")
                .setClasses(List.of("a", "b")).setInputSize(32).setPublishedAt(Instant.ofEpochSecond(v))
                .setStatus(status).setPromotedAt(ModelRegistry.PROMOTED.equals(status) ? Instant.ofEpochSecond(v) : null).build();
    }

    private static long promotedCount(Map<Integer, ModelPublished> versions) {
        return versions.values().stream().filter(m -> ModelRegistry.PROMOTED.equals(m.getStatus())).count();
    }

    @Test
    @Timeout(120)
    void aPromotionOnAStaleViewIsVoidAndRacingPromotionsLeaveOneChampion() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
            clients.ensureTopics(TOPICS);
            try (ModelRegistry a = new ModelRegistry(clients, TOPICS, WireFormat.defaults());
                    ModelRegistry b = new ModelRegistry(clients, TOPICS, WireFormat.defaults())) {
                a.publish(version(1, ModelRegistry.PROMOTED), version(2, ModelRegistry.REJECTED), version(3, ModelRegistry.REJECTED));

                // b promotes v2; a, whose view still had v1 serving, then writes its promotion of v3
                b.promote(2, "b's rollout");
                a.publish(ModelPublished.newBuilder(version(3, ModelRegistry.PROMOTED)).setExpectedChampion(1).build());
                try (ModelRegistry fresh = new ModelRegistry(clients, TOPICS, WireFormat.defaults())) {
                    assertEquals(2, fresh.champion().orElseThrow().getVersion(), "the stale promotion counts for nothing");
                    assertEquals(ModelRegistry.REJECTED, fresh.versions().get(3).getStatus(), "v3 is what it was");
                    assertEquals(ModelRegistry.RETIRED, fresh.versions().get(1).getStatus());
                    assertEquals(1, promotedCount(fresh.versions()));
                }

                // the real race, from both registries at once, several rounds
                ExecutorService pool = Executors.newFixedThreadPool(2);
                int lost = 0;
                try {
                    for (int round = 0; round < 6; round++) {
                        a.promote(1, "reset");
                        CyclicBarrier start = new CyclicBarrier(2);
                        Future<ModelPublished> fa = pool.submit(() -> {
                            start.await();
                            return a.promote(2, "a, round");
                        });
                        Future<ModelPublished> fb = pool.submit(() -> {
                            start.await();
                            return b.promote(3, "b, round");
                        });
                        List<Integer> won = new ArrayList<>();
                        for (Future<ModelPublished> f : List.of(fa, fb)) {
                            try {
                                won.add(f.get().getVersion());
                            } catch (java.util.concurrent.ExecutionException e) {
                                assertTrue(e.getCause() instanceof ModelRegistry.ConcurrentPromotion, e.getCause().toString());
                                lost++;
                            }
                        }
                        assertTrue(!won.isEmpty(), "one of two racing promotions always wins");
                        try (ModelRegistry fresh = new ModelRegistry(clients, TOPICS, WireFormat.defaults())) {
                            int champion = fresh.champion().orElseThrow().getVersion();
                            assertTrue(won.contains(champion), "round " + round + ": v" + champion + " serves, winners " + won);
                            assertEquals(1, promotedCount(fresh.versions()), "round " + round + ": one version says promoted");
                            assertEquals(champion, a.champion().orElseThrow().getVersion(), "every reader agrees");
                            assertEquals(champion, b.champion().orElseThrow().getVersion());
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                System.err.println("racing promotions: " + lost + " of 6 rounds had a loser");

                // a trainer's candidate, judged against v2 while someone rolled back to v1
                a.promote(2, "before training");
                b.promote(1, "rollback during training");
                ModelPublished candidate = ModelPublished.newBuilder(version(4, ModelRegistry.PROMOTED)).setDecision("better").build();
                ModelPublished outcome = a.publishCandidate(candidate, a.versions().get(2));
                assertEquals(ModelRegistry.REJECTED, outcome.getStatus());
                assertTrue(outcome.getDecision().contains("not promoted"), outcome.getDecision());
                assertEquals(1, a.champion().orElseThrow().getVersion(), "the rollback stands");
                assertEquals(ModelRegistry.REJECTED, a.versions().get(4).getStatus());

                ModelPublished next = ModelPublished.newBuilder(version(5, ModelRegistry.PROMOTED)).setDecision("better").build();
                assertEquals(ModelRegistry.PROMOTED, a.publishCandidate(next, a.versions().get(1)).getStatus());
                assertEquals(5, b.champion().orElseThrow().getVersion());
                assertEquals(ModelRegistry.RETIRED, b.versions().get(1).getStatus(), "the trainer retires what it replaced");
            }
        }
    }
}
