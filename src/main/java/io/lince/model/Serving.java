package io.lince.model;

import ai.djl.Device;
import java.util.Locale;

/**
 * How a classifier runs its model: where ({@code auto}, {@code cpu} or {@code gpu}), with
 * BatchNorm folded into the convolutions or not, through which runtime (libtorch through DJL, or
 * ONNX Runtime) and in which precision.
 */
public record Serving(String device, boolean foldBatchNorm, Runtime runtime, Precision precision) {

    /** What runs the forward pass. */
    public enum Runtime {
        PYTORCH, ONNXRUNTIME;

        public static Runtime parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown runtime '" + s + "': use pytorch or onnxruntime");
            }
        }
    }

    /** The numbers the forward pass computes in. */
    public enum Precision {
        FP32, FP16, INT8, BF16,
        /** INT8 where the CPU has int8 dot-product instructions and the version's INT8 graph passed its gate, else fp32. */
        AUTO;

        public static Precision parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown precision '" + s + "': use fp32, int8, fp16, bf16 or auto");
            }
        }
    }

    public Serving {
        if (precision == Precision.INT8 && runtime != Runtime.ONNXRUNTIME) {
            throw new IllegalArgumentException("lince.model.precision=int8 serves through ONNX Runtime: set lince.model.runtime=onnxruntime");
        }
        if (precision == Precision.BF16) {
            // README, Speed: "bf16"
            throw new IllegalArgumentException("lince.model.precision=bf16 has no runtime Lince can drive from Java: ONNX Runtime's CPU"
                    + " provider has no bf16 convolution, and DJL 0.36's libtorch bindings abort the JVM on bf16 tensors;"
                    + " use int8 (faster still on a CPU with VNNI) or fp32");
        }
    }

    /** Through libtorch. */
    public Serving(String device, boolean foldBatchNorm, Precision precision) {
        this(device, foldBatchNorm, Runtime.PYTORCH, precision);
    }

    /** fp32, BatchNorm folded, through libtorch, on whatever {@code device} names. */
    public static Serving fp32(String device) {
        return new Serving(device, true, Precision.FP32);
    }

    /**
     * The device to serve on, checked against the precision: fp16 serves on a CUDA device only.
     * libtorch does run fp16 convolutions on a CPU, but without the instructions for it they are
     * emulated and slower than fp32 (README, Speed), so a CPU refuses it instead of serving slowly.
     *
     * @throws IllegalStateException with one line that says why
     */
    public Device select() {
        Device d = Devices.select(device);
        if (precision == Precision.FP16 && !d.isGpu()) {
            throw new IllegalStateException("lince.model.precision=fp16 serves on a CUDA device only, and this model runs on "
                    + d + ": use fp32 here");
        }
        return d;
    }

    /** What one version is served as, and why. */
    public record Choice(Runtime runtime, Precision precision, String reason) {
        public String describe() {
            return runtime.name().toLowerCase(Locale.ROOT) + " " + precision.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How to serve a version on {@code device}: what was asked for, except that INT8 is served
     * only when the version has an INT8 graph its gate allowed ({@code int8Refusal} empty) and
     * {@code auto} picks INT8 only on a CPU with int8 dot-product instructions.
     *
     * @param int8Refusal why this version may not serve INT8 (no INT8 graph, or the gate's
     *     reason), or null when it may
     */
    public Choice choose(Device device, String int8Refusal, CpuFeatures cpu) {
        return switch (precision) {
            case INT8 -> int8Refusal == null
                    ? new Choice(Runtime.ONNXRUNTIME, Precision.INT8, "as configured")
                    : new Choice(Runtime.ONNXRUNTIME, Precision.FP32, "INT8 refused: " + int8Refusal);
            case AUTO -> {
                Runtime fp32 = runtime;
                if (device.isGpu()) {
                    yield new Choice(fp32, Precision.FP32, "auto on a GPU: fp32 (the INT8 graph is for CPUs)");
                }
                if (!cpu.int8DotProduct()) {
                    yield new Choice(fp32, Precision.FP32, "auto: this CPU has no int8 dot-product instructions (" + cpu.describe() + ")");
                }
                yield int8Refusal == null
                        ? new Choice(Runtime.ONNXRUNTIME, Precision.INT8, "auto: " + cpu.describe())
                        : new Choice(fp32, Precision.FP32, "auto: INT8 refused: " + int8Refusal);
            }
            default -> new Choice(runtime, precision, "as configured");
        };
    }

    /** Intra-op threads for ONNX Runtime: libtorch's setting ({@code ai.djl.pytorch.num_threads}), else its default. */
    public static int intraOpThreads() {
        String t = System.getProperty("ai.djl.pytorch.num_threads");
        return t == null ? 0 : Integer.parseInt(t.trim());
    }
}
