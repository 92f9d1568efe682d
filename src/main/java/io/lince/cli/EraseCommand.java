package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.stream.Erasure;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "erase", mixinStandardHelpOptions = true,
        description = {"Makes Lince forget images: publishes a tombstone per image id on the image topic. Classifiers",
                "forget the id and erase its retraining sample; the trainer erases its labelled example and its",
                "image file; the dashboard drops its thumbnail. What stays, and how to retrain without the",
                "images: README, \"Erasing an image\"."},
        footer = {"", "Example:", "  lince erase photo-123 photo-456 --bootstrap-servers kafka:9092"})
class EraseCommand implements Callable<Integer> {

    @Inject
    LinceConfig config;

    @Mixin
    ClusterOption cluster;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "image ids, as the ImageEvents carried them")
    List<String> ids;

    @Override
    public Integer call() throws Exception {
        var clients = cluster.clients(config, "erase");
        Erasure.request(clients.producer(), config.topicsRecord().images(), ids);
        System.out.println("erasure requested for " + ids.size() + " image id" + (ids.size() == 1 ? "" : "s")
                + " on " + config.topicsRecord().images());
        return 0;
    }
}
