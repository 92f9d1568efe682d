package io.lince.retraining;

import io.lince.contracts.ModelPublished;
import io.lince.contracts.ShadowBatch;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Polls;
import io.lince.kafka.Topics;
import io.lince.registry.ModelRegistry;
import io.lince.watch.ShadowTally;
import io.lince.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The trainer's half of shadow scoring: it folds the classifiers' {@link ShadowBatch}es for the
 * version the registry shadows (against the current champion) and, once the shadow has seen
 * {@link ShadowRule#images} images, writes what it measured into the version's registry record.
 * For the trainer's own candidates (published as shadow because {@code lince.trainer.shadow.required})
 * it also decides: promoted (compare-and-set against the champion it was judged against) when
 * {@link ShadowRule#judge} says so, rejected with the numbers otherwise, or when
 * {@link ShadowRule#timeout} passes from its publication first. A version shadowed by hand
 * ({@code lince models shadow}) gets the measures and keeps its status: a person decides.
 * Runs on the trainer's thread; reads {@code lince.shadow} from the beginning whenever the
 * (shadow, champion) pair changes, so a restarted trainer picks up where the batches are.
 */
final class ShadowJudge implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShadowJudge.class);
    /** In a shadowed version's metrics: the trainer published it as a candidate that needs the shadow run. */
    static final String REQUIRED = "shadow.required";

    private final KafkaClients clients;
    private final Topics topics;
    private final WireFormat wire;
    private final ModelRegistry registry;
    private final ShadowRule rule;
    private KafkaConsumer<String, ShadowBatch> consumer;
    private ShadowTally tally;
    /** The (version, champion) pair whose measures are already in the registry (a hand-made shadow). */
    private String recorded;
    private volatile boolean judging;

    ShadowJudge(KafkaClients clients, Topics topics, WireFormat wire, ModelRegistry registry, ShadowRule rule) {
        this.clients = clients;
        this.topics = topics;
        this.wire = wire;
        this.registry = registry;
        this.rule = rule;
    }

    /** True while one of the trainer's own candidates waits for its shadow verdict. */
    boolean judging() {
        return judging;
    }

    /** One look: the registry's shadow, the batches since the last look, and a decision if one is due. */
    void follow() {
        List<ModelPublished> history = registry.history();
        Optional<ModelPublished> shadowed = ModelRegistry.shadowed(history);
        Optional<ModelPublished> champion = ModelRegistry.champion(history);
        if (shadowed.isEmpty() || champion.isEmpty()) {
            tally = null;
            judging = false;
            return;
        }
        ModelPublished s = shadowed.get();
        ModelPublished c = champion.get();
        boolean own = s.getMetrics().getOrDefault(REQUIRED, 0.0) > 0;
        judging = own;
        String pair = s.getVersion() + "/" + c.getVersion();
        if (pair.equals(recorded)) {
            return;
        }
        if (tally == null || tally.shadowVersion() != s.getVersion() || tally.championVersion() != c.getVersion()) {
            tally = new ShadowTally(s.getVersion(), c.getVersion());
            rewind();
        }
        for (ConsumerRecord<String, ShadowBatch> r : Polls.skippingUnreadable(consumer, Duration.ofMillis(100), LOG)) {
            if (r.value() != null) {
                tally.add(r.value());
            }
        }
        PromotionGate.Verdict v = rule.judge(tally);
        Instant deadline = s.getPublishedAt().plus(rule.timeout());
        if (v == null && own && Instant.now().isAfter(deadline)) {
            v = new PromotionGate.Verdict(false, "the shadow run timed out after " + rule.timeout() + " (" + tally + ")");
        }
        if (v == null) {
            return;
        }
        Map<String, Double> metrics = new TreeMap<>(s.getMetrics());
        metrics.putAll(tally.metrics());
        ModelPublished.Builder next = ModelPublished.newBuilder(s).setMetrics(metrics).setExpectedChampion(null);
        if (!own) {
            registry.publish(next.setDecision(s.getDecision() + "; " + tally).build());
            recorded = pair;
            LOG.infof("shadow v%d measured: %s", s.getVersion(), tally);
            return;
        }
        String reason = s.getDecision() + "; " + v.reason();
        if (v.promote()) {
            ModelPublished done = registry.publishCandidate(next.setStatus(ModelRegistry.PROMOTED).setDecision(reason)
                    .setPromotedAt(Instant.now()).build(), c);
            LOG.infof("model v%d %s after its shadow run: %s", s.getVersion(), done.getStatus(), v.reason());
        } else {
            registry.publish(next.setStatus(ModelRegistry.REJECTED).setDecision(reason).build());
            LOG.infof("model v%d rejected after its shadow run: %s", s.getVersion(), v.reason());
        }
        tally = null;
        judging = false;
    }

    private void rewind() {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(clients.reader(), new StringDeserializer(), wire.serde(ShadowBatch.class).deserializer());
            consumer.assign(consumer.partitionsFor(topics.shadow()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
        }
        consumer.seekToBeginning(consumer.assignment());
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close();
        }
    }
}
