package io.lince.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lince.contracts.Classification;
import io.lince.contracts.Prediction;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Classifications as plain JSON ({@code lince.output.format=json}), for kcat, ksqlDB, Flink SQL and
 * dashboards that do not speak Avro: the fields of {@code Classification.avsc} by the same names,
 * times as epoch milliseconds (as Avro's {@code timestamp-millis} longs), probabilities as an
 * object of class to number. {@code schemas/Classification.schema.json} is its JSON Schema.
 *
 * <p>Written by hand rather than with Avro's JSON encoder: that one wraps every union branch in an
 * object named by its type, which is Avro's business and nobody else's.
 */
public final class ClassificationJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClassificationJson() {}

    /** {@code avro} (the wire format's own) or {@code json}. */
    public static boolean isJson(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "avro" -> false;
            case "json" -> true;
            default -> throw new IllegalArgumentException("lince.output.format must be avro or json, got '" + format + "'");
        };
    }

    public static byte[] write(Classification c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("imageId", c.getImageId());
        o.put("eventTime", c.getEventTime().toEpochMilli());
        Prediction p = c.getPrediction();
        ObjectNode pj = o.putObject("prediction");
        pj.put("label", p.getLabel());
        ObjectNode probabilities = pj.putObject("probabilities");
        p.getProbabilities().forEach((k, v) -> probabilities.put(k.toString(), v));
        pj.put("confidence", p.getConfidence());
        pj.put("margin", p.getMargin());
        pj.put("entropy", p.getEntropy());
        pj.put("modelVersion", p.getModelVersion());
        pj.put("ttaVariance", p.getTtaVariance());
        o.put("decodeMillis", c.getDecodeMillis());
        o.put("inferenceMillis", c.getInferenceMillis());
        o.put("batchSize", c.getBatchSize());
        o.put("queueMillis", c.getQueueMillis());
        o.put("classifiedAt", c.getClassifiedAt().toEpochMilli());
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new SerializationException("classification " + c.getImageId() + " as JSON: " + e.getMessage(), e);
        }
    }

    public static Classification read(byte[] bytes) {
        try {
            JsonNode o = JSON.readTree(bytes);
            JsonNode p = required(o, "prediction");
            Map<String, Float> probabilities = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = required(p, "probabilities").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                probabilities.put(e.getKey(), (float) e.getValue().asDouble());
            }
            Prediction prediction = Prediction.newBuilder()
                    .setLabel(required(p, "label").asText())
                    .setProbabilities(probabilities)
                    .setConfidence((float) required(p, "confidence").asDouble())
                    .setMargin((float) required(p, "margin").asDouble())
                    .setEntropy((float) required(p, "entropy").asDouble())
                    .setModelVersion(required(p, "modelVersion").asInt())
                    .setTtaVariance((float) p.path("ttaVariance").asDouble(0))
                    .build();
            return Classification.newBuilder()
                    .setImageId(required(o, "imageId").asText())
                    .setEventTime(Instant.ofEpochMilli(required(o, "eventTime").asLong()))
                    .setPrediction(prediction)
                    .setDecodeMillis((float) required(o, "decodeMillis").asDouble())
                    .setInferenceMillis((float) required(o, "inferenceMillis").asDouble())
                    .setBatchSize(o.path("batchSize").asInt(1))
                    .setQueueMillis((float) o.path("queueMillis").asDouble(0))
                    .setClassifiedAt(Instant.ofEpochMilli(required(o, "classifiedAt").asLong()))
                    .build();
        } catch (IOException e) {
            throw new SerializationException("not a JSON classification: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new SerializationException("JSON classification without '" + field + "'");
        }
        return n;
    }

    /** Writes JSON. */
    public static Serializer<Classification> serializer() {
        return (topic, c) -> c == null ? null : write(c);
    }

    /**
     * Reads either: a value starting with {@code '{'} as JSON, anything else with {@code avro}
     * (an Avro single-object or registry frame never starts with that byte), so a reader keeps
     * working while a cluster moves from one output format to the other.
     */
    public static Deserializer<Classification> either(Deserializer<Classification> avro) {
        return (topic, bytes) -> bytes == null ? null : bytes.length > 0 && bytes[0] == '{' ? read(bytes) : avro.deserialize(topic, bytes);
    }
}
