package io.lince.learn;

/**
 * One row of fastai's table after an epoch; time is training plus validation. {@code dataSeconds}
 * is the part of training spent waiting for decoded batches.
 */
public record EpochResult(int epoch, double trainLoss, double validLoss, double accuracy, double trainSeconds,
        double dataSeconds, double validSeconds) {

    public static String header() {
        return String.format("%-6s %-11s %-11s %-9s %s", "epoch", "train_loss", "valid_loss", "accuracy", "time");
    }

    public String row() {
        return String.format("%-6d %-11.6f %-11.6f %-9.4f %s", epoch, trainLoss, validLoss, accuracy, Progress.clock(trainSeconds + validSeconds));
    }
}
