package io.lince.model;

/**
 * DJL settings Lince needs before the engine starts: offline (no telemetry call, no downloads;
 * libtorch comes from the pytorch-native jar on the class path or PYTORCH_LIBRARY_PATH), cuDNN's
 * benchmark mode on a GPU, and the number of intra-op threads (0 = libtorch's default, one per
 * core).
 */
public final class DjlEnvironment {

    private DjlEnvironment() {}

    public static void init() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // cuDNN picks the fastest convolution algorithms for the shapes it sees: the served
        // batches have one or a few shapes, so the search pays for itself (no effect on a CPU)
        if (System.getProperty("ai.djl.pytorch.cudnn_benchmark") == null) {
            System.setProperty("ai.djl.pytorch.cudnn_benchmark", "true");
        }
    }

    /** Must run before the engine's first use; later calls have no effect on libtorch. */
    public static void threads(int intraOp) {
        if (intraOp > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(intraOp));
        }
        init();
    }
}
