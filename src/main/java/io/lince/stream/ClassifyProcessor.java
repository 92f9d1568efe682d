package io.lince.stream;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.images.InvalidImageException;
import io.lince.model.ImageClassifier;
import io.lince.wire.Buffers;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
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
 * <p>Time comes from a real clock, not {@code context.currentSystemTimeMs()}: Streams caches that
 * once per poll loop, and it stands still while a batch runs inside {@link #process}. Records
 * processed after a 600 ms batch would carry an arrival time 600 ms old, and the punctuator
 * would flush them at once as a part-full batch.
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
    private final LongSupplier clock;
    /** Decodes and preprocesses records as they arrive, so a batch finds its images ready. */
    private ExecutorService pool;
    private final Map<Long, Future<Outcome>> preparing = new HashMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, PendingImage> buffer;
    /** Ids already sent for labelling (changelogged): an image is never sent twice. */
    private KeyValueStore<String, Long> sent;
    private Selector selector;
    private long nextSeq;
    private int waiting;
    private long oldestArrival = Long.MAX_VALUE;

    ClassifyProcessor(Deserializer<ImageEvent> images, ImageSource source, ImageClassifier classifier, RoutingPolicy policy, BatchSettings batching, ClassifierMetrics metrics, LongSupplier clock) {
        this.images = images;
        this.clock = clock;
        this.source = source;
        this.classifier = classifier;
        this.policy = policy;
        this.batching = batching;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.pool = batching.prepareThreads() == 0 ? null : Executors.newFixedThreadPool(batching.prepareThreads(), r -> {
            Thread t = new Thread(r, "lince-prepare");
            t.setDaemon(true);
            return t;
        });
        this.buffer = context.getStateStore(ClassifierTopology.BUFFER);
        this.sent = context.getStateStore(ClassifierTopology.SENT);
        this.selector = new Selector(policy, context.taskId().hashCode());
        // after a restart the buffer holds what was waiting at the last commit
        try (KeyValueIterator<Long, PendingImage> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingImage> kv = it.next();
                nextSeq = Math.max(nextSeq, kv.key + 1);
                oldestArrival = Math.min(oldestArrival, kv.value.getArrivedAtMillis());
                waiting++;
            }
        }
        context.schedule(batching.tick(), PunctuationType.WALL_CLOCK_TIME, ignored -> {
            if (waiting > 0 && clock.getAsLong() - oldestArrival >= batching.maxDelay().toMillis()) {
                flush();
            }
        });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = clock.getAsLong();
        var meta = context.recordMetadata();
        long seq = nextSeq++;
        PendingImage pending = PendingImage.newBuilder()
                .setTopic(meta.map(m -> m.topic()).orElse("?"))
                .setPartition(meta.map(m -> m.partition()).orElse(-1))
                .setOffset(meta.map(m -> m.offset()).orElse(-1L))
                .setTimestamp(record.timestamp())
                .setKey(record.key())
                .setHeaders(DeadLetters.headers(record))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setArrivedAtMillis(now)
                .build();
        buffer.put(seq, pending);
        if (pool != null) {
            preparing.put(seq, pool.submit(() -> prepare(pending)));
        }
        metrics.received();
        oldestArrival = Math.min(oldestArrival, now);
        if (++waiting >= batching.maxBatch()) {
            flush();
        }
    }

    /** What preparing one waiting record came to: an image ready for the model, or why not. */
    private record Outcome(ImageEvent event, ImageClassifier.Prepared image, String stage, String reason) {
        static Outcome failed(ImageEvent event, String stage, String reason) {
            return new Outcome(event, null, stage, reason);
        }

        String imageId() {
            return event == null ? null : event.getId();
        }
    }

    /** A record whose image is ready, with where it came from. */
    private record Ready(PendingImage pending, ImageEvent event, ImageClassifier.Prepared image) {}

    private void flush() {
        long now = clock.getAsLong();
        List<Long> keys = new ArrayList<>();
        List<Ready> ready = new ArrayList<>();
        try (KeyValueIterator<Long, PendingImage> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingImage> kv = it.next();
                keys.add(kv.key);
                Future<Outcome> ahead = preparing.remove(kv.key);
                Outcome o = ahead != null ? await(ahead) : prepare(kv.value); // none ahead: no pool, or restored
                if (o.image() == null) {
                    deadLetter(kv.value, o.imageId(), o.stage(), o.reason());
                } else {
                    ready.add(new Ready(kv.value, o.event(), o.image()));
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

    /**
     * Reads, fetches, decodes and preprocesses one waiting record. Runs on the prepare pool, so
     * it touches no processor state; forwarding stays on the stream thread.
     */
    private Outcome prepare(PendingImage p) {
        ImageEvent event;
        try {
            event = images.deserialize(p.getTopic(), p.getValue() == null ? null : Buffers.toArray(p.getValue()));
        } catch (SerializationException e) {
            return Outcome.failed(null, "deserialize", e.getMessage());
        }
        if (event == null) {
            return Outcome.failed(null, "deserialize", "empty record (tombstone) on the image topic");
        }
        try {
            return new Outcome(event, classifier.prepare(source.bytes(event)), null, null);
        } catch (ImageSource.FetchException e) {
            return Outcome.failed(event, "fetch", e.getMessage());
        } catch (InvalidImageException e) {
            return Outcome.failed(event, "decode", e.getMessage());
        } catch (RuntimeException e) {
            return Outcome.failed(event, "decode", "cannot prepare the image: " + e);
        }
    }

    private static Outcome await(Future<Outcome> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing a batch", e);
        } catch (ExecutionException e) {
            return Outcome.failed(null, "decode", "cannot prepare the image: " + e.getCause());
        }
    }

    private void classify(List<Ready> ready, long now) {
        List<ImageClassifier.Prepared> batch = new ArrayList<>(ready.size());
        for (Ready r : ready) {
            batch.add(r.image());
        }
        List<ImageClassifier.Classified> results;
        try {
            results = classifier.classifyPrepared(batch);
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
        boolean alreadySent = sent.get(id) != null;
        // An image its publisher already labelled goes straight to the training data: no labeller
        // time, so no budget. Anything else goes only if the selector chooses it.
        Selector.Decision d = r.event().getKnownLabel() != null
                ? (alreadySent ? new Selector.Decision(null, null, Selector.Skip.ALREADY_SENT)
                        : new Selector.Decision("labelled by its publisher", Selector.KNOWN, null))
                : selector.decide(p, alreadySent, now);
        String reason = d.reason();
        if (reason != null) {
            context.forward(new Record<String, SpecificRecord>(id, RetrainingSample.newBuilder()
                    .setImage(r.event())
                    .setPrediction(p)
                    .setUncertainty(policy.value(p))
                    .setReason(reason)
                    .setRoute(d.route())
                    .build(), ts), ClassifierTopology.RETRAINING);
            sent.put(id, now);
        }
        metrics.classified(c, reason != null, queueMillis);
    }

    @Override
    public void close() {
        // what was being prepared is still in the store and is prepared again by the next owner
        preparing.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private void deadLetter(PendingImage p, String imageId, String stage, String reason) {
        context.forward(new Record<String, SpecificRecord>(imageId != null ? imageId : p.getKey(),
                DeadLetters.of(p, imageId, stage, reason), p.getTimestamp()), ClassifierTopology.DEAD_LETTER);
        metrics.deadLettered(stage);
    }
}
