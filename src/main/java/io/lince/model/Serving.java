package io.lince.model;

import ai.djl.Device;
import java.util.Locale;

/**
 * How a classifier runs its model: where ({@code auto}, {@code cpu} or {@code gpu}), with
 * BatchNorm folded into the convolutions or not, and in which precision.
 */
public record Serving(String device, boolean foldBatchNorm, Precision precision) {

    /** The numbers the forward pass computes in. */
    public enum Precision {
        FP32, FP16;

        public static Precision parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown precision '" + s + "': use fp32 or fp16");
            }
        }
    }

    /** fp32, BatchNorm folded, on whatever {@code device} names. */
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
}
