package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.List;

/**
 * ResNet-34 exactly as torchvision builds it (BasicBlock, [3, 4, 6, 3], 21.8 M parameters with
 * 1000 classes). DJL's {@code ResNetV1} with 34 layers is a different, bottleneck network.
 *
 * <p>The body (everything before {@code fc}) and the head ({@code fc}) can be run apart, so the
 * trainer can precompute body activations and train only the head.
 */
public final class ResNet34 extends AbstractBlock {

    static final int[] LAYERS = {3, 4, 6, 3};

    /** Residual blocks in {@code layer} (0–3): torchvision's [3, 4, 6, 3]. */
    public static int blocks(int layer) {
        return LAYERS[layer];
    }
    static final int[] WIDTHS = {64, 128, 256, 512};
    public static final int FEATURES = 512;

    private final boolean folded;
    private final Block conv1;
    private final Block bn1;
    private final Block[] layers = new Block[4];
    private final Block fc;
    /** Layer groups below this index are frozen (see {@link #freezeTo}). */
    private int trainableFrom;
    private boolean batchNormFrozen;

    public ResNet34(int numClasses) {
        this(numClasses, false);
    }

    /**
     * @param folded build the serving form: BatchNorm folded into the convolutions, which then
     *     carry a bias (see {@link BatchNormFolding}); it cannot be trained or checkpointed
     */
    ResNet34(int numClasses, boolean folded) {
        this.folded = folded;
        conv1 = addChildBlock("conv1", conv(64, 7, 2, 3, folded));
        bn1 = folded ? null : addChildBlock("bn1", batchNorm());
        for (int i = 0; i < 4; i++) {
            SequentialBlock layer = new SequentialBlock();
            for (int b = 0; b < LAYERS[i]; b++) {
                boolean first = b == 0;
                int stride = first && i > 0 ? 2 : 1;
                layer.add(new BasicBlock(WIDTHS[i], stride, first && i > 0, folded));
            }
            layers[i] = addChildBlock("layer" + (i + 1), layer);
        }
        fc = addChildBlock("fc", Linear.builder().setUnits(numClasses).build());
        // torchvision's kaiming_normal_(mode="fan_out") for convolutions.
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
        // A new head knows nothing: all-zero logits give a uniform, maximally uncertain output
        // until it is trained (a random head on large activations would be falsely confident).
        fc.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        fc.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
    }

    static Block conv(int channels, int kernel, int stride, int pad, boolean bias) {
        return Conv2d.builder()
                .setFilters(channels)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optBias(bias)
                .build();
    }

    /** BatchNorm, or nothing where it was folded away. */
    static NDList norm(Block bn, ParameterStore ps, NDList x, boolean training) {
        return bn == null ? x : bn.forward(ps, x, training);
    }

    public boolean folded() {
        return folded;
    }

