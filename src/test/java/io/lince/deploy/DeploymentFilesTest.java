package io.lince.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lince.kafka.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/**
 * The deployment files agree with the application and carry what their custom resources require
 * (the core kinds are also checked against the Kubernetes schemas by {@code .ci/deploy-check}):
 * Strimzi's Kafka, node pool and topics, KEDA's ScaledObject, and the wiring between them.
 */
class DeploymentFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> documents(String file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(Files.readString(Path.of("k8s", file)))) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isEmpty()) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private static Map<String, JsonNode> byKindAndName(List<JsonNode> docs) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode d : docs) {
            assertTrue(d.hasNonNull("apiVersion") && d.hasNonNull("kind") && d.path("metadata").hasNonNull("name"), d.toString());
            assertFalse(out.containsKey(d.get("kind").asText() + "/" + d.at("/metadata/name").asText()), "duplicate " + d);
            out.put(d.get("kind").asText() + "/" + d.at("/metadata/name").asText(), d);
        }
        return out;
    }

    private static void required(JsonNode d, String... pointers) {
        for (String p : pointers) {
            assertFalse(d.at(p).isMissingNode() || d.at(p).isNull(), d.get("kind").asText() + " " + d.at("/metadata/name") + " lacks " + p);
        }
    }

    @Test
    void strimziResourcesHaveWhatTheirCrdsRequireAndEveryLinceTopicWithTheRightPolicy() throws IOException {
        Map<String, JsonNode> k = byKindAndName(documents("kafka.yaml"));
        JsonNode kafka = k.get("Kafka/lince");
        required(kafka, "/spec/kafka/listeners/0/name", "/spec/kafka/listeners/0/port", "/spec/kafka/listeners/0/type",
                "/spec/kafka/listeners/0/tls");
        assertEquals("enabled", kafka.at("/metadata/annotations/strimzi.io~1kraft").asText(), "KRaft");
        assertEquals("enabled", kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText());
        JsonNode pool = k.values().stream().filter(d -> d.get("kind").asText().equals("KafkaNodePool")).findFirst().orElseThrow();
        required(pool, "/spec/replicas", "/spec/roles", "/spec/storage/type");
        assertEquals("lince", pool.at("/metadata/labels/strimzi.io~1cluster").asText());
        Topics topics = Topics.defaults(12);
        for (String t : topics.all()) {
            JsonNode topic = k.get("KafkaTopic/" + t);
            assertTrue(topic != null, "no KafkaTopic " + t);
            assertEquals("lince", topic.at("/metadata/labels/strimzi.io~1cluster").asText(), t);
            assertEquals(topics.partitionsOf(t), topic.at("/spec/partitions").asInt(), t + " partitions");
            assertEquals(topics.compacted(t), "compact".equals(topic.at("/spec/config/cleanup.policy").asText()),
                    t + " is compacted exactly when Lince relies on it");
        }
    }

    @Test
    void classifiersScaleUpToThePartitionCountAndTheTrainerIsAlone() throws IOException {
        Map<String, JsonNode> l = byKindAndName(documents("lince.yaml"));
        Properties app = new Properties();
        app.load(new StringReader(l.get("ConfigMap/lince-config").at("/data/application.properties").asText()));
        int partitions = Integer.parseInt(app.getProperty("lince.topics.partitions"));
        assertEquals(12, partitions, "the topics in kafka.yaml have 12 partitions");

        JsonNode scaler = l.get("ScaledObject/lince-classifier");
        required(scaler, "/spec/scaleTargetRef/name", "/spec/triggers/0/type", "/spec/triggers/0/metadata/topic");
        assertEquals("lince-classifier", scaler.at("/spec/scaleTargetRef/name").asText());
        assertTrue(scaler.at("/spec/maxReplicaCount").asInt() <= partitions, "more replicas than partitions would idle");
        assertEquals(Topics.IMAGES, scaler.at("/spec/triggers/0/metadata/topic").asText());
        assertEquals("lince-classifier", scaler.at("/spec/triggers/0/metadata/consumerGroup").asText(),
                "the classifier's Streams application id is its consumer group");

        for (String role : List.of("classifier", "trainer")) {
            JsonNode d = l.get("Deployment/lince-" + role);
            JsonNode c = d.at("/spec/template/spec/containers/0");
            assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText(), role);
            assertEquals("management", c.at("/readinessProbe/httpGet/port").asText(), role + ": health is on the management port");
            assertEquals("management", c.at("/livenessProbe/httpGet/port").asText(), role);
            assertTrue(YAML.convertValue(c.get("ports"), List.class).toString().contains("containerPort=9000"), role);
            assertEquals(1, c.at("/resources/limits/nvidia.com~1gpu").asInt(), role + " asks for a GPU");
            assertEquals(List.of("serve", "--role", role), YAML.convertValue(c.get("args"), List.class));
            assertTrue(d.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean(), role);
        }
        assertEquals(1, l.get("Deployment/lince-trainer").at("/spec/replicas").asInt(), "one trainer");
        assertEquals("ReadWriteMany", l.get("PersistentVolumeClaim/lince-models").at("/spec/accessModes/0").asText(),
                "classifiers and trainer share the model store");
        JsonNode pdb = l.get("PodDisruptionBudget/lince-classifier");
        assertEquals("classifier", pdb.at("/spec/selector/matchLabels/role").asText());
    }
}
