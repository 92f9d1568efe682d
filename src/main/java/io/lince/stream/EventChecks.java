package io.lince.stream;

import io.lince.contracts.ImageEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * What an {@link ImageEvent} must be before Lince copies anything of it downstream: its id and
 * event time go into every output's key and body, where other people's consumers read them (an
 * event time of {@code Long.MIN_VALUE} crashed python-avro and avsc readers of the
 * classifications; a 1 MB id became a 1 MB output key).
 */
final class EventChecks {

    /** Longest image id accepted: it becomes the key of every output. */
    static final int MAX_ID_LENGTH = 256;
    /** Earliest event time accepted: nothing negative. */
    static final Instant EARLIEST = Instant.EPOCH;
    /** How far ahead of this host's clock an event time may be (clock skew). */
    static final Duration AHEAD = Duration.ofDays(1);

    private EventChecks() {}

    /** Why {@code e}'s id cannot key an output (nor a dead letter), or null when it can. */
    static String idProblem(ImageEvent e) {
        String id = e.getId();
        if (id == null || id.isBlank()) {
            return "empty image id";
        }
        return id.length() > MAX_ID_LENGTH ? String.format("image id of %,d characters, more than %d", id.length(), MAX_ID_LENGTH) : null;
    }

    /** Why {@code e} with a usable id cannot be classified, or null when it can. */
    static String problem(ImageEvent e, long nowMillis) {
        if (e.getBytes() != null && e.getUri() != null) {
            return "event carries both image bytes and a uri: send one or the other";
        }
        Instant t = e.getEventTime();
        if (t == null || t.isBefore(EARLIEST) || t.isAfter(Instant.ofEpochMilli(nowMillis).plus(AHEAD))) {
            return "event time " + t + " is outside [" + EARLIEST + ", now + " + AHEAD.toHours() + " h]";
        }
        return null;
    }
}
