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

    public static Topology build(Topics topics, WireFormat wire, List<String> classes) {
        StreamsBuilder b = new StreamsBuilder();
        Serde<RetrainingSample> samples = wire.serde(RetrainingSample.class);
        Serde<LabelEvent> labels = wire.serde(LabelEvent.class);
        Serde<DeadLetter> dead = wire.serde(DeadLetter.class);

        KTable<String, RetrainingSample> pending = checked(b, topics.retraining(), topics, dead,
                () -> new Checked<>(samples.deserializer(), s -> s.getImage().getId(), s -> null, "retraining"))
                .toTable(Named.as("retraining-samples-by-id"), Materialized.<String, RetrainingSample, KeyValueStore<Bytes, byte[]>>as("retraining-samples")
                        .withKeySerde(Serdes.String()).withValueSerde(samples));
        KTable<String, LabelHistory> labelled = checked(b, topics.labels(), topics, dead,
                () -> new Checked<>(labels.deserializer(), LabelEvent::getImageId, l -> unknownClass(l, classes), "label"))
                .groupByKey(Grouped.with(Serdes.String(), labels))
                .aggregate(() -> null, (id, event, history) -> LabelHistories.append(history, event),
                        Named.as("label-history-by-id"), Materialized.<String, LabelHistory, KeyValueStore<Bytes, byte[]>>as("label-history")
                                .withKeySerde(Serdes.String()).withValueSerde(wire.serde(LabelHistory.class)));

        pending.leftJoin(labelled, LabelJoinTopology::example)
                .toStream()
                .filter((id, example) -> example != null)
                .to(topics.examples(), Produced.with(Serdes.String(), wire.serde(LabelledExample.class)));
        return b.build();
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
    static LabelledExample example(RetrainingSample s, LabelHistory h) {
        List<LabelEvent> history = new ArrayList<>();
        String known = s.getImage().getKnownLabel();
        if (known != null) {
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
