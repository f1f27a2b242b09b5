package dev.taskweave.plugins.sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.taskweave.api.model.TaskOwnedParameters;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MMoE declares each task's gate as that task's own (3 tasks, 2 experts {@code 10 -> 8 -> 4}), and
 * the declaration is exact: only that task's output reaches a gate, every task's reaches every
 * expert. Shared-bottom shares everything.
 */
final class TaskOwnershipTest {
    @Test
    void mmoeOwnsEachTasksGate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            dev.taskweave.api.nn.FastDropout.seed(7);
            MmoeBlock block = new MmoeBlock(10, 3, 2, List.of(8, 4), 0);
            block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
            Map<Parameter, String> names = new IdentityHashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                names.put(p.getValue(), p.getKey().replaceAll("(^|_)\\d{2}(?=[A-Za-z])", "$1"));
            }
            for (int t = 0; t < 3; t++) {
                List<String> owned = new ArrayList<>();
                long size = 0;
                for (Parameter p : block.taskOwnedParameters(t)) {
                    owned.add(names.get(p));
                    size += p.getArray().size();
                }
                assertEquals(List.of("gate" + t + "_weight", "gate" + t + "_bias"), owned);
                assertEquals(10 * 2 + 2, size);
            }

            Map<String, List<Integer>> reaching = new java.util.TreeMap<>();
            NDArray x = manager.randomNormal(new Shape(4, 10));
            for (int u = 0; u < 3; u++) {
                for (Pair<String, Parameter> p : block.getParameters()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        g.muli(0f);
                    }
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDList outputs = block.forward(new ParameterStore(manager, false), new NDList(x), true);
                    collector.backward(outputs.get(u).sum());
                }
                for (Pair<String, Parameter> p : block.getParameters()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        if (g.abs().sum().getFloat() > 0) {
                            reaching.computeIfAbsent(names.get(p.getValue()), k -> new ArrayList<>()).add(u);
                        }
                    }
                }
            }
            reaching.forEach((name, tasks) -> {
                if (name.startsWith("gate")) {
                    assertEquals(List.of(name.charAt(4) - '0'), tasks, name);
                } else {
                    assertEquals(List.of(0, 1, 2), tasks, name);
                }
            });
            assertEquals(2 * 4 + 3 * 2, reaching.size());
        }
    }

    @Test
    void sharedBottomSharesEverything() {
        assertFalse(TaskOwnedParameters.class.isAssignableFrom(SharedBottomBlock.class));
    }
}
