package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NegativeMomentsTest {
    @Test
    void aPairwiseNegativeTakesItsPositivesMomentButNotItsPairsValue() {
        Map<String, float[]> columns = new java.util.LinkedHashMap<>();
        columns.put("user_recent", new float[] {0.5f, -1f, 2f});
        columns.put("neighbours_rating", new float[] {0.25f, -0.75f, 0.1f});
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 4),
                FeatureSpec.recent("user_recent", Entity.USER), FeatureSpec.pair("neighbours_rating"));
        // negatives drawn for the positives in rows 2, 0 and 2
        Map<String, float[]> moments = Trainer.negativeMoments(columns, new int[] {2, 0, 2}, features);
        assertEquals(List.of("user_recent"), List.copyOf(moments.keySet()));
        assertArrayEquals(new float[] {2f, 0.5f, 2f}, moments.get("user_recent"));
    }
}
