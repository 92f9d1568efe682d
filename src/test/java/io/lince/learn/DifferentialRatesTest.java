package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.lince.model.ResNet34;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frozen groups do not move; each trainable group moves at its own rate. */
class DifferentialRatesTest {

    @Test
    void frozenGroupsStayAndEachGroupMovesAtItsRate() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(4, 2), Files.createTempDirectory("w"), LearnerFixture.plainSgd())) {
            ResNet34 net = l.model().network();
            MiniBatch batch = l.trainSource().epoch(new Random(1)).iterator().next();
            long[] shape = l.trainSource().exampleShape();

            // Head only (freeze): the body's weights and BatchNorm statistics do not change.
            List<float[]> before = weights(net);
            step(l, new float[] {1f, 1f, 0.1f}, batch, shape);
            List<float[]> frozenStep = weights(net);
            assertGroupEquals(net, 0, before, frozenStep);
            assertGroupEquals(net, 1, before, frozenStep);
            assertTrue(changed(net, 2, before, frozenStep), "the head moved");

            // Unfrozen, plain SGD: the same batch from the same weights with group 1's rate doubled
            // doubles group 1's step and leaves the others' steps exactly as they were.
            l.unfreeze();
            List<float[]> start = weights(net);
            step(l, new float[] {1e-3f, 1e-3f, 1e-3f}, batch, shape);
            List<float[]> a = weights(net);
            restore(net, start);
            step(l, new float[] {1e-3f, 2e-3f, 1e-3f}, batch, shape);
            List<float[]> b = weights(net);
            List<Parameter> params = new ArrayList<>(net.getParameters().values());
            double[] stepA = new double[ResNet34.GROUPS];
            double[] stepB = new double[ResNet34.GROUPS];
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).requiresGradient()) {
                    int g = groupOf(net, params.get(i));
                    stepA[g] += Math.pow(norm(diff(a.get(i), start.get(i))), 2);
                    stepB[g] += Math.pow(norm(diff(b.get(i), start.get(i))), 2);
                }
            }
            for (int g = 0; g < ResNet34.GROUPS; g++) {
                assertTrue(stepA[g] > 0, "group " + g + " moved");
                assertEquals(g == 1 ? 2.0 : 1.0, Math.sqrt(stepB[g] / stepA[g]), 1e-3, "step ratio of group " + g);
            }
        }
    }

    @Test
    void precomputeNeedsAFrozenBody() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(2, 1), Files.createTempDirectory("w"), LearnerFixture.plainSgd())) {
            l.unfreeze();
            assertThrows(IllegalStateException.class, () -> l.precompute(true));
        }
    }

    private static void step(Learner l, float[] rates, MiniBatch batch, long[] shape) {
        GroupRates r = new GroupRates(l.model().network(), rates, new Schedule.Constant(1));
        new TrainingStep(l.model(), LearnerFixture.plainSgd().build(r)).run(batch, shape, false);
    }

    static List<float[]> weights(ResNet34 net) {
        return net.getParameters().values().stream().map(p -> p.getArray().toFloatArray()).toList();
    }

    static void restore(ResNet34 net, List<float[]> w) {
        List<Parameter> params = new ArrayList<>(net.getParameters().values());
        for (int i = 0; i < params.size(); i++) {
            params.get(i).getArray().set(w.get(i));
        }
    }

    private static int groupOf(ResNet34 net, Parameter p) {
        for (int g = 0; g < ResNet34.GROUPS; g++) {
            for (Block b : net.layerGroup(g)) {
                if (b.getParameters().values().contains(p)) {
                    return g;
                }
            }
        }
        throw new AssertionError(p.getName());
    }

    private static void assertGroupEquals(ResNet34 net, int g, List<float[]> x, List<float[]> y) {
        assertTrue(!changed(net, g, x, y), "group " + g + " unchanged");
    }

    private static boolean changed(ResNet34 net, int g, List<float[]> x, List<float[]> y) {
        List<Parameter> params = new ArrayList<>(net.getParameters().values());
        boolean any = false;
        for (int i = 0; i < params.size(); i++) {
            if (groupOf(net, params.get(i)) == g && !java.util.Arrays.equals(x.get(i), y.get(i))) {
                any = true;
            }
        }
        return any;
    }

    private static float[] diff(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    static void assertSame(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
        }
    }
}
