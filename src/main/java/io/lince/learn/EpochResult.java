package io.lince.learn;

/**
 * One row of fastai's table after an epoch; time is training plus validation. {@code dataSeconds}
 * is the part of training spent waiting for decoded batches; {@code size} the input side the epoch
 * trained and validated at (0 on precomputed activations of unknown size).
 */
public record EpochResult(int epoch, int size, double trainLoss, double validLoss, double accuracy, double trainSeconds,
        double dataSeconds, double validSeconds) {

    public static String header() {
        return String.format("%-6s %-5s %-11s %-11s %-9s %-8s %s", "epoch", "size", "train_loss", "valid_loss", "accuracy",
                "time", "waiting for data");
    }

    public String row() {
        return String.format(java.util.Locale.ROOT, "%-6d %-5d %-11.6f %-11.6f %-9.4f %-8s %.1f%%", epoch, size, trainLoss,
                validLoss, accuracy, Progress.clock(trainSeconds + validSeconds), 100 * dataShare());
    }

    /** The share of the training time spent waiting for batches. */
    public double dataShare() {
        return trainSeconds > 0 ? dataSeconds / trainSeconds : 0;
    }
}
