package io.lince.cli;

import io.lince.config.LinceConfig;
import io.lince.kafka.KafkaClients;
import picocli.CommandLine.Option;

/** {@code --bootstrap-servers}, for the commands that talk to a running Lince's cluster. */
class ClusterOption {

    @Option(names = "--bootstrap-servers", description = "Kafka cluster (default: lince.kafka.bootstrap-servers)")
    String bootstrapServers;

    KafkaClients clients(LinceConfig config, String command) {
        String servers = bootstrapServers != null ? bootstrapServers
                : config.kafka().bootstrapServers().orElseThrow(() -> new IllegalArgumentException(
                        command + " needs a cluster: --bootstrap-servers or lince.kafka.bootstrap-servers"));
        return new KafkaClients(servers, config.kafka().properties());
    }
}
