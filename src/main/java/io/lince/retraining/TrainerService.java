package io.lince.retraining;

import ai.djl.Device;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.learn.Predictions;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.wire.Buffers;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The training worker: rebuilds the labelled set from the compacted examples topic (so a new
 * instance on an empty disk has the same data), and after every {@code retrainEvery} new examples
 * trains a candidate head on the champion's frozen body, using only examples outside the
 * evaluation slice. Candidate and champion are judged on the slice by the promotion gate; the
 * candidate is stored and published either way, as promoted or rejected with the reason. One
 * training at a time, on this service's own thread.
 *
 * <p>The champion and the candidate share the body (only the head is retrained), so both are
 * judged on the same cached activations.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    static final String LABELS_SEEN = "labelsSeen";

    private final KafkaClients clients;
    private final Topics topics;
    private final WireFormat wire;
    private final ModelRegistry registry;
    private final ModelStore store;
    private final TrainerSettings settings;
    private final Device device;
    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final TrainingSet set = new TrainingSet();
    private final EvaluationSlice slice;
    private final PromotionGate gate;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile KafkaConsumer<String, LabelledExample> consumer;
    private int retryAt = -1;
    /** A snapshot for other threads; the set itself belongs to the trainer thread. */
    private volatile Map<String, String> labels = Map.of();
    private int lastCheckedSize = -1;
    private final java.util.concurrent.atomic.AtomicReference<String> requested = new java.util.concurrent.atomic.AtomicReference<>();
    private long lastTrainedAt = System.currentTimeMillis();

    public TrainerService(KafkaClients clients, Topics topics, WireFormat wire, ModelRegistry registry,
            ModelStore store, TrainerSettings settings, Device device) {
        this.clients = clients;
        this.topics = topics;
        this.wire = wire;
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.device = device;
        this.slice = new EvaluationSlice(settings.evaluationShare());
        this.gate = new PromotionGate(settings.epsilon(), 1);
        this.thread = new Thread(this::run, "lince-trainer");
    }

    public TrainerService start() {
        thread.start();
        return this;
    }

    private void run() {
        try (KafkaConsumer<String, LabelledExample> c = new KafkaConsumer<>(clients.reader(),
                new StringDeserializer(), wire.serde(LabelledExample.class).deserializer())) {
            consumer = c;
            List<TopicPartition> parts = c.partitionsFor(topics.examples()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            while (running.get()) {
                var records = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, LabelledExample> r : records) {
                    set.put(r.key(), r.value());
                }
                if (!records.isEmpty()) {
                    labels = set.labels();
                }
                maybeTrain();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("trainer stopped: " + e.getMessage(), e);
        }
    }

    /**
     * Asks for a training as soon as the trainer is free. Requests made while one is pending or
     * running are merged into it: there is never more than one training at a time.
     */
    public void requestTraining(String reason) {
        requested.accumulateAndGet(reason, (old, add) -> old == null ? add : old);
    }

    /** Trains when asked, after {@code retrainEvery} new labels, or when the interval has passed with new labels. */
    private void maybeTrain() {
        String request = requested.get();
        boolean due = settings.retrainInterval().toMillis() > 0
                && System.currentTimeMillis() - lastTrainedAt >= settings.retrainInterval().toMillis();
        if (request == null && !due && set.size() == lastCheckedSize) {
            return; // nothing new since the last look
        }
        lastCheckedSize = set.size();
        // one read of the registry serves the whole decision (each read scans lince.models)
        Map<Integer, ModelPublished> versions = registry.versions();
        ModelPublished champion = ModelRegistry.champion(versions.values()).orElse(null);
        if (champion == null) {
            return;
        }
        ModelPublished latest = versions.get(Collections.max(versions.keySet()));
        int fresh = set.size() - labelsSeen(latest);
        String why = request != null ? "requested: " + request
                : fresh >= settings.retrainEvery() && set.size() >= retryAt ? fresh + " new labels"
                : due && fresh > 0 ? "interval of " + settings.retrainInterval() + " passed with " + fresh + " new labels"
                : null;
        if (why == null) {
            return;
        }
        requested.set(null);
        lastTrainedAt = System.currentTimeMillis();
        try {
            LOG.infof("training (%s)", why);
            train(champion, latest.getVersion() + 1);
        } catch (Exception e) {
            retryAt = set.size() + settings.retrainEvery();
            LOG.errorf(e, "training on %d examples failed; next try at %d examples", set.size(), retryAt);
        }
    }

    /** How many labelled examples existed when a version was trained (the trigger counts from there). */
    static int labelsSeen(ModelPublished m) {
        return m.getMetrics().getOrDefault(LABELS_SEEN, (double) m.getTrainedOn()).intValue();
    }

    /**
     * Trains a candidate from {@code champion} on the labelled examples outside the evaluation
     * slice, judges both on the slice, stores the candidate with its lineage and publishes it as
     * promoted or rejected (with the reason). Returns what was published.
     */
    ModelPublished train(ModelPublished champion, int version) throws Exception {
        long t0 = System.nanoTime();
        try (LinceModel model = LinceModel.load(store.verified(champion.getArtifactUri(), champion.getSha256()), device)) {
            ModelInfo info = model.info();
            set.useBodyOf(champion.getVersion());
            Examples all = collect(model);
            Examples train = all.part(id -> !slice.contains(id));
            Examples eval = all.part(slice::contains);
            if (train.size() < 2) {
                throw new IllegalStateException("only " + train.size() + " usable training examples");
            }
            HeadTrainer.Head head = new HeadTrainer(settings.epochs(), settings.learningRate(), settings.batchSize())
                    .fit(train.features(), train.labels(), info.classes().size(), device);
            PromotionGate.Scores before = eval.score(HeadTrainer.of(model.network()), info.classes());
            PromotionGate.Scores after = eval.score(head, info.classes());
            PromotionGate.Verdict verdict = gate.decide(after, before);
            HeadTrainer.install(head, model.network());
            ModelInfo next = new ModelInfo(version, champion.getVersion(), info.classes(), info.inputSize());
            ModelStore.Stored stored = store.put(next, model.network());
            store.putLineage(version, train.ids(), eval.ids());
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> metrics = new java.util.TreeMap<>(Map.of(
                    "trainAccuracy", head.trainAccuracy(),
                    "trainLoss", head.trainLoss(),
                    "trainSeconds", seconds,
                    LABELS_SEEN, (double) set.size()));
            putScores(metrics, "eval", after);
            putScores(metrics, "championEval", before);
            ModelPublished published = ModelRegistry.candidate(stored, next, metrics, train.size());
            published.setTrainingData(EvaluationSlice.describe(train.ids()));
            published.setEvaluationSlice(EvaluationSlice.describe(eval.ids()));
            published.setDecision(verdict.reason());
            if (verdict.promote()) {
                published.setStatus(ModelRegistry.PROMOTED);
                published.setPromotedAt(published.getPublishedAt());
            } else {
                published.setStatus(ModelRegistry.REJECTED);
            }
            registry.publish(published);
            if (verdict.promote()) {
                set.bodyCarriedTo(next.version());
            }
            LOG.infof("model v%d %s: head trained on %d examples in %.1f s; %s", version, published.getStatus(),
                    train.size(), seconds, verdict.reason());
            return published;
        }
    }

    private static void putScores(Map<String, Double> metrics, String prefix, PromotionGate.Scores s) {
        metrics.put(prefix + ".accuracy", s.accuracy());
        metrics.put(prefix + ".logLoss", s.logLoss());
        metrics.put(prefix + ".images", (double) s.images());
    }

    /** Labelled examples as activations of the champion's body, with their ids. */
    private record Examples(List<String> ids, List<float[]> rows, List<Integer> classes) {
        int size() {
            return ids.size();
        }

        Examples part(java.util.function.Predicate<String> keep) {
            Examples out = new Examples(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < ids.size(); i++) {
                if (keep.test(ids.get(i))) {
                    out.ids.add(ids.get(i));
                    out.rows.add(rows.get(i));
                    out.classes.add(classes.get(i));
                }
            }
            return out;
        }

        float[][] features() {
            return rows.toArray(float[][]::new);
        }

        int[] labels() {
            return classes.stream().mapToInt(Integer::intValue).toArray();
        }

        PromotionGate.Scores score(HeadTrainer.Head head, List<String> names) {
            if (ids.isEmpty()) {
                return new PromotionGate.Scores(Double.NaN, Double.NaN, 0);
            }
            Predictions p = new Predictions(names, ids.stream().map(java.nio.file.Path::of).toList(), labels(),
                    HeadTrainer.probabilities(head.weight(), head.bias(), features()));
            return new PromotionGate.Scores(p.accuracy(), p.logLoss(), ids.size());
        }
    }

    private Examples collect(LinceModel model) {
        Preprocessor pre = new Preprocessor(model.info().inputSize());
        List<String> missingIds = new ArrayList<>();
        List<float[]> missingPixels = new ArrayList<>();
        List<LabelledExample> usable = new ArrayList<>();
        for (LabelledExample e : set.examples()) {
            int label = model.info().classIndex(e.getLabel());
            ByteBuffer bytes = e.getImage().getBytes();
            if (label < 0 || bytes == null) {
                continue;
            }
            usable.add(e);
            if (set.cachedFeatures(e.getImageId()) == null) {
                try {
                    missingPixels.add(pre.toTensor(decoder.decode(Buffers.toArray(bytes))));
                    missingIds.add(e.getImageId());
                } catch (InvalidImageException ex) {
                    usable.remove(usable.size() - 1);
                    LOG.warnf("example %s skipped: %s", e.getImageId(), ex.getMessage());
                }
            }
        }
        if (!missingPixels.isEmpty()) {
            List<float[]> computed = new FeatureExtractor(settings.batchSize()).features(model, missingPixels);
            for (int i = 0; i < computed.size(); i++) {
                set.cacheFeatures(missingIds.get(i), computed.get(i));
            }
        }
        Examples out = new Examples(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (LabelledExample e : usable) {
            out.ids().add(e.getImageId());
            out.rows().add(set.cachedFeatures(e.getImageId()));
            out.classes().add(model.info().classIndex(e.getLabel()));
        }
        return out;
    }

    /** The labelled set as this trainer knows it now: image id → label. */
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        KafkaConsumer<String, LabelledExample> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(60_000);
    }
}
