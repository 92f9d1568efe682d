package io.lince.retraining;

import io.lince.contracts.RetrainingSample;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One record of {@code lince.retraining} as the trainer's table holds it: the sample, or why it
 * is not one, with the record's exact bytes either way. The table uses the topic itself as its
 * changelog (Streams' source-topic reuse), so what it stores must be the record's bytes as they
 * are: this serde writes back exactly what it read, and a record that is not a sample is kept as
 * such (and dead-lettered once) instead of failing the task at every restore.
 */
record SampleEntry(RetrainingSample sample, byte[] raw, String problem) {

    /** Why the record under {@code key} cannot be joined, or null when it can. */
    String problem(String key) {
        if (problem != null) {
            return problem;
        }
        String id = sample.getImage().getId();
        return id.equals(key) ? null : "record key '" + key + "' is not the sample's image id '" + id + "'";
    }

    /**
     * What is wrong with the record as training data under {@code key}, given the model's
     * {@code classes}: {@link #problem}, or a publisher's label for a class the model does not
     * have (that label is then left out of the example; a label event can still label the image).
     */
    String problem(String key, java.util.List<String> classes) {
        String p = problem(key);
        if (p != null) {
            return p;
        }
        String known = sample.getImage().getKnownLabel();
        return known == null || classes.contains(known) ? null
                : "the publisher's knownLabel '" + known + "' is not one of the model's classes " + classes;
    }

    static Serde<SampleEntry> serde(Deserializer<RetrainingSample> samples) {
        return Serdes.serdeFrom((topic, entry) -> entry == null ? null : entry.raw(), (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                RetrainingSample s = samples.deserialize(topic, bytes);
                return s == null ? null : new SampleEntry(s, bytes, null);
            } catch (SerializationException e) {
                return new SampleEntry(null, bytes, String.valueOf(e.getMessage()));
            }
        });
    }
}
