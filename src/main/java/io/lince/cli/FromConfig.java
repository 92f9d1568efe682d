package io.lince.cli;

import io.lince.app.NodeOptions;
import io.lince.app.Role;
import io.lince.config.LinceConfig;
import io.lince.learn.GroupRates;
import io.lince.model.Serving;
import io.lince.retraining.Recipe;
import io.lince.retraining.TrainerSettings;
import io.lince.images.FetchPolicy;
import io.lince.stream.BatchSettings;
import java.util.List;
import java.util.Set;
import io.lince.stream.RoutingPolicy;
import io.lince.stream.SelectionSettings;
import java.time.Duration;

/** Turns {@code lince.*} configuration into the options the application's parts take. */
final class FromConfig {

    private FromConfig() {}

    static TrainerSettings trainer(LinceConfig c) {
        LinceConfig.Trainer t = c.trainer();
        Recipe recipe = new Recipe(t.epochs(), t.learningRate(), t.fineTuneEpochs(),
                GroupRates.parse(t.fineTuneLearningRate()), t.augmentation(), t.maxZoom(), t.batchSize(),
                t.replayRatio(), t.freezeBatchNorm());
        LinceConfig.Trainer.Shadow sh = t.shadow();
        return new TrainerSettings(t.retrainEvery(), recipe, t.evaluationShare(), t.epsilon(),
                Duration.ofSeconds(t.retrainIntervalSeconds()), t.baseData(), t.minStreamSlice(), t.eceDelta(),
                new io.lince.retraining.ShadowRule(sh.required(), sh.images(), sh.minAgreement(), sh.maxLatencyRatio(), sh.timeout()),
                new io.lince.retraining.Int8Rule(t.int8().enabled(), t.int8().epsilon(), t.int8().logLossDelta(),
                        t.int8().minImages(), t.int8().calibrationImages()));
    }

    static io.lince.stream.EventChecks events(LinceConfig.Classifier.Input i) {
        return new io.lince.stream.EventChecks(i.maxIdLength(), i.earliestEventTime(), i.eventTimeAhead());
    }

    static FetchPolicy fetch(LinceConfig.Fetch f) {
        return new FetchPolicy(f.fileRoot(), Set.copyOf(f.allowedHosts().orElse(List.of())),
                f.pathPrefixes().orElse(List.of()), Duration.ofMillis(f.timeoutMs()), f.maxBytes(), f.attempts(),
                Duration.ofMillis(f.backoffMs()), new io.lince.images.ObjectStorePolicy(f.s3().allowed().orElse(List.of()),
                        f.s3().endpoint(), f.s3().region(), f.s3().pathStyle().orElse(f.s3().endpoint().isPresent())));
    }

    static SelectionSettings selection(LinceConfig.Selection s) {
        return new SelectionSettings(s.adaptive(), s.k(), s.emaAlpha(), s.warmup(), s.maxPerMinute(), s.exploration(),
                Duration.ofHours(s.sentRetentionHours()), s.nearDuplicateBits(), s.nearDuplicateMemory());
    }

    static io.lince.watch.Watching watching(LinceConfig.Classifier c) {
        LinceConfig.Classifier.Drift d = c.drift();
        return new io.lince.watch.Watching(new io.lince.watch.DriftWatch.Settings(d.enabled(), d.window(), d.confidencePsi(),
                d.embeddingShift(), d.budgetFactor(), d.requestRetraining()), c.shadow().share());
    }

    static NodeOptions node(LinceConfig c, Role role, String device) {
        return new NodeOptions(role,
                new NodeOptions.Cluster(c.kafka().bootstrapServers(), c.kafka().properties(), c.topicsRecord(),
                        c.kafka().applicationIdPrefix()),
                c.workDir(), new io.lince.registry.ModelStore.Location(c.modelStoreDir(), c.model().artifactMode()),
                new NodeOptions.FirstModel(c.model().classes(), c.model().weights(), c.model().inputSize(), c.model().seed()),
                new NodeOptions.Classifying(
                        new Serving(device, c.classifier().foldBatchNorm(), Serving.Runtime.parse(c.model().runtime()),
                                Serving.Precision.parse(c.model().precision())),
                        RoutingPolicy.of(c.classifier().uncertaintyMeasure(), c.classifier().threshold(), selection(c.classifier().selection())),
                        new BatchSettings(c.classifier().maxBatch().orElse(BatchSettings.AUTO), Duration.ofMillis(c.classifier().maxDelayMs()),
                                c.classifier().ttaViews(), c.classifier().prepareThreads()),
                        new io.lince.stream.InputPolicy(events(c.classifier().input()), fetch(c.fetch()),
                                new io.lince.stream.InputPolicy.TopicFormats(c.images().format(), c.output().format(), c.schemas().writers())),
                        c.classifier().streamThreads(), watching(c.classifier())),
                trainer(c));
    }
}
