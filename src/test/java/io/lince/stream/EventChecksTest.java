package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.ImageEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The door's limits are the configured ones, and nonsense limits are refused at start. */
class EventChecksTest {

    private static final long NOW = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();

    private static ImageEvent event(String id, Instant t) {
        return ImageEvent.newBuilder().setId(id).setEventTime(t).setSource("s").setBytes(ByteBuffer.wrap(new byte[] {1})).build();
    }

    @Test
    void configuredLimitsApply() {
        EventChecks strict = new EventChecks(8, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1));
        assertNull(strict.idProblem(event("12345678", Instant.ofEpochMilli(NOW))));
        assertTrue(strict.idProblem(event("123456789", Instant.ofEpochMilli(NOW))).contains("more than 8"));
        assertNull(strict.problem(event("a", Instant.parse("2026-01-01T00:00:00Z")), NOW));
        assertTrue(strict.problem(event("a", Instant.parse("2025-12-31T23:59:59Z")), NOW).contains("is outside"));
        assertTrue(strict.problem(event("a", Instant.ofEpochMilli(NOW).plus(Duration.ofMinutes(61))), NOW).contains("is outside"));
        assertNull(EventChecks.DEFAULTS.problem(event("a", Instant.ofEpochMilli(NOW).plus(Duration.ofHours(23))), NOW));
        assertTrue(EventChecks.DEFAULTS.problem(event("a", Instant.ofEpochMilli(Long.MIN_VALUE)), NOW).contains("is outside"));
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EventChecks(0, Instant.EPOCH, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new EventChecks(2_000, Instant.EPOCH, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new EventChecks(10, Instant.EPOCH.minusSeconds(1), Duration.ZERO));
    }
}
