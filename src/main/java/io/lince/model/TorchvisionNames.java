package io.lince.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names every parameter of a block tree the way PyTorch's {@code state_dict} does
 * ({@code layer1.0.conv1.weight}, {@code bn1.running_mean}, …), so torchvision/timm weights load
 * by name and people can read Lince's checkpoints with torchvision in mind.
 */
public final class TorchvisionNames {

    private static final Map<String, String> DJL_TO_TORCH =
            Map.of("gamma", "weight", "beta", "bias", "runningMean", "running_mean",
                    "runningVar", "running_var");

    private TorchvisionNames() {}

    /** torchvision name → parameter, in the block's own order. */
    public static Map<String, Parameter> of(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(block, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + DJL_TO_TORCH.getOrDefault(p.getKey(), p.getKey()), p.getValue());
        }
        boolean sequential = block instanceof SequentialBlock;
        for (Pair<String, Block> child : block.getChildren()) {
            // DJL prefixes child names with a 1-based, two-digit position ("01conv1").
            String key = child.getKey();
            String name = sequential
                    ? String.valueOf(Integer.parseInt(key.substring(0, 2)) - 1)
                    : key.substring(2);
            collect(child.getValue(), prefix + name + ".", out);
        }
    }
}
