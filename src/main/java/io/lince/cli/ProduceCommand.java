package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.contracts.ImageEvent;
import io.lince.images.ImageFolder;
import io.lince.images.ImageFormat;
import io.lince.kafka.KafkaClients;
import io.lince.wire.WireFormat;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Publishes a class-per-subfolder image folder to the images topic, as inline bytes.",
        footer = {"", "Example:", "  lince produce ../shared/data/dogs-vs-cats/valid --bootstrap-servers localhost:9092 --with-labels"})
class ProduceCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Parameters(paramLabel = "DIR", description = "class-per-subfolder images")
    Path dir;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--limit", defaultValue = "2147483647", description = "send at most this many images")
    int limit;

    @Option(names = "--with-labels", description = "set each event's knownLabel from its folder")
    boolean withLabels;

    @Override
    public Integer call() throws Exception {
        KafkaClients clients = cluster.clients(config, "produce");
        ImageFolder folder = ImageFolder.scan(dir);
        var serializer = WireFormat.defaults().serde(ImageEvent.class).serializer();
        int sent = 0;
        io.lince.learn.Progress bar = io.lince.learn.Progress.start(System.err, "produce",
                (int) Math.min(limit, folder.entries().size()));
        try (KafkaProducer<String, ImageEvent> p = new KafkaProducer<>(
                clients.producer(), new StringSerializer(), serializer)) {
            for (ImageFolder.Entry e : folder.entries()) {
                if (sent >= limit) {
                    break;
                }
                byte[] bytes = Files.readAllBytes(e.file());
                String id = folder.root().relativize(e.file()).toString();
                p.send(new ProducerRecord<>(config.topics().images(), id, ImageEvent.newBuilder()
                        .setId(id).setEventTime(Instant.now()).setSource("lince-produce")
                        .setContentType(ImageFormat.sniff(bytes).mimeType())
                        .setBytes(ByteBuffer.wrap(bytes))
                        .setKnownLabel(withLabels ? e.label() : null)
                        .build()));
                sent++;
                bar.step(1, e.file().getFileName().toString());
            }
            p.flush();
        }
        bar.finish();
        System.err.printf("\rsent %d images from %s to %s%n", sent, dir, config.topics().images());
        return 0;
    }
}
