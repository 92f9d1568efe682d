package io.lince.stream;

import io.lince.contracts.Classification;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.contracts.RecordHeader;
import io.lince.contracts.Prediction;
import io.lince.contracts.RetrainingSample;
import io.lince.model.ImageClassifier;
import io.lince.stream.ImagePreparation.Outcome;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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
 * or when the oldest has waited {@code maxDelay} (a wall-clock punctuator looks every few ms).
 *
 * <p><b>Crash safety without a second copy of any image.</b> Kafka Streams commits a record's
 * input offset once {@link #process} returns, so a record held only in memory would be lost by a
 * crash before its batch ran. The batch buffer is therefore a changelogged store, but it holds
 * only where each waiting record lies (topic, partition, offset, arrival time: about 40 bytes),
 * never its bytes: those are already in the input topic. The store's writes, the batch's outputs
 * and the input offsets commit in the task's one exactly-once transaction, so after a crash the
 * store says exactly which records were waiting, and they are read back from the input
 * ({@link InputRecords}) before anything else runs. Every record is either still waiting or
 * already answered, never both and never neither. (The other design, a hand-made transactional
 * consume-batch-produce loop, would also have no such store, but would give up what Streams does
 * for us here: task assignment, rebalancing, standby restoration, the changelogged
 * sent-for-labelling ids and the topology tests.)
 *
 * <p><b>The stream thread only routes.</b> Reading, fetching, decoding and cropping
 * ({@link ImagePreparation}) run on the process's shared {@link ClassifierWorkers} as records arrive, and the forward pass runs on a forward
 * thread while the stream thread takes the next records: up to {@link #DEPTH} batches in flight per
 * task while the next ones arrive and decode (a pipeline, as a GPU needs). The stream thread
 * waits only when a task holds {@link #HELD_BATCHES} batches' worth of records, so it keeps
 * committing while a batch waits out a slow host. Outputs are forwarded only on the
 * stream thread (in {@link #process} or the punctuator), inside its transaction. A claim-check
 * fetch runs under one deadline for the whole request ({@code lince.fetch.timeout-ms}), so no
 * network wait can hold the transaction open for long; {@code transaction.timeout.ms} is set
 * above the worst case (see {@link StreamsSettings}).
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
final class ClassifyProcessor implements Processor<byte[], byte[], String, SpecificRecord> {

    private static final Logger LOG = Logger.getLogger(ClassifyProcessor.class);
    /**
     * Longest wait for a batch's fetches and decodes together: fetches have their own deadline
     * (at most {@link io.lince.images.FetchPolicy#MAX_TIMEOUT}, below this), decoding is bounded by
     * the decoder's limits; this keeps the batch inside {@link StreamsSettings#TRANSACTION_TIMEOUT_MS}.
     */
    static final long PREPARE_LIMIT_MS = 8_000;
    /** Batches a task may have dispatched (waiting for their images, or in the forward pass) at once. */
    static final int DEPTH = 2;
    /**
     * Records a task may hold in memory, in batches: the {@link #DEPTH} dispatched and two more
     * arriving (their fetches and decodes already started). Past it the stream thread waits for
     * the oldest batch; k8s/lince.yaml sizes the heap from it.
     */
    static final int HELD_BATCHES = DEPTH + 2;

    private final ImageClassifier classifier;
    private final ImagePreparation preparation;
    private final RoutingPolicy policy;
    private final BatchSettings batching;
    private final ClassifierMetrics metrics;
    private final LongSupplier clock;
    private final ClassifierWorkers workers;
    private final InputRecords input;
    private final java.util.function.DoubleSupplier budgetFactor;
    private ProcessorContext<String, SpecificRecord> context;
    /** Where each waiting record lies, by arrival sequence (changelogged; no bytes). */
    private KeyValueStore<Long, PendingImage> buffer;
    /** Ids already sent for labelling (changelogged): an image is never sent twice. */
    private KeyValueStore<String, Long> sent;
    private Selector selector;
    /** The application's tasks (input partitions), which share the labelling budget. */
    private final int tasks;
    private KeyValueStore<String, io.lince.contracts.SelectorState> selection;
    private static final String SELECTION_KEY = "selector";
    /** Records not yet in a batch, in arrival order, each with its image being prepared. */
    private final LinkedHashMap<Long, Waiting> waiting = new LinkedHashMap<>();
    /**
     * Batches dispatched and not yet published, oldest first: at most {@link #DEPTH}, so the
     * decode threads always have a batch or two ahead of the one being published.
     */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long nextSeq;

    ClassifyProcessor(ImageInput images, ImageClassifier classifier, ClassifierTopology.Settings settings,
            int tasks) {
        this.tasks = tasks;
        this.classifier = classifier;
        this.policy = settings.routing();
        this.batching = settings.batching();
        this.metrics = settings.metrics();
        this.clock = settings.wallClock();
        this.workers = settings.workers();
        this.input = settings.input();
        this.budgetFactor = settings.budgetFactor();
        this.preparation = new ImagePreparation(images, settings.source(), classifier, settings.workers(), settings.checks());
    }

    /**
     * A record in memory (bytes included) and what preparing its image came to. {@code arrivedAt}
     * is when it entered the buffer (a restored record keeps its first arrival: max-delay and stall
     * reports count from there); {@code preparingSince} is when its preparation started here, from
     * which it has {@link #PREPARE_LIMIT_MS} to be ready.
     */
    private record Waiting(long seq, PendingImage record, long arrivedAt, long preparingSince, CompletableFuture<Outcome> outcome) {}

    /** A record whose image is ready, with where it came from. */
    private record Ready(Waiting waiting, ImageEvent event, ImageClassifier.Prepared image) {}

    /** A batch dispatched: its images being prepared, then its forward pass, as one future. */
    private record InFlight(List<Waiting> batch, long dispatchedAt, CompletableFuture<Done> done) {}

    /**
     * What became of a dispatched batch: each record's outcome (in batch order) and, for those
     * with an image, the forward pass's result in the same order.
     */
    private record Done(List<Outcome> outcomes, List<Result> results) {}

    /** One image's forward pass: its result, or why it failed when it ran alone. */
    private record Result(ImageClassifier.Classified classified, String failure) {}

    /**
     * An error of the machine rather than of a record (memory, the device): not dead-lettered but
     * thrown out of the stream thread, so the task's transaction aborts and its records are
     * processed again by the replacement thread.
     */
    static final class RetryableFailure extends RuntimeException {
        RetryableFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.buffer = context.getStateStore(ClassifierTopology.BUFFER);
        this.sent = context.getStateStore(ClassifierTopology.SENT);
        this.selector = new Selector(policy, context.taskId().hashCode(), tasks).withBudgetFactor(budgetFactor);
        this.selection = context.getStateStore(ClassifierTopology.SELECTION);
        var saved = selection.get(SELECTION_KEY);
        if (saved != null) {
            selector.restore(saved); // the moving mean and the budget go on where this task left them
        }
        workers.progressed(context.taskId().partition(), clock.getAsLong()); // a new task's clock starts now
        restore();
        context.schedule(batching.tick(), PunctuationType.WALL_CLOCK_TIME, ignored -> {
            publishFinished();
            dispatchDue();
            reportHeld();
        });
        java.time.Duration retention = policy.selection().sentRetention();
        context.schedule(java.time.Duration.ofMillis(Math.max(1_000, Math.min(3_600_000, retention.toMillis() / 10))),
                PunctuationType.WALL_CLOCK_TIME, ignored -> forgetSentBefore(clock.getAsLong() - retention.toMillis()));
    }

    /**
     * After a restart the buffer says what was waiting at the last commit: read those records
     * back from the input and prepare them again. Their arrival times are old, so the first tick
     * runs them.
     */
    private void restore() {
        TreeMap<Long, PendingImage> refs = new TreeMap<>();
        try (KeyValueIterator<Long, PendingImage> it = buffer.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingImage> kv = it.next();
                refs.put(kv.key, kv.value);
            }
        }
        if (refs.isEmpty()) {
            return;
        }
        Map<TopicPartition, TreeSet<Long>> offsets = new HashMap<>();
        refs.values().forEach(r -> offsets.computeIfAbsent(partitionOf(r), k -> new TreeSet<>()).add(r.getOffset()));
        Map<TopicPartition, Map<Long, ConsumerRecord<byte[], byte[]>>> found = new HashMap<>();
        offsets.forEach((tp, o) -> found.put(tp, input.read(tp, o)));
        int missing = 0;
        for (Map.Entry<Long, PendingImage> e : refs.entrySet()) {
            PendingImage ref = e.getValue();
            ConsumerRecord<byte[], byte[]> r = found.get(partitionOf(ref)).get(ref.getOffset());
            Waiting w;
            if (r == null) {
                missing++;
                w = new Waiting(e.getKey(), ref, ref.getArrivedAtMillis(), clock.getAsLong(), CompletableFuture.completedFuture(Outcome.failed(null,
                        "restore", String.format("waited in the batch buffer across a restart, and %s-%d@%d is no longer in"
                                + " the input topic (retention?)", ref.getTopic(), ref.getPartition(), ref.getOffset()))));
            } else {
                PendingImage whole = whole(ref.getTopic(), ref.getPartition(), ref.getOffset(), r.timestamp(), r.key(),
                        DeadLetters.headers(r.headers()), r.value(), ref.getArrivedAtMillis());
                w = new Waiting(e.getKey(), whole, ref.getArrivedAtMillis(), clock.getAsLong(), preparation.start(whole));
            }
            waiting.put(e.getKey(), w);
            nextSeq = Math.max(nextSeq, e.getKey() + 1);
        }
        LOG.infof("task %s: %d records were waiting at the last commit, read back from the input%s", context.taskId(),
                refs.size(), missing == 0 ? "" : " (" + missing + " no longer there: dead-lettered)");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null && record.key() != null) {
            String id = DeadLetters.textKey(java.nio.ByteBuffer.wrap(record.key()));
            if (id != null && !id.isBlank()) {
                erase(id, record.timestamp());
                return;
            }
        }
        long now = clock.getAsLong();
        var meta = context.recordMetadata();
        long seq = nextSeq++;
        workers.progressed(context.taskId().partition(), now);
        PendingImage whole = whole(meta.map(m -> m.topic()).orElse("?"), meta.map(m -> m.partition()).orElse(-1),
                meta.map(m -> m.offset()).orElse(-1L), record.timestamp(), record.key(), DeadLetters.headers(record.headers()),
                record.value(), now);
        buffer.put(seq, reference(whole));
        waiting.put(seq, new Waiting(seq, whole, now, now, preparation.start(whole)));
        metrics.received();
        publishFinished();
        dispatchDue();
        // Backpressure, the one place the stream thread waits: past this many records held, the
        // oldest batch must be published first. Below it the thread never blocks, so it keeps
        // committing (what was published becomes visible) while a batch waits out a slow host.
        while (held() > HELD_BATCHES * batching.maxBatch()) {
            if (inFlight.isEmpty()) {
                dispatch(true); // the oldest, ready or not: there is nothing else to wait for
            }
            publishOldest();
            dispatchDue();
        }
    }

    /**
     * A tombstone keyed by an image id asks Lince to forget that image (erasure). Everything this
     * task holds is published first, so the erasure lands after every earlier result of the
     * partition (an image routed for labelling a moment before is then erased too); then the id
     * leaves the sent-for-labelling store and a tombstone goes to the compacted retraining topic,
     * whence the trainer removes the sample, its labelled example and its image file.
     */
    private void erase(String id, long timestamp) {
        while (!waiting.isEmpty() || !inFlight.isEmpty()) {
            if (!waiting.isEmpty() && inFlight.size() < DEPTH) {
                dispatch(true);
            } else {
                publishOldest();
            }
        }
        sent.delete(id);
        context.forward(new Record<String, SpecificRecord>(id, null, timestamp), ClassifierTopology.RETRAINING);
        metrics.erased();
        LOG.infof("erased image %s: forgotten by this classifier, tombstone sent to the retraining topic", id);
    }

    /** Tells the workers when the oldest record this task holds arrived (for the stall check). */
    private void reportHeld() {
        long oldest = inFlight.isEmpty() ? -1 : inFlight.peekFirst().batch().get(0).arrivedAt();
        if (oldest < 0 && !waiting.isEmpty()) {
            oldest = waiting.values().iterator().next().arrivedAt();
        }
        workers.held(context.taskId().toString(), oldest);
    }

    private int held() {
        int n = waiting.size();
        for (InFlight f : inFlight) {
            n += f.batch().size();
        }
        return n;
    }

    /** Dispatches what is due (a full batch, or an oldest record that has waited max-delay) while there is room in flight. */
    private void dispatchDue() {
        while (inFlight.size() < DEPTH && due() && dispatch(false)) {
            // dispatched one; look again
        }
    }

    /**
     * A batch is due when {@code maxBatch} images are ready, or when a ready one has waited
     * {@code maxDelay}. Ready: prepared (or failed), or past {@link #PREPARE_LIMIT_MS}, after
     * which it is dead-lettered as not prepared in time. An image still being fetched from a slow
     * host is not ready, so it holds back neither the batch nor the images behind it.
     */
    private boolean due() {
        long now = clock.getAsLong();
        int ready = 0;
        for (Waiting w : waiting.values()) {
            if (ready(w, now)) {
                if (++ready >= batching.maxBatch() || now - w.arrivedAt() >= batching.maxDelay().toMillis()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean ready(Waiting w, long now) {
        return w.outcome().isDone() || now - w.preparingSince() >= PREPARE_LIMIT_MS;
    }

    /** A record with everything it carries, as the buffer holds it in memory (and {@link ImageInput} reads it). */
    static PendingImage whole(String topic, int partition, long offset, long timestamp, byte[] key,
            List<RecordHeader> headers, byte[] value, long arrivedAt) {
        return PendingImage.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(timestamp)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setRecordHeaders(headers)
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setArrivedAtMillis(arrivedAt)
                .build();
    }

    private static TopicPartition partitionOf(PendingImage p) {
        return new TopicPartition(p.getTopic(), p.getPartition());
    }

    /** What the store keeps of a waiting record: where it lies, and when it arrived. */
    private static PendingImage reference(PendingImage whole) {
        return PendingImage.newBuilder(whole).setKey(null).setRecordHeaders(List.of()).setValue(null).build();
    }


    /**
     * Starts the next batch without waiting for it: up to {@code maxBatch} of the images that are
     * ready, oldest first (an image still being fetched waits for a later batch, so a partition's
     * results come out in the order their images became ready, not always in input order); once
     * the batch before it has had its forward pass, its own runs on a forward thread. A task's
     * forward passes run in order, so its results never go back to an older model version after
     * a swap. With {@code force}, when nothing is ready the oldest image goes anyway. Returns
     * whether a batch was started.
     */
    private boolean dispatch(boolean force) {
        long now = clock.getAsLong();
        List<Waiting> batch = new ArrayList<>();
        Iterator<Waiting> it = waiting.values().iterator();
        while (it.hasNext() && batch.size() < batching.maxBatch()) {
            Waiting w = it.next();
            if (ready(w, now)) {
                batch.add(w);
                it.remove();
            }
        }
        if (batch.isEmpty() && force && !waiting.isEmpty()) {
            // nothing is ready, and the caller must make room: the oldest goes, and its batch waits for it
            it = waiting.values().iterator();
            batch.add(it.next());
            it.remove();
        }
        if (batch.isEmpty()) {
            return false;
        }
        CompletableFuture<?> before = inFlight.isEmpty() ? CompletableFuture.completedFuture(null) : inFlight.peekLast().done();
        CompletableFuture<Done> done = CompletableFuture.allOf(batch.stream().map(Waiting::outcome).toArray(CompletableFuture[]::new))
                .orTimeout(PREPARE_LIMIT_MS, TimeUnit.MILLISECONDS)
                .handle((ignored, error) -> batch.stream().map(w -> ImagePreparation.when(w.outcome(), PREPARE_LIMIT_MS)).toList())
                .thenCombine(before, (outcomes, ignored) -> outcomes)
                .thenApplyAsync(this::classify, workers.forward());
        inFlight.addLast(new InFlight(batch, now, done));
        publishFinished(); // on the calling thread (tests) the batch is done already
        return true;
    }

    /** The forward pass over a batch's prepared images; runs on a forward thread. */
    private Done classify(List<Outcome> outcomes) {
        List<ImageClassifier.Prepared> images = outcomes.stream().filter(o -> o.image() != null).map(Outcome::image).toList();
        return new Done(outcomes, images.isEmpty() ? List.of() : isolating(images));
    }

    /**
     * The batch's results; when the forward pass fails on it, the batch is split in halves, and
     * halves again, until each image that fails fails alone: one poison record costs its batch
     * about 2·log2(n) more passes and is dead-lettered with the exception, the others are
     * classified. (The halves take their own leases of the model, so after a swap they may run
     * on different versions: only a failing batch is ever split.) A failure of the machine is not
     * bisected but thrown: see {@link RetryableFailure}.
     */
    private List<Result> isolating(List<ImageClassifier.Prepared> images) {
        try {
            return classifier.classifyPrepared(images).stream().map(c -> new Result(c, null)).toList();
        } catch (RuntimeException e) {
            if (retryable(e)) {
                throw new RetryableFailure("the forward pass failed for a reason that is not the images': " + e, e);
            }
            if (images.size() == 1) {
                LOG.warnf("an image fails the forward pass alone: %s", e.toString());
                return List.of(new Result(null, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
            int half = images.size() / 2;
            List<Result> out = new ArrayList<>(isolating(images.subList(0, half)));
            out.addAll(isolating(images.subList(half, images.size())));
            return out;
        }
    }

    /** Out of memory, or the accelerator gone: worth trying again, not the record's fault. */
    static boolean retryable(Throwable e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("out of memory") || m.contains("cuda error") || m.contains("device-side") || m.contains("device lost");
    }

    /** Publishes the batches in flight that are done, oldest first. */
    private void publishFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().done().isDone()) {
            publishOldest();
        }
    }

    /** Publishes the oldest batch in flight (waiting for it if need be), and forgets its records. */
    private void publishOldest() {
        InFlight f = inFlight.pollFirst();
        Done done;
        try {
            done = f.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a batch ran", e);
        } catch (ExecutionException e) {
            // a RetryableFailure, or an Error (OutOfMemoryError): out of the thread, the transaction aborts
            Throwable cause = e.getCause();
            throw cause instanceof RetryableFailure r ? r : new RetryableFailure("a batch failed: " + cause, cause);
        }
        workers.progressed(context.taskId().partition(), clock.getAsLong());
        List<Ready> ready = new ArrayList<>();
        for (int i = 0; i < f.batch().size(); i++) {
            Waiting w = f.batch().get(i);
            Outcome o = done.outcomes().get(i);
            if (o.image() == null) {
                deadLetter(w.record(), o.imageId(), o.stage(), o.reason());
                buffer.delete(w.seq());
            } else {
                ready.add(new Ready(w, o.event(), o.image()));
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        done.results().stream().filter(x -> x.classified() != null).findFirst()
                .ifPresent(x -> metrics.batch(ready.size(), x.classified().inferenceMillis()));
        for (int i = 0; i < ready.size(); i++) {
            Ready r = ready.get(i);
            Result x = done.results().get(i);
            if (x.classified() != null) {
                emit(r, x.classified(), ready.size(), f.dispatchedAt());
            } else {
                deadLetter(r.waiting().record(), r.event().getId(), "classify", "fails the forward pass alone: " + x.failure());
            }
            buffer.delete(r.waiting().seq());
        }
        // once a batch, not once an image: one small record in the changelog per batch
        selection.put(SELECTION_KEY, selector.state());
    }

    private void emit(Ready r, ImageClassifier.Classified result, int batchSize, long dispatchedAt) {
        Prediction p = result.prediction();
        String id = r.event().getId();
        float queueMillis = dispatchedAt - r.waiting().arrivedAt();
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
        long ts = r.waiting().record().getTimestamp();
        context.forward(new Record<String, SpecificRecord>(id, c, ts), ClassifierTopology.CLASSIFICATIONS);
        long now = clock.getAsLong();
        boolean alreadySent = sent.get(id) != null;
        // An image its publisher already labelled goes straight to the training data: no labeller
        // time, so no budget. Anything else goes only if the selector chooses it.
        Selector.Decision d = r.event().getKnownLabel() != null
                ? (alreadySent ? new Selector.Decision(null, null, Selector.Skip.ALREADY_SENT)
                        : new Selector.Decision("labelled by its publisher", Selector.KNOWN, null))
                : selector.decide(p, alreadySent, now, result.fingerprint());
        String reason = d.reason();
        if (d.skip() != null && d.skip() != Selector.Skip.CONFIDENT) {
            metrics.notSent(d.skip());
        }
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

    /**
     * Forgets images sent for labelling before {@code cutoff}: the store (and its changelog, which
     * compaction then shrinks) holds a retention window of ids, not every id ever routed.
     */
    private void forgetSentBefore(long cutoff) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = sent.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value != null && kv.value < cutoff) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(sent::delete);
    }

    @Override
    public void close() {
        // whatever was waiting or running is still in the store and is read back by the next owner
        waiting.values().forEach(w -> w.outcome().cancel(true));
        waiting.clear();
        inFlight.clear();
        workers.held(context.taskId().toString(), -1);
    }

    private void deadLetter(PendingImage p, String imageId, String stage, String reason) {
        context.forward(new Record<String, SpecificRecord>(DeadLetters.outputKey(imageId, p.getKey()),
                DeadLetters.of(p, imageId, stage, reason), p.getTimestamp()), ClassifierTopology.DEAD_LETTER);
        metrics.deadLettered(stage);
    }
}
