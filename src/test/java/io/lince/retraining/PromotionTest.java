package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PromotionTest {

    private final PromotionGate gate = new PromotionGate(0.01, 10);

    @Test
    void aBetterCandidateIsPromoted() {
        PromotionGate.Verdict v = gate.decide(new PromotionGate.Scores(0.90, 0.30, 100), new PromotionGate.Scores(0.85, 0.40, 100));
        assertTrue(v.promote());
        assertEquals("better: accuracy 0.9000 vs 0.8500, log loss 0.3000 vs 0.4000 on 100 held-out images", v.reason());
    }

    @Test
    void aWorseCandidateIsRejectedWithTheReason() {
        PromotionGate.Verdict v = gate.decide(new PromotionGate.Scores(0.80, 0.30, 100), new PromotionGate.Scores(0.85, 0.40, 100));
        assertFalse(v.promote());
        assertTrue(v.reason().startsWith("less accurate by more than 0.010"), v.reason());
        assertFalse(gate.decide(new PromotionGate.Scores(0.90, 0.45, 100), new PromotionGate.Scores(0.85, 0.40, 100)).promote(),
                "more accurate but worse calibrated");
    }

    @Test
    void anEqualCandidateKeepsTheChampion() {
        PromotionGate.Scores same = new PromotionGate.Scores(0.85, 0.40, 100);
        PromotionGate.Verdict v = gate.decide(same, same);
        assertFalse(v.promote());
        assertTrue(v.reason().startsWith("log loss not lower"), v.reason());
        assertTrue(gate.decide(new PromotionGate.Scores(0.845, 0.39, 100), same).promote(), "within epsilon, lower loss");
    }

    @Test
    void tooSmallASliceDecidesNothing() {
        assertFalse(gate.decide(new PromotionGate.Scores(1, 0.01, 5), new PromotionGate.Scores(0.5, 0.7, 5)).promote());
    }

    @Test
    void theSliceIsStableAndTakesItsShare() {
        EvaluationSlice slice = new EvaluationSlice(0.2);
        List<String> ids = IntStream.range(0, 5000).mapToObj(i -> "img-" + i).toList();
        long in = ids.stream().filter(slice::contains).count();
        assertEquals(1000, in, 80);
        assertEquals(in, ids.stream().filter(new EvaluationSlice(0.2)::contains).count(), "the same ids every time");
        assertTrue(ids.stream().filter(new EvaluationSlice(0.1)::contains).allMatch(slice::contains), "a smaller share is a subset");
        assertEquals(EvaluationSlice.describe(List.of("b", "a")), EvaluationSlice.describe(List.of("a", "b")));
        assertTrue(EvaluationSlice.describe(List.of("a", "b")).startsWith("2 images, sha256 "));
    }
}
