package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.taskweave.api.data.Interactions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleSetTest {
    @Test
    void rowsWhoseLabelsPassOneArrayAreRefusedBeforeAnythingIsAllocated() {
        Interactions split = new Interactions(new int[] {0, 1, 2}, new int[] {0, 1, 2}, Map.of());
        // 3 interactions with 800,000,000 negatives each: 2,400,000,003 rows, past an int
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 800_000_000);
        dev.taskweave.api.DataException e = org.junit.jupiter.api.Assertions.assertThrows(dev.taskweave.api.DataException.class,
                () -> ExampleSet.build(split, List.of(watch), new NegativeSampler(50, List.of(split)), 1));
        assertEquals("task watch: a split of 3 interactions makes 2400000003 rows with the sampled negatives and attribute rows, and"
                + " labels 1 wide over them pass one array's 2147483639 values: sample fewer negatives, or train on less data at a time",
                e.getMessage());
    }

    @Test
    void masksFollowLabelsAndNegativesCarryOnlyTheirTask() {
        Interactions split = new Interactions(new int[] {0, 1, 2}, new int[] {0, 1, 2},
                Map.of("rating", new float[] {5f, Float.NaN, 2f}));
        TaskLabels rating = new TaskLabels("rating", "rating", v -> v, 0);
        TaskLabels like = new TaskLabels("like", "rating", v -> v >= 4 ? 1 : 0, 0);
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 2);
        NegativeSampler sampler = new NegativeSampler(50, List.of(split));
        ExampleSet set = ExampleSet.build(split, List.of(rating, like, watch), sampler, 1);

        assertEquals(3 + 3 * 2, set.size());
        assertEquals(3, set.observed());
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0, 0}, set.mask(0));
        assertArrayEquals(new float[] {5, 0, 2, 0, 0, 0, 0, 0, 0}, set.labels(0));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, set.labels(1));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, set.mask(2));
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0, 0, 0, 0}, set.labels(2));
        for (int i = 3; i < set.size(); i++) {
            assertFalse(sampler.isPositive(set.users()[i], set.items()[i]), "a sampled negative was observed");
        }
        // the same seed draws the same negatives
        ExampleSet again = ExampleSet.build(split, List.of(rating, like, watch), sampler, 1);
        assertArrayEquals(set.items(), again.items());
    }

    @Test
    void anEsmmTaskIsNegativeWhereverItsParentIs() {
        Interactions split = new Interactions(new int[] {0, 1, 2}, new int[] {0, 1, 2},
                Map.of("rating", new float[] {5f, Float.NaN, 2f}));
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 1);
        TaskLabels like = new TaskLabels("like", "rating", v -> v >= 4 ? 1 : 0, 0).withJointParent(0);
        NegativeSampler sampler = new NegativeSampler(50, List.of(split));
        ExampleSet set = ExampleSet.build(split, List.of(watch, like), sampler, 1);

        // rows: 3 observed (watch = 1), then 3 sampled negatives (watch = 0)
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, set.labels(0));
        // like keeps its own labels where watched (row 1 has none) and is 0 on every negative
        assertArrayEquals(new float[] {1, 0, 1, 1, 1, 1}, set.mask(1));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0}, set.labels(1));
    }

    @Test
    void aNegativeIsReadAtTheMomentOfItsRowAndAnAttributeRowAtNone() {
        Interactions split = new Interactions(new int[] {0, 1}, new int[] {0, 1}, Map.of("rating", new float[] {5f, 2f}),
                Map.of("user_recent", new float[] {0.5f, -1f}));
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 2);
        TaskLabels kind = new TaskLabels("kind", "item_kind", v -> v, 0).withAttribute(new dev.taskweave.api.data.EntityAttribute(
                "item_kind", dev.taskweave.api.data.Entity.ITEM, dev.taskweave.api.data.EntityAttribute.Kind.CLASS, 3,
                new float[50], new boolean[50]));
        ExampleSet set = ExampleSet.build(split, List.of(watch, kind), new NegativeSampler(50, List.of(split)), 3,
                Map.of("item_kind", new int[] {1, 2}));

        // 2 observed rows, their 2 x 2 negatives (row 0's first), then 2 attribute rows
        assertEquals(8, set.size());
        assertArrayEquals(new int[] {0, 1, 0, 0, 1, 1, -1, -1}, set.users());
        assertArrayEquals(new float[] {0.5f, -1f, 0.5f, 0.5f, -1f, -1f, Float.NaN, Float.NaN}, set.features().get("user_recent"));
    }

    @Test
    void aNegativeIsAnotherPairAndDoesNotTakeItsPositivesPairValue() {
        Interactions split = new Interactions(new int[] {0, 1}, new int[] {0, 1}, Map.of("rating", new float[] {5f, 2f}),
                Map.of("user_recent", new float[] {0.5f, -1f}, "neighbours_rating", new float[] {0.25f, -0.75f}));
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 1);
        ExampleSet set = ExampleSet.build(split, List.of(watch), new NegativeSampler(50, List.of(split)), 3, Map.of(),
                java.util.Set.of("neighbours_rating"));
        // 2 observed rows, then one negative each: the moment is copied, the pair's value is left to the gatherer
        assertArrayEquals(new float[] {0.5f, -1f, 0.5f, -1f}, set.features().get("user_recent"));
        assertArrayEquals(new float[] {0.25f, -0.75f, Float.NaN, Float.NaN}, set.features().get("neighbours_rating"));
    }

    @Test
    void aSelectionKeepsEachRowsUserItemLabelsMaskAndMoment() {
        Interactions split = new Interactions(new int[] {0, 1, 2}, new int[] {3, 4, 5}, Map.of("rating", new float[] {5f, Float.NaN, 2f}),
                Map.of("user_recent", new float[] {0.5f, -1f, 2f}));
        TaskLabels rating = new TaskLabels("rating", "rating", v -> v, 0);
        TaskLabels watch = new TaskLabels("watch", "observed", v -> v, 1);
        ExampleSet set = ExampleSet.build(split, List.of(rating, watch), new NegativeSampler(50, List.of(split)), 3);

        // rows 1 and 2 observed, row 4 row 1's negative
        ExampleSet some = set.select(new int[] {1, 2, 4});
        assertEquals(3, some.size());
        assertEquals(2, some.observed());
        assertArrayEquals(new int[] {1, 2, 1}, some.users());
        assertArrayEquals(new int[] {4, 5, set.items()[4]}, some.items());
        assertArrayEquals(new float[] {0, 1, 0}, some.mask(0));
        assertArrayEquals(new float[] {0, 2, 0}, some.labels(0));
        assertArrayEquals(new float[] {1, 1, 1}, some.mask(1));
        assertArrayEquals(new float[] {1, 1, 0}, some.labels(1));
        assertArrayEquals(new float[] {-1f, 2f, -1f}, some.features().get("user_recent"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> set.select(new int[] {2, 1}));
    }
}
