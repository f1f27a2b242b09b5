package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.core.metric.MetricRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which way a metric of a results key is better: registered names first, whole, then cut at '@'. */
class MetricDirectionTest {
    /** A plugin's lower-is-better metric whose own name holds an '@'. */
    private static final Metric MSE_AT_10 = new Metric() {
        @Override
        public String name() {
            return "mse@10";
        }

        @Override
        public boolean higherIsBetter() {
            return false;
        }

        @Override
        public double compute(MetricInput input) {
            return 0;
        }
    };

    @Test
    void aKeysMetricIsLookedUpWholeThenWithoutWhatFollowsTheAt() {
        MetricRegistry registry = new MetricRegistry(List.of(MSE_AT_10));
        // was read as "mse", not registered, so higher-is-better: gains and verdicts flipped
        assertFalse(BenchmarkRunner.higherIsBetter(registry, "rating.mse@10"));
        assertFalse(BenchmarkRunner.higherIsBetter(registry, "rating.rmse@test_cold_user"));
        assertFalse(BenchmarkRunner.higherIsBetter(registry, "rating.rmse"));
        assertTrue(BenchmarkRunner.higherIsBetter(registry, "like.auc@test_cold_item"));
        // ranking metrics are not registered, and are higher-is-better
        assertTrue(BenchmarkRunner.higherIsBetter(registry, "interaction.hr@10"));
        assertTrue(BenchmarkRunner.higherIsBetter(registry, "interaction.ndcg@10"));
    }
}
