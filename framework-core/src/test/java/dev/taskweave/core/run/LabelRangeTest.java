package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.Registered;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The range of a task's encoded training labels ({@link LabelStatistics#min}, {@link LabelStatistics#max}). */
class LabelRangeTest {
    /** A head whose encoded label is twice the raw one, so that the range is seen to be the encoded labels'. */
    private static final class Doubling implements TaskHeadFactory<Object> {
        @Override
        public String type() {
            return "stub";
        }

        @Override
        public Class<Object> configClass() {
            return Object.class;
        }

        @Override
        public TaskHead create(Object config, TaskContext context) {
            return new TaskHead() {
                @Override
                public Block createBlock() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public NDArray scores(NDArray output) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public float encodeLabel(float raw) {
                    return raw * 2;
                }

                @Override
                public List<String> defaultMetrics() {
                    return List.of();
                }
            };
        }
    }

    private static ModelAssembler assembler() {
        ExtensionFactory<Object> stub = new ExtensionFactory<>() {
            @Override
            public String type() {
                return "stub";
            }

            @Override
            public Class<Object> configClass() {
                return Object.class;
            }
        };
        ExtensionRegistry.Builder registry = ExtensionRegistry.builder();
        for (ExtensionKind kind : ExtensionKind.values()) {
            ExtensionFactory<Object> factory = kind == ExtensionKind.TASK_HEAD ? new Doubling() : stub;
            registry.add(kind, new Registered<>("stub", factory, "test", "1.0.0", LabelRangeTest.class.getClassLoader()), "test");
        }
        return new ModelAssembler(registry.build(), new MetricRegistry(List.of()), new ConfigLoader());
    }

    @Test
    void theRangeIsTheEncodedTrainingLabelsOfEachTask() {
        ModelAssembler assembler = assembler();
        Plan plan = assembler.plan(new ConfigLoader().parse("""
                data: {type: stub}
                tasks:
                  - {name: rating, head: stub, label: rating}
                  - {name: click, head: stub, label: click}
                  - {name: age, head: stub, label: user_age}
                sharing: {type: stub}
                weighting: {type: stub}
                """, "t.yaml"), "t.yaml");
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1", "u2", "u3")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1")).build();
        float nan = Float.NaN;
        Map<String, Interactions> splits = new LinkedHashMap<>();
        // training ratings 4, (none), 2, 5, 3: encoded 8, 4, 10, 6; no click is labelled
        splits.put(Dataset.TRAIN, new Interactions(new int[] {0, 1, 2, 3, 0}, new int[] {0, 0, 1, 1, 1},
                Map.of("rating", new float[] {4, nan, 2, 5, 3}, "click", new float[] {nan, nan, nan, nan, nan})));
        // the other splits' labels are not the training labels' range
        splits.put(Dataset.VALID, new Interactions(new int[] {1}, new int[] {1}, Map.of("rating", new float[] {1},
                "click", new float[] {1})));
        // an age class per user, u2's unknown and u1's held out for validation: the training entities are u0 and u3
        EntityAttribute age = new EntityAttribute("user_age", Entity.USER, EntityAttribute.Kind.CLASS, 5,
                new float[] {3, 0, 4, 1}, new boolean[] {true, true, false, true});
        Dataset dataset = new Dataset("d", List.of(), users, items, splits, Map.of(), Map.of(), Map.of("user_age", age),
                Map.of(Dataset.VALID, Map.of("user_age", new int[] {1})));

        Map<String, LabelStatistics> stats = assembler.labelStatistics(plan, dataset);

        LabelStatistics rating = stats.get("rating");
        assertEquals(4, rating.count());
        assertEquals(5, rating.rows());
        assertEquals(7.0, rating.mean(), 1e-12); // (8 + 4 + 10 + 6) / 4
        assertEquals(5.0, rating.variance(), 1e-12); // (1 + 9 + 9 + 1) / 4
        assertEquals(4.0, rating.min());
        assertEquals(10.0, rating.max());
        assertTrue(rating.hasRange());
        // no labelled row: no range
        LabelStatistics click = stats.get("click");
        assertEquals(0, click.count());
        assertFalse(click.hasRange());
        assertTrue(Double.isNaN(click.min()) && Double.isNaN(click.max()));
        // an attribute's values as they are (not encoded), over its training entities: u0's 3 and u3's 1
        LabelStatistics ageStats = stats.get("age");
        assertEquals(2, ageStats.count());
        assertEquals(2.0, ageStats.mean(), 1e-12);
        assertEquals(1.0, ageStats.min());
        assertEquals(3.0, ageStats.max());
    }

    @Test
    void statisticsMadeWithoutARangeHaveNone() {
        // as every caller made them before the range was recorded, and as a stored model's are read back
        LabelStatistics before = new LabelStatistics(100, 3.5, 1.0, 120);
        assertFalse(before.hasRange());
        assertTrue(Double.isNaN(before.min()) && Double.isNaN(before.max()));
        assertFalse(new LabelStatistics(100, 3.5, 1.0).hasRange());
        assertEquals(new LabelStatistics(100, 3.5, 1.0, 100), new LabelStatistics(100, 3.5, 1.0));
        assertTrue(new LabelStatistics(100, 3.5, 1.0, 100, 1, 5).hasRange());
        // a range is known as a whole, and in order
        assertThrows(IllegalArgumentException.class, () -> new LabelStatistics(100, 3.5, 1.0, 100, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LabelStatistics(100, 3.5, 1.0, 100, 5, 1));
    }
}
