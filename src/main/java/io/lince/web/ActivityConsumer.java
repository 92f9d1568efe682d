package io.lince.web;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelledExample;
import io.lince.contracts.RetrainingSample;
import io.lince.kafka.KafkaClients;
import io.lince.kafka.Topics;
import io.lince.wire.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.lince.kafka.TopicFollower;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads what the dashboard shows from Kafka (committed records only, no consumer group: every
 * dashboard replica sees everything): the last {@code recent} records of images and
 * classifications per partition, and all of retraining and examples, so the labelling queue is
 * every image sent for labelling that has no label yet.
 */
final class ActivityConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ActivityConsumer.class);
    /**
     * Feed thumbnails decoded per second at most. The feed shows the last few hundred images; the
     * stream may carry thousands a second, and decoding each (milliseconds of CPU) would make this one thread
     * fall behind and load the pod it shares. Images past the budget show without a picture; an
     * image sent for labelling always gets one (the labeller needs it).
     */
    static final int THUMBNAILS_PER_SECOND = 20;

    private final Topics topics;
    private final io.lince.stream.ImageInput images;
    private final Deserializer<Classification> classifications;
    private final Deserializer<RetrainingSample> samples;
    private final Deserializer<LabelledExample> examples;
    private final ActivityLog log;
    private final Thumbnails thumbnails = new Thumbnails(192);
    private final int recent;
    private final TopicFollower<String, byte[]> follower;
    private long budgetSecond;
    private int spentThisSecond;

    /** Reads {@code lince.images} as the classifiers do ({@code imagesFormat}: avro or raw). */
    ActivityConsumer(KafkaClients clients, Topics topics, WireFormat wire, String imagesFormat, ActivityLog log, int recent) {
        this.topics = topics;
        this.images = io.lince.stream.ImageInput.of(imagesFormat, wire.serde(ImageEvent.class).deserializer());
        this.classifications = io.lince.wire.ClassificationJson.either(wire.serde(Classification.class).deserializer());
        this.samples = wire.serde(RetrainingSample.class).deserializer();
        this.examples = wire.serde(LabelledExample.class).deserializer();
        this.log = log;
        this.recent = recent;
        this.follower = new TopicFollower<>("dashboard feed", () -> new KafkaConsumer<>(clients.reader(), new StringDeserializer(),
                new ByteArrayDeserializer()), this::position, KafkaClients.POLL, Duration.ofSeconds(10), LOG, this::applyAll);
    }

    ActivityConsumer start() {
        follower.start();
        return this;
    }

    /** All of retraining and examples; the last {@code recent} records of each partition of images and classifications. */
    private void position(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> all = TopicFollower.partitions(c, topics.images(), topics.classifications(), topics.retraining(),
                topics.examples());
        List<TopicPartition> tail = all.stream()
                .filter(tp -> tp.topic().equals(topics.images()) || tp.topic().equals(topics.classifications())).toList();
        c.assign(all);
        c.seekToBeginning(all);
        Map<TopicPartition, Long> ends = c.endOffsets(tail);
        Map<TopicPartition, Long> starts = c.beginningOffsets(tail);
        tail.forEach(tp -> c.seek(tp, Math.max(starts.get(tp), ends.get(tp) - recent)));
    }

    private void applyAll(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                apply(r);
            } catch (RuntimeException e) {
                // a record the classifier dead-lettered, or one this version cannot read: not for the dashboard
                LOG.debugf("dashboard skipped %s@%d: %s", r.topic(), r.offset(), e.getMessage());
            }
        }
    }

    void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            if (r.key() != null && (r.topic().equals(topics.images()) || r.topic().equals(topics.retraining())
                    || r.topic().equals(topics.examples()))) {
                log.erase(r.key()); // an erased image: its thumbnail and queue entry go
            }
            return;
        }
        String t = r.topic();
        if (t.equals(topics.images())) {
            ImageEvent e = images.read(r);
            log.image(e.getId(), e.getSource(), withinBudget(System.currentTimeMillis()) ? thumbnails.of(e.getBytes()) : null);
        } else if (t.equals(topics.classifications())) {
            log.classified(classifications.deserialize(t, r.value()), r.timestamp());
        } else if (t.equals(topics.retraining())) {
            RetrainingSample s = samples.deserialize(t, r.value());
            String thumbnail = log.thumbnail(s.getImage().getId()); // decoded once, when the image passed by
            log.sentForLabelling(s, thumbnail != null ? thumbnail : thumbnails.of(s.getImage().getBytes()), r.timestamp());
        } else {
            log.labelled(examples.deserialize(t, r.value()), r.timestamp());
        }
    }

    /** Whether one more feed thumbnail fits this second's budget. */
    boolean withinBudget(long nowMillis) {
        long second = nowMillis / 1000;
        if (second != budgetSecond) {
            budgetSecond = second;
            spentThisSecond = 0;
        }
        return spentThisSecond++ < THUMBNAILS_PER_SECOND;
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
    }
}
