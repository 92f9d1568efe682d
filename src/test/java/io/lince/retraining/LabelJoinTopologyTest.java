package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.DeadLetter;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LabelJoinTopologyTest {

    private static final Topics TOPICS = Topics.defaults(1);
    private final WireFormat wire = WireFormat.defaults();
    private TopologyTestDriver driver;
    private TestInputTopic<String, RetrainingSample> samples;
    private TestInputTopic<String, LabelEvent> labels;
    private TestInputTopic<String, byte[]> rawLabels;
    private TestOutputTopic<String, LabelledExample> examples;
    private TestOutputTopic<String, DeadLetter> dead;

    @BeforeEach
    void start() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-test");
        driver = new TopologyTestDriver(LabelJoinTopology.build(TOPICS, wire, List.of("cats", "dogs")), p);
        samples = driver.createInputTopic(TOPICS.retraining(), Serdes.String().serializer(),
                wire.serde(RetrainingSample.class).serializer());
        labels = driver.createInputTopic(TOPICS.labels(), Serdes.String().serializer(),
                wire.serde(LabelEvent.class).serializer());
        rawLabels = driver.createInputTopic(TOPICS.labels(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        examples = driver.createOutputTopic(TOPICS.examples(), Serdes.String().deserializer(),
                wire.serde(LabelledExample.class).deserializer());
        dead = driver.createOutputTopic(TOPICS.deadLetter(), Serdes.String().deserializer(),
                wire.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static RetrainingSample sample(String id) {
        ImageEvent image = ImageEvent.newBuilder().setId(id).setEventTime(Instant.EPOCH).setSource("t")
                .setBytes(ByteBuffer.wrap(new byte[] {1})).build();
        Prediction p = Prediction.newBuilder().setLabel("cats").setProbabilities(Map.of("cats", 0.6f, "dogs", 0.4f))
                .setConfidence(0.6f).setMargin(0.2f).setEntropy(0.97f).setModelVersion(3).build();
        return RetrainingSample.newBuilder().setImage(image).setPrediction(p).setUncertainty(0.6f).setReason("r").build();
    }

    private static LabelEvent label(String id, String label, String who) {
        return LabelEvent.newBuilder().setImageId(id).setLabel(label).setLabeller(who).setLabelledAt(Instant.EPOCH).build();
    }

    private static List<String> history(LabelledExample e) {
        return e.getHistory().stream().map(l -> l.getLabeller() + ":" + l.getLabel()).toList();
    }

    @Test
    void theRouteThatSentAnImageStaysWithItsExample() {
        RetrainingSample explored = sample("e");
        explored.setRoute(io.lince.stream.Selector.EXPLORATION);
        samples.pipeInput("e", explored);
        samples.pipeInput("u", sample("u"));
        labels.pipeInput("e", label("e", "dogs", "alice"));
        labels.pipeInput("u", label("u", "cats", "alice"));
        Map<String, LabelledExample> out = examples.readKeyValuesToMap();
        assertEquals("exploration", out.get("e").getRoute(), "the stream slice's examples are known by their route");
        assertEquals("uncertain", out.get("u").getRoute(), "the default route");
    }

    @Test
    void joinsWhicheverSideArrivesFirst() {
        samples.pipeInput("a", sample("a"));
        labels.pipeInput("a", label("a", "dogs", "alice"));
        labels.pipeInput("b", label("b", "cats", "bob"));
        samples.pipeInput("b", sample("b"));
        List<KeyValue<String, LabelledExample>> out = examples.readKeyValuesToList();
        assertEquals(List.of("a", "b"), out.stream().map(kv -> kv.key).toList());
        assertEquals("dogs", out.get(0).value.getLabel());
        assertEquals("alice", out.get(0).value.getLabeller());
        assertEquals(3, out.get(0).value.getPredictedBy());
        assertEquals("cats", out.get(1).value.getLabel());
    }

    @Test
    void labelsAreKeyedByImageIdWhateverTheProducerUsedAsKey() {
        samples.pipeInput("c", sample("c"));
        labels.pipeInput("some-other-key", label("c", "dogs", "app"));
        assertEquals("c", examples.readKeyValue().key);
    }

    @Test
    void aSampleUnderAnotherKeyIsDeadLetteredNotJoined() {
        // the samples' table is the topic itself (no re-keying copy), so its key must be the id
        samples.pipeInput("not-d", sample("d"));
        labels.pipeInput("d", label("d", "dogs", "app"));
        assertTrue(examples.isEmpty());
        DeadLetter d = dead.readValue();
        assertEquals("retraining", d.getStage());
        assertTrue(d.getReason().contains("'not-d' is not the sample's image id 'd'"), d.getReason());
    }

    @Test
    void aChangedLabelReplacesTheOldOneAndADuplicateChangesNothing() {
        samples.pipeInput("a", sample("a"));
        labels.pipeInput("a", label("a", "dogs", "alice"));
        labels.pipeInput("a", label("a", "dogs", "alice"));
        labels.pipeInput("a", label("a", "cats", "carol"));
        List<LabelledExample> out = examples.readValuesToList();
        assertEquals("cats", out.get(out.size() - 1).getLabel(), "last label wins");
        assertEquals(List.of("alice:dogs", "carol:cats"), history(out.get(out.size() - 1)), "history kept, the duplicate once");
        assertEquals(1, out.stream().map(LabelledExample::getImageId).distinct().count());
        assertTrue(out.stream().allMatch(e -> e.getImageId().equals("a")));
    }

    @Test
    void anUnknownClassOrAnUnreadableLabelIsDeadLettered() {
        samples.pipeInput("a", sample("a"));
        labels.pipeInput("a", label("a", "horses", "alice"));
        rawLabels.pipeInput("x", new byte[] {9, 9, 9});
        assertTrue(examples.isEmpty());
        List<DeadLetter> d = dead.readValuesToList();
        assertEquals(2, d.size());
        assertEquals("label", d.get(0).getStage());
        assertEquals("unknown class 'horses': the model's classes are [cats, dogs]", d.get(0).getReason());
        assertEquals("a", d.get(0).getImageId());
        assertEquals("deserialize", d.get(1).getStage());
    }

    @Test
    void anImageItsPublisherLabelledNeedsNoLabelEventButOneStillWins() {
        RetrainingSample known = sample("k");
        known.getImage().setKnownLabel("dogs");
        samples.pipeInput("k", known);
        samples.pipeInput("u", sample("u")); // no label anywhere yet: nothing
        List<LabelledExample> out = examples.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("dogs", out.get(0).getLabel());
        assertEquals("publisher:t", out.get(0).getLabeller());
        labels.pipeInput("k", label("k", "cats", "carol"));
        LabelledExample relabelled = examples.readValue();
        assertEquals("cats", relabelled.getLabel(), "a person's label overrides the publisher's");
        assertEquals(List.of("publisher:t:dogs", "carol:cats"), history(relabelled));
    }

    @Test
    void aPublishersLabelForAClassTheModelDoesNotHaveIsDeadLetteredAndLeftOut() {
        RetrainingSample s = sample("e");
        s.getImage().setKnownLabel("horses");
        samples.pipeInput("e", s);
        assertTrue(examples.isEmpty(), "no example from a label the model cannot learn");
        DeadLetter d = dead.readValue();
        assertEquals("label", d.getStage());
        assertTrue(d.getReason().contains("knownLabel 'horses' is not one of the model's classes [cats, dogs]"), d.getReason());
        labels.pipeInput("e", label("e", "dogs", "alice")); // a person's label still labels it
        LabelledExample e = examples.readValue();
        assertEquals("dogs", e.getLabel());
        assertEquals(List.of("alice:dogs"), history(e));
    }
}
