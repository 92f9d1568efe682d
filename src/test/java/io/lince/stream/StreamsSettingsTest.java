package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.kafka.KafkaClients;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The user's lince.kafka.properties win over Lince's own settings, except exactly-once. */
class StreamsSettingsTest {

    @Test
    void userSettingsWinPrefixedOrNot() {
        KafkaClients clients = new KafkaClients("b:9092", Map.of("commit.interval.ms", "1000",
                "transaction.timeout.ms", "30000", "consumer.session.timeout.ms", "45000",
                "buffered.records.per.partition", "500", "security.protocol", "SASL_SSL"));
        Properties p = StreamsSettings.of(clients, "app", Path.of("state"), 2);
        assertEquals("1000", p.get("commit.interval.ms"));
        assertEquals("30000", p.get("transaction.timeout.ms"));
        assertFalse(p.containsKey("producer.transaction.timeout.ms"), "Lince's prefixed default would win inside Streams");
        assertEquals("45000", p.get("consumer.session.timeout.ms"));
        assertFalse(p.containsKey("consumer.heartbeat.interval.ms"));
        assertEquals("500", p.get("buffered.records.per.partition"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("exactly_once_v2", p.get("processing.guarantee"));
        assertEquals("app", p.get("application.id"));
        // and without user settings, Lince's
        Properties d = StreamsSettings.of(KafkaClients.of("b:9092"), "app", Path.of("state"), 1);
        assertEquals(StreamsSettings.TRANSACTION_TIMEOUT_MS, d.get("producer.transaction.timeout.ms"));
        assertEquals(32, d.get("buffered.records.per.partition"));
    }

    @Test
    void aWeakerGuaranteeIsRefusedWithTheKeyNamed() {
        String why = assertThrows(IllegalArgumentException.class, () -> StreamsSettings.of(new KafkaClients("b:9092",
                Map.of("processing.guarantee", "at_least_once")), "app", Path.of("state"), 1)).getMessage();
        assertTrue(why.contains("processing.guarantee") && why.contains("exactly_once_v2"), why);
    }

    @Test
    void clientSettingsWinTooButReadersStayReadCommitted() {
        KafkaClients clients = new KafkaClients("b:9092", Map.of("linger.ms", "50", "acks", "1",
                "isolation.level", "read_uncommitted", "max.partition.fetch.bytes", "1048576"));
        assertEquals("50", clients.producer().get("linger.ms"));
        assertEquals("1", clients.producer().get("acks"));
        assertEquals("1048576", clients.reader().get("max.partition.fetch.bytes"));
        assertEquals("read_committed", clients.reader().get("isolation.level"));
    }
}
