package io.lince.learn;

import java.io.PrintStream;

/**
 * A one-line progress bar ({@code epoch 2/3 [#########.....] 41/63 0:21<0:11 loss 0.412}) redrawn in
 * place on a terminal; where output is a log it stays silent until the final line.
 */
public final class Progress {

    private static final int WIDTH = 24;

    private final PrintStream out;
    private final String label;
    private final int total;
    private final boolean live;
    private final long start = System.nanoTime();
    private int done;
    private String suffix = "";

    private Progress(PrintStream out, String label, int total, boolean live) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.live = live;
    }

    public static Progress start(PrintStream out, String label, int total) {
        return new Progress(out, label, total, System.console() != null);
    }

    public static Progress silent() {
        return new Progress(new PrintStream(PrintStream.nullOutputStream()), "", 1, false);
    }

    public void step(int n, String note) {
        done += n;
        suffix = note == null ? "" : note;
        if (live) {
            out.print("\r" + line());
            out.flush();
        }
    }

    /** Clears a live bar; returns the seconds it ran. */
    public double finish() {
        double s = (System.nanoTime() - start) / 1e9;
        if (live) {
            out.print("\r" + " ".repeat(line().length()) + "\r");
            out.flush();
        }
        return s;
    }

    private String line() {
        int filled = total <= 0 ? WIDTH : (int) ((long) WIDTH * Math.min(done, total) / total);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double left = done == 0 ? 0 : elapsed * (total - done) / done;
        return String.format("%s [%s%s] %d/%d %s<%s %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                done, total, clock(elapsed), clock(left), suffix);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
