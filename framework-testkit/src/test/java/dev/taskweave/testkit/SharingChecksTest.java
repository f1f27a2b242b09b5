package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.TaskOwnedParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class SharingChecksTest {
    /**
     * A shared linear layer, then one linear column per task on it. {@code claimShared} makes task
     * 0 declare the shared layer's weight as its own, which is wrong: task 1 reads it too. A shared
     * scale multiplies the shared layer's output; {@code leak} computes {@code scale * h} instead of
     * {@code h * scale}, whose result (and all after it) lands in the parameters' manager.
     */
    private static final class Columns extends AbstractBlock implements TaskOwnedParameters {
        private final Linear shared;
        private final Linear[] columns = new Linear[2];
        private final Parameter scale;
        private final boolean claimShared;
        private final boolean leak;

        Columns(boolean claimShared, boolean leak) {
            this.claimShared = claimShared;
            this.leak = leak;
            scale = addParameter(Parameter.builder().setName("scale").setType(Parameter.Type.WEIGHT)
                    .optInitializer(new ai.djl.training.initializer.ConstantInitializer(1f)).optShape(new Shape(1)).build());
            shared = addChildBlock("shared", Linear.builder().setUnits(4).build());
            for (int t = 0; t < 2; t++) {
                columns[t] = addChildBlock("task" + t, Linear.builder().setUnits(3).build());
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray out = shared.forward(ps, inputs, training).singletonOrThrow();
            NDArray s = ps.getValue(scale, out.getDevice(), training);
            NDList h = new NDList(leak ? s.mul(out) : out.mul(s));
            return new NDList(columns[0].forward(ps, h, training).singletonOrThrow(),
                    columns[1].forward(ps, h, training).singletonOrThrow());
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 3), new Shape(inputShapes[0].get(0), 3)};
        }

        @Override
        protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
            shared.initialize(manager, dataType, inputShapes);
            for (Linear c : columns) {
                c.initialize(manager, dataType, new Shape(inputShapes[0].get(0), 4));
            }
        }

        @Override
        public List<Parameter> taskOwnedParameters(int task) {
            List<Parameter> own = new java.util.ArrayList<>(columns[task].getParameters().values());
            if (claimShared && task == 0) {
                own.add(shared.getParameters().get("weight"));
            }
            return own;
        }
    }

    private record Strategy(boolean claimShared, boolean leak) implements SharingStrategy {
        Strategy(boolean claimShared) {
            this(claimShared, false);
        }

        @Override
        public Block createBlock() {
            return new Columns(claimShared, leak);
        }

        @Override
        public int outputWidth() {
            return 3;
        }
    }

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(5);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void reachNamesTheTasksBehindEveryParameter() {
        Block block = SharingChecks.assertContract(manager, new Strategy(false), 2, manager.randomNormal(new Shape(5, 6)));
        Map<String, List<Integer>> reach = SharingChecks.reach(manager, block, manager.randomNormal(new Shape(5, 6)), 2);
        assertEquals(Map.of("scale", List.of(0, 1), "shared_weight", List.of(0, 1), "shared_bias", List.of(0, 1),
                "task0_weight", List.of(0), "task0_bias", List.of(0),
                "task1_weight", List.of(1), "task1_bias", List.of(1)), reach);
    }

    @Test
    void aSharedParameterDeclaredAsOneTasksOwnFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () ->
                SharingChecks.assertContract(manager, new Strategy(true), 2, manager.randomNormal(new Shape(5, 6))));
        assertTrue(e.getMessage().contains("shared_weight, which task 0 declares as its own"), e.getMessage());
    }

    @Test
    void anArrayATrainingStepLeavesInTheParametersManagerFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () ->
                SharingChecks.assertContract(manager, new Strategy(false, true), 2, manager.randomNormal(new Shape(5, 6))));
        assertTrue(e.getMessage().contains("arrays outlived a training step in the parameters' manager"), e.getMessage());
        // the same block computing h * scale passes (reachNamesTheTasksBehindEveryParameter)
    }

    @Test
    void plainNamesDropDjlsPositionPrefixes() {
        assertEquals("gate0_weight", SharingChecks.plainName("03gate0_weight"));
        assertEquals("expert1_linear0_weight", SharingChecks.plainName("01expert1_01linear0_weight"));
    }
}
