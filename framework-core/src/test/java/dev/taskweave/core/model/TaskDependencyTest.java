package dev.taskweave.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskDependencyTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void jointLogitIsTheLogitOfTheProductOfProbabilities() {
        float[] a = {0f, 2f, -3f, 1.5f, 8f};
        float[] b = {0f, -1f, 0.5f, 1.5f, 8f};
        float[] joint = MultiTaskBlock.jointLogit(manager.create(a), manager.create(b)).toFloatArray();
        for (int i = 0; i < a.length; i++) {
            double p = sigmoid(a[i]) * sigmoid(b[i]);
            assertEquals(p, sigmoid(joint[i]), 1e-6, "row " + i);
        }
        // sigmoid(0)^2 = 1/4, whose logit is log(1/3)
        assertEquals(Math.log(1.0 / 3), joint[0], 1e-6);
    }

    @Test
    void jointLogitStaysFiniteAndExactAtExtremesAndKeepsItsGradient() {
        // -logsumexp(-a, -b, -(a + b)): at a = b = -80 that is -160 (p = e^-160, far below a float), at
        // a = b = 80 it is 80 - log 2 (p / (1 - p) = 1 / (2e^-80 + e^-160))
        NDArray a = manager.create(new float[] {-80f, 80f, -12f});
        NDArray b = manager.create(new float[] {-80f, 80f, -9f});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray joint = MultiTaskBlock.jointLogit(a, b);
            float[] values = joint.toFloatArray();
            assertEquals(-160, values[0], 1e-4);
            assertEquals(80 - Math.log(2), values[1], 1e-4);
            // p = sigmoid(-12) sigmoid(-9), about 7.6e-10: below the 1e-7 the old clip held it at, whose gradient was 0
            double p = 1 / ((1 + Math.exp(12)) * (1 + Math.exp(9)));
            assertEquals(Math.log(p / (1 - p)), values[2], 1e-3);
            collector.backward(joint.sum());
        }
        // d/da of -logsumexp(-a, -b, -a-b) = (e^-a + e^-(a+b)) / (e^-a + e^-b + e^-(a+b)) = sigmoid(-a) / (1 - p): about 1 there
        float[] da = a.getGradient().toFloatArray();
        assertEquals(1 / (1 + Math.exp(-12)) / (1 - 1 / ((1 + Math.exp(12)) * (1 + Math.exp(9)))), da[2], 1e-5);
        assertTrue(da[0] > 0.99f && b.getGradient().toFloatArray()[2] > 0.99f, java.util.Arrays.toString(da));
    }

    @Test
    void transferBlockShapesAndParameterCount() {
        TransferBlock block = new TransferBlock(6);
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 6), new Shape(4, 6));
        long count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            count += p.getValue().getArray().size();
        }
        // transfer, value, key, query: 6x6 weights and 6 biases each
        assertEquals(4 * (36 + 6), count);
        NDArray out = block.forward(new ParameterStore(manager, false),
                new NDList(manager.randomNormal(new Shape(4, 6)), manager.randomNormal(new Shape(4, 6))), false).singletonOrThrow();
        assertEquals(new Shape(4, 6), out.getShape());
        assertArrayEquals(new Shape[] {new Shape(4, 6)}, block.getOutputShapes(new Shape[] {new Shape(4, 6), new Shape(4, 6)}));
    }

    @Test
    void transferBlockIsAnAttentionWeightedMixOfBothValues() {
        TransferBlock block = new TransferBlock(2);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 2), new Shape(1, 2));
        // identity transfer, value and key; query doubles; no biases
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (p.getKey().endsWith("bias")) {
                array.set(new float[] {0, 0});
            } else {
                float scale = p.getKey().contains("query") ? 2f : 1f;
                array.set(new float[] {scale, 0, 0, scale});
            }
        }
        NDArray parent = manager.create(new float[] {1f, -2f}, new Shape(1, 2));
        NDArray own = manager.create(new float[] {0.5f, 0.5f}, new Shape(1, 2));
        float[] out = block.forward(new ParameterStore(manager, false), new NDList(parent, own), false).singletonOrThrow().toFloatArray();
        // transferred = relu(parent) = (1, 0); scores = <u, 2u> / sqrt(2): 2/sqrt2 for (1,0), 1/sqrt2 for (.5,.5)
        double s1 = 2 / Math.sqrt(2);
        double s2 = 1 / Math.sqrt(2);
        double w1 = Math.exp(s1) / (Math.exp(s1) + Math.exp(s2));
        double w2 = 1 - w1;
        assertEquals(w1 * 1 + w2 * 0.5, out[0], 1e-5);
        assertEquals(w1 * 0 + w2 * 0.5, out[1], 1e-5);
    }

    @Test
    void modesAndEdges() {
        assertEquals(TaskDependency.Mode.ESMM, TaskDependency.Mode.parse("esmm"));
        assertEquals(TaskDependency.Mode.AITM, TaskDependency.Mode.parse("aitm"));
        assertNull(TaskDependency.Mode.parse("ESMM2"));
        assertThrows(IllegalArgumentException.class, () -> new TaskDependency(1, 1, TaskDependency.Mode.ESMM, 0));
        assertThrows(IllegalArgumentException.class, () -> new TaskDependency(1, 0, TaskDependency.Mode.AITM, -1));
    }
}
