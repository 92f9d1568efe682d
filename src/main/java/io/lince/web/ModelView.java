package io.lince.web;

import io.lince.contracts.ModelPublished;
import java.time.Instant;
import java.util.Map;

/** A registry entry as the API shows it. */
public record ModelView(
        int version,
        Integer parentVersion,
        String status,
        boolean serving,
        String decision,
        int trainedOn,
        Map<String, Double> metrics,
        String trainingData,
        String evaluationSlice,
        Instant publishedAt,
        Instant promotedAt,
        String sha256) {

    static ModelView of(ModelPublished m, int servingVersion) {
        return new ModelView(m.getVersion(), m.getParentVersion(), m.getStatus(), m.getVersion() == servingVersion,
                m.getDecision(), m.getTrainedOn(), Map.copyOf(m.getMetrics()), m.getTrainingData(), m.getEvaluationSlice(),
                m.getPublishedAt(), m.getPromotedAt(), m.getSha256());
    }
}
