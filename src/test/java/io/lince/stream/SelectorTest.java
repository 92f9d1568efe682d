package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Prediction;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SelectorTest {

    private static Prediction confidence(double c) {
        return Prediction.newBuilder().setLabel("a").setProbabilities(Map.of("a", (float) c, "b", (float) (1 - c)))
                .setConfidence((float) c).setMargin((float) (2 * c - 1)).setEntropy(0f).setModelVersion(1).build();
    }

    private static Selector selector(SelectionSettings s) {
        return new Selector(RoutingPolicy.of("confidence", 0.8, s), 1);
    }

    @Test
    void fixedThresholdSendsWhatIsBelowIt() {
        Selector sel = selector(SelectionSettings.FIXED);
        assertTrue(sel.decide(confidence(0.6), false, 0).send());
        assertEquals("confidence 0.600 < 0.800", sel.decide(confidence(0.6), false, 0).reason());
        assertEquals(Selector.Skip.CONFIDENT, sel.decide(confidence(0.95), false, 0).skip());
    }

    @Test
    void anImageAlreadySentIsNeverSentAgain() {
        Selector sel = selector(SelectionSettings.FIXED);
        assertEquals(Selector.Skip.ALREADY_SENT, sel.decide(confidence(0.55), true, 0).skip());
    }

    @Test
    void adaptiveRuleFollowsTheMovingMeanSoADriftCannotFloodTheLabellers() {
        Selector sel = selector(new SelectionSettings(true, 2, 0.01, 100, 0, 0));
        Random rnd = new Random(3);
        // a calibrated model: uncertainty (1 - confidence) around 0.10 ± 0.03
        int sent = 0;
        for (int i = 0; i < 3000; i++) {
            sent += sel.decide(confidence(0.9 + 0.03 * rnd.nextGaussian()), false, i).send() ? 1 : 0;
        }
        assertEquals(0.10, sel.mean(), 0.01);
        assertEquals(0.03, sel.standardDeviation(), 0.006);
        assertTrue(sent > 30 && sent < 150, "about 2.3% are 2 sd above the mean: " + sent);
        assertTrue(sel.decide(confidence(0.75), false, 3000).send(), "clearly above mean + 2 sd");
        assertFalse(sel.decide(confidence(0.88), false, 3001).send(), "within the usual spread");

        // the calibration drifts: every result is now less confident (0.30 ± 0.03); a fixed
        // threshold of 0.8 would send everything, the adaptive rule settles back to a few percent
        int fixedWouldSend = 0;
        int late = 0;
        for (int i = 0; i < 3000; i++) {
            Prediction p = confidence(0.7 + 0.03 * rnd.nextGaussian());
            fixedWouldSend += p.getConfidence() < 0.8 ? 1 : 0;
            boolean s = sel.decide(p, false, 10_000 + i).send();
            late += i >= 1000 && s ? 1 : 0;
        }
        assertTrue(fixedWouldSend > 2900, "a fixed threshold sends " + fixedWouldSend);
        assertTrue(late < 100, "after adapting, 2000 drifted results sent only " + late);
    }

    @Test
    void theRateBudgetCapsSendsPerMinuteAndRefills() {
        Selector sel = selector(new SelectionSettings(false, 2, 0.01, 0, 10, 0));
        int sent = 0;
        for (int i = 0; i < 100; i++) {
            sent += sel.decide(confidence(0.5), false, 1_000 + i).send() ? 1 : 0;
        }
        assertEquals(10, sent, "a minute's budget");
        assertEquals(Selector.Skip.OVER_BUDGET, sel.decide(confidence(0.5), false, 2_000).skip());
        assertTrue(sel.decide(confidence(0.5), false, 2_000 + 6_000).send(), "one more token after 6 s");
        assertFalse(sel.decide(confidence(0.5), false, 2_000 + 6_100).send());
    }

    @Test
    void theBudgetIsTheApplicationsSharedOverItsTasks() {
        RoutingPolicy policy = RoutingPolicy.of("confidence", 0.9, new SelectionSettings(false, 2, 0.01, 0, 12, 0));
        int sent = 0;
        for (int task = 0; task < 4; task++) {
            Selector sel = new Selector(policy, task, 4);
            for (int i = 0; i < 100; i++) {
                sent += sel.decide(confidence(0.5), false, 1_000 + i).send() ? 1 : 0;
            }
        }
        assertEquals(12, sent, "four tasks send the application's 12 a minute between them, not 4 x 12");
    }

    @Test
    void aRestoredSelectorGoesOnWithItsMovingMeanAndItsBudget() {
        SelectionSettings s = new SelectionSettings(true, 2, 0.05, 50, 10, 0);
        Selector first = selector(s);
        Random rnd = new Random(3);
        for (int i = 0; i < 200; i++) {
            first.decide(confidence(0.6 + 0.02 * rnd.nextGaussian()), false, 1_000 + i);
        }
        // another instance takes the task over, with the state the first one saved
        Selector second = selector(s);
        second.restore(first.state());
        assertEquals(first.mean(), second.mean(), 1e-12);
        assertEquals(first.standardDeviation(), second.standardDeviation(), 1e-12);
        assertEquals(Selector.Skip.OVER_BUDGET, second.decide(confidence(0.01), false, 1_300).skip(),
                "the budget the first spent stays spent: no burst after a move");
        assertTrue(second.decide(confidence(0.01), false, 1_300 + 6_100).send(), "and refills at the same rate");
        Selector fresh = selector(s);
        assertTrue(fresh.decide(confidence(0.01), false, 1_300).send(), "a fresh selector would have sent at once");
    }

    @Test
    void explorationSendsAUniformShareOfAllImagesWhateverTheirConfidence() {
        Selector sel = selector(new SelectionSettings(false, 2, 0.01, 0, 0, 0.05));
        int explored = 0;
        int exploredUnsure = 0;
        int unsure = 0;
        for (int i = 0; i < 20_000; i++) {
            boolean sure = i % 2 == 0;
            Selector.Decision d = sel.decide(confidence(sure ? 0.99 : 0.5), false, i);
            if (sure && d.send()) {
                explored++;
                assertTrue(d.reason().startsWith("exploration"), d.reason());
                assertEquals(Selector.EXPLORATION, d.route());
            } else if (!sure) {
                assertTrue(d.send(), "an unsure image is always sent");
                unsure++;
                if (Selector.EXPLORATION.equals(d.route())) {
                    exploredUnsure++;
                } else {
                    assertEquals(Selector.UNCERTAIN, d.route());
                }
            }
        }
        assertEquals(500, explored, 80, "5% of the confident half");
        assertEquals(500, exploredUnsure, 80, "and 5% of the unsure half: the sample ignores the model");
        assertEquals(10_000, unsure);
    }

    @Test
    void randomRoutingIgnoresTheModel() {
        Selector sel = new Selector(RoutingPolicy.of("random", 0.3), 7);
        int sure = 0;
        int unsure = 0;
        for (int i = 0; i < 10_000; i++) {
            sure += sel.decide(confidence(0.99), false, i).send() ? 1 : 0;
            Selector.Decision d = sel.decide(confidence(0.5), false, i);
            unsure += d.send() ? 1 : 0;
            if (d.send()) {
                assertTrue(d.reason().startsWith("random (30.0% of images)"), d.reason());
                assertEquals(Selector.UNCERTAIN, d.route(), "random routing's images train, like uncertain ones");
            }
        }
        assertEquals(3000, sure, 200);
        assertEquals(3000, unsure, 200);
        assertThrows(IllegalArgumentException.class, () -> RoutingPolicy.of("random", 1.5));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SelectionSettings(true, 2, 0, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SelectionSettings(true, 2, 0.1, 10, 0, 1.5));
        assertThrows(IllegalArgumentException.class, () -> RoutingPolicy.of("vibes", 0.5));
    }

    @Test
    void aNearDuplicateOfAnImageSentRecentlyIsNotSentAgainButExplorationStaysUniform() {
        SelectionSettings s = SelectionSettings.FIXED.withNearDuplicates(8, 3);
        Selector sel = selector(s);
        long frame = 0x0f0f_f0f0_1234_5678L;
        assertTrue(sel.decide(confidence(0.6), false, 0, frame).send(), "the first frame of a scene");
        Selector.Decision again = sel.decide(confidence(0.6), false, 1, frame ^ 0b1011_0001L); // 4 bits away
        assertEquals(Selector.Skip.NEAR_DUPLICATE, again.skip());
        assertTrue(sel.decide(confidence(0.6), false, 2, frame ^ 0x1ffL).send(), "9 bits away is another image");
        // it remembers the last 3 sent only: after three others, the first scene is forgotten
        sel.decide(confidence(0.6), false, 3, 0x1111_1111_1111_1111L);
        sel.decide(confidence(0.6), false, 4, 0x2222_2222_2222_2222L);
        assertTrue(sel.decide(confidence(0.6), false, 5, frame).send());
        // what it remembers moves with the task
        Selector moved = selector(s);
        moved.restore(sel.state());
        assertEquals(Selector.Skip.NEAR_DUPLICATE, moved.decide(confidence(0.6), false, 6, frame).skip());
        // off: -1
        Selector off = selector(SelectionSettings.FIXED);
        assertTrue(off.decide(confidence(0.6), false, 0, frame).send());
        assertTrue(off.decide(confidence(0.6), false, 1, frame).send(), "another id, the same picture: sent");
        // exploration images are never skipped as near-duplicates
        Selector explore = selector(SelectionSettings.FIXED.withExploration(1.0).withNearDuplicates(8, 10));
        assertTrue(explore.decide(confidence(0.99), false, 0, frame).send());
        assertTrue(explore.decide(confidence(0.99), false, 1, frame).send());
    }

    @Test
    void whileDriftLastsTheBudgetIsRaisedByItsFactor() {
        SelectionSettings s = new SelectionSettings(false, 2, 0.05, 50, 6, 0);
        double[] factor = {1};
        Selector sel = selector(s).withBudgetFactor(() -> factor[0]);
        int sent = 0;
        for (int i = 0; i < 20; i++) {
            sent += sel.decide(confidence(0.5), false, 1_000).send() ? 1 : 0;
        }
        assertEquals(6, sent, "a minute's budget");
        factor[0] = 3;
        sent = 0;
        for (int i = 0; i < 40; i++) {
            sent += sel.decide(confidence(0.5), false, 1_000 + 60_000).send() ? 1 : 0;
        }
        assertEquals(18, sent, "three times the refill, and three times the room, while drift lasts");
    }
}
