package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.core.config.ExperimentConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataReportTest {
    @Test
    void aSplitWhoseRowsDoNotRecordAPerInteractionFeatureIsNamed() {
        FeatureSpec recent = FeatureSpec.recent("user_recent", Entity.USER);
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).dense("user_recent", 1, new float[] {0.5f, -1}).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        Map<String, Interactions> splits = new LinkedHashMap<>();
        splits.put(Dataset.TRAIN, new Interactions(new int[] {0, 1}, new int[] {0, 0}, Map.of(),
                Map.of("user_recent", new float[] {0, 1})));
        splits.put(Dataset.VALID, new Interactions(new int[] {0}, new int[] {0}, Map.of()));
        splits.put("test", new Interactions(new int[] {1}, new int[] {0}, Map.of()));
        splits.put("empty", new Interactions(new int[0], new int[0], Map.of()));
        Dataset dataset = new Dataset("d", List.of(recent), users, items, splits, Map.of(), Map.of());
        Plan plan = new Plan(new ExperimentConfig(), "x.yaml", null, null, List.of(), List.of(), null, null, null, null);

        assertEquals(List.of("feature user_recent takes a value per interaction, but the rows of valid, test do not record it: "
                + "they read each user's current value"), DataReport.warnings(plan, dataset, List.of(recent), Map.of()));
        // a feature the model does not read is not its concern
        assertEquals(List.of(), DataReport.warnings(plan, dataset, List.of(), Map.of()));
    }
}
