package io.lince.stream;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.images.InvalidImageException;
import io.lince.model.ImageClassifier;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Classifies image events in dynamic batches: a batch runs when {@code maxBatch} records wait,
 * or when the oldest has waited {@code maxDelay} (a wall-clock punctuator looks every quarter of
 * it).
 *
 * <p>Why the buffer is a state store and not a list: Kafka Streams commits the input offset of a
 * record once {@link #process} returns, so a record held only in memory would be lost by a crash
 * before its batch ran. Here each waiting record is written to a changelogged store, and the
 * store's writes, the batch's outputs and the input offsets all commit in the task's one
 * exactly-once transaction. After a crash the store is restored to its last committed content and
 * the input is replayed from the last committed offset: every record is either still waiting or
 * already answered, never both and never neither.
 *
 * <p>Each record gives one classification (plus a retraining sample when the model is unsure) or
 * one dead letter. Input arrives as raw bytes, so even a record that is not Avro is dead-lettered
 * whole.
 */
final class ClassifyProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger LOG = Logger.getLogger(ClassifyProcessor.class);

    private final Deserializer<ImageEvent> images;
    private final ImageSource source;
    private final ImageClassifier classifier;
    private final RoutingPolicy policy;
    private final BatchSettings batching;
    private final ClassifierMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, PendingImage> buffer;
    private long nextSeq;
    private int waiting;
    private long oldestArrival = Long.MAX_VALUE;

    ClassifyProcessor(Deserializer<ImageEvent> images, ImageSource source, ImageClassifier classifier, RoutingPolicy policy, BatchSettings batching, ClassifierMetrics metrics) {
        this.images = images;
        this.source = source;
        this.classifier = classifier;
        this.policy = policy;
        this.batching = batching;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.buffer = context.getStateStore(ClassifierTopology.BUFFER);
        // after a restart the buffer holds what was waiting at the last commit
        try (KeyValueIterator<Long, PendingImage> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingImage> kv = it.next();
                nextSeq = Math.max(nextSeq, kv.key + 1);
                oldestArrival = Math.min(oldestArrival, kv.value.getArrivedAtMillis());
                waiting++;
            }
        }
        context.schedule(batching.tick(), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (waiting > 0 && now - oldestArrival >= batching.maxDelay().toMillis()) {
                flush();
            }
        });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        var meta = context.recordMetadata();
        buffer.put(nextSeq++, PendingImage.newBuilder()
                .setTopic(meta.map(m -> m.topic()).orElse("?"))
                .setPartition(meta.map(m -> m.partition()).orElse(-1))
                .setOffset(meta.map(m -> m.offset()).orElse(-1L))
                .setTimestamp(record.timestamp())
                .setKey(record.key())
                .setHeaders(DeadLetters.headers(record))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setArrivedAtMillis(now)
                .build());
        metrics.received();
        oldestArrival = Math.min(oldestArrival, now);
        if (++waiting >= batching.maxBatch()) {
            flush();
        }
    }

    /** One image that decoded and waits for the forward pass. */
    private record Ready(PendingImage pending, ImageEvent event, BufferedImage image, float decodeMillis) {}

    private void flush() {
        long now = context.currentSystemTimeMs();
        List<Long> keys = new ArrayList<>();
        List<Ready> ready = new ArrayList<>();
        try (KeyValueIterator<Long, PendingImage> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingImage> kv = it.next();
                keys.add(kv.key);
                Ready r = prepare(kv.value);
                if (r != null) {
                    ready.add(r);
                }
            }
        }
        if (!ready.isEmpty()) {
            classify(ready, now);
        }
        keys.forEach(buffer::delete);
        waiting = 0;
        oldestArrival = Long.MAX_VALUE;
    }

    /** Reads, fetches and decodes one waiting record; dead-letters it and returns null on failure. */
    private Ready prepare(PendingImage p) {
        ImageEvent event;
        try {
            event = images.deserialize(p.getTopic(), p.getValue() == null ? null : bytes(p.getValue()));
        } catch (SerializationException e) {
            deadLetter(p, null, "deserialize", e.getMessage());
            return null;
        }
        if (event == null) {
            deadLetter(p, null, "deserialize", "empty record (tombstone) on the image topic");
            return null;
        }
        byte[] data;
        try {
            data = source.bytes(event);
        } catch (ImageSource.FetchException e) {
            deadLetter(p, event.getId(), "fetch", e.getMessage());
            return null;
        }
        long t0 = System.nanoTime();
        try {
            BufferedImage image = classifier.decode(data);
            return new Ready(p, event, image, (System.nanoTime() - t0) / 1e6f);
        } catch (InvalidImageException e) {
            deadLetter(p, event.getId(), "decode", e.getMessage());
            return null;
        }
    }

    private void classify(List<Ready> ready, long now) {
        List<BufferedImage> batch = new ArrayList<>(ready.size());
        float[] decodeMillis = new float[ready.size()];
        for (int i = 0; i < ready.size(); i++) {
            batch.add(ready.get(i).image());
            decodeMillis[i] = ready.get(i).decodeMillis();
        }
        List<ImageClassifier.Classified> results;
        try {
            results = classifier.classifyDecoded(batch, decodeMillis);
        } catch (RuntimeException e) {
            LOG.warnf(e, "a batch of %d failed", ready.size());
            ready.forEach(r -> deadLetter(r.pending(), r.event().getId(), "classify", String.valueOf(e.getMessage())));
            return;
        }
        metrics.batch(ready.size(), results.get(0).inferenceMillis());
        for (int i = 0; i < ready.size(); i++) {
            emit(ready.get(i), results.get(i), ready.size(), now);
        }
    }

    private void emit(Ready r, ImageClassifier.Classified result, int batchSize, long now) {
        Prediction p = result.prediction();
        String id = r.event().getId();
        float queueMillis = now - r.pending().getArrivedAtMillis();
        Classification c = Classification.newBuilder()
                .setImageId(id)
                .setEventTime(r.event().getEventTime())
                .setPrediction(p)
                .setDecodeMillis(result.decodeMillis())
                .setInferenceMillis(result.inferenceMillis())
                .setBatchSize(batchSize)
                .setQueueMillis(queueMillis)
                .setClassifiedAt(Instant.now())
                .build();
        long ts = r.pending().getTimestamp();
        context.forward(new Record<String, SpecificRecord>(id, c, ts), ClassifierTopology.CLASSIFICATIONS);
        boolean unsure = policy.reasonToRetrain(p).map(reason -> {
            context.forward(new Record<String, SpecificRecord>(id, RetrainingSample.newBuilder()
                    .setImage(r.event())
                    .setPrediction(p)
                    .setUncertainty(policy.value(p))
                    .setReason(reason)
                    .build(), ts), ClassifierTopology.RETRAINING);
            return true;
        }).orElse(false);
        metrics.classified(c, unsure, queueMillis);
    }

    private void deadLetter(PendingImage p, String imageId, String stage, String reason) {
        context.forward(new Record<String, SpecificRecord>(imageId != null ? imageId : p.getKey(),
                DeadLetters.of(p, imageId, stage, reason), p.getTimestamp()), ClassifierTopology.DEAD_LETTER);
        metrics.deadLettered(stage);
    }

    private static byte[] bytes(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
