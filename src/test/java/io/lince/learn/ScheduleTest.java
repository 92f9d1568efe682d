package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void sgdrCycleMultDoublesEachCycleAndRestartsAtItsStart() {
        // fit(lr, 3, cycle_len=1, cycle_mult=2): 1 + 2 + 4 epochs
        Sgdr s = new Sgdr(3, 1, 2, 10);
        assertEquals(7, s.epochs());
        assertEquals(70, s.iterations());
        assertEquals(List.of(0L, 10L, 30L), s.restarts());
        for (long r : s.restarts()) {
            assertEquals(1.0, s.factor(r), 1e-12, "full rate at the restart " + r);
        }
        assertEquals(0.5, s.factor(5), 1e-12);   // halfway through the 10-iteration first cycle
        assertEquals(0.5, s.factor(20), 1e-12);  // halfway through the 20-iteration second cycle
        assertEquals(0.5, s.factor(50), 1e-12);  // halfway through the 40-iteration third cycle
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 3 / 20)), s.factor(13), 1e-12);
        assertEquals(0, s.factor(70), 0);
    }

    @Test
    void sgdrFallsWithinACycle() {
        Sgdr s = new Sgdr(2, 2, 1, 5);
        assertEquals(4, s.epochs());
        for (long i = 1; i < 10; i++) {
            assertEquals(true, s.factor(i) < s.factor(i - 1), "falls at " + i);
        }
        assertEquals(1.0, s.factor(10), 1e-12);
    }

    @Test
    void oneCycleWarmsUpThenAnneals() {
        OneCycle c = OneCycle.of(100);
        assertEquals(1 / 25.0, c.factor(0), 1e-12);
        assertEquals(1.0, c.factor(25), 1e-12);
        assertEquals(1 / 1e4 + (1 - 1 / 1e4) * 0.5 * (1 + Math.cos(Math.PI * 74 / 75)), c.factor(99), 1e-12);
    }

    @Test
    void learningRatesParseAsThreeOrSpreadOne() {
        assertArrayEquals(new float[] {1e-4f, 1e-3f, 1e-2f}, GroupRates.parse("1e-4,1e-3,1e-2"));
        assertArrayEquals(new float[] {1e-4f, 1e-3f, 1e-2f}, GroupRates.parse("1e-2"), 1e-9f);
        assertThrows(IllegalArgumentException.class, () -> GroupRates.parse("1e-3,1e-2"));
        assertThrows(IllegalArgumentException.class, () -> GroupRates.parse("fast"));
    }

    @Test
    void lrFindSuggestionsFollowTheCurve() {
        // a loss that falls fastest near 1e-3 and has its minimum at 1e-2
        List<Double> rates = new java.util.ArrayList<>();
        List<Double> losses = new java.util.ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double lr = Math.pow(10, -7 + i / 10.0);
            rates.add(lr);
            double x = Math.log10(lr);
            losses.add(x <= -2 ? 1 - 0.5 / (1 + Math.exp(-3 * (x + 3))) : 0.5 + Math.pow(x + 2, 2));
        }
        LrFindResult r = LrFindResult.of(rates, losses);
        assertEquals(-3, Math.log10(r.steepest()), 0.11);
        assertEquals(-3, Math.log10(r.minimumTenth()), 0.11);
        double valley = Math.log10(r.valley());
        assertEquals(true, valley > -5 && valley < -2, "valley " + r.valley());
    }
}
