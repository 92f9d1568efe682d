package io.lince.retraining;

import ai.djl.Device;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.wire.Buffers;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
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
 * trains a new head on the champion's frozen body, stores the checkpoint and publishes the
 * version. One training at a time, on this service's own thread.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TrainerService.class);

    private final KafkaClients clients;
    private final Topics topics;
    private final WireFormat wire;
    private final ModelRegistry registry;
    private final ModelStore store;
    private final TrainerSettings settings;
    private final Device device;
    private final ImageDecoder decoder = ImageDecoder.defaults();
    private final TrainingSet set = new TrainingSet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile KafkaConsumer<String, LabelledExample> consumer;
    private int retryAt = -1;
    /** A snapshot for other threads; the set itself belongs to the trainer thread. */
    private volatile Map<String, String> labels = Map.of();
    private int lastCheckedSize = -1;

    public TrainerService(KafkaClients clients, Topics topics, WireFormat wire, ModelRegistry registry,
            ModelStore store, TrainerSettings settings, Device device) {
        this.clients = clients;
        this.topics = topics;
        this.wire = wire;
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.device = device;
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

    private void maybeTrain() {
        if (set.size() == lastCheckedSize) {
            return; // nothing new since the last look
        }
        lastCheckedSize = set.size();
        ModelPublished champion = registry.latest().orElse(null);
        if (champion == null) {
            return;
        }
        int fresh = set.size() - champion.getTrainedOn();
        if (fresh >= settings.retrainEvery() && set.size() >= retryAt) {
            try {
                train(champion);
            } catch (Exception e) {
                retryAt = set.size() + settings.retrainEvery();
                LOG.errorf(e, "training on %d examples failed; next try at %d examples", set.size(), retryAt);
            }
        }
    }

    /** Trains, stores and publishes a new version from {@code champion}; returns what was published. */
    ModelPublished train(ModelPublished champion) throws Exception {
        long t0 = System.nanoTime();
        try (LinceModel model = LinceModel.load(store.verified(champion.getArtifactUri(), champion.getSha256()), device)) {
            ModelInfo info = model.info();
            set.useBodyOf(champion.getVersion());
            List<float[]> features = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            collect(model, features, labels);
            if (features.size() < 2) {
                throw new IllegalStateException("only " + features.size() + " usable examples");
            }
            HeadTrainer.Head head = new HeadTrainer(settings.epochs(), settings.learningRate(), settings.batchSize())
                    .fit(features.toArray(float[][]::new), labels.stream().mapToInt(i -> i).toArray(),
                            info.classes().size(), device);
            HeadTrainer.install(head, model.network());
            ModelInfo next = info.next(champion.getVersion() + 1);
            ModelStore.Stored stored = store.put(next, model.network());
            double seconds = (System.nanoTime() - t0) / 1e9;
            ModelPublished published = ModelRegistry.describe(stored, next, Map.of(
                    "trainAccuracy", head.trainAccuracy(),
                    "trainLoss", head.trainLoss(),
                    "trainSeconds", seconds), features.size());
            registry.publish(published);
            set.bodyCarriedTo(next.version());
            LOG.infof("published model v%d: head trained on %d examples in %.1f s, train accuracy %.3f",
                    next.version(), features.size(), seconds, head.trainAccuracy());
            return published;
        }
    }

    private void collect(LinceModel model, List<float[]> features, List<Integer> labels) {
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
        for (LabelledExample e : usable) {
            features.add(set.cachedFeatures(e.getImageId()));
            labels.add(model.info().classIndex(e.getLabel()));
        }
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
