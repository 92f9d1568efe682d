package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class LrFinderTest {

    @Test
    void suggestsASensibleRateAndLeavesTheWeightsAsTheyWere() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(12, 2), Files.createTempDirectory("w"), OptimizerSettings.sgd())) {
            l.precompute(true);
            var before = DifferentialRatesTest.weights(l.model().network());
            LrFindResult r = l.lrFind(new float[] {0.01f, 0.1f, 1f});
            DifferentialRatesTest.assertSame(before, DifferentialRatesTest.weights(l.model().network()));
            assertTrue(r.rates().size() >= 10, "swept " + r.rates().size() + " rates");
            assertTrue(r.rates().get(0) < 1e-6, "starts near 1e-7");
            for (double s : new double[] {r.steepest(), r.minimumTenth(), r.valley()}) {
                assertTrue(s > 1e-6 && s < 10, "suggestion " + s);
            }
            // the loss at the suggested rates is no worse than where the sweep started
            assertTrue(r.losses().get(r.rates().indexOf(r.steepest())) <= r.losses().get(0) + 1e-6);
        }
    }

    @Test
    void anUnfrozenSweepRestoresBatchNormStatisticsToo() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(4, 2), Files.createTempDirectory("w"), OptimizerSettings.sgd())) {
            l.unfreeze();
            var before = DifferentialRatesTest.weights(l.model().network());
            new LrFinder(l.model(), OptimizerSettings.sgd(), 1).find(l.trainSource(), new float[] {0.01f, 0.1f, 1f},
                    1e-5, 1, 5, LearnerFixture.QUIET);
            DifferentialRatesTest.assertSame(before, DifferentialRatesTest.weights(l.model().network()));
        }
    }
}
