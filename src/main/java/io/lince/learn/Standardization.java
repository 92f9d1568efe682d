package io.lince.learn;

import io.lince.model.ResNet34;

/**
 * Trains the head on standardised activations, {@code z = (x - mean) / std}, and keeps the network
 * in its serving form at rest. A linear head straight on pooled ReLU activations is badly
 * conditioned (every activation shares a large positive offset, so one learning rate is either too
 * slow or diverges; fastai puts BatchNorm in its head for this reason). The head is moved into
 * z-space for training ({@code W = W'·std}, {@code b = b' + W'·mean}) and folded back after it
 * ({@code W' = W / std}, {@code b' = b - W'·mean}), so a checkpoint never needs the extra step.
 */
public record Standardization(float[] mean, float[] std) {

    public static Standardization of(Activations a) {
        return of(a.features());
    }

    private static Standardization of(float[][] features) {
        int d = features.length == 0 ? 0 : features[0].length;
        int n = features.length;
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (float[] row : features) {
                s += row[j];
            }
            double mu = s / Math.max(1, n);
            double v = 0;
            for (float[] row : features) {
                v += (row[j] - mu) * (row[j] - mu);
            }
            mean[j] = (float) mu;
            std[j] = (float) Math.sqrt(v / Math.max(1, n)) + 1e-6f;
        }
        return new Standardization(mean, std);
    }

    public Activations apply(Activations a) {
        return new Activations(apply(a.features()), a.labels(), a.rows());
    }

    private float[][] apply(float[][] features) {
        float[][] z = new float[features.length][];
        for (int i = 0; i < z.length; i++) {
            float[] x = features[i];
            z[i] = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                z[i][j] = (x[j] - mean[j]) / std[j];
            }
        }
        return z;
    }

    /** The head, serving form → z-space. */
    public void unfold(ResNet34 net) {
        transform(net, false);
    }

    /** The head, z-space → serving form. */
    public void fold(ResNet34 net) {
        transform(net, true);
    }

    // The head is K×512: plain arrays, no NDArrays to leak into the model's manager.
    private void transform(ResNet34 net, boolean fold) {
        float[] w = net.head().getParameters().get("weight").getArray().toFloatArray();
        float[] b = net.head().getParameters().get("bias").getArray().toFloatArray();
        int d = mean.length;
        for (int k = 0; k < b.length; k++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                int i = k * d + j;
                if (fold) {
                    w[i] /= std[j];
                    dot += w[i] * mean[j];
                } else {
                    dot += w[i] * mean[j];
                    w[i] *= std[j];
                }
            }
            b[k] = (float) (fold ? b[k] - dot : b[k] + dot);
        }
        net.setHead(w, b);
    }
}
