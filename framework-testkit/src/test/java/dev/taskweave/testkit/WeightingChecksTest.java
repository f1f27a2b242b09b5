package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.StatefulWeighting;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class WeightingChecksTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /**
     * {@code total = sum_t w_t * L_t} with {@code w_t = scale * present_t}; {@code leak} adds the
     * losses of absent tasks too (the mistake the contract is there for).
     */
    private static final class Sum extends AbstractBlock {
        private final float[] scale;
        private final boolean leak;

        Sum(float[] scale, boolean leak) {
            this.scale = scale;
            this.leak = leak;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray losses = inputs.get(0);
            NDArray present = inputs.get(1);
            NDArray weights = losses.getManager().create(scale).mul(present);
            NDArray total = weights.mul(losses).sum();
            if (leak) {
                total = total.add(losses.mul(present.neg().add(1)).sum());
            }
            return new NDList(total, weights);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(), inputShapes[0]};
        }
    }

    /**
     * {@code total = sum_t present_t * exp(-s_t) * L_t} with a learnable {@code s}; {@code detached}
     * leaves {@code s} out of the total (a weight that would never move).
     */
    private static final class Learned extends AbstractBlock {
        private final boolean detached;
        private final ai.djl.nn.Parameter s;

        Learned(int tasks, boolean detached) {
            this.detached = detached;
            this.s = addParameter(ai.djl.nn.Parameter.builder().setName("s").setType(ai.djl.nn.Parameter.Type.OTHER)
                    .optShape(new Shape(tasks)).optInitializer(new ai.djl.training.initializer.ConstantInitializer(0.3f)).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray losses = inputs.get(0);
            NDArray present = inputs.get(1);
            NDArray value = losses.zerosLike().add(ps.getValue(s, losses.getDevice(), training));
            NDArray weights = (detached ? value.stopGradient() : value).neg().exp().mul(present);
            return new NDList(weights.mul(losses).sum(), weights);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(), inputShapes[0]};
        }
    }

    /** A weighting whose scale is its state, which epochEnded doubles; {@code forgetful} loads nothing. */
    private static final class Doubling implements LossWeighting, StatefulWeighting {
        private final float[] scale = {1, 1, 1};
        private final boolean forgetful;

        Doubling(boolean forgetful) {
            this.forgetful = forgetful;
        }

        @Override
        public Block createBlock() {
            return new Sum(scale, false);
        }

        @Override
        public void epochEnded(int epoch, double[] meanLossPerTask) {
            for (int t = 0; t < scale.length; t++) {
                scale[t] *= 2;
            }
        }

        @Override
        public void saveState(DataOutputStream out) throws IOException {
            for (float s : scale) {
                out.writeFloat(s);
            }
        }

        @Override
        public void loadState(DataInputStream in) throws IOException {
            for (int t = 0; t < scale.length; t++) {
                float s = in.readFloat();
                if (!forgetful) {
                    scale[t] = s;
                }
            }
        }
    }

    /** Averages the present gradients; {@code previewCounts} makes preview() advance a step counter that combine() reads. */
    private static final class Average implements LossWeighting, GradientCombiner {
        private final boolean previewCounts;
        private int steps;

        Average(boolean previewCounts) {
            this.previewCounts = previewCounts;
        }

        @Override
        public Block createBlock() {
            return new Sum(new float[] {1, 1, 1}, false);
        }

        @Override
        public Combined combine(float[][] gradients, float[] losses) {
            steps++;
            return new Combined(mean(gradients, steps), new float[] {1, 1, 1});
        }

        @Override
        public float[] preview(float[][] gradients, float[] losses) {
            if (previewCounts) {
                steps++;
            }
            return mean(gradients, steps + 1);
        }

        private static float[] mean(float[][] gradients, int step) {
            float[] out = null;
            for (float[] g : gradients) {
                if (g != null) {
                    out = out == null ? new float[g.length] : out;
                    for (int i = 0; i < g.length; i++) {
                        out[i] += g[i] / step;
                    }
                }
            }
            return out;
        }
    }

    @Test
    void aWeightingThatKeepsTheRulesPasses() {
        WeightingChecks.assertContract(manager, () -> new LossWeighting() {
            @Override
            public Block createBlock() {
                return new Sum(new float[] {1, 0.5f, 2}, false);
            }
        }, 3);
        WeightingChecks.assertContract(manager, () -> new Doubling(false), 3);
        WeightingChecks.assertContract(manager, () -> new Average(false), 3);
    }

    @Test
    void aLearnableWeightTheTotalDoesNotReachFails() {
        WeightingChecks.assertContract(manager, () -> () -> new Learned(3, false), 3);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> WeightingChecks.assertContract(manager, () -> () -> new Learned(3, true), 3));
        assertTrue(e.getMessage().startsWith("the total's gradient reaches s (it is 0 everywhere"), e.getMessage());
    }

    @Test
    void anAbsentTaskThatContributesFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> WeightingChecks.assertContract(manager,
                () -> () -> new Sum(new float[] {1, 1, 1}, true), 3));
        assertTrue(e.getMessage().startsWith("the total changed with the loss of task 0, absent from the batch"), e.getMessage());
    }

    @Test
    void aStateThatDoesNotLoadFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> WeightingChecks.assertContract(manager, () -> new Doubling(true), 3));
        assertTrue(e.getMessage().startsWith("the total after loading the state"), e.getMessage());
    }

    @Test
    void aPreviewThatChangesTheStateFails() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> WeightingChecks.assertContract(manager, () -> new Average(true), 3));
        assertTrue(e.getMessage().startsWith("preview() twice on the same gradients"), e.getMessage());
    }
}
