package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.TaskOwnedParameters;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a sharing block against what the runtime relies on ({@link #assertContract}), and finds
 * which tasks' outputs reach each parameter ({@link #reach}), which is what a
 * {@link TaskOwnedParameters} declaration must agree with.
 */
public final class SharingChecks {
    private SharingChecks() {}

    /** DJL prefixes each child's name with its two-digit position; this strips those prefixes. */
    public static String plainName(String name) {
        return name.replaceAll("(^|_)\\d{2}(?=[A-Za-z])", "$1");
    }

    /**
     * For every parameter of an initialised block (by {@link #plainName}, in the block's order),
     * the tasks whose output has a non-zero gradient with respect to it: one backward pass of the
     * sum of each task's output, in training mode. Use a block without dropout, or with a seeded
     * one, for repeatable results.
     */
    public static Map<String, List<Integer>> reach(NDManager manager, Block block, NDArray x, int tasks) {
        Map<String, List<Integer>> reaching = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            reaching.put(plainName(p.getKey()), new ArrayList<>());
        }
        ParameterStore store = new ParameterStore(manager, false);
        for (int task = 0; task < tasks; task++) {
            clearGradients(block);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList outputs = block.forward(store, new NDList(x), true);
                collector.backward(outputs.get(task).sum());
            }
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().getArray().getGradient().abs().sum().getFloat() > 0) {
                    reaching.get(plainName(p.getKey())).add(task);
                }
            }
        }
        clearGradients(block);
        return reaching;
    }

    /**
     * Fails unless every parameter an initialised {@link TaskOwnedParameters} block declares as task
     * {@code t}'s own is one of its parameters, declared for no other task, and reached by task
     * {@code t}'s output alone ({@link #reach}). Parameters left undeclared are shared, which is
     * always correct; a test that wants the declaration complete checks the returned reach too.
     *
     * @return the reach of every parameter
     */
    public static Map<String, List<Integer>> assertOwnership(NDManager manager, Block block, NDArray x, int tasks) {
        if (!(block instanceof TaskOwnedParameters owned)) {
            throw new IllegalArgumentException(block.getClass().getName() + " does not implement TaskOwnedParameters");
        }
        Map<Parameter, String> names = plainNames(block);
        Map<String, List<Integer>> reaching = reach(manager, block, x, tasks);
        Map<String, Integer> owner = new LinkedHashMap<>();
        for (int task = 0; task < tasks; task++) {
            for (Parameter p : owned.taskOwnedParameters(task)) {
                String name = names.get(p);
                assertTrue(name != null, "task " + task + " declares a parameter the block does not have: " + p.getName());
                Integer previous = owner.put(name, task);
                assertTrue(previous == null, name + " is declared by tasks " + previous + " and " + task);
                assertEquals(List.of(task), reaching.get(name),
                        "the tasks whose output reaches " + name + ", which task " + task + " declares as its own");
            }
        }
        return reaching;
    }

    /**
     * Fails unless the parameters an initialised {@link LastSharedLayer} block names are its own,
     * each named once, none declared as one task's own ({@link TaskOwnedParameters}), and each
     * reached by every task's output ({@link #reach}): the layer GradNorm measures every task's
     * gradient on must carry every task's gradient.
     *
     * @return the plain names of the named parameters, in the order the block names them
     */
    public static List<String> assertLastSharedLayer(NDManager manager, Block block, NDArray x, int tasks) {
        if (!(block instanceof LastSharedLayer last)) {
            throw new IllegalArgumentException(block.getClass().getName() + " does not implement LastSharedLayer");
        }
        Map<Parameter, String> names = plainNames(block);
        Map<String, List<Integer>> reaching = reach(manager, block, x, tasks);
        List<Integer> every = new ArrayList<>();
        for (int task = 0; task < tasks; task++) {
            every.add(task);
        }
        List<String> named = new ArrayList<>();
        for (Parameter p : last.lastSharedLayer()) {
            String name = names.get(p);
            assertTrue(name != null, "the last shared layer names a parameter the block does not have: " + p.getName());
            assertTrue(!named.contains(name), name + " is named twice in the last shared layer");
            if (block instanceof TaskOwnedParameters owned) {
                for (int task = 0; task < tasks; task++) {
                    int t = task;
                    assertTrue(owned.taskOwnedParameters(task).stream().noneMatch(o -> o == p),
                            name + " is in the last shared layer and declared as task " + t + "'s own");
                }
            }
            assertEquals(every, reaching.get(name), "the tasks whose output reaches " + name + ", in the last shared layer");
            named.add(name);
        }
        return named;
    }

    /**
     * Checks a strategy's block on {@code x} ({@code [batch, inputWidth]}): one output per task, each
     * {@code [batch, outputWidth()]} and finite; a {@link TaskOwnedParameters} declaration that holds
     * ({@link #assertOwnership}); a {@link LastSharedLayer} that every task reaches
     * ({@link #assertLastSharedLayer}); the parameters saved and loaded into a new block give the
     * same outputs; and a training step leaves no array behind ({@link Blocks#assertStepLeavesNoArrays}).
     *
     * @return the initialised block
     */
    public static Block assertContract(NDManager manager, SharingStrategy strategy, int tasks, NDArray x) {
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, x.getShape());
        ParameterStore store = new ParameterStore(manager, false);
        NDList outputs = block.forward(store, new NDList(x), false);
        assertEquals(tasks, outputs.size(), "outputs, one per task");
        Shape expected = new Shape(x.getShape().get(0), strategy.outputWidth());
        for (int task = 0; task < tasks; task++) {
            NDArray out = outputs.get(task);
            assertEquals(expected, out.getShape(), "task " + task + "'s output shape");
            assertTrue(out.isInfinite().logicalOr(out.isNaN()).none().getBoolean(), "task " + task + "'s output is finite");
        }
        if (block instanceof TaskOwnedParameters) {
            assertOwnership(manager, block, x, tasks);
        }
        if (block instanceof LastSharedLayer) {
            assertLastSharedLayer(manager, block, x, tasks);
        }
        Block fresh = strategy.createBlock();
        fresh.initialize(manager, DataType.FLOAT32, x.getShape());
        Parameters.copy(manager, block, fresh);
        NDList again = fresh.forward(store, new NDList(x), false);
        for (int task = 0; task < tasks; task++) {
            assertArrayEquals(outputs.get(task).toFloatArray(), again.get(task).toFloatArray(),
                    "task " + task + "'s output after saving and loading the parameters");
        }
        // a training step, its auxiliary loss included, leaves nothing in the parameters' manager (the block
        // trained, not the copy: parameters loaded from bytes take no gradient)
        float[] values = x.toFloatArray();
        Shape shape = x.getShape();
        Blocks.assertStepLeavesNoArrays(manager, (step, stepStore) -> {
            NDList out = block.forward(stepStore, new NDList(step.create(values, shape)), true);
            NDArray total = out.get(0).sum();
            for (int task = 1; task < out.size(); task++) {
                total = total.add(out.get(task).sum());
            }
            return block instanceof AuxiliaryLoss aux ? total.add(aux.auxiliaryLoss(stepStore, true)) : total;
        });
        clearGradients(block);
        return block;
    }


    /** @return each of the block's parameters with its {@link #plainName} */
    private static Map<Parameter, String> plainNames(Block block) {
        Map<Parameter, String> names = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue(), plainName(p.getKey()));
        }
        return names;
    }

    private static void clearGradients(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray g = p.getValue().getArray().getGradient();
            g.subi(g);
        }
    }
}
