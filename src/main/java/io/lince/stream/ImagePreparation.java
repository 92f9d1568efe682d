package io.lince.stream;

import io.lince.contracts.ImageEvent;
import io.lince.contracts.PendingImage;
import io.lince.images.InvalidImageException;
import io.lince.model.ImageClassifier;
import io.lince.wire.Buffers;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Makes a waiting record ready for the model, off the stream thread: read the event (the serde is
 * thread-safe) and check it, fetch its claim check on the fetch threads, decode and crop its image
 * on the decode threads. Every failure becomes an {@link Outcome} with its stage and reason, never
 * an exception, so the stream thread only ever routes.
 */
final class ImagePreparation {

    private final ImageInput images;
    private final ImageSource source;
    private final ImageClassifier classifier;
    private final ClassifierWorkers workers;
    private final EventChecks checks;

    ImagePreparation(ImageInput images, ImageSource source, ImageClassifier classifier, ClassifierWorkers workers,
            EventChecks checks) {
        this.images = images;
        this.checks = checks;
        this.source = source;
        this.classifier = classifier;
        this.workers = workers;
    }

    /** What preparing one waiting record came to: an image ready for the model, or why not. */
    record Outcome(ImageEvent event, ImageClassifier.Prepared image, String stage, String reason) {
        static Outcome failed(ImageEvent event, String stage, String reason) {
            return new Outcome(event, null, stage, reason);
        }

        String imageId() {
            return event == null ? null : event.getId();
        }

        /** Read, but without its image yet. */
        boolean needsBytes() {
            return event != null && image == null && reason == null;
        }
    }

    /** Starts preparing {@code p}: on the decode threads, with a hop to the fetch threads for a claim check. */
    CompletableFuture<Outcome> start(PendingImage p) {
        return CompletableFuture.supplyAsync(() -> {
            Outcome read = read(p);
            return read.needsBytes() && read.event().getBytes() != null
                    ? decode(read.event(), Buffers.toArray(read.event().getBytes())) : read;
        }, workers.decode()).thenCompose(o -> !o.needsBytes() ? CompletableFuture.completedFuture(o)
                : CompletableFuture.supplyAsync(() -> fetch(o.event()), workers.fetch())
                        .thenApplyAsync(f -> f.failure() != null ? f.failure() : decode(o.event(), f.bytes()), workers.decode()));
    }

    private Outcome read(PendingImage p) {
        ImageEvent event;
        try {
            event = images.read(p);
        } catch (SerializationException e) {
            return Outcome.failed(null, "deserialize", e.getMessage());
        }
        if (event == null) {
            return Outcome.failed(null, "deserialize", "a tombstone without a usable image id as its key: an erasure needs the image id as the key");
        }
        String idProblem = checks.idProblem(event);
        if (idProblem != null) {
            return Outcome.failed(null, "validate", idProblem); // an id unfit for a key keys no dead letter either
        }
        String problem = checks.problem(event, System.currentTimeMillis());
        if (problem != null) {
            return Outcome.failed(event, "validate", problem);
        }
        return new Outcome(event, null, null, null);
    }

    /** A claim check's bytes, or why there are none. */
    private record Fetched(byte[] bytes, Outcome failure) {}

    private Fetched fetch(ImageEvent event) {
        try {
            return new Fetched(source.bytes(event), null);
        } catch (ImageSource.FetchException e) {
            return new Fetched(null, Outcome.failed(event, "fetch", e.getMessage()));
        }
    }

    private Outcome decode(ImageEvent event, byte[] bytes) {
        try {
            return new Outcome(event, classifier.prepare(bytes), null, null);
        } catch (InvalidImageException e) {
            return Outcome.failed(event, "decode", e.getMessage());
        } catch (RuntimeException e) {
            return Outcome.failed(event, "decode", "cannot prepare the image: " + e);
        }
    }

    /** A record's outcome once its batch is due: what it came to, or why it did not in time. */
    static Outcome when(CompletableFuture<Outcome> f, long limitMillis) {
        if (!f.isDone()) {
            f.cancel(true);
            return Outcome.failed(null, "decode", "not fetched and decoded within " + limitMillis + " ms");
        }
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            return Outcome.failed(null, "decode", "cannot prepare the image: " + (e.getCause() != null ? e.getCause() : e));
        }
    }
}
