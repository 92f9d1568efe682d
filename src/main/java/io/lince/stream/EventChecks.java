package io.lince.stream;

import io.lince.contracts.ImageEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * What an {@link ImageEvent} must be before Lince copies anything of it downstream: its id and
 * event time go into every output's key and body, where other people's consumers read them (an
 * event time of {@code Long.MIN_VALUE} crashed python-avro and avsc readers of the
 * classifications; a 1 MB id became a 1 MB output key).
 *
 * @param maxIdLength longest image id accepted: it becomes the key of every output
 * @param earliest earliest event time accepted
 * @param ahead how far ahead of this host's clock an event time may be (clock skew)
 */
public record EventChecks(int maxIdLength, Instant earliest, Duration ahead) {

    /** Longest image id any configuration may allow (a dead letter's key is held to it too). */
    public static final int MAX_ID_LENGTH = 1024;
    /** 256-character ids, event times from 1970 to a day ahead. */
    public static final EventChecks DEFAULTS = new EventChecks(256, Instant.EPOCH, Duration.ofDays(1));

    public EventChecks {
        if (maxIdLength < 1 || maxIdLength > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("lince.classifier.input.max-id-length must be 1 to " + MAX_ID_LENGTH + ", got " + maxIdLength);
        }
        if (earliest.isBefore(Instant.EPOCH) || ahead.isNegative()) {
            throw new IllegalArgumentException("lince.classifier.input: the earliest event time is 1970 or later and the"
                    + " allowance ahead is not negative, got " + earliest + " and " + ahead);
        }
    }

    /** Why {@code e}'s id cannot key an output (nor a dead letter), or null when it can. */
    String idProblem(ImageEvent e) {
        String id = e.getId();
        if (id == null || id.isBlank()) {
            return "empty image id";
        }
        return id.length() > maxIdLength ? String.format("image id of %,d characters, more than %d", id.length(), maxIdLength) : null;
    }

    /** Why {@code e} with a usable id cannot be classified, or null when it can. */
    String problem(ImageEvent e, long nowMillis) {
        if (e.getBytes() != null && e.getUri() != null) {
            return "event carries both image bytes and a uri: send one or the other";
        }
        Instant t = e.getEventTime();
        if (t == null || t.isBefore(earliest) || t.isAfter(Instant.ofEpochMilli(nowMillis).plus(ahead))) {
            return "event time " + t + " is outside [" + earliest + ", now + " + ahead + "]"
                    + " (lince.classifier.input.earliest-event-time, .event-time-ahead)";
        }
        return null;
    }
}
