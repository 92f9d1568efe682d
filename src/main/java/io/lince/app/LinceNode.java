package io.lince.app;

import ai.djl.Device;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.ModelPublished;
import io.lince.images.ImageDecoder;
import io.lince.kafka.EmbeddedKafka;
import io.lince.kafka.KafkaClients;
import io.lince.model.Devices;
import io.lince.model.ImageClassifier;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import io.lince.registry.ModelFollower;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import io.lince.retraining.LabelJoinTopology;
import io.lince.retraining.TrainerService;
import io.lince.images.UriFetcher;
import io.lince.stream.ClassifierMetrics;
import io.lince.stream.BatchSettings;
import io.lince.stream.ClassifierTopology;
import io.lince.stream.ClassifierWorkers;
import io.lince.stream.ImageInput;
import io.lince.stream.InputRecords;
import io.lince.stream.ImageSource;
import io.lince.stream.StreamsSettings;
import io.lince.watch.DriftWatch;
import io.lince.watch.ShadowRunner;
import io.lince.watch.SidePublisher;
import io.lince.wire.WireFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * One running Lince process: the broker (in-process when no cluster is configured), the topics,
 * the current model, and the parts its role asks for. Closing stops them in reverse order.
 */
public final class LinceNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LinceNode.class);
    /** Claim-check downloads in flight at once; they wait on the network, not on a core. */
    private static final int FETCH_THREADS = 16;
    /** How long a classifier may serve another version than the registry's champion before it is not ready. */
    public static final Duration CHAMPION_GRACE = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final NodeOptions options;
    private KafkaClients clients;
    private WireFormat wire;
    private ModelRegistry registry;
    private ModelSlot slot;
    private ModelFollower follower;
    private ClassifierWorkers workers;
    private ModelPublished firstChampion;
    private final ClassifierMetrics metrics;
    private volatile TrainerService trainer;
    private DriftWatch drift;
    private ShadowRunner shadow;
    private final Map<String, KafkaStreams> streams = new LinkedHashMap<>();
    private final long startedAt = System.currentTimeMillis();
    /** For the lag of the input partitions (health); opened by a classifier node. */
    private org.apache.kafka.clients.admin.Admin admin;

    private LinceNode(NodeOptions options, ClassifierMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
    }

    public static LinceNode start(NodeOptions options) throws Exception {
        return start(options, ClassifierMetrics.NONE);
    }

    public static LinceNode start(NodeOptions options, ClassifierMetrics metrics) throws Exception {
        LinceNode node = new LinceNode(options, metrics);
        try {
            node.startAll();
            return node;
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        String bootstrap = options.bootstrapServers().filter(s -> !s.isBlank()).orElseGet(() -> {
            EmbeddedKafka kafka = EmbeddedKafka.start(options.workDir().resolve("kafka"));
            open.push(kafka);
            return kafka.bootstrapServers();
        });
        clients = new KafkaClients(bootstrap, options.kafkaProperties());
        clients.ensureTopics(options.topics());
        wire = options.input().formats().wire();
        Device device = options.serving().select();
        ModelStore store = new ModelStore(options.modelStore());
        registry = new ModelRegistry(clients, options.topics(), wire);
        open.push(registry);
        firstChampion = ModelBootstrap.champion(registry, store, options.classes(), options.weights(),
                options.inputSize(), device, options.seed());

        if (options.role().classifies()) {
            LinceModel model = firstServable(store, device);
            slot = new ModelSlot(model);
            open.push(slot);
            BatchSettings batching = options.batching().on(device.isGpu());
            ImageClassifier classifier = new ImageClassifier(slot, ImageDecoder.defaults(), batching.ttaViews());
            SidePublisher side = new SidePublisher(clients, wire);
            open.push(side);
            drift = new DriftWatch(options.watching().drift(), alert -> {
                side.send(options.topics().alerts(), alert.getKind() + "/v" + alert.getModelVersion(), alert);
                if (alert.getKind().equals("drift") && options.watching().drift().requestRetraining() && trainer != null) {
                    trainer.requestTraining("drift: " + alert.getMessage());
                }
            });
            shadow = new ShadowRunner(options.watching().shadowShare(), options.routing(),
                    b -> side.send(options.topics().shadow(), "v" + b.getShadowVersion(), b));
            open.push(shadow);
            classifier.listen(ImageClassifier.BatchListener.all(drift, shadow));
            workers = ClassifierWorkers.of(batching.prepareThreads(), FETCH_THREADS,
                    options.streamThreads());
            open.push(workers);
            admin = org.apache.kafka.clients.admin.Admin.create(clients.common());
            open.push(admin);
            UriFetcher fetcher = new UriFetcher(options.fetch());
            open.push(fetcher);
            Topology t = ClassifierTopology.build(options.topics(),
                    ImageInput.of(options.input().formats().images(), wire.serde(ImageEvent.class).deserializer()), wire, classifier,
                    new ClassifierTopology.Settings(ImageSource.claimCheck(fetcher),
                            options.routing(), batching, metrics, System::currentTimeMillis, workers,
                            InputRecords.kafka(clients.reader(), Duration.ofSeconds(30)), options.input().events(),
                            drift::budgetFactor));
            streams(t, "classifier", options.streamThreads());
            follower = new ModelFollower(registry, store, slot, device, options.serving()).mirroringShadowsWith(shadow).start();
            open.push(follower);
        }
        if (options.role().trains()) {
            Topology join = LabelJoinTopology.build(options.topics(), wire, firstChampion.getClasses());
            streams(join, "trainer", 1);
            trainer = new TrainerService(clients, options.topics(), wire, registry, store, options.trainer(), device,
                    options.workDir().resolve("trainer"), firstChampion.getClasses()).start();
            open.push(trainer);
        }
        LOG.infof("Lince %s running on %s, model v%d on %s", options.role().name().toLowerCase(),
                bootstrap, firstChampion.getVersion(), device);
    }

    /**
     * The champion's model, or, when its artifact is missing, outside the store, corrupt or does
     * not load, the newest version promoted before it that does: one bad record must not keep a
     * classifier from starting. Why is logged; readiness reports serving another version than the
     * champion once the grace period has passed, and the follower keeps trying the champion.
     */
    private LinceModel firstServable(ModelStore store, Device device) throws IOException {
        List<String> refused = new ArrayList<>();
        for (ModelPublished m : ModelRegistry.servable(registry.history())) {
            try {
                LinceModel model = store.load(m, device, options.serving());
                if (model.info().version() != m.getVersion()) {
                    model.close();
                    throw new IOException("its artifact holds v" + model.info().version());
                }
                if (!refused.isEmpty()) {
                    LOG.errorf("serving v%d, the newest promoted version that loads; refused: %s", m.getVersion(),
                            String.join("; ", refused));
                }
                return model;
            } catch (IOException | RuntimeException e) {
                refused.add("v" + m.getVersion() + ": " + e.getMessage());
            }
        }
        throw new IOException("no promoted model version verifies and loads: " + String.join("; ", refused));
    }

    private KafkaStreams streams(Topology topology, String name, int threads) throws InterruptedException {
        KafkaStreams s = new KafkaStreams(topology, StreamsSettings.of(clients,
                options.applicationIdPrefix() + "-" + name, options.workDir().resolve("streams"), threads));
        ThreadFailures failures = new ThreadFailures();
        s.setUncaughtExceptionHandler(e -> {
            Duration wait = failures.failed(System.currentTimeMillis());
            LOG.errorf(e, "stream thread of the %s failed (%s), its transaction aborted; replacing it%s", name, e.toString(),
                    wait.isZero() ? "" : " in " + wait.toMillis() + " ms (failures keep coming)");
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        s.start();
        streams.put(name, s);
        open.push(() -> s.close(Duration.ofSeconds(30)));
        long deadline = System.currentTimeMillis() + 60_000;
        while (s.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        if (s.state() != KafkaStreams.State.RUNNING) {
            throw new IllegalStateException("the " + name + " stream did not reach RUNNING: " + s.state());
        }
        return s;
    }

    public KafkaClients clients() {
        return clients;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public ModelPublished firstChampion() {
        return firstChampion;
    }

    /** The training worker, when this node trains. */
    public Optional<TrainerService> trainer() {
        return Optional.ofNullable(trainer);
    }

    /**
     * What makes this node not ready although its streams run: a background thread its role needs
     * has stopped, it serves another model than the registry's champion for longer than
     * {@link #CHAMPION_GRACE}, or a stall: a classifier task has held a record, or an input
     * partition with lag has not moved, for longer than {@code stallLimit}
     * ({@code lince.classifier.stall-limit}). Empty when all is well.
     */
    public List<String> problems(Duration stallLimit) {
        List<String> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        if (follower != null) {
            follower.problem(now, CHAMPION_GRACE).ifPresent(out::add);
        }
        if (workers != null) {
            out.addAll(workers.stalls(now, stallLimit));
            for (PartitionProgress p : partitionProgress(now)) {
                if (p.lag() > 0 && p.idleMillis() > stallLimit.toMillis()) {
                    out.add(String.format("partition %d of %s has %d records waiting and has not moved for %d s",
                            p.partition(), options.topics().images(), p.lag(), p.idleMillis() / 1000));
                }
            }
        }
        if (trainer != null) {
            trainer.problem().ifPresent(out::add);
        }
        return out;
    }

    /**
     * One input partition this node's classifier has a task for: its lag (records in the topic past
     * the application's committed offset) and how long since its task last took or published a record.
     */
    public record PartitionProgress(int partition, long lag, long idleMillis) {}

    /**
     * The input partitions this node's classifier has active tasks for, with their lag: the
     * partition's end offset less the application's committed offset, as the broker has them
     * (what KEDA scales on; records fetched into Streams' buffers but not processed count as
     * waiting). Empty when the broker does not answer within two seconds: health must not hang.
     */
    public List<PartitionProgress> partitionProgress(long now) {
        Progress cached = lastProgress;
        if (cached != null && now - cached.at() < 1_000) {
            return cached.partitions(); // health and every partition's gauges ask within one scrape
        }
        List<PartitionProgress> fresh = readProgress(now);
        lastProgress = new Progress(now, fresh);
        return fresh;
    }

    private record Progress(long at, List<PartitionProgress> partitions) {}

    private volatile Progress lastProgress;

    private List<PartitionProgress> readProgress(long now) {
        KafkaStreams classifier = streams.get("classifier");
        if (classifier == null || workers == null || admin == null) {
            return List.of();
        }
        java.util.Set<org.apache.kafka.common.TopicPartition> mine = new java.util.TreeSet<>(
                java.util.Comparator.comparingInt(org.apache.kafka.common.TopicPartition::partition));
        classifier.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> task.topicPartitions().stream()
                .filter(tp -> tp.topic().equals(options.topics().images())).forEach(mine::add)));
        if (mine.isEmpty()) {
            return List.of();
        }
        try {
            var ends = admin.listOffsets(mine.stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                    tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get(2, java.util.concurrent.TimeUnit.SECONDS);
            var committed = admin.listConsumerGroupOffsets(classifierApplicationId()).partitionsToOffsetAndMetadata()
                    .get(2, java.util.concurrent.TimeUnit.SECONDS);
            Map<Integer, Long> last = workers.lastProgress();
            List<PartitionProgress> out = new ArrayList<>();
            for (var tp : mine) {
                var c = committed.get(tp);
                long lag = Math.max(0, ends.get(tp).offset() - (c == null ? 0 : c.offset()));
                out.add(new PartitionProgress(tp.partition(), lag, now - last.getOrDefault(tp.partition(), startedAt)));
            }
            return out;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debugf("partition lag unknown: %s", e.toString());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private String classifierApplicationId() {
        return options.applicationIdPrefix() + "-classifier";
    }

    /** The drift watch, when this node classifies. */
    public Optional<DriftWatch> drift() {
        return Optional.ofNullable(drift);
    }

    /** The shadow runner, when this node classifies. */
    public Optional<ShadowRunner> shadow() {
        return Optional.ofNullable(shadow);
    }

    /** The model follower, when this node classifies. */
    public Optional<ModelFollower> follower() {
        return Optional.ofNullable(follower);
    }

    /** The classifier's model slot, when this node classifies. */
    public Optional<ModelSlot> slot() {
        return Optional.ofNullable(slot);
    }

    /** This node's Kafka Streams applications by role ("classifier", "trainer"). */
    public Map<String, KafkaStreams> streams() {
        return Map.copyOf(streams);
    }

    /** How this node's records travel: Lince's schemas, their history and the writer schemas it was given. */
    public WireFormat wire() {
        return wire;
    }

    public NodeOptions options() {
        return options;
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            AutoCloseable c = open.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warnf("while stopping %s: %s", c.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
