package io.lince.retraining;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PromotionTest {

    private final PromotionGate gate = new PromotionGate(0.01, 10, 20);

    private static PromotionGate.Scores s(double accuracy, double logLoss, int images) {
        return new PromotionGate.Scores(accuracy, logLoss, images);
    }

    private static PromotionGate.Judged uncertainOnly(PromotionGate.Scores u) {
        return new PromotionGate.Judged(PromotionGate.Scores.EMPTY, u);
    }

    @Test
    void withoutAStreamSliceTheUncertainSliceDecides() {
        PromotionGate.Verdict v = gate.decide(uncertainOnly(s(0.90, 0.30, 100)), uncertainOnly(s(0.85, 0.40, 100)));
        assertTrue(v.promote());
        assertTrue(v.reason().startsWith("better: stream slice empty; uncertain slice accuracy 0.9000 vs 0.8500, "
                + "log loss 0.3000 vs 0.4000 on 100 images (stream slice 0 < 20 images: judged on the uncertain slice alone)"),
                v.reason());
        PromotionGate.Verdict worse = gate.decide(uncertainOnly(s(0.80, 0.30, 100)), uncertainOnly(s(0.85, 0.40, 100)));
        assertFalse(worse.promote());
        assertTrue(worse.reason().startsWith("less accurate by more than 0.010"), worse.reason());
        assertFalse(gate.decide(uncertainOnly(s(0.90, 0.45, 100)), uncertainOnly(s(0.85, 0.40, 100))).promote(),
                "more accurate but worse calibrated");
    }

    @Test
    void anEqualCandidateKeepsTheChampion() {
        PromotionGate.Judged same = uncertainOnly(s(0.85, 0.40, 100));
        PromotionGate.Verdict v = gate.decide(same, same);
        assertFalse(v.promote());
        assertTrue(v.reason().startsWith("log loss not lower"), v.reason());
        assertTrue(gate.decide(uncertainOnly(s(0.845, 0.39, 100)), same).promote(), "within epsilon, lower loss");
    }

    @Test
    void tooSmallSlicesDecideNothing() {
        PromotionGate.Verdict v = gate.decide(new PromotionGate.Judged(s(1, 0.01, 19), s(1, 0.01, 5)),
                new PromotionGate.Judged(s(0.5, 0.7, 19), s(0.5, 0.7, 5)));
        assertFalse(v.promote());
        assertTrue(v.reason().contains("fewer than the 20 and 10 needed"), v.reason());
    }

    /**
     * The case the issue found: a candidate better on the few hard images it was unsure of, but
     * worse on the stream. With a stream slice the gate judges on the stream and refuses it.
     */
    @Test
    void theStreamSliceDecidesOnceItIsLargeEnough() {
        PromotionGate.Judged champion = new PromotionGate.Judged(s(0.64, 0.62, 75), s(0.41, 0.75, 37));
        PromotionGate.Judged hardBetterStreamWorse = new PromotionGate.Judged(s(0.61, 0.66, 75), s(0.46, 0.72, 37));
        PromotionGate.Verdict v = gate.decide(hardBetterStreamWorse, champion);
        assertFalse(v.promote());
        assertTrue(v.reason().startsWith("on the stream slice, less accurate by more than 0.010: stream slice accuracy 0.6100 vs 0.6400"),
                v.reason());
        assertTrue(gate.decide(uncertainOnly(hardBetterStreamWorse.uncertain()), uncertainOnly(champion.uncertain())).promote(),
                "the uncertain slice alone would have promoted it");

        PromotionGate.Judged better = new PromotionGate.Judged(s(0.70, 0.57, 75), s(0.45, 0.71, 37));
        PromotionGate.Verdict ok = gate.decide(better, champion);
        assertTrue(ok.promote(), ok.reason());
        assertTrue(ok.reason().startsWith("better: stream slice accuracy 0.7000 vs 0.6400, log loss 0.5700 vs 0.6200 on 75 images; "
                + "uncertain slice accuracy 0.4500 vs 0.4100"), ok.reason());

        PromotionGate.Judged streamBetterHardWorse = new PromotionGate.Judged(s(0.70, 0.57, 75), s(0.30, 0.90, 37));
        PromotionGate.Verdict hard = gate.decide(streamBetterHardWorse, champion);
        assertFalse(hard.promote());
        assertTrue(hard.reason().startsWith("on the uncertain slice, less accurate"), hard.reason());
        assertFalse(gate.decide(new PromotionGate.Judged(s(0.66, 0.63, 75), s(0.45, 0.71, 37)), champion).promote(),
                "more accurate on the stream but its log loss is higher");
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

    @Test
    void theGateRefusesACandidateWorseCalibratedByMoreThanDelta() {
        PromotionGate gate = new PromotionGate(0.01, 1, 20, 0.05);
        PromotionGate.Judged champion = new PromotionGate.Judged(PromotionGate.Scores.EMPTY, new PromotionGate.Scores(0.80, 0.50, 100));
        PromotionGate.Judged candidate = new PromotionGate.Judged(PromotionGate.Scores.EMPTY, new PromotionGate.Scores(0.82, 0.45, 100));
        io.lince.learn.Calibration.Report good = new io.lince.learn.Calibration.Report(1.2, 0.04, 0.2, 0.45, 100);
        io.lince.learn.Calibration.Report bad = new io.lince.learn.Calibration.Report(1.0, 0.12, 0.3, 0.45, 100);
        assertTrue(gate.decide(candidate, champion, good, good).promote());
        PromotionGate.Verdict v = gate.decide(candidate, champion, bad, good);
        assertFalse(v.promote());
        assertTrue(v.reason().startsWith("worse calibrated by more than 0.050: ECE 0.1200 (T 1.00) vs 0.0400"), v.reason());
        io.lince.learn.Calibration.Report few = new io.lince.learn.Calibration.Report(1.0, 0.3, 0.3, 0.45, 20);
        PromotionGate.Verdict unjudged = gate.decide(candidate, champion, few, good);
        assertTrue(unjudged.promote() && unjudged.reason().contains("calibration not judged"), unjudged.reason());
    }

}
