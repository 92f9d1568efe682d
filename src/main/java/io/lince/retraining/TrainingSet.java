package io.lince.retraining;

import io.lince.contracts.LabelledExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The labelled examples, as read from the compacted examples topic (last label wins). */
final class TrainingSet {

    private final Map<String, LabelledExample> examples = new LinkedHashMap<>();

    void put(String id, LabelledExample example) {
        if (example == null) {
            examples.remove(id);
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

}
