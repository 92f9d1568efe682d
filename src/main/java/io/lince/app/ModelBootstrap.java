package io.lince.app;

import ai.djl.Device;
import io.lince.contracts.ModelPublished;
import io.lince.model.Checkpoint;
import io.lince.model.LinceModel;
import io.lince.model.ModelInfo;
import io.lince.registry.ModelRegistry;
import io.lince.registry.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds the current model, or makes version 1 when nothing is published yet: from a Lince
 * checkpoint, from torchvision ResNet-34 weights in a .safetensors file (new head), or random.
 */
public final class ModelBootstrap {

    private static final Logger LOG = Logger.getLogger(ModelBootstrap.class);

    private ModelBootstrap() {}

    public static ModelPublished champion(ModelRegistry registry, ModelStore store, List<String> classes,
            Optional<Path> weights, int inputSize, Device device, long seed) throws IOException {
        Optional<ModelPublished> champion = registry.champion();
        if (champion.isPresent()) {
            return champion.get();
        }
        // the first free number: a store kept from an earlier cluster keeps its artifacts
        int version = store.firstFreeVersion(1);
        ModelInfo info = new ModelInfo(version, null, classes, inputSize);
        try (LinceModel first = firstModel(info, weights, device, seed)) {
            ModelInfo v1 = first.info().version() == version ? first.info() : new ModelInfo(version, null,
                    first.info().classes(), first.info().inputSize());
            ModelStore.Stored stored = store.put(v1, first.network());
            ModelPublished published = ModelRegistry.describe(stored, v1, Map.of(), 0);
            registry.publish(published);
            LOG.infof("published model v%d (%s, classes %s, %d px)", v1.version(),
                    weights.map(Path::toString).orElse("random initialisation, new head"), v1.classes(), v1.inputSize());
            return published;
        }
    }

    /** A model from {@code weights}, or a random one; a checkpoint's classes win over {@code info}'s. */
    public static LinceModel firstModel(ModelInfo info, Optional<Path> weights, Device device, long seed)
            throws IOException {
        if (weights.isEmpty()) {
            return LinceModel.random(info, device, seed);
        }
        Path file = weights.get();
        if (Checkpoint.looksLikeCheckpoint(file)) {
            return LinceModel.load(file, device);
        }
        return LinceModel.fromWeights(file, info, device, seed);
    }
}
