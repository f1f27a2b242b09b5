package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.NegativeSampler;
import dev.taskweave.core.data.TaskLabels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rows check's dry step trains on: the first ones, and every task's first labelled row of each kind. */
class DryStepRowsTest {
    @Test
    void theFirstRowsAndEachTasksFirstNegativeAndAttributeRow() {
        // 6 observed rows, rating labelled from row 2 on, then 6 negatives of watch, then 3 attribute rows of kind
        Interactions split = new Interactions(new int[] {0, 1, 2, 3, 4, 5}, new int[] {0, 1, 2, 3, 4, 5},
                Map.of("rating", new float[] {Float.NaN, Float.NaN, 4f, 3f, 5f, 1f}));
        TaskLabels rating = new TaskLabels("rating", "rating", v -> v, 0);
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 1);
        TaskLabels kind = new TaskLabels("kind", "item_kind", v -> v, 0).withAttribute(new EntityAttribute("item_kind", Entity.ITEM,
                EntityAttribute.Kind.CLASS, 3, new float[50], new boolean[50]));
        ExampleSet set = ExampleSet.build(split, List.of(rating, watch, kind), new NegativeSampler(50, List.of(split)), 3,
                Map.of("item_kind", new int[] {7, 8, 9}));

        // a batch of 5: rating's row 2, watch's rows 0 and 6 (its first negative), kind's row 12, then row 1
        assertArrayEquals(new int[] {0, 1, 2, 6, 12}, DryStep.rows(set, 3, 5));
        // a batch of 2 keeps what comes first, task by task: rating's row 2, watch's first row
        assertArrayEquals(new int[] {0, 2}, DryStep.rows(set, 3, 2));
        // a batch larger than the set takes it all
        assertArrayEquals(java.util.stream.IntStream.range(0, 15).toArray(), DryStep.rows(set, 3, 64));
    }

    @Test
    void theFirstInteractionsKeepTheirLabelsAndMoments() {
        Interactions split = new Interactions(new int[] {4, 5, 6}, new int[] {7, 8, 9}, Map.of("rating", new float[] {1f, 2f, 3f}),
                Map.of("user_recent", new float[] {0.5f, -1f, 2f}));
        Interactions first = DryStep.first(split, 2);
        assertArrayEquals(new int[] {4, 5}, first.users());
        assertArrayEquals(new int[] {7, 8}, first.items());
        assertArrayEquals(new float[] {1f, 2f}, first.label("rating"));
        assertArrayEquals(new float[] {0.5f, -1f}, first.feature("user_recent"));
        assertArrayEquals(new int[] {4, 5, 6}, DryStep.first(split, 128).users());
    }
}
