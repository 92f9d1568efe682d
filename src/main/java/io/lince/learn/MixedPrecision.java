package io.lince.learn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mixed-precision training in fp16 with dynamic loss scaling, the recipe of PyTorch's
 * {@code autocast} + {@code GradScaler} built from what DJL 0.36 offers (it has neither, and its
 * dtype cast runs outside the gradient tape, so a cast cannot carry gradients back):
 *
 * <ul>
 *   <li>The weights stay fp32 (the master copy the optimizer updates). Each step makes an fp16
 *       working copy of every convolution and linear weight, a leaf of the tape of its own; the
 *       forward and backward passes run on those, and their fp16 gradients are converted back to
 *       fp32 for the update of the master weights (Apex's "O2"). BatchNorm's parameters and running
 *       statistics stay fp32 (libtorch's batch norm takes fp16 inputs with fp32 parameters), as
 *       autocast keeps them, and get their gradients directly.
 *   <li>The loss is computed in fp32 from fp32 logits, multiplied by the scale before the backward
 *       pass so small gradients do not flush to zero in fp16, and the gradients are divided by it
 *       again before the update. A step whose gradients hold an inf or NaN is skipped and the scale
 *       halved; after {@link #GROWTH_INTERVAL} good steps it doubles (GradScaler's defaults).
 * </ul>
 *
 * Worth it on a GPU's tensor cores (about twice the fp32 rate, half the activation memory). On a
 * CPU libtorch's fp16 kernels are slower than fp32, so {@link #choose} leaves it off there.
 */
public final class MixedPrecision {

    /** GradScaler's defaults: start at 2^16, double after 2000 good steps, halve on overflow. */
    static final float INITIAL_SCALE = 65_536f;
    static final int GROWTH_INTERVAL = 2000;

    private float scale;
    private int goodSteps;
    private long skipped;

    public MixedPrecision() {
        this(INITIAL_SCALE);
    }

    MixedPrecision(float initialScale) {
        this.scale = initialScale;
    }

    /** What {@code --precision} asks for. */
    public enum Mode { AUTO, FP32, FP16 }

    /**
     * Mixed precision for {@code mode} on {@code device}, or null for plain fp32: {@code auto}
     * turns it on for a GPU only; {@code fp16} on a CPU is allowed (it is what the tests run) but
     * slower than fp32 there.
     */
    public static MixedPrecision choose(Mode mode, Device device) {
        return switch (mode) {
            case FP32 -> null;
            case FP16 -> new MixedPrecision();
            case AUTO -> device.isGpu() ? new MixedPrecision() : null;
        };
    }

    public float scale() {
        return scale;
    }

    /** Steps skipped so far because their gradients overflowed. */
    public long skipped() {
        return skipped;
    }

    /** One step's fp16 working copies, all in {@code manager} (the step's scope). */
    public Pass begin(NDManager manager) {
        return new Pass(manager);
    }

    /** One forward and backward pass in fp16. */
    public final class Pass {
        private final NDManager manager;
        private final Map<Parameter, NDArray> working = new IdentityHashMap<>();
        private final ParameterStore store;

        private Pass(NDManager manager) {
            this.manager = manager;
            this.store = new ParameterStore(manager, false) {
                @Override
                public NDArray getValue(Parameter parameter, Device device, boolean training) {
                    NDArray w = super.getValue(parameter, device, training);
                    if (w == null || !halved(parameter, w)) {
                        return w; // no such parameter (a convolution without bias), or BatchNorm's
                    }
                    return working.computeIfAbsent(parameter, p -> {
                        NDArray half = w.toType(DataType.FLOAT16, false);
                        half.attach(manager); // made from a model-owned array: it would live as long as the model
                        if (p.requiresGradient()) {
                            half.setRequiresGradient(true);
                        }
                        return half;
                    });
                }
            };
        }

        /** What the layers read their parameters from. */
        public ParameterStore parameters() {
            return store;
        }

        /** The inputs as the first layer takes them. */
        public NDArray input(NDArray x) {
            return x.toType(DataType.FLOAT16, false);
        }

        /**
         * The fp16 logits as fp32, inside the tape: DJL's dtype cast runs under a no-grad guard, so
         * the cast is torch's type promotion (adding an fp32 zero of one dimension), which autograd records.
         */
        public NDArray fp32(NDArray logits) {
            NDArray zero = manager.zeros(new Shape(1), DataType.FLOAT32).toDevice(logits.getDevice(), false);
            return logits.add(zero);
        }

        /** The loss to call backward on: the fp32 loss times the scale. */
        public NDArray scaled(NDArray loss) {
            return loss.mul(scale);
        }

        /**
         * The fp32, unscaled gradient of each of {@code trainable}, or null when any is not finite:
         * then the step must be skipped (the master gradients are zeroed) and the scale halves.
         */
        public Map<Parameter, NDArray> gradients(List<Parameter> trainable) {
            float inverse = 1 / scale;
            Map<Parameter, NDArray> out = new IdentityHashMap<>();
            NDArray total = null;
            for (Parameter p : trainable) {
                NDArray half = working.get(p);
                NDArray g = half != null ? half.getGradient().toType(DataType.FLOAT32, false) : p.getArray().getGradient();
                NDArray unscaled = g.mul(inverse);
                unscaled.attach(manager);
                out.put(p, unscaled);
                NDArray size = unscaled.abs().sum();
                size.attach(manager);
                total = total == null ? size : total.add(size);
            }
            if (total == null || Float.isFinite(total.getFloat())) {
                if (++goodSteps >= GROWTH_INTERVAL) {
                    scale *= 2;
                    goodSteps = 0;
                }
                return out;
            }
            for (Parameter p : trainable) {
                if (!working.containsKey(p)) {
                    p.getArray().getGradient().muli(0); // BatchNorm's master gradients would carry into the next step
                }
            }
            scale /= 2;
            goodSteps = 0;
            skipped++;
            return null;
        }
    }

    private static boolean halved(Parameter p, NDArray w) {
        Parameter.Type type = p.getType();
        return (type == Parameter.Type.WEIGHT || type == Parameter.Type.BIAS) && w.getDataType() == DataType.FLOAT32;
    }
}
