package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code BasicBlock}: two 3×3 convolutions with BatchNorm and an identity (or 1×1
 * projection) shortcut. Children are named as in torchvision so weights map one to one.
 */
final class BasicBlock extends AbstractBlock {

    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final Block downsample;

    /** @param folded BatchNorm folded into the convolutions (which then carry a bias): serving only */
    BasicBlock(int channels, int stride, boolean project, boolean folded) {
        conv1 = addChildBlock("conv1", ResNet34.conv(channels, 3, stride, 1, folded));
        bn1 = folded ? null : addChildBlock("bn1", ResNet34.batchNorm());
        conv2 = addChildBlock("conv2", ResNet34.conv(channels, 3, 1, 1, folded));
        bn2 = folded ? null : addChildBlock("bn2", ResNet34.batchNorm());
        if (project) {
            SequentialBlock d = new SequentialBlock().add(ResNet34.conv(channels, 1, stride, 0, folded));
            downsample = addChildBlock("downsample", folded ? d : d.add(ResNet34.batchNorm()));
        } else {
            downsample = null;
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList y = conv1.forward(ps, inputs, training);
        y = Activation.relu(ResNet34.norm(bn1, ps, y, training));
        y = ResNet34.norm(bn2, ps, conv2.forward(ps, y, training), training);
        NDArray identity = downsample == null ? x : downsample.forward(ps, inputs, training).head();
        return new NDList(Activation.relu(y.head().add(identity)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv2.getOutputShapes(conv1.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] shapes = conv1.getOutputShapes(inputShapes);
        if (bn1 != null) {
            bn1.initialize(manager, dataType, shapes);
            bn2.initialize(manager, dataType, conv2.getOutputShapes(shapes));
        }
        conv2.initialize(manager, dataType, shapes);
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }
}
