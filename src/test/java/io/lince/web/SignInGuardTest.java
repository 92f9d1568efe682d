package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInGuardTest {

    private final SignInGuard guard = new SignInGuard(new SignInGuard.Policy(5, Duration.ofSeconds(1), Duration.ofMinutes(15)));

    @Test
    void aUserIsLockedAfterTheFreeFailuresForATimeThatDoublesUpToTheCap() {
        long now = 1_000_000;
        for (int i = 0; i < 5; i++) {
            assertTrue(guard.lockedFor("ada", "10.0.0.1", now).isEmpty(), "free failure " + i);
            guard.failed("ada", "10.0.0.1", now);
        }
        assertTrue(guard.lockedFor("ada", "10.0.0.1", now).isEmpty(), "five wrong passwords lock nothing yet");
        guard.failed("ada", "10.0.0.1", now);
        assertEquals(Duration.ofSeconds(1), guard.lockedFor("ada", "10.0.0.2", now).orElseThrow(), "the user, from any address");
        now += 1_000;
        assertTrue(guard.lockedFor("ada", "10.0.0.1", now).isEmpty());
        guard.failed("ada", "10.0.0.1", now);
        assertEquals(Duration.ofSeconds(2), guard.lockedFor("ada", "10.0.0.1", now).orElseThrow());
        for (int i = 0; i < 30; i++) {
            guard.failed("ada", "10.0.0.1", now);
        }
        assertEquals(Duration.ofMinutes(15), guard.lockedFor("ada", "10.0.0.1", now).orElseThrow(), "capped");
        assertTrue(guard.lockedFor("bob", "10.0.0.9", now).isEmpty(), "nobody else");
    }

    @Test
    void anAddressIsLockedAfterFourTimesTheFreeFailuresWhateverTheNames() {
        long now = 5_000;
        for (int i = 0; i < 20; i++) {
            guard.failed("name-" + i, "192.0.2.7", now);
        }
        assertTrue(guard.lockedFor("someone", "192.0.2.7", now).isEmpty());
        guard.failed("name-20", "192.0.2.7", now);
        assertTrue(guard.lockedFor("someone", "192.0.2.7", now).isPresent(), "the address is locked for any name");
        assertTrue(guard.lockedFor("someone", "192.0.2.8", now).isEmpty(), "another address is not");
    }

    @Test
    void successClearsAndOldFailuresAreForgotten() {
        for (int i = 0; i < 5; i++) {
            guard.failed("ada", "a", 0);
        }
        guard.succeeded("ada", "a");
        guard.failed("ada", "a", 0);
        assertTrue(guard.lockedFor("ada", "a", 0).isEmpty(), "the count started again after a success");
        for (int i = 0; i < 4; i++) {
            guard.failed("ada", "a", 0);
        }
        long later = Duration.ofMinutes(16).toMillis();
        guard.failed("ada", "a", later);
        assertTrue(guard.lockedFor("ada", "a", later).isEmpty(), "failures older than the cap count no more");
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfNames() {
        for (int i = 0; i < 3 * SignInGuard.TRACKED; i++) {
            guard.failed("name-" + i, "addr-" + i, i);
        }
        assertTrue(guard.tracked() <= 2 * SignInGuard.TRACKED + 2, "tracked " + guard.tracked());
        assertFalse(guard.lockedFor("x", "y", 0).isPresent());
        assertThrows(IllegalArgumentException.class, () -> new SignInGuard.Policy(0, Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }
}
