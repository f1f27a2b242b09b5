package dev.taskweave.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.plugin.PluginRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The graph's own arithmetic on a block small enough to compute by hand: a 3 x 2 user embedding,
 * a sharing block that hands the embedding to both tasks, a {@code Linear(1)} head per task, and
 * optionally the wide path and an ESMM edge.
 */
class MultiTaskBlockTest {
    @BeforeAll
    static void engine() {
        PluginRuntime.loadEngine();
    }

    /** A user embedding of 3 x 2 handed to both tasks, a {@code Linear(1)} head per task, initialised. */
    private static MultiTaskBlock build(NDManager manager, List<TaskDependency> dependencies, MultiTaskBlock.WideSpec[] wide) {
        ClassLoader loader = MultiTaskBlockTest.class.getClassLoader();
        InputEncoder encoder = new InputEncoder(List.of(FeatureSpec.identifier("user", Entity.USER, 3)), 2, false);
        List<MultiTaskBlock.Component> heads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            heads.add(new MultiTaskBlock.Component(Linear.builder().setUnits(1).build(), loader));
        }
        LambdaBlock both = new LambdaBlock(x -> new NDList(x.singletonOrThrow(), x.singletonOrThrow()));
        MultiTaskBlock block = new MultiTaskBlock(encoder, new MultiTaskBlock.Component(both, loader), 2, heads, List.of(1, 1),
                new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader), dependencies, wide);
        block.initialize(manager, DataType.FLOAT32, new Shape(2));
        return block;
    }

    private static MultiTaskBlock block(NDManager manager, List<TaskDependency> dependencies, boolean... wide) {
        MultiTaskBlock block = build(manager, dependencies, wideParts(wide));
        // wide paths: w = (0.5, 0), b = 1 and w = (0, 1), b = -1
        set(block, null, new float[][] {{0.5f, 0}, {0, 1}}, new float[] {1, -1});
        return block;
    }

    /**
     * Sets the embedding rows to (0, 0), (1, 2), (3, -1), the heads to w = (1, 1), b = 0.5 and
     * w = (2, -1), b = 0, each wide part's own table (if any) to {@code ownTable}, and task t's
     * wide map to {@code wideWeights[t]}, {@code wideBiases[t]}.
     */
    private static void set(MultiTaskBlock block, float[] ownTable, float[][] wideWeights, float[] wideBiases) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            String name = p.getKey();
            boolean weight = name.endsWith("weight");
            if (name.contains("wide") && name.contains("features")) {
                a.set(ownTable);
            } else if (name.contains("encoder")) {
                a.set(new float[] {0, 0, 1, 2, 3, -1});
            } else if (name.contains("head0")) {
                a.set(weight ? new float[] {1, 1} : new float[] {0.5f});
            } else if (name.contains("head1")) {
                a.set(weight ? new float[] {2, -1} : new float[] {0});
            } else if (name.contains("wide0") || name.contains("wide1")) {
                int t = name.contains("wide0") ? 0 : 1;
                a.set(weight ? wideWeights[t] : new float[] {wideBiases[t]});
            }
        }
    }

    private static MultiTaskBlock.WideSpec[] wideParts(boolean... wide) {
        MultiTaskBlock.WideSpec[] parts = new MultiTaskBlock.WideSpec[wide.length];
        for (int t = 0; t < wide.length; t++) {
            parts[t] = wide[t] ? new MultiTaskBlock.WideSpec(true, new int[0]) : null;
        }
        return parts;
    }

    private static float[][] run(NDManager manager, MultiTaskBlock block, boolean[] wanted) {
        NDArray[] out = block.forwardTasks(new ParameterStore(manager, false), new NDList(manager.create(new int[] {1, 2})), false,
                wanted);
        float[][] values = new float[out.length][];
        for (int t = 0; t < out.length; t++) {
            values[t] = out[t] == null ? null : out[t].toFloatArray();
        }
        return values;
    }

    @Test
    void headsAndTheWidePath() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // user 1 embeds to (1, 2), user 2 to (3, -1)
            float[][] deep = run(manager, block(manager, List.of(), false, false), new boolean[] {true, true});
            assertArrayEquals(new float[] {1 + 2 + 0.5f, 3 - 1 + 0.5f}, deep[0], 1e-6f);
            assertArrayEquals(new float[] {2 - 2, 6 + 1}, deep[1], 1e-6f);
            float[][] wide = run(manager, block(manager, List.of(), true, true), new boolean[] {true, true});
            assertArrayEquals(new float[] {3.5f + 0.5f + 1, 2.5f + 1.5f + 1}, wide[0], 1e-6f);
            assertArrayEquals(new float[] {0 + 2 - 1, 7 - 1 - 1}, wide[1], 1e-6f);
            MultiTaskBlock withWide = block(manager, List.of(), true, true);
            // the wide path belongs to its task: the head's weight and bias, then the wide map's
            assertEquals(4, withWide.taskParameters(0).size());
            // a wide part for the second task only (tasks[1].wide): the first task is as without one
            MultiTaskBlock secondOnly = block(manager, List.of(), false, true);
            float[][] mixed = run(manager, secondOnly, new boolean[] {true, true});
            assertArrayEquals(deep[0], mixed[0], 1e-6f);
            assertArrayEquals(wide[1], mixed[1], 1e-6f);
            assertEquals(2, secondOnly.taskParameters(0).size());
            assertEquals(4, secondOnly.taskParameters(1).size());
        }
    }

    @Test
    void multiplyAddsCountEveryWeightButTheCategoricalTablesLookedUp() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // the user table (3 x 2) is looked up; each head is a Linear(1) over 2 columns: 2 weights and a bias
            assertEquals(3 + 3, block(manager, List.of(), false, false).multiplyAddsPerRow());
            // wide parts: task 0's reads the encoded row and its own table of the user (looked up too), 4 columns
            // (4 + 1); task 1's its own table only (2 + 1)
            MultiTaskBlock wide = build(manager, List.of(), new MultiTaskBlock.WideSpec[] {
                new MultiTaskBlock.WideSpec(true, new int[] {0}), new MultiTaskBlock.WideSpec(false, new int[] {0})});
            assertEquals(3 + 3 + 5 + 3, wide.multiplyAddsPerRow());
            // a multi-hot feature's table multiplies the row's vector: its 4 x 2 weights count
            ClassLoader loader = MultiTaskBlockTest.class.getClassLoader();
            InputEncoder encoder = new InputEncoder(List.of(FeatureSpec.identifier("user", Entity.USER, 3),
                    FeatureSpec.multiHot("genres", Entity.ITEM, 4)), 2, false);
            List<MultiTaskBlock.Component> heads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                heads.add(new MultiTaskBlock.Component(Linear.builder().setUnits(1).build(), loader));
            }
            LambdaBlock both = new LambdaBlock(x -> new NDList(x.singletonOrThrow(), x.singletonOrThrow()));
            MultiTaskBlock multiHot = new MultiTaskBlock(encoder, new MultiTaskBlock.Component(both, loader), 2, heads, List.of(1, 1),
                    new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader), List.of(), new MultiTaskBlock.WideSpec[2]);
            multiHot.initialize(manager, DataType.FLOAT32, new Shape(2), new Shape(2, 4));
            long headWeights = 0;
            for (Pair<String, Parameter> p : multiHot.getParameters()) {
                if (p.getKey().contains("head")) {
                    headWeights += p.getValue().getArray().size();
                }
            }
            // the genres' table (4 x 2) and the heads' weights; not the user's table
            assertTrue(headWeights > 0);
            assertEquals(8 + headWeights, multiHot.multiplyAddsPerRow());
        }
    }

    @Test
    void aWidePartWithEmbeddingsOfItsOwn() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // task 1: a wide part of the user feature through a table of its own; task 0: the
            // encoded input and the same feature through its own table
            MultiTaskBlock block = build(manager, List.of(), new MultiTaskBlock.WideSpec[] {
                new MultiTaskBlock.WideSpec(true, new int[] {0}), new MultiTaskBlock.WideSpec(false, new int[] {0})});
            // shared rows (0, 0), (1, 2), (3, -1); own rows (0, 0), (10, 0), (0, 100) in both parts;
            // heads w = (1, 1), b = 0.5 and w = (2, -1), b = 0; task 0's wide map reads
            // (shared, own): w = (1, 0, 1, 1), b = 0; task 1's reads own: w = (1, -1), b = 2
            set(block, new float[] {0, 0, 10, 0, 0, 100}, new float[][] {{1, 0, 1, 1}, {1, -1}}, new float[] {0, 2});
            float[][] out = run(manager, block, new boolean[] {true, true});
            // users 1 and 2: head0 3.5 and 2.5, wide0 1 + 10 and 3 + 100; head1 0 and 7, wide1 10 + 2 and -100 + 2
            assertArrayEquals(new float[] {3.5f + 11, 2.5f + 103}, out[0], 1e-5f);
            assertArrayEquals(new float[] {0 + 12, 7 - 98}, out[1], 1e-5f);
            // the own tables belong to their tasks: head (2) + table and map (3)
            assertEquals(5, block.taskParameters(1).size());
        }
    }

    @Test
    void aNumericFeaturesWeightInAWidePartStartsAtZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // a wide part reading the encoded input (2 columns), the user id through its own table
            // (2 columns) and a numeric feature (1 column): only the numeric column starts at 0
            ClassLoader loader = MultiTaskBlockTest.class.getClassLoader();
            List<FeatureSpec> features = List.of(FeatureSpec.identifier("user", Entity.USER, 3),
                    FeatureSpec.recent("user_recent", Entity.USER));
            InputEncoder encoder = new InputEncoder(features, 2, false, java.util.Set.of("user_recent"));
            MultiTaskBlock block = new MultiTaskBlock(encoder, new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader), 2,
                    List.of(new MultiTaskBlock.Component(Linear.builder().setUnits(1).build(), loader)), List.of(1),
                    new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader), List.of(),
                    new MultiTaskBlock.WideSpec[] {new MultiTaskBlock.WideSpec(true, new int[] {0, 1})});
            block.initialize(manager, DataType.FLOAT32, new Shape(2), new Shape(2, 1));
            float[] weight = null;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getKey().contains("wide0") && p.getKey().contains("linear") && p.getKey().endsWith("weight")) {
                    weight = p.getValue().getArray().toFloatArray();
                }
            }
            assertEquals(5, weight.length);
            assertEquals(0f, weight[4]);
            for (int c = 0; c < 4; c++) {
                assertTrue(weight[c] != 0f, "column " + c + " keeps its random start");
            }
        }
    }

    @Test
    void onlyWantedTasksAndTheirParentsRun() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskBlock esmm = block(manager, List.of(new TaskDependency(1, 0, TaskDependency.Mode.ESMM, 0)), false, false);
            float[][] all = run(manager, esmm, new boolean[] {true, true});
            // task 1 is the joint event: sigmoid(out0) * sigmoid(raw1)
            for (int r = 0; r < 2; r++) {
                double raw0 = r == 0 ? 3.5 : 2.5;
                double raw1 = r == 0 ? 0 : 7;
                double p = sigmoid(raw0) * sigmoid(raw1);
                assertEquals(p, sigmoid(all[1][r]), 1e-6);
            }
            float[][] childOnly = run(manager, esmm, new boolean[] {false, true});
            assertArrayEquals(all[1], childOnly[1], 1e-6f);
            float[][] parentOnly = run(manager, esmm, new boolean[] {true, false});
            assertArrayEquals(all[0], parentOnly[0], 1e-6f);
            assertNull(parentOnly[1]);
        }
    }

    /** Hands {@code x W^T + b} (a {@code Linear(2)}) to both tasks: it reads its input through one affine map. */
    private static final class AffineShare extends ai.djl.nn.AbstractBlock implements dev.taskweave.api.model.AffineInput {
        private final Linear linear = addChildBlock("linear", Linear.builder().setUnits(2).build());

        AffineShare() {
            super((byte) 1);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, ai.djl.util.PairList<String, Object> params) {
            NDArray z = linear.forward(ps, inputs, training).singletonOrThrow();
            return new NDList(z, z);
        }

        @Override
        public NDList inputMap(ParameterStore ps, ai.djl.Device device) {
            return new NDList(ps.getValue(linear.getParameters().get("weight"), device, false),
                    ps.getValue(linear.getParameters().get("bias"), device, false));
        }

        @Override
        public NDList forwardMapped(ParameterStore ps, NDArray mapped, boolean training, boolean[] wanted) {
            return new NDList(mapped, mapped);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape out = new Shape(inputShapes[0].get(0), 2);
            return new Shape[] {out, out};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            linear.initialize(manager, dataType, inputShapes[0]);
        }
    }

    /**
     * A wide part is the affine map {@link MultiTaskBlock#wideMap} gives, and the graph run from
     * the mapped input with each wide part's output given is the forward pass: the output is
     * added before a dependent task reads it (ESMM) and before the calibration. Without the
     * outputs, a task with a wide part (or one that depends on it) is refused.
     */
    @Test
    void aWidePartsOutputGivenToTheMappedGraphIsItsForwardPass() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ClassLoader loader = MultiTaskBlockTest.class.getClassLoader();
            List<FeatureSpec> features = List.of(FeatureSpec.identifier("user", Entity.USER, 3), FeatureSpec.identifier("item", Entity.ITEM, 4),
                    FeatureSpec.multiHot("item_tags", Entity.ITEM, 3), FeatureSpec.numeric("user_activity", Entity.USER));
            InputEncoder encoder = new InputEncoder(features, 2, true);
            List<MultiTaskBlock.Component> heads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                heads.add(new MultiTaskBlock.Component(Linear.builder().setUnits(1).build(), loader));
            }
            // task 0: the encoded input and three features of its own; task 1 (the joint event of ESMM): the encoded input
            MultiTaskBlock block = new MultiTaskBlock(encoder, new MultiTaskBlock.Component(new AffineShare(), loader), 2, heads,
                    List.of(1, 1), new MultiTaskBlock.Component(new LambdaBlock(x -> x), loader),
                    List.of(new TaskDependency(1, 0, TaskDependency.Mode.ESMM, 0)), new MultiTaskBlock.WideSpec[] {
                        new MultiTaskBlock.WideSpec(true, new int[] {3, 1, 2}), new MultiTaskBlock.WideSpec(true, new int[0])});
            block.initialize(manager, DataType.FLOAT32, new Shape(3), new Shape(3), new Shape(3, 3), new Shape(3, 1));
            for (Pair<String, Parameter> p : block.getParameters()) {
                // the numeric feature's weight starts at 0: give every weight a value
                NDArray a = p.getValue().getArray();
                a.set(manager.randomNormal(a.getShape()).toFloatArray());
            }
            block.setCalibration(0, new double[] {2, -1});
            NDList inputs = new NDList(manager.create(new int[] {1, 2, 0}), manager.create(new int[] {3, 1, 2}),
                    manager.create(new float[] {1, 0, 1, 0, 0, 0, 1, 1, 1}, new Shape(3, 3)),
                    manager.create(new float[] {0.5f, -1, 2}, new Shape(3, 1)));
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray encoded = encoder.forward(ps, inputs, false).singletonOrThrow();
            NDList map = block.sharingInputMap(ps, manager.getDevice());
            NDArray mapped = encoded.matMul(map.get(0).transpose()).add(map.get(1));
            NDArray[] wide = new NDArray[2];
            for (int t = 0; t < 2; t++) {
                MultiTaskBlock.WideMap m = block.wideMap(ps, manager.getDevice(), t);
                NDArray out = encoded.matMul(m.encodedWeight().transpose()).add(m.bias());
                if (m.own() != null) {
                    NDList own = new NDList();
                    for (int position : m.featurePositions()) {
                        own.add(inputs.get(position));
                    }
                    out = out.add(m.own().forward(ps, own, false).singletonOrThrow().matMul(m.ownWeight().transpose()));
                }
                wide[t] = out;
            }
            assertEquals(3, block.wideMap(ps, manager.getDevice(), 0).own().features().size());
            assertNull(block.wideMap(ps, manager.getDevice(), 1).own());
            boolean[] both = {true, true};
            NDArray[] plain = block.forwardTasks(ps, inputs, false, both);
            NDArray[] fromMap = block.forwardMapped(ps, mapped, both, false, null, wide);
            for (int t = 0; t < 2; t++) {
                assertArrayEquals(plain[t].toFloatArray(), fromMap[t].toFloatArray(), 1e-5f, "task " + t);
            }
            // the joint event alone runs task 0's head and wide part, as its parent
            NDArray[] child = block.forwardMapped(ps, mapped, new boolean[] {false, true}, false, null, wide);
            assertArrayEquals(plain[1].toFloatArray(), child[1].toFloatArray(), 1e-5f);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.forwardMapped(ps, mapped, new boolean[] {false, true}, false, null, new NDArray[] {null, wide[1]}));
            assertTrue(e.getMessage().contains("task 0 has a wide part"), e.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.forwardMapped(ps, mapped, both, false, null));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> block.forwardMapped(ps, mapped, both, false, null, new NDArray[] {wide[0].get("0:2"), wide[1]}), "rows");
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
