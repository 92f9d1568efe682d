package io.lince.retraining;

import io.lince.contracts.LabelledExample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labelled examples, as read from the compacted examples topic (last label wins), and the
 * body activations already computed for them. Activations belong to one body: they are kept while
 * new versions only change the head, and dropped when the body changes.
 */
final class TrainingSet {

    private final Map<String, LabelledExample> examples = new LinkedHashMap<>();
    private final Map<String, float[]> features = new HashMap<>();
    private int featuresOfVersion = -1;

    void put(String id, LabelledExample example) {
        if (example == null) {
            examples.remove(id);
            features.remove(id);
        } else {
            examples.put(id, example);
        }
    }

    int size() {
        return examples.size();
    }

    Map<String, String> labels() {
        Map<String, String> out = new java.util.TreeMap<>();
        examples.forEach((id, e) -> out.put(id, e.getLabel()));
        return Map.copyOf(out);
    }

    List<LabelledExample> examples() {
        return new ArrayList<>(examples.values());
    }

    /** Keeps cached activations only if they were computed with {@code version}'s body. */
    void useBodyOf(int version) {
        if (version != featuresOfVersion) {
            features.clear();
            featuresOfVersion = version;
        }
    }

    /** A head-only training keeps the body: the cache stays valid for the new version. */
    void bodyCarriedTo(int version) {
        featuresOfVersion = version;
    }

    float[] cachedFeatures(String id) {
        return features.get(id);
    }

    void cacheFeatures(String id, float[] f) {
        features.put(id, f);
    }
}
