package io.lince.ops;

import io.lince.contracts.Classification;
import io.lince.stream.ClassifierMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The classifier's meters, exported on {@code /q/metrics}. Rates (images in/out per second,
 * uncertain share) are PromQL over the counters, e.g.
 * {@code rate(lince_images_uncertain_total[1m]) / rate(lince_images_classified_total[1m])}.
 */
public final class MicrometerClassifierMetrics implements ClassifierMetrics {

    private final MeterRegistry registry;
    private final Counter received;
    private final Counter classified;
    private final Counter uncertain;
    private final DistributionSummary batchSize;
    private final Timer inference;
    private final Timer queueDelay;
    private final Timer endToEnd;

    public MicrometerClassifierMetrics(MeterRegistry registry) {
        this.registry = registry;
        received = Counter.builder("lince.images.received").description("image records taken from the input topic").register(registry);
        classified = Counter.builder("lince.images.classified").description("classifications published").register(registry);
        uncertain = Counter.builder("lince.images.uncertain").description("classifications also sent for labelling").register(registry);
        batchSize = DistributionSummary.builder("lince.batch.size").description("images per forward pass")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        inference = timer("lince.inference", "forward pass of one batch");
        queueDelay = timer("lince.queue.delay", "time an image waited in the batch buffer");
        endToEnd = timer("lince.latency.end.to.end", "image event time to classification");
    }

    private Timer timer(String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    @Override
    public void received() {
        received.increment();
    }

    @Override
    public void batch(int size, float inferenceMillis) {
        batchSize.record(size);
        inference.record((long) (inferenceMillis * 1e6), TimeUnit.NANOSECONDS);
    }

    @Override
    public void classified(Classification c, boolean unsure, float queueMillis) {
        classified.increment();
        if (unsure) {
            uncertain.increment();
        }
        queueDelay.record((long) (queueMillis * 1e6), TimeUnit.NANOSECONDS);
        long e2e = c.getClassifiedAt().toEpochMilli() - c.getEventTime().toEpochMilli();
        if (e2e >= 0) {
            endToEnd.record(e2e, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void deadLettered(String stage) {
        Counter.builder("lince.dead.letters").description("records sent to the dead-letter topic, by stage")
                .tag("stage", stage).register(registry).increment();
    }

    @Override
    public void notSent(io.lince.stream.Selector.Skip why) {
        Counter.builder("lince.images.not.sent").description("images the selector would have sent for labelling but did not, by why")
                .tag("why", why.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }

    @Override
    public void erased() {
        Counter.builder("lince.images.erased").description("image ids erased (tombstones on the image topic)")
                .register(registry).increment();
    }
}