    static Block batchNorm() {
        // DJL's momentum is the weight of the old running value: torch's 0.1 is DJL's 0.9.
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    /**
     * fastai's three layer groups: {@code 0} stem, layer1 and layer2; {@code 1} layer3 and layer4;
     * {@code 2} the head. Differential learning rates give each group its own rate.
     */
    public static final int GROUPS = 3;

    /** The blocks of layer group {@code g}. */
    public List<Block> layerGroup(int g) {
        return switch (g) {
            case 0 -> bn1 == null ? List.of(conv1, layers[0], layers[1]) : List.of(conv1, bn1, layers[0], layers[1]);
            case 1 -> List.of(layers[2], layers[3]);
            case 2 -> List.of(fc);
            default -> throw new IllegalArgumentException("layer groups are 0.." + (GROUPS - 1) + ", got " + g);
        };
    }

    /**
     * Freezes the groups below {@code group} and unfreezes the rest: {@code freezeTo(2)} is fastai's
     * {@code freeze()} (head only), {@code freezeTo(0)} its {@code unfreeze()}, {@code freezeTo(3)}
     * freezes everything (serving). BatchNorm in a frozen group runs in inference mode even while
     * training, as fastai does: its running statistics stay those of the weights they belong to,
     * and precomputed activations stay valid.
     */
    public void freezeTo(int group) {
        trainableFrom = Math.max(0, Math.min(GROUPS, group));
        for (int g = 0; g < GROUPS; g++) {
            boolean frozen = g < trainableFrom;
            // BatchNorm's running statistics are never trained: they keep requiresGrad off.
            layerGroup(g).forEach(b -> b.getParameters().values().forEach(p -> p.freeze(frozen
                    || p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR)));
        }
    }

    /** The first trainable layer group ({@value #GROUPS} when all are frozen). */
    public int trainableFrom() {
        return trainableFrom;
    }

    public boolean frozen(int group) {
        return group < trainableFrom;
    }

    /**
     * fastai's {@code bn_freeze(True)}: every BatchNorm runs in inference mode even in trainable
     * groups (its scale and shift still learn). Fine-tuning on a few hundred images in small batches
     * then keeps the statistics the body was trained with, and the activations the head was just
     * fitted to do not jump when the body is unfrozen.
     */
    public void freezeBatchNorm(boolean on) {
        batchNormFrozen = on;
    }

    /** Whether a group's BatchNorm uses batch statistics (and updates its running ones). */
    private boolean training(int group, boolean training) {
        return training && !frozen(group) && !batchNormFrozen;
    }

    /** The head, a {@link Linear} from {@value #FEATURES} pooled activations to the classes. */
    public Block head() {
        return fc;
    }

    /** Sets the head's weights ({@code weight} is classes × {@value #FEATURES}, row-major) and bias. */
    public void setHead(float[] weight, float[] bias) {
        NDArray w = fc.getParameters().get("weight").getArray();
        if (w.getShape().get(0) != bias.length || weight.length != bias.length * FEATURES) {
            throw new IllegalArgumentException("a head for " + w.getShape().get(0) + " classes needs "
                    + w.getShape().get(0) * FEATURES + " weights and as many biases, got " + weight.length + " and " + bias.length);
        }
        w.set(weight);
        fc.getParameters().get("bias").getArray().set(bias);
    }

    /** Runs the body: images (N,3,H,W) to pooled activations (N,512). */
    public NDArray features(ParameterStore ps, NDArray images, boolean training) {
        return Pool.globalAvgPool2d(lastBlock(ps, images, training));
    }

    /**
     * Runs the body up to the output of the last residual block, before pooling: images (N,3,H,W)
     * to activation maps (N,512,H/32,W/32), what Grad-CAM weighs.
     */
    public NDArray lastBlock(ParameterStore ps, NDArray images, boolean training) {
        boolean t0 = training(0, training);
        NDList x = norm(bn1, ps, conv1.forward(ps, new NDList(images), t0), t0);
        NDArray y = Activation.relu(x.head());
        y = Pool.maxPool2d(y, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        NDList z = new NDList(y);
        for (int i = 0; i < layers.length; i++) {
            z = layers[i].forward(ps, z, training(i < 2 ? 0 : 1, training));
        }
        return z.head();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pooled = features(ps, inputs.singletonOrThrow(), training);
        return fc.forward(ps, new NDList(pooled), training(2, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), fc.getOutputShapes(
                new Shape[] {new Shape(inputShapes[0].get(0), FEATURES)})[0].get(1))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        conv1.initialize(manager, dataType, shape);
        Shape[] s = conv1.getOutputShapes(new Shape[] {shape});
        if (bn1 != null) {
            bn1.initialize(manager, dataType, s);
        }
        long side = (s[0].get(2) + 1) / 2; // after the stride-2 max pool
        Shape[] x = {new Shape(shape.get(0), 64, side, side)};
        for (Block layer : layers) {
            layer.initialize(manager, dataType, x);
            x = layer.getOutputShapes(x);
        }
        fc.initialize(manager, dataType, new Shape(shape.get(0), FEATURES));
    }
}
