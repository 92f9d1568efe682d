package io.lince.retraining;

import io.lince.contracts.DeadLetter;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.LabelHistory;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.RetrainingSample;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.common.utils.Bytes;
import io.lince.stream.DeadLetters;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Joins what the classifier sent for labelling with the labels people or apps give it, by image
 * id, into the compacted {@code lince.examples} topic. Both sides are tables (changelogged state
 * stores), so either may arrive first, a duplicate changes nothing and a changed label replaces
 * the old one; every label an image was given is kept in the example's history. An image its
 * publisher labelled ({@code knownLabel}) needs no label event; a label event for it still wins. A
 * label for a class the model does not have goes to the dead-letter topic.
 */
public final class LabelJoinTopology {

    private LabelJoinTopology() {}

    /**
     * Call {@code build(props)} with {@link StreamsConfig#TOPOLOGY_OPTIMIZATION_CONFIG} at least
     * {@code reuse.ktable.source.topics} (as {@link #optimization()}): the samples' table then
     * restores from {@code lince.retraining} itself. Without it Streams would write every routed
     * image's bytes to a changelog of its own, a second copy the brokers keep forever.
     */
    public static Topology build(Topics topics, WireFormat wire, List<String> classes) {
        StreamsBuilder b = new StreamsBuilder();
        Serde<RetrainingSample> samples = wire.serde(RetrainingSample.class);
        Serde<LabelEvent> labels = wire.serde(LabelEvent.class);
        Serde<DeadLetter> dead = wire.serde(DeadLetter.class);

        // The classifier keys each sample by its image id, so the topic is the table as it is: no
        // re-keying, no repartition topic, no changelog (the records carry the images' bytes).
        Serde<SampleEntry> entries = SampleEntry.serde(samples.deserializer());
        KTable<String, SampleEntry> pending = b.table(topics.retraining(),
                Consumed.with(Serdes.String(), entries).withName("retraining-samples-source"),
                Materialized.<String, SampleEntry, KeyValueStore<Bytes, byte[]>>as("retraining-samples")
                        .withKeySerde(Serdes.String()).withValueSerde(entries));
        pending.toStream(Named.as("retraining-samples-checked"))
                .filter((id, entry) -> entry != null && entry.problem(id, classes) != null)
                .processValues(() -> new Unjoinable(classes), Named.as("retraining-samples-unjoinable"))
                .to(topics.deadLetter(), Produced.with(Serdes.String(), dead));
        KTable<String, LabelHistory> labelled = checked(b, topics.labels(), topics, dead,
                () -> new Checked<>(labels.deserializer(), LabelEvent::getImageId, l -> unknownClass(l, classes), "label"))
                .groupByKey(Grouped.with(Serdes.String(), labels))
                .aggregate(() -> null, (id, event, history) -> LabelHistories.append(history, event),
                        Named.as("label-history-by-id"), Materialized.<String, LabelHistory, KeyValueStore<Bytes, byte[]>>as("label-history")
                                .withKeySerde(Serdes.String()).withValueSerde(wire.serde(LabelHistory.class)));

        // An erased sample (a tombstone the classifier wrote for an erased image id) erases its
        // labelled example: the compacted examples topic then forgets it, and so does the trainer.
        pending.toStream(Named.as("retraining-samples-erased"))
                .filter((id, entry) -> entry == null)
                .mapValues(entry -> (LabelledExample) null)
                .to(topics.examples(), Produced.with(Serdes.String(), wire.serde(LabelledExample.class)));
        // a table-table joiner sees no key: a sample under another key is dropped after the join
        pending.leftJoin(labelled, (entry, history) -> entry.sample() == null ? null : example(entry.sample(), history, classes))
                .toStream()
                .filter((id, example) -> example != null && example.getImageId().equals(id))
                .to(topics.examples(), Produced.with(Serdes.String(), wire.serde(LabelledExample.class)));
        return b.build(optimization());
    }

    /** The optimisation {@link #build} relies on. */
    public static Properties optimization() {
        Properties p = new Properties();
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
        return p;
    }

    /** A retraining record that cannot be joined, as a dead letter with the record whole. */
    private static final class Unjoinable implements FixedKeyProcessor<String, SampleEntry, DeadLetter> {
        private final List<String> classes;
        private FixedKeyProcessorContext<String, DeadLetter> context;

        Unjoinable(List<String> classes) {
            this.classes = classes;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, DeadLetter> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, SampleEntry> record) {
            SampleEntry e = record.value();
            String stage = e.sample() == null ? "deserialize" : e.problem(record.key()) == null ? "label" : "retraining";
            context.forward(record.withValue(DeadLetters.of(new Record<>(record.key(), e.raw(), record.timestamp(),
                    record.headers()), context.recordMetadata(), e.sample() == null ? null : e.sample().getImage().getId(),
                    stage, e.problem(record.key(), classes))));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> KStream<String, T> checked(StreamsBuilder b, String topic, Topics topics,
            Serde<DeadLetter> dead, Supplier<Checked<T>> check) {
        KStream<String, Object> all = b.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(check::get);
        all.filter((k, v) -> v instanceof DeadLetter)
                .mapValues(v -> (DeadLetter) v)
                .to(topics.deadLetter(), Produced.with(Serdes.String(), dead));
        return all.filterNot((k, v) -> v instanceof DeadLetter).mapValues(v -> (T) v);
    }

    private static String unknownClass(LabelEvent l, List<String> classes) {
        return classes.contains(l.getLabel()) ? null
                : "unknown class '" + l.getLabel() + "': the model's classes are " + classes;
    }

    /**
     * The example, labelled by the latest label event, or else by the label the image's publisher
     * gave it ({@code knownLabel}); null (nothing to emit) while neither exists. Its history lists
     * the publisher's label first, then every label event.
     */
    static LabelledExample example(RetrainingSample s, LabelHistory h, List<String> classes) {
        List<LabelEvent> history = new ArrayList<>();
        String known = s.getImage().getKnownLabel();
        if (known != null && classes.contains(known)) { // one the model does not have is dead-lettered instead
            history.add(LabelEvent.newBuilder().setImageId(s.getImage().getId()).setLabel(known)
                    .setLabeller("publisher:" + s.getImage().getSource())
                    .setLabelledAt(s.getImage().getEventTime()).build());
        }
        if (h != null) {
            history.addAll(h.getEvents());
        }
        if (history.isEmpty()) {
            return null;
        }
        LabelEvent last = history.get(history.size() - 1);
        return LabelledExample.newBuilder()
                .setImageId(s.getImage().getId())
                .setImage(s.getImage())
                .setLabel(last.getLabel())
                .setLabeller(last.getLabeller())
                .setLabelledAt(last.getLabelledAt())
                .setPredictedBy(s.getPrediction().getModelVersion())
                .setHistory(history)
                .setRoute(s.getRoute())
                .build();
    }
}
