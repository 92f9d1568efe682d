package io.lince.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;

/**
 * Grad-CAM (Selvaraju et al., 2017) on the output of the last residual block: where in the image
 * the evidence for a class lies.
 *
 * <p>Grad-CAM weighs each of the block's 512 activation maps {@code A_k} by the mean gradient of
 * the class's score over the map, {@code α_k = mean_ij ∂s_c/∂A_kij}, and keeps the positive part
 * of {@code Σ_k α_k A_k}. Here the block is followed only by global average pooling and the linear
 * head, {@code y_c = b_c + Σ_k W_ck · mean_ij A_kij}, so the gradient is the same at every
 * position and known in closed form. The score is the class's log-odds against the others,
 * {@code s_c = y_c/T - log Σ_{m≠c} exp(y_m/T)}, whose gradient is
 * {@code (W_ck - Σ_{m≠c} q_m W_mk) / (T·H·W)} with {@code q} the other classes' softmax: the
 * evidence for the class <i>against the others</i>, and it does not vanish when the model is sure
 * (the log probability's gradient does). For two classes it is {@code W_1 - W_0}. (The raw
 * logit's map, the class activation map of Zhou et al., also lights up whatever every class
 * responds to; in a network trained on little data that includes where the zero padding reaches.)
 * The map is scaled from its least to its most evidence (as CAM is shown), not cut at zero as
 * Grad-CAM's ReLU would: a network may decide by the <i>absence</i> of what the other class has,
 * with every cell's evidence negative and the bias carrying the decision, and the ReLU would then
 * blank the map. It is computed from that
 * identity in one forward pass without autograd: no gradient collector (DJL allows one per JVM,
 * and the trainer may hold it), no recorded graph, and the cost of classifying the image once.
 */
public final class GradCam {

    private GradCam() {}

    /**
     * A heat map over the last block's grid (input size / 32 on each side), scaled from 0 (the
     * least evidence for the class) to 1 (the most); all 0 when every cell says the same.
     */
    public record HeatMap(int classIndex, String label, float[][] cells) {

        public int rows() {
            return cells.length;
        }

        public int columns() {
            return cells[0].length;
        }

        /** The cell with the largest value: {row, column}. */
        public int[] peak() {
            int[] best = {0, 0};
            for (int r = 0; r < rows(); r++) {
                for (int c = 0; c < columns(); c++) {
                    if (cells[r][c] > cells[best[0]][best[1]]) {
                        best = new int[] {r, c};
                    }
                }
            }
            return best;
        }
    }

    /**
     * The heat map of class {@code classIndex} for one RGB crop of the model's input size (HWC
     * bytes, as {@link io.lince.images.InputCrop} makes them).
     */
    public static HeatMap of(LinceModel model, byte[] rgb, int classIndex) {
        int s = model.info().inputSize();
        if (rgb.length != s * s * 3) {
            throw new IllegalArgumentException("expected a " + s + "x" + s + "x3 crop, got " + rgb.length + " bytes");
        }
        if (classIndex < 0 || classIndex >= model.info().classes().size()) {
            throw new IllegalArgumentException("no class " + classIndex + " in " + model.info().classes());
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(rgb.length).put(rgb).flip();
        ResNet34 net = model.network();
        try (NDManager scope = model.djlModel().getNDManager().newSubManager()) {
            NDArray x = model.input(scope, buffer, 1);
            NDArray maps = net.lastBlock(new ParameterStore(scope, false), x, false).toType(DataType.FLOAT32, false).get(0);
            long k = maps.getShape().get(0);
            int h = (int) maps.getShape().get(1);
            int w = (int) maps.getShape().get(2);
            NDArray all = net.head().getParameters().get("weight").getArray().toType(DataType.FLOAT32, true);
            all.attach(scope); // a copy made in the model's manager: freed with this scope, not with the model
            NDArray flat = maps.reshape(k, (long) h * w);
            NDArray bias = net.head().getParameters().get("bias").getArray().toType(DataType.FLOAT32, true);
            bias.attach(scope);
            // the gradient of the log-odds: the class's weights less the others' weights, each weighed
            // by its probability among the others (the rest, renormalised)
            float[] logits = all.matMul(flat.mean(new int[] {1}).reshape(k, 1)).reshape(-1).add(bias).toFloatArray();
            float[] q = new float[logits.length];
            double top = Double.NEGATIVE_INFINITY;
            for (int m = 0; m < logits.length; m++) {
                top = m == classIndex ? top : Math.max(top, logits[m]);
            }
            double sum = 0;
            for (int m = 0; m < logits.length; m++) {
                q[m] = m == classIndex ? 0 : (float) Math.exp((logits[m] - top) / model.info().temperature());
                sum += q[m];
            }
            for (int m = 0; m < q.length; m++) {
                q[m] /= (float) sum;
            }
            NDArray weights = all.get(classIndex).sub(scope.create(q).reshape(1, -1).matMul(all).reshape(k));
            float[] cam = weights.reshape(1, k).matMul(flat).toFloatArray();
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (float v : cam) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            // scaled from the least to the most evidence, as CAM is shown; see the class comment
            float[][] cells = new float[h][w];
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    cells[r][c] = max > min ? (cam[r * w + c] - min) / (max - min) : 0;
                }
            }
            return new HeatMap(classIndex, model.info().classes().get(classIndex), cells);
        }
    }

    /**
     * The crop with the heat map laid over it: upsampled bilinearly to the crop's size, coloured
     * from transparent blue (nothing) through yellow to red (the strongest evidence).
     */
    public static BufferedImage overlay(byte[] rgb, int size, HeatMap map) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = sample(map, (y + 0.5) * map.rows() / size - 0.5, (x + 0.5) * map.columns() / size - 0.5);
                int i = (y * size + x) * 3;
                int[] heat = colour(v);
                double a = 0.25 + 0.35 * v;
                int r = (int) ((1 - a) * (rgb[i] & 0xff) + a * heat[0]);
                int g = (int) ((1 - a) * (rgb[i + 1] & 0xff) + a * heat[1]);
                int b = (int) ((1 - a) * (rgb[i + 2] & 0xff) + a * heat[2]);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    private static double sample(HeatMap m, double r, double c) {
        int r0 = (int) Math.floor(r);
        int c0 = (int) Math.floor(c);
        double fr = r - r0;
        double fc = c - c0;
        return (1 - fr) * ((1 - fc) * cell(m, r0, c0) + fc * cell(m, r0, c0 + 1))
                + fr * ((1 - fc) * cell(m, r0 + 1, c0) + fc * cell(m, r0 + 1, c0 + 1));
    }

    private static float cell(HeatMap m, int r, int c) {
        return m.cells()[Math.max(0, Math.min(m.rows() - 1, r))][Math.max(0, Math.min(m.columns() - 1, c))];
    }

    /** Blue (0) → cyan → yellow → red (1). */
    private static int[] colour(double v) {
        double t = Math.max(0, Math.min(1, v));
        if (t < 1 / 3.0) {
            double u = t * 3;
            return new int[] {0, (int) (255 * u), 255};
        }
        if (t < 2 / 3.0) {
            double u = (t - 1 / 3.0) * 3;
            return new int[] {(int) (255 * u), 255, (int) (255 * (1 - u))};
        }
        double u = (t - 2 / 3.0) * 3;
        return new int[] {255, (int) (255 * (1 - u)), 0};
    }
}
