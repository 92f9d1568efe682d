package io.lince.bench;

import ai.djl.Device;
import io.lince.images.Augmentation;
import io.lince.images.ImageFolder.Entry;
import io.lince.learn.Dataset;
import io.lince.learn.Learner;
import io.lince.learn.OptimizerSettings;
import io.lince.learn.Predictions;
import io.lince.model.Uncertainty;
import java.awt.Color;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Uncertainty sampling against random sampling with the same labelling budget (run by hand:
 * {@code bench/active_learning.sh}). A ResNet-34 is trained from random initialisation on a seed
 * set of labelled train images; the rest of train is the unlabelled stream. Each round the policy
 * sends {@code step} images for labelling (ground truth from the folder names), the model is
 * fine-tuned from where it stood on everything labelled so far, and its accuracy on valid is
 * measured. Every strategy starts from the same seed model and uses the same training recipe:
 * {@code uncertainty} spends the whole budget on the smallest margins, {@code random} none of it,
 * {@code mixed} spends an {@code EXPLORATION} share (default 0.3) on random images, as the
 * selector's exploration share does.
 */
public final class ActiveLearningBenchmark {

    record Settings(int size, int seedLabels, int step, int rounds, int seedEpochs, int roundEpochs, float lr) {}

    record Point(int labels, double accuracy, double logLoss, double seconds) {}

    private final Dataset data;
    private final Settings s;
    private final Path out;
    private final PrintStream log;

