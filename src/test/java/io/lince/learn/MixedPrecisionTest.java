package io.lince.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.lince.model.ResNet34;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * fp16 training with loss scaling, on the CPU (libtorch's CPU kernels take fp16 convolutions,
 * slowly): the same step in fp16 and fp32 from the same weights must agree to fp16's precision,
 * and an overflowing step must change nothing but the scale.
 */
class MixedPrecisionTest {

    @Test
    void anFp16StepFollowsTheFp32StepAndAnOverflowIsSkipped() throws Exception {
        try (Learner l = LearnerFixture.learner(LearnerFixture.data(4, 2), Files.createTempDirectory("w"), LearnerFixture.plainSgd())) {
            l.unfreeze();
            ResNet34 net = l.model().network();
            MiniBatch batch = l.trainSource().epoch(new Random(1)).iterator().next();
            long[] shape = l.trainSource().exampleShape();
            List<float[]> start = DifferentialRatesTest.weights(net);

            float fp32Loss = step(l, batch, shape, null);
            List<float[]> fp32 = DifferentialRatesTest.weights(net);
            DifferentialRatesTest.restore(net, start);
            MixedPrecision mixed = new MixedPrecision();
            float fp16Loss;
            try {
                fp16Loss = step(l, batch, shape, mixed);
            } catch (ai.djl.engine.EngineException e) {
                Assumptions.abort("libtorch's CPU kernels refuse fp16 training here: " + e.getMessage());
                return;
            }
            List<float[]> fp16 = DifferentialRatesTest.weights(net);

            assertEquals(fp32Loss, fp16Loss, 0.01 * Math.abs(fp32Loss), "the loss to fp16's precision");
            assertEquals(0, mixed.skipped(), "2^16 does not overflow this step");
            // every trainable parameter's update, as a vector, points the way fp32's does and is as long
            double dot = 0;
            double n32 = 0;
            double n16 = 0;
            List<Parameter> params = new ArrayList<>(net.getParameters().values());
            for (int i = 0; i < params.size(); i++) {
                for (int k = 0; k < start.get(i).length; k++) {
                    double a = fp32.get(i)[k] - start.get(i)[k];
                    double b = fp16.get(i)[k] - start.get(i)[k];
                    dot += a * b;
                    n32 += a * a;
                    n16 += b * b;
                }
            }
            assertTrue(n32 > 0, "the fp32 step moved the weights");
            assertTrue(dot / Math.sqrt(n32 * n16) > 0.99, "cosine of the two updates " + dot / Math.sqrt(n32 * n16));
            assertEquals(1.0, Math.sqrt(n16 / n32), 0.02, "length ratio of the two updates");
            for (Parameter p : params) {
                assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, p.getArray().getDataType(), "the master weights stay fp32: " + p.getName());
            }

            // a scale so large that the scaled gradients overflow fp16: no update, the scale halves
            DifferentialRatesTest.restore(net, start);
            MixedPrecision huge = new MixedPrecision(1e30f);
            step(l, batch, shape, huge);
            assertEquals(1, huge.skipped());
            assertEquals(5e29f, huge.scale(), 1e24f);
            List<float[]> after = DifferentialRatesTest.weights(net);
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i).getType() != Parameter.Type.RUNNING_MEAN && params.get(i).getType() != Parameter.Type.RUNNING_VAR) {
                    assertArrayEquals(start.get(i), after.get(i), "skipped step: " + params.get(i).getName() + " unchanged");
                }
            }
            // and the next step, at a workable scale, trains from clean gradients
            DifferentialRatesTest.restore(net, start);
            assertEquals(fp16Loss, step(l, batch, shape, new MixedPrecision()), 1e-3f);
        }
    }

    @Test
    void autoIsOnForGpusOnly() {
        assertNull(MixedPrecision.choose(MixedPrecision.Mode.AUTO, Device.cpu()));
        assertTrue(MixedPrecision.choose(MixedPrecision.Mode.AUTO, Device.gpu()) != null);
        assertNull(MixedPrecision.choose(MixedPrecision.Mode.FP32, Device.gpu()));
        assertFalse(MixedPrecision.choose(MixedPrecision.Mode.FP16, Device.cpu()) == null);
    }

    private static float step(Learner l, MiniBatch batch, long[] shape, MixedPrecision mixed) {
        GroupRates r = new GroupRates(l.model().network(), new float[] {1e-2f, 1e-2f, 1e-2f}, new Schedule.Constant(1));
        return new TrainingStep(l.model(), LearnerFixture.plainSgd().build(r), 0, mixed).run(batch, shape, false);
    }
}
