package io.lince.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Prediction;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {

    private static Prediction p(float confidence, float margin, float entropy) {
        return Prediction.newBuilder().setLabel("a").setProbabilities(Map.of()).setConfidence(confidence)
                .setMargin(margin).setEntropy(entropy).setModelVersion(1).build();
    }

    @Test
    void eachMeasureRoutesOnItsOwnSideOfTheThreshold() {
        assertTrue(RoutingPolicy.of("confidence", 0.9).reasonToRetrain(p(0.95f, 0.9f, 0.2f)).isEmpty());
        assertEquals("confidence 0.600 < 0.900",
                RoutingPolicy.of("confidence", 0.9).reasonToRetrain(p(0.6f, 0.2f, 0.97f)).orElseThrow());
        assertEquals("margin 0.200 < 0.300",
                RoutingPolicy.of("margin", 0.3).reasonToRetrain(p(0.6f, 0.2f, 0.97f)).orElseThrow());
        assertTrue(RoutingPolicy.of("margin", 0.1).reasonToRetrain(p(0.6f, 0.2f, 0.97f)).isEmpty());
        assertEquals("entropy 0.970 > 0.500",
                RoutingPolicy.of("ENTROPY", 0.5).reasonToRetrain(p(0.6f, 0.2f, 0.97f)).orElseThrow());
        assertTrue(RoutingPolicy.of("entropy", 0.5).reasonToRetrain(p(0.99f, 0.98f, 0.1f)).isEmpty());
        Prediction spread = p(0.9f, 0.8f, 0.4f);
        spread.setTtaVariance(0.04f);
        assertEquals("variance 0.040 > 0.010", RoutingPolicy.of("variance", 0.01).reasonToRetrain(spread).orElseThrow());
        assertTrue(RoutingPolicy.of("variance", 0.05).reasonToRetrain(spread).isEmpty());
    }
}
