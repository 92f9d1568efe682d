package io.lince.ops;

import io.lince.app.LinceNode;
import io.lince.model.ModelSlot;
import io.lince.registry.ModelFollower;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** The node this process runs, for health checks and gauges; empty until a command starts one. */
@ApplicationScoped
public class RunningNode {

    @Inject
    MeterRegistry registry;

    /** Tells whoever follows the node (the dashboard's feed) that one runs now. */
    @Inject
    jakarta.enterprise.event.Event<LinceNode> started;

    private volatile LinceNode node;

    public void set(LinceNode node) {
        this.node = node;
        node.slot().ifPresent(this::gaugeModelVersion);
        node.follower().ifPresent(f -> Gauge.builder("lince.champion.version", f, ModelFollower::championVersion)
                .description("the registry's champion: what the classifier should be serving").register(registry));
        node.drift().ifPresent(d -> {
            Gauge.builder("lince.drift.confidence.psi", d, w -> w.status().confidencePsi())
                    .description("population stability index of the last window's confidence against the served version's reference")
                    .register(registry);
            Gauge.builder("lince.drift.embedding.shift", d, w -> w.status().embeddingShift())
                    .description("shift of the last window's mean embedding from the reference's, in reference sd (RMS over dimensions)")
                    .register(registry);
            Gauge.builder("lince.drift.state", d, w -> switch (w.status().state()) {
                        case DRIFT -> 1;
                        case QUIET -> 0;
                        default -> -1;
                    }).description("1: the stream has drifted from the served version's reference; 0: it has not; -1: not judged (no reference, or the window is filling)")
                    .register(registry);
        });
        node.shadow().ifPresent(sh -> {
            Gauge.builder("lince.shadow.version", sh, r -> r.version().orElse(0)).description("the version mirrored (0: none)")
                    .register(registry);
            Gauge.builder("lince.shadow.batches.mirrored", sh, r -> r.counts()[0]).register(registry);
            Gauge.builder("lince.shadow.batches.skipped", sh, r -> r.counts()[1])
                    .description("batches not mirrored because the shadow was still busy").register(registry);
        });
        if (node.options().role().classifies()) {
            for (int p = 0; p < node.options().topics().partitions(); p++) {
                int partition = p;
                // the gauges read whichever node runs now, so a later node is not hidden by an earlier one
                Gauge.builder("lince.partition.lag", this, r -> r.progress(partition).map(x -> (double) x.lag()).orElse(Double.NaN))
                        .tag("partition", String.valueOf(p)).description("records of this input partition not taken yet")
                        .register(registry);
                Gauge.builder("lince.partition.idle.seconds", this,
                                r -> r.progress(partition).map(x -> x.idleMillis() / 1000.0).orElse(Double.NaN))
                        .tag("partition", String.valueOf(p))
                        .description("seconds since this input partition's task last took or published a record")
                        .register(registry);
            }
        }
        started.fire(node);
    }

    private Optional<LinceNode.PartitionProgress> progress(int partition) {
        long now = System.currentTimeMillis();
        return get().flatMap(n -> n.partitionProgress(now).stream().filter(x -> x.partition() == partition).findFirst());
    }

    public void clear() {
        node = null;
    }

    public Optional<LinceNode> get() {
        return Optional.ofNullable(node);
    }

    /** The node, for a request that needs one; 503 when this process runs none. */
    public LinceNode require() {
        return get().orElseThrow(() -> new jakarta.ws.rs.ServiceUnavailableException("no Lince node runs in this process"));
    }

    public MicrometerClassifierMetrics classifierMetrics() {
        return new MicrometerClassifierMetrics(registry);
    }

    private void gaugeModelVersion(ModelSlot slot) {
        Gauge.builder("lince.model.version", slot, s -> s.info().version())
                .description("model version the classifier is serving").register(registry);
        // the same under the name that pairs with lince.champion.version
        Gauge.builder("lince.serving.version", slot, s -> s.info().version())
                .description("model version the classifier is serving (compare lince_champion_version)").register(registry);
        // 1 while the served version runs its INT8 graph: with precision auto or int8, 0 says the
        // gate refused it (or the CPU lacks VNNI), and the log line of the swap says which
        Gauge.builder("lince.serving.int8", slot, s -> s.runtime().endsWith("int8") ? 1 : 0)
                .description("1 while the served model runs its INT8 graph through ONNX Runtime").register(registry);
    }
}
