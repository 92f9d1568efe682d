package io.lince.demo;

import io.lince.contracts.ModelPublished;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Running figures of a demo: what went in, what came out, how right it was, per model version. */
final class DemoStats {

    private final long started = System.nanoTime();
    private int sent;
    private final Set<String> classified = new HashSet<>();
    /** Images sent for labelling (the demo labels each), with their routes, in the order sent. */
    private final Map<String, String> routes = new java.util.LinkedHashMap<>();
    /** Each version's latest record on the models topic. */
    private final SortedMap<Integer, ModelPublished> models = new TreeMap<>();
    private final Set<String> dead = new HashSet<>();
    private int correct;
    private final SortedMap<Integer, int[]> byVersion = new TreeMap<>(); // version -> {n, correct}
    private long firstResultNanos = -1;
    private long lastResultNanos = -1;
    private int lastCount;
    private long lastTick = System.nanoTime();
    private double rate;

    synchronized void sent() {
        sent++;
    }

    synchronized int sentCount() {
        return sent;
    }

    synchronized void classified(String id, int version, boolean right) {
        if (!classified.add(id)) {
            return;
        }
        long now = System.nanoTime();
        if (firstResultNanos < 0) {
            firstResultNanos = now;
        }
        lastResultNanos = now;
        if (right) {
            correct++;
        }
        int[] v = byVersion.computeIfAbsent(version, k -> new int[2]);
        v[0]++;
        v[1] += right ? 1 : 0;
    }

    /** An image sent for labelling (the demo labels it), and its route (uncertain, exploration). */
    synchronized void uncertain(String id, String route) {
        routes.putIfAbsent(id, route);
    }

    /** How many images the demo's labeller has labelled. */
    synchronized int labelled() {
        return routes.size();
    }

    /** Labelled image ids with their routes, in the order they were sent. */
    synchronized Map<String, String> routes() {
        return new java.util.LinkedHashMap<>(routes);
    }

    synchronized void deadLettered(String id) {
        dead.add(id);
    }

    synchronized void published(ModelPublished m) {
        models.put(m.getVersion(), m);
    }

    /** True when version {@code v} (0: none) has been seen on the models topic. */
    synchronized boolean publishedSeen(int v) {
        return v <= 0 || models.containsKey(v);
    }

    synchronized int done() {
        return classified.size() + dead.size();
    }

    /** Classifications per second over the last tick. */
    synchronized void tick() {
        long now = System.nanoTime();
        double dt = (now - lastTick) / 1e9;
        if (dt > 0.5) {
            rate = (classified.size() - lastCount) / dt;
            lastCount = classified.size();
            lastTick = now;
        }
    }

    synchronized String line() {
        int v = byVersion.isEmpty() ? 0 : byVersion.lastKey();
        return String.format(Locale.ROOT,
                "%6.1f images/s | classified %d/%d | accuracy %5.1f%% | uncertain %5.1f%% | dead-lettered %d | model v%d",
                rate, classified.size(), sent, 100.0 * accuracy(), 100.0 * uncertainShare(), dead.size(), v);
    }

    synchronized double accuracy() {
        return classified.isEmpty() ? 0 : (double) correct / classified.size();
    }

    synchronized double uncertainShare() {
        return classified.isEmpty() ? 0 : (double) routes.size() / classified.size();
    }

    /** Classifications per second from the first result to the last. */
    synchronized double classifyRate() {
        if (classified.size() < 2) {
            return 0;
        }
        return (classified.size() - 1) / ((lastResultNanos - firstResultNanos) / 1e9);
    }

    /** The serving version at the end: its temperature, calibration error and drift state. */
    private Map<String, Object> serving;

    synchronized void serving(io.lince.app.LinceNode node) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        node.slot().ifPresent(sl -> {
            v.put("version", sl.info().version());
            v.put("temperature", round(sl.info().temperature()));
            ModelPublished pm = models.get(sl.info().version());
            if (pm != null && pm.getMetrics().containsKey("ece")) {
                v.put("ece", round(pm.getMetrics().get("ece")));
            }
        });
        node.drift().ifPresent(d -> {
            var st = d.status();
            v.put("drift", st.state().name().toLowerCase(java.util.Locale.ROOT));
            if (!Double.isNaN(st.embeddingShift())) {
                v.put("embeddingShift", round(st.embeddingShift()));
                v.put("confidencePsi", round(st.confidencePsi()));
            }
        });
        serving = v;
    }

    synchronized Map<String, Object> summary(boolean synthetic) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("images", sent);
        m.put("classified", classified.size());
        m.put("uncertain", routes.size());
        m.put("deadLettered", dead.size());
        m.put("modelVersions", byVersion.keySet().stream().toList());
        m.put("accuracy", round(accuracy()));
        Map<String, Object> perVersion = new TreeMap<>();
        byVersion.forEach((ver, n) -> perVersion.put("v" + ver,
                Map.of("classified", n[0], "accuracy", round(n[0] == 0 ? 0 : (double) n[1] / n[0]))));
        m.put("accuracyByVersion", perVersion);
        m.put("modelsPublished", List.copyOf(models.keySet()));
        m.put("labelledByRoute", routes.values().stream().collect(java.util.stream.Collectors.groupingBy(
                r -> r, TreeMap::new, java.util.stream.Collectors.counting())));
        List<Map<String, Object>> versions = new java.util.ArrayList<>();
        models.values().forEach(pm -> versions.add(version(pm)));
        m.put("versions", versions);
        m.put("classifyRate", round(classifyRate()));
        m.put("elapsedSeconds", round((System.nanoTime() - started) / 1e9));
        m.put("syntheticImages", synthetic);
        if (serving != null) {
            m.put("serving", serving);
        }
        return m;
    }

    /** One published version as the summary lists it: status, data, both slices' scores, decision. */
    private static Map<String, Object> version(ModelPublished pm) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        Map<String, Double> mx = pm.getMetrics();
        v.put("version", pm.getVersion());
        v.put("status", pm.getStatus());
        v.put("trainedOn", pm.getTrainedOn());
        v.put("temperature", round(pm.getTemperature()));
        for (String k : List.of("labelsSeen", "replayed", "stream.accuracy", "championStream.accuracy",
                "stream.images", "eval.accuracy", "championEval.accuracy", "eval.images", "ece", "championEce", "brier",
                "shadow.agreement", "shadow.images", "trainSeconds")) {
            if (mx.containsKey(k)) {
                v.put(k, round(mx.get(k)));
            }
        }
        if (!pm.getDecision().isEmpty()) {
            v.put("decision", pm.getDecision());
        }
        return v;
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