    ActiveLearningBenchmark(Dataset data, Settings s, Path out, PrintStream log) {
        this.data = data;
        this.s = s;
        this.out = out;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "../shared/data/dogs-vs-cats");
        Path out = Path.of(args.length > 1 ? args[1] : "bench/out/active-learning");
        Settings s = new Settings(intEnv("SIZE", 64), intEnv("SEED_LABELS", 200), intEnv("STEP", 100),
                intEnv("ROUNDS", 8), intEnv("SEED_EPOCHS", 15), intEnv("ROUND_EPOCHS", 3),
                Float.parseFloat(System.getenv().getOrDefault("LR", "6e-4")));
        Files.createDirectories(out);
        Dataset data = Dataset.load(dataDir, 0.2, 1);
        List<Strategy> strategies = java.util.Arrays.stream(System.getenv().getOrDefault("STRATEGIES", "uncertainty,random")
                .split(",")).map(String::trim).map(Strategy::named).toList();
        new ActiveLearningBenchmark(data, s, out, System.out).run(strategies);
    }

    private static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    /**
     * A policy: the share of each round's budget spent on the most uncertain images (the rest is
     * random); {@code calibrated}: margins at a temperature fitted on the images labelled last round
     * (which the model that chose them had not trained on); {@code diverse}: an uncertain image
     * within {@code NEAR_BITS} (default 6) of the perceptual hash of one already labelled or chosen is skipped.
     */
    record Strategy(String name, double uncertainShare, boolean calibrated, boolean diverse) {
        static Strategy named(String name) {
            return switch (name) {
                case "uncertainty" -> new Strategy(name, 1.0, false, false);
                case "random" -> new Strategy(name, 0.0, false, false);
                case "mixed" -> new Strategy(name, 1 - Double.parseDouble(System.getenv().getOrDefault("EXPLORATION", "0.3")), false, false);
                case "calibrated" -> new Strategy(name, 1.0, true, false);
                case "diverse" -> new Strategy(name, 1.0, true, true);
                default -> throw new IllegalArgumentException("strategies are uncertainty, random, mixed, calibrated and diverse, got " + name);
            };
        }
    }

    void run(List<Strategy> strategies) throws Exception {
        long t0 = System.nanoTime();
        List<Entry> train = new ArrayList<>(data.train());
        Collections.shuffle(train, new Random(1));
        List<Entry> seed = stratified(train, s.seedLabels());
        List<Entry> pool = new ArrayList<>(train);
        pool.removeAll(seed);
        log.printf("%d train images: %d seed labels, %d in the unlabelled stream; %d valid; %d px%n",
                train.size(), seed.size(), pool.size(), data.valid().size(), s.size());

        Path seedModel = out.resolve("work").resolve("seed").resolve("models").resolve("seed.lince");
        Point start;
        if (Files.isRegularFile(seedModel)) {
            try (Learner l = learner(seed, Optional.of(seedModel), "seed")) {
                start = point(l, seed.size(), t0);
            }
            log.println("seed model reused: " + seedModel);
        } else {
            try (Learner l = learner(seed, Optional.empty(), "seed")) {
                l.unfreeze();
                l.fitOneCycle(rates(), s.seedEpochs(), null, false);
                start = point(l, seed.size(), t0);
                seedModel = l.save("seed");
            }
        }
        log.printf("seed model: %.4f accuracy on valid with %d labels%n", start.accuracy(), start.labels());
        for (Strategy st : strategies) {
            List<Point> points = strategy(st, seed, pool, seedModel, start);
            JSON.writeValue(out.resolve("points-" + st.name() + ".json").toFile(), points);
        }
        report((System.nanoTime() - t0) / 1e9);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private List<Point> strategy(Strategy st, List<Entry> seed, List<Entry> pool0, Path seedModel, Point start) throws Exception {
        long t0 = System.nanoTime();
        List<Entry> labelled = new ArrayList<>(seed);
        List<Entry> pool = new ArrayList<>(pool0);
        Random rnd = new Random(2);
        List<Point> points = new ArrayList<>(List.of(start));
        Path model = seedModel;
        List<Entry> lastPicked = List.of();
        int nearBits = Integer.parseInt(System.getenv().getOrDefault("NEAR_BITS", "6"));
        for (int r = 1; r <= s.rounds() && !pool.isEmpty(); r++) {
            int uncertain = (int) Math.round(st.uncertainShare() * s.step());
            List<Entry> picked = new ArrayList<>();
            if (uncertain > 0) {
                try (Learner l = learner(labelled, Optional.of(model), st.name())) {
                    double t = 1;
                    if (st.calibrated() && !lastPicked.isEmpty()) {
                        Predictions held = l.predict(lastPicked, 0, 1.0); // not trained on by the model that chose them
                        t = io.lince.learn.Calibration.fitTemperature(held.probabilities(), held.labels());
                        log.printf("%s round %d: temperature %.3f fitted on the %d images labelled last round%n", st.name(), r, t,
                                held.size());
                    }
                    picked.addAll(mostUncertain(l, pool, uncertain, t, st.diverse() ? nearBits : -1, labelled));
                }
            }
            List<Entry> rest = new ArrayList<>(pool);
            rest.removeAll(picked);
            picked.addAll(randomPick(rest, s.step() - picked.size(), rnd));
            labelled.addAll(picked);
            pool.removeAll(picked);
            lastPicked = picked;
            try (Learner l = learner(labelled, Optional.of(model), st.name())) {
                l.unfreeze();
                l.fitOneCycle(rates(), s.roundEpochs(), null, false);
                Point p = point(l, labelled.size(), t0);
                points.add(p);
                model = l.save(st.name() + "-" + r);
                log.printf("%s round %d: %d labels, accuracy %.4f, log loss %.4f (%.0f s)%n", st.name(), r, p.labels(),
                        p.accuracy(), p.logLoss(), p.seconds());
            }
        }
        return points;
    }

    /**
     * The policy's choice: the images whose top-1 minus top-2 probability (at temperature {@code t})
     * is smallest; with {@code nearBits >= 0}, skipping images within that many bits of the
     * perceptual hash of one labelled or chosen before.
     */
    private List<Entry> mostUncertain(Learner l, List<Entry> pool, int k, double t, int nearBits, List<Entry> labelled) {
        Predictions p = l.predict(pool, 0, 1.0);
        List<Integer> order = IntStream.range(0, pool.size()).boxed()
                .sorted(Comparator.comparingDouble(i -> Uncertainty.of(io.lince.learn.Calibration.rescale(p.probabilities()[i], t)).margin()))
                .toList();
        if (nearBits < 0) {
            return order.stream().limit(k).map(pool::get).toList();
        }
        List<Long> taken = new ArrayList<>();
        labelled.forEach(e -> taken.add(hash(e)));
        List<Entry> out = new ArrayList<>();
        int skipped = 0;
        for (int i : order) {
            if (out.size() == k) {
                break;
            }
            long h = hash(pool.get(i));
            if (taken.stream().anyMatch(x -> io.lince.images.PerceptualHash.distance(x, h) <= nearBits)) {
                skipped++;
                continue;
            }
            taken.add(h);
            out.add(pool.get(i));
        }
        log.printf("diverse: %d near-duplicates skipped on the way to %d images%n", skipped, out.size());
        return out;
    }

    private final java.util.Map<Path, Long> hashes = new java.util.HashMap<>();

    private long hash(Entry e) {
        return hashes.computeIfAbsent(e.file(), f -> {
            try {
                return io.lince.images.PerceptualHash.of(new io.lince.images.InputCrop(io.lince.images.ImageDecoder.defaults(), true)
                        .crop(Files.readAllBytes(f), s.size()), s.size());
            } catch (Exception ex) {
                return 0L;
            }
        });
    }

    private static List<Entry> randomPick(List<Entry> pool, int k, Random rnd) {
        List<Entry> copy = new ArrayList<>(pool);
        Collections.shuffle(copy, rnd);
        return copy.subList(0, Math.min(k, copy.size()));
    }

    private List<Entry> stratified(List<Entry> shuffled, int n) {
        List<Entry> out = new ArrayList<>();
        for (String c : data.classes()) {
            shuffled.stream().filter(e -> e.label().equals(c)).limit(n / data.classes().size()).forEach(out::add);
        }
        return out;
    }

    private float[] rates() {
        return new float[] {s.lr(), s.lr(), s.lr()}; // from scratch every group learns at the same rate
    }

    /** A learner on {@code train} (no validation during fits: valid is measured once per round). */
    private Learner learner(List<Entry> train, Optional<Path> weights, String name) throws Exception {
        Dataset d = new Dataset(data.root(), data.layout(), data.classes(), train, List.of(), List.of());
        Learner.Settings ls = new Learner.Settings(s.size(), 32, Augmentation.preset(Augmentation.SIDE_ON, 1.3),
                new OptimizerSettings(OptimizerSettings.Kind.ADAMW, 0.9f, 0.05f), 1, out.resolve("work").resolve(name));
        return Learner.create(d, ls, weights, Device.cpu(), new PrintStream(PrintStream.nullOutputStream()));
    }

    private Point point(Learner l, int labels, long t0) {
        Predictions p = l.predict(data.valid(), 0, 1.0);
        return new Point(labels, p.accuracy(), p.logLoss(), (System.nanoTime() - t0) / 1e9);
    }

    /** Table and chart of every strategy measured into this folder (points-NAME.json), against random's final accuracy. */
    private void report(double seconds) throws Exception {
        java.util.Map<String, List<Point>> runs = new java.util.TreeMap<>();
        try (var files = Files.list(out)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("points-.*\\.json")).sorted().toList()) {
                String name = f.getFileName().toString().replaceAll("^points-|\\.json$", "");
                runs.put(name, List.of(JSON.readValue(f.toFile(), Point[].class)));
            }
        }
        List<Point> random = runs.get("random");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "# Active learning: uncertainty vs random sampling%n%n%d px, ResNet-34 from random initialisation, "
                        + "seed %d labels (%d epochs), +%d labels a round, %d epochs of fine-tuning a round "
                        + "(one-cycle, AdamW %.1e, wd 0.05, side-on), CPU; this run %.0f s.%n%n| labels |",
                s.size(), s.seedLabels(), s.seedEpochs(), s.step(), s.roundEpochs(), s.lr(), seconds));
        runs.keySet().forEach(n -> md.append(" ").append(n).append(" acc | ").append(n).append(" log loss |"));
        md.append("\n|---|").append("---|---|".repeat(runs.size())).append("\n");
        int rows = runs.values().stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < rows; i++) {
            int row = i;
            md.append("| ").append(runs.values().stream().filter(l -> row < l.size()).findFirst().orElseThrow().get(row).labels()).append(" |");
            runs.values().forEach(l -> md.append(row < l.size() ? String.format(Locale.ROOT, " %.4f | %.4f |",
                    l.get(row).accuracy(), l.get(row).logLoss()) : " | |"));
            md.append("\n");
        }
        double target = random == null ? Double.NaN : random.get(random.size() - 1).accuracy();
        if (random != null) {
            int randomLabels = random.get(random.size() - 1).labels();
            md.append(String.format(Locale.ROOT, "%nRandom sampling's final accuracy: %.4f with %d labels.%n", target, randomLabels));
            runs.forEach((name, points) -> {
                if (!name.equals("random")) {
                    md.append(points.stream().skip(1).filter(p -> p.accuracy() >= target).findFirst()
                            .map(p -> String.format(Locale.ROOT, "- %s reached it with %d labels: %.0f%% of random's.%n", name,
                                    p.labels(), 100.0 * p.labels() / randomLabels))
                            .orElse("- " + name + " did not reach it within the budget.\n"));
                }
            });
        }
        Files.writeString(out.resolve("active-learning.md"), md);
        chart(runs, target);
        log.print(md);
    }

    private void chart(java.util.Map<String, List<Point>> runs, double target) throws Exception {
        XYSeriesCollection c = new XYSeriesCollection();
        runs.forEach((name, points) -> c.addSeries(series(name + " sampling", points)));
        JFreeChart chart = ChartFactory.createXYLineChart("Valid accuracy against labels used", "labelled images",
                "accuracy on valid", c, PlotOrientation.VERTICAL, true, false, false);
        ((org.jfree.chart.axis.NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        if (!Double.isNaN(target)) {
            ValueMarker m = new ValueMarker(target, new Color(0x999999), new java.awt.BasicStroke(1f));
            m.setLabel("random's final accuracy");
            m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
            chart.getXYPlot().addRangeMarker(m);
        }
        chart.getXYPlot().setRenderer(new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true));
        ChartUtils.saveChartAsPNG(new File(out.resolve("active-learning.png").toString()), chart, 800, 500);
    }

    private static XYSeries series(String name, List<Point> points) {
        XYSeries s = new XYSeries(name);
        points.forEach(p -> s.add(p.labels(), p.accuracy()));
        return s;
    }
}
