package dev.taskweave.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import dev.taskweave.core.plugin.PluginFailureException;
import dev.taskweave.core.plugin.Registered;
import org.junit.jupiter.api.Test;

class PluginBlockFailureTest {
    @Test
    void aPluginBlocksFailureInItsForwardPassNamesThePluginAndThePath() {
        ClassLoader loader = getClass().getClassLoader();
        Registered<Object> owner = new Registered<>("poisson", new Object(), "acme-mtl", "1.0.0", loader);
        MultiTaskBlock.Component component = new MultiTaskBlock.Component(new LambdaBlock(x -> {
            throw new IllegalStateException("rate out of range");
        }), loader, owner, "exp.yaml", "tasks[0].head");
        try (NDManager manager = NDManager.newBaseManager()) {
            PluginFailureException e = assertThrows(PluginFailureException.class,
                    () -> component.forward(new ParameterStore(manager, false), new NDList(manager.ones(new ai.djl.ndarray.types.Shape(2))), false));
            assertEquals("exp.yaml: tasks[0].head: type 'poisson' of plugin acme-mtl 1.0.0 failed in its block's forward(): "
                    + "IllegalStateException: rate out of range", e.getMessage());
        }
    }
}
