package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UncertaintyTest {

    @Test
    void uniformIsMaximallyUncertain() {
        Uncertainty u = Uncertainty.of(new float[] {0.25f, 0.25f, 0.25f, 0.25f});
        assertEquals(0.25f, u.confidence(), 1e-6);
        assertEquals(0f, u.margin(), 1e-6);
        assertEquals(1f, u.entropy(), 1e-6);
    }

    @Test
    void oneHotIsCertain() {
        Uncertainty u = Uncertainty.of(new float[] {0f, 1f, 0f});
        assertEquals(1, u.top());
        assertEquals(1f, u.confidence(), 1e-6);
        assertEquals(1f, u.margin(), 1e-6);
        assertEquals(0f, u.entropy(), 1e-6);
    }

    @Test
    void matchesHandComputedValues() {
        Uncertainty u = Uncertainty.of(new float[] {0.2f, 0.7f, 0.1f});
        double h = -(0.2 * Math.log(0.2) + 0.7 * Math.log(0.7) + 0.1 * Math.log(0.1)) / Math.log(3);
        assertEquals(1, u.top());
        assertEquals(0.7f, u.confidence(), 1e-6);
        assertEquals(0.5f, u.margin(), 1e-6);
        assertEquals(h, u.entropy(), 1e-6);
    }

    @Test
    void needsTwoClasses() {
        assertThrows(IllegalArgumentException.class, () -> Uncertainty.of(new float[] {1f}));
    }
}
