package io.lince.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {

    @Test
    void repeatedFailuresBackOffAndAQuietSpellResets() {
        ThreadFailures f = new ThreadFailures();
        assertEquals(Duration.ZERO, f.failed(0), "a first failure is replaced at once");
        assertEquals(Duration.ofSeconds(1), f.failed(1_000));
        assertEquals(Duration.ofSeconds(2), f.failed(2_000));
        assertEquals(Duration.ofSeconds(4), f.failed(3_000));
        long t = 3_000;
        for (int i = 0; i < 10; i++) {
            t += 1_000;
            f.failed(t);
        }
        assertEquals(Duration.ofMinutes(1), f.failed(t + 1_000), "capped");
        assertEquals(Duration.ZERO, f.failed(t + 1_000 + Duration.ofMinutes(6).toMillis()), "five quiet minutes reset it");
    }
}
