package io.lince.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.jboss.logging.Logger;

/**
 * A single-node KRaft broker and controller in this JVM, on 127.0.0.1, for the demo, the tests
 * and single-box installs. Its log lives under a directory, so a restart on the same directory
 * keeps the topics and their data.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final KafkaRaftServer server;
    private final Map<String, String> overrides;

    private EmbeddedKafka(Path dataDir, int brokerPort, int controllerPort, KafkaRaftServer server,
            Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.server = server;
        this.overrides = overrides;
    }

    /** Starts a broker on free ports. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /**
     * Starts a broker on free ports with some broker settings of its own, for tests that need a
     * production-like limit (say {@code message.max.bytes} of 1 MiB).
     */
    public static EmbeddedKafka start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, freePort(), freePort(), Map.copyOf(overrides));
    }

    /** Stops this broker and starts it again on the same ports and data, as after a crash or an upgrade. */
    public EmbeddedKafka restart() {
        close();
        return start(dataDir, brokerPort, controllerPort, overrides);
    }

    private static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort, Map<String, String> overrides) {
        try {
            Files.createDirectories(dataDir);
            Properties p = config(dataDir, brokerPort, controllerPort);
            p.putAll(overrides);
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(dataDir); // a restart keeps its cluster id and data
            }
            long t0 = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
            server.startup();
            LOG.infof("in-process Kafka on 127.0.0.1:%d (data %s) started in %d ms",
                    brokerPort, dataDir, (System.nanoTime() - t0) / 1_000_000);
            return new EmbeddedKafka(dataDir, brokerPort, controllerPort, server, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the in-process Kafka broker in " + dataDir, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-process Kafka broker: " + e.getMessage(), e);
        }
    }

    private static Properties config(Path dataDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        // One node: every internal topic has one replica; few partitions start faster.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return p;
    }

    private static void format(Path dataDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(dataDir.toAbsolutePath().toString()))
                .setMetadataLogDirectory(dataDir.toAbsolutePath().toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
