package io.lince.stream;

import io.lince.contracts.Classification;
import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.RetrainingSample;
import io.lince.kafka.Topics;
import io.lince.model.ImageClassifier;
import io.lince.wire.WireFormat;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * {@code lince.images} → (batch buffer: references in a changelogged store, bytes in memory) →
 * fetch and decode on shared threads → classify →
 * {@code lince.classifications}; unsure results also → {@code lince.retraining}; failures →
 * {@code lince.dead-letter} with the stage and reason.
 */
public final class ClassifierTopology {

    static final String SOURCE = "images";
    static final String CLASSIFY = "classify";
    static final String CLASSIFICATIONS = "classifications";
    static final String RETRAINING = "retraining";
    static final String DEAD_LETTER = "dead-letter";
    /**
     * The batch buffer: where each waiting record lies in the input. Its changelog makes waiting
     * records as durable as processed ones without a copy of their bytes.
     */
    public static final String BUFFER = "batch-buffer";
    /** Image ids sent for labelling, so that none is sent twice. */
    public static final String SENT = "sent-for-labelling";
    /** Each task's labelling selection: moving statistics and budget (one small record a task). */
    public static final String SELECTION = "selection-state";

    /**
     * What the classifier needs besides the model. {@code wallClock} stamps arrivals and decides
     * when the oldest has waited long enough (see {@link ClassifyProcessor}); tests pass the
     * driver's mock time. {@code workers} are the process's shared threads; {@code input} reads
     * waiting records back after a restart. {@code budgetFactor} multiplies the labelling budget
     * (the drift watch raises it while the stream has drifted).
     */
    public record Settings(ImageSource source, RoutingPolicy routing, BatchSettings batching, ClassifierMetrics metrics,
            LongSupplier wallClock, ClassifierWorkers workers, InputRecords input, EventChecks checks,
            java.util.function.DoubleSupplier budgetFactor) {

        public Settings(ImageSource source, RoutingPolicy routing, BatchSettings batching, ClassifierMetrics metrics,
                LongSupplier wallClock, ClassifierWorkers workers, InputRecords input, EventChecks checks) {
            this(source, routing, batching, metrics, wallClock, workers, input, checks, () -> 1);
        }

        /** For {@code TopologyTestDriver} tests: every stage on the calling thread, no restores. */
        public static Settings forTests(ImageSource source, RoutingPolicy routing, BatchSettings batching,
                ClassifierMetrics metrics, LongSupplier wallClock) {
            return new Settings(source, routing, batching, metrics, wallClock, ClassifierWorkers.sameThread(),
                    InputRecords.none(), EventChecks.DEFAULTS);
        }
    }

    private ClassifierTopology() {}

    public static Topology build(Topics topics, WireFormat wire, ImageClassifier classifier, Settings settings) {
        return build(topics, ImageInput.avro(wire.serde(ImageEvent.class).deserializer()), wire, classifier, settings);
    }

    /** With the input records read by {@code images} (Avro events, or raw image bytes: {@link ImageInput}). */
    public static Topology build(Topics topics, ImageInput images, WireFormat wire, ImageClassifier classifier, Settings settings) {
        if (settings.batching().maxBatch() == BatchSettings.AUTO) {
            throw new IllegalArgumentException("the batch size is still 'auto': resolve it for the device with BatchSettings.on(gpu)");
        }
        Topology t = new Topology();
        // Keys as bytes: Lince ignores the input key (outputs are keyed by image id), and a dead
        // letter must keep it byte for byte, whatever its encoding.
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.images());
        t.addProcessor(CLASSIFY, () -> new ClassifyProcessor(images, classifier, settings, topics.partitions()), SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BUFFER), Serdes.Long(),
                wire.serde(PendingImage.class)).withLoggingEnabled(Map.of()), CLASSIFY);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SENT), Serdes.String(), Serdes.Long())
                .withLoggingEnabled(Map.of("cleanup.policy", "compact")), CLASSIFY);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SELECTION), Serdes.String(),
                wire.serde(io.lince.contracts.SelectorState.class)).withLoggingEnabled(Map.of("cleanup.policy", "compact")), CLASSIFY);
        t.addSink(CLASSIFICATIONS, topics.classifications(), Serdes.String().serializer(),
                as(wire, Classification.class), CLASSIFY);
        t.addSink(RETRAINING, topics.retraining(), Serdes.String().serializer(),
                as(wire, RetrainingSample.class), CLASSIFY);
        t.addSink(DEAD_LETTER, topics.deadLetter(), Serdes.String().serializer(),
                as(wire, DeadLetter.class), CLASSIFY);
        return t;
    }

    /** The processor forwards {@link SpecificRecord}s; each sink knows its concrete type. */
    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> Serializer<SpecificRecord> as(WireFormat wire, Class<T> type) {
        Serializer<T> s = wire.serde(type).serializer();
        return (topic, data) -> s.serialize(topic, (T) data);
    }
}
