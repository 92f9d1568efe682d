package io.lince.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Picks where the model runs: {@code auto} takes a CUDA device when the engine sees one. */
public final class Devices {

    private Devices() {}

    public static Device select(String choice) {
        DjlEnvironment.init();
        String c = choice == null ? "auto" : choice.toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        return switch (c) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalStateException(
                            "--device gpu asked for, but the PyTorch engine sees no CUDA device"
                                    + " (is a CUDA libtorch on PYTORCH_LIBRARY_PATH?)");
                }
                yield Device.gpu();
            }
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException(
                    "unknown device '" + choice + "': use auto, cpu or gpu");
        };
    }
}
