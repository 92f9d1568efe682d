package io.lince.registry;

import io.lince.contracts.ModelPublished;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Polls;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The {@code lince.models} topic as a registry. Each version's last record is its current state
 * (promoted, rejected or retired); the serving version, the champion, is the promoted one that was
 * promoted last, so promoting an older version is a rollback.
 *
 * <p>One reader and one producer per registry, kept open: each read fetches only what was
 * published since the last one (an HTTP request for {@code /api/models} costs an end-offset lookup,
 * not a new consumer and a rescan), and a record that cannot be read is skipped with a log line
 * instead of making every later read fail.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    public static final String PROMOTED = "promoted";
    public static final String REJECTED = "rejected";
    public static final String RETIRED = "retired";
    /** Not served: mirrored by the classifiers on a share of their batches (see {@code ShadowRunner}). */
    public static final String SHADOW = "shadow";

    private final KafkaClients clients;
    private final String topic;
    private final Serde<ModelPublished> serde;
    private final TopicPartition partition;
    /** Guards the reader, what it has read, and the producer. */
    private final Object lock = new Object();
    private KafkaConsumer<String, ModelPublished> reader;
    private final List<ModelPublished> read = new ArrayList<>();
    private KafkaProducer<String, ModelPublished> producer;

    public ModelRegistry(KafkaClients clients, Topics topics, WireFormat wire) {
        this.clients = clients;
        this.topic = topics.models();
        this.serde = wire.serde(ModelPublished.class);
        this.partition = new TopicPartition(topic, 0);
    }

    public String topic() {
        return topic;
    }

    public Serde<ModelPublished> serde() {
        return serde;
    }

    /** Every version published so far (reads the topic to its end, from where the last read stopped). */
    public List<ModelPublished> history() {
        synchronized (lock) {
            if (reader == null) {
                reader = consumer();
                reader.assign(List.of(partition));
                reader.seekToBeginning(List.of(partition));
            }
            Polls.toEnd(reader, null, LOG, r -> {
                if (r.value() != null) {
                    read.add(r.value());
                }
                return true;
            });
            return List.copyOf(read);
        }
    }

    /** The newest version, whatever its status (the next version number follows it). */
    public Optional<ModelPublished> latest() {
        return history().stream().max(Comparator.comparingInt(ModelPublished::getVersion));
    }

    /** Each version's current state, by version. */
    public Map<Integer, ModelPublished> versions() {
        return versions(history());
    }

    /** Each version's current state in {@code records} (log order), void promotions left out. */
    public static Map<Integer, ModelPublished> versions(List<ModelPublished> records) {
        Map<Integer, ModelPublished> out = new TreeMap<>();
        effective(records).forEach(r -> out.put(r.getVersion(), r));
        return out;
    }

    /**
     * {@code history} (log order) without its void promotions: a promotion whose
     * {@code expectedChampion} is not the champion at its place in the log lost a race to
     * another promotion written in between, and counts for nothing. This is the registry's
     * compare-and-set: Kafka orders the writes, and every reader applies the same rule to the same
     * log, so every reader drops the same records. A promotion with no expectation (the first
     * model, records written before schema 3) always counts.
     */
    public static List<ModelPublished> effective(List<ModelPublished> history) {
        Fold fold = new Fold();
        List<ModelPublished> out = new ArrayList<>(history.size());
        for (ModelPublished m : history) {
            if (PROMOTED.equals(m.getStatus()) && m.getExpectedChampion() != null
                    && fold.champion().map(ModelPublished::getVersion).orElse(NO_CHAMPION) != m.getExpectedChampion()) {
                continue;
            }
            fold.add(m);
            out.add(m);
        }
        return out;
    }

    /**
     * The champion as records arrive in log order: of the versions whose latest record says
     * promoted, the one whose promotion came last. Kept up as it goes (a new promotion is the
     * champion; only a champion's own demotion sends it looking among the others).
     */
    private static final class Fold {
        private final Map<Integer, ModelPublished> latest = new java.util.HashMap<>();
        private final Map<Integer, Integer> promotedAt = new java.util.HashMap<>();
        private int position;
        private Integer champion;

        void add(ModelPublished m) {
            int v = m.getVersion();
            latest.put(v, m);
            if (PROMOTED.equals(m.getStatus())) {
                promotedAt.put(v, position);
                champion = v;
            } else if (champion != null && champion == v) {
                champion = latest.values().stream().filter(x -> PROMOTED.equals(x.getStatus()))
                        .max(Comparator.comparingInt((ModelPublished x) -> promotedAt.get(x.getVersion())))
                        .map(ModelPublished::getVersion).orElse(null);
            }
            position++;
        }

        Optional<ModelPublished> champion() {
            return champion == null ? Optional.empty() : Optional.of(latest.get(champion));
        }
    }

    /** {@code expectedChampion} of a promotion made when no version was serving. */
    public static final int NO_CHAMPION = 0;

    /** The version classifiers serve. */
    public Optional<ModelPublished> champion() {
        return champion(history());
    }

    /**
     * The champion in {@code history} (the topic's records in log order): of the versions whose
     * latest record says promoted, the one whose promotion came last in the log. The log's order
     * is the same for every reader; {@code promotedAt} comes from whichever host wrote the record,
     * and a host with a slow clock must not decide which model the fleet serves.
     */
    public static Optional<ModelPublished> champion(List<ModelPublished> history) {
        return championOf(effective(history));
    }

    /** The champion of records that hold no void promotion. */
    private static Optional<ModelPublished> championOf(List<ModelPublished> history) {
        Fold fold = new Fold();
        history.forEach(fold::add);
        return fold.champion();
    }

    /**
     * The versions a node may serve, best first: the champion, then every version promoted before
     * (retired ones included), newest promotion first. A node serves the first whose artifact
     * verifies and loads, so one record whose artifact is missing, outside the store or corrupt
     * does not keep every restart from starting.
     */
    public static List<ModelPublished> servable(List<ModelPublished> records) {
        List<ModelPublished> history = effective(records);
        Optional<ModelPublished> champion = championOf(history);
        List<ModelPublished> out = new ArrayList<>();
        champion.ifPresent(out::add);
        // earlier promotions, newest first by log position: the last record of each version that promoted it
        Map<Integer, ModelPublished> latest = versions(history);
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelPublished m = history.get(i);
            ModelPublished now = latest.get(m.getVersion());
            boolean wasServed = PROMOTED.equals(m.getStatus()) && (PROMOTED.equals(now.getStatus()) || RETIRED.equals(now.getStatus()));
            if (m.getVersion() > 0 && wasServed && out.stream().noneMatch(o -> o.getVersion() == m.getVersion())) {
                out.add(now);
            }
        }
        return out;
    }

    /**
     * The version the classifiers mirror: the one whose latest record says shadow, the newest such
     * record in the log if there are several. Empty when none is shadowed.
     */
    public static Optional<ModelPublished> shadowed(List<ModelPublished> records) {
        Map<Integer, ModelPublished> latest = versions(records);
        List<ModelPublished> history = effective(records);
        for (int i = history.size() - 1; i >= 0; i--) {
            ModelPublished m = history.get(i);
            if (SHADOW.equals(m.getStatus()) && SHADOW.equals(latest.get(m.getVersion()).getStatus())) {
                return Optional.of(latest.get(m.getVersion()));
            }
        }
        return Optional.empty();
    }

    /**
     * Has the classifiers mirror {@code version} on live traffic (any version the store holds, a
     * rejected one too): a record with status shadow. Promoting it, rejecting it or shadowing
     * another ends the mirroring.
     */
    public ModelPublished shadow(int version, String why) {
        List<ModelPublished> history = history();
        ModelPublished target = known(history, version);
        if (champion(history).map(c -> c.getVersion() == version).orElse(false)) {
            throw new IllegalArgumentException("v" + version + " is the champion: it is served, not shadowed");
        }
        ModelPublished shadow = ModelPublished.newBuilder(target).setStatus(SHADOW).setDecision(why).setExpectedChampion(null)
                .setPromotedAt(null).build();
        publish(shadow);
        return shadow;
    }

    /**
     * The number for the next version: one past the newest version whose artifact is in
     * {@code store}, verifies, and holds that version (and past any artifact already in the store).
     * A record alone (a forged version 2147483647, a version whose artifact never existed) cannot
     * move the numbering.
     *
     * @throws IllegalStateException when the numbering would overflow
     */
    public static int nextVersion(Collection<ModelPublished> versions, ModelStore store) {
        List<ModelPublished> newestFirst = versions.stream().filter(m -> m.getVersion() > 0)
                .sorted(Comparator.comparingInt(ModelPublished::getVersion).reversed()).toList();
        for (ModelPublished m : newestFirst) {
            try {
                store.verified(m);
                if (m.getVersion() == Integer.MAX_VALUE) {
                    throw new IllegalStateException("model versions are exhausted at v" + m.getVersion());
                }
                return unnamed(versions, store, m.getVersion() + 1);
            } catch (java.io.IOException e) {
                LOG.warnf("v%d does not count for the next version number: %s", m.getVersion(), e.getMessage());
            }
        }
        return unnamed(versions, store, 1);
    }

    /**
     * The first number from {@code from} on that no artifact in the store and no record holds: a
     * record that does not count for the numbering (a forged v2 with no artifact) still keeps
     * its number from being given to a real version, so one number never names two models.
     */
    private static int unnamed(Collection<ModelPublished> versions, ModelStore store, int from) {
        java.util.Set<Integer> named = new java.util.HashSet<>();
        versions.forEach(m -> named.add(m.getVersion()));
        int v = store.firstFreeVersion(from);
        while (named.contains(v)) {
            if (v == Integer.MAX_VALUE) {
                throw new IllegalStateException("model versions are exhausted at v" + v);
            }
            v = store.firstFreeVersion(v + 1);
        }
        return v;
    }

    /**
     * Makes {@code version} the serving one (a rollback when it is older) and retires the current
     * champion; classifiers follow within seconds. The promotion is conditional on the champion
     * this call saw (see {@link #effective}): when another promotion lands first, this one is
     * void, nothing is retired, and {@link ConcurrentPromotion} says who won.
     */
    public ModelPublished promote(int version, String why) {
        List<ModelPublished> history = history();
        ModelPublished target = known(history, version);
        Optional<ModelPublished> current = champion(history);
        if (current.isPresent() && current.get().getVersion() == version) {
            return current.get(); // already serving: promoting again writes nothing
        }
        Instant now = Instant.now();
        ModelPublished promoted = ModelPublished.newBuilder(target).setStatus(PROMOTED).setDecision(why)
                .setPromotedAt(now.isAfter(target.getPublishedAt()) ? now : target.getPublishedAt().plusMillis(1))
                .setExpectedChampion(current.map(ModelPublished::getVersion).orElse(NO_CHAMPION)).build();
        publish(promoted);
        requireChampion(version, current);
        current.ifPresent(c -> publish(ModelPublished.newBuilder(c).setStatus(RETIRED)
                .setDecision("v" + version + " promoted over it: " + why).setExpectedChampion(null).build()));
        return promoted;
    }

    /**
     * Publishes a trainer's candidate, judged against {@code judgedAgainst}. A promoted candidate
     * serves only if {@code judgedAgainst} still does when its record lands; then the old champion
     * is retired. If another promotion (a rollback by hand) came first, the candidate's promotion
     * is void and a second record says so: it stays rejected, because it beat a model that no
     * longer serves. Returns the candidate's state as the registry now has it.
     */
    public ModelPublished publishCandidate(ModelPublished candidate, ModelPublished judgedAgainst) {
        if (!PROMOTED.equals(candidate.getStatus())) {
            publish(candidate);
            return candidate;
        }
        candidate.setExpectedChampion(judgedAgainst.getVersion());
        publish(candidate);
        try {
            requireChampion(candidate.getVersion(), Optional.of(judgedAgainst));
        } catch (ConcurrentPromotion lost) {
            ModelPublished voided = ModelPublished.newBuilder(candidate).setStatus(REJECTED).setPromotedAt(null)
                    .setExpectedChampion(null).setDecision(candidate.getDecision() + "; but not promoted: " + lost.getMessage()).build();
            publish(voided);
            return voided;
        }
        publish(ModelPublished.newBuilder(judgedAgainst).setStatus(RETIRED).setExpectedChampion(null)
                .setDecision("v" + candidate.getVersion() + " promoted over it by the trainer").build());
        return candidate;
    }

    private void requireChampion(int version, Optional<ModelPublished> sawServing) {
        Optional<ModelPublished> now = champion();
        if (now.isEmpty() || now.get().getVersion() != version) {
            throw new ConcurrentPromotion(String.format("v%s was promoted while v%d's promotion was on its way (it expected v%s serving)",
                    now.map(m -> String.valueOf(m.getVersion())).orElse("?"), version,
                    sawServing.map(m -> String.valueOf(m.getVersion())).orElse("none")));
        }
    }

    /** {@code version}'s current record in {@code history}; refused, with the versions there are, when there is none. */
    private static ModelPublished known(List<ModelPublished> history, int version) {
        Map<Integer, ModelPublished> all = versions(history);
        ModelPublished target = all.get(version);
        if (target == null) {
            throw new IllegalArgumentException("no model v" + version + "; known: " + all.keySet());
        }
        return target;
    }

    /** A promotion that lost the race to another one written between its read and its write. */
    public static final class ConcurrentPromotion extends IllegalStateException {
        ConcurrentPromotion(String message) {
            super(message);
        }
    }

    /** Publishes the records in order, through the registry's one producer. */
    public void publish(ModelPublished... records) {
        synchronized (lock) {
            if (producer == null) {
                producer = new KafkaProducer<>(clients.producer(), new StringSerializer(), serde.serializer());
            }
            for (ModelPublished m : records) {
                try {
                    producer.send(new ProducerRecord<>(topic, key(m.getVersion()), m)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while publishing model v" + m.getVersion(), e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cannot publish model v" + m.getVersion() + ": " + e.getCause(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (reader != null) {
                reader.close();
                reader = null;
            }
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
    }

    public KafkaConsumer<String, ModelPublished> consumer() {
        return new KafkaConsumer<>(clients.reader(), new StringDeserializer(), serde.deserializer());
    }

    static String key(int version) {
        return String.format(Locale.ROOT, "v%04d", version);
    }

    /** A first version, promoted as it is published. */
    public static ModelPublished describe(ModelStore.Stored stored, io.lince.model.ModelInfo info,
            Map<String, Double> metrics, int trainedOn) {
        ModelPublished m = candidate(stored, info, metrics, trainedOn);
        m.setStatus(PROMOTED);
        m.setDecision("first version");
        m.setPromotedAt(m.getPublishedAt());
        return m;
    }

    /** A new version before the promotion gate has spoken (status and decision to be set). */
    public static ModelPublished candidate(ModelStore.Stored stored, io.lince.model.ModelInfo info,
            Map<String, Double> metrics, int trainedOn) {
        return ModelPublished.newBuilder()
                .setVersion(info.version())
                .setParentVersion(info.parentVersion())
                .setArtifactUri(stored.uri())
                .setSha256(stored.sha256())
                .setClasses(info.classes())
                .setInputSize(info.inputSize())
                .setMetrics(metrics)
                .setTrainedOn(trainedOn)
                .setTemperature(info.temperature())
                .setPublishedAt(java.time.Instant.now())
                .build();
    }
}
