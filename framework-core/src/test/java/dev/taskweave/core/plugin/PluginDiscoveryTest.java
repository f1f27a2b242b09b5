package dev.taskweave.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.inject.Guice;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.core.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginDiscoveryTest {
    @TempDir
    Path work;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void pluginJarBuiltInTestIsDiscoveredWiredAndUsed() throws Exception {
        Path plugins = work.resolve("plugins");
        PluginJars.weightingPlugin(work, plugins, "test-weighting", "test.weighting", "constant-test", "from the plugin's own module");
        try (PluginRuntime runtime = PluginRuntime.start(List.of(plugins), Guice.createInjector())) {
            ExtensionRegistry registry = runtime.registry();
            assertEquals(List.of("constant-test"), registry.types(ExtensionKind.WEIGHTING));
            Registered<?> reg = registry.find(ExtensionKind.WEIGHTING, "constant-test");
            assertEquals("test-weighting", reg.pluginId());
            assertEquals("1.2.3", reg.pluginVersion());
            LossWeightingFactory factory = (LossWeightingFactory) reg.factory();
            // the plugin's own Guice module bound this constant; the extension received it by injection
            assertEquals("from the plugin's own module", factory.description());
            // loaded by the plugin's class loader, but sharing the SPI with the host
            assertNotSame(getClass().getClassLoader(), factory.getClass().getClassLoader());
            assertTrue(factory instanceof LossWeightingFactory);
            assertEquals(List.of("constant-test"), registry.plugins().get("test-weighting").types().get("loss weighting"));

            Object config = new ConfigLoader().bind(Map.of("scale", 2.0), factory.configClass(), "test", "weighting.params");
            LossWeighting weighting = (LossWeighting) reg.call(() -> factory.create(config,
                    new WeightingContext(List.of("a", "b"), List.of(1.0, 1.0))));
            Block block = weighting.createBlock();
            try (NDManager m = NDManager.newBaseManager()) {
                block.initialize(m, DataType.FLOAT32, new Shape(2), new Shape(2));
                NDArray losses = m.create(new float[] {3f, 5f});
                NDArray present = m.create(new float[] {1f, 0f});
                NDList out = block.forward(new ParameterStore(m, false), new NDList(losses, present), false);
                assertEquals(6f, out.get(0).getFloat(), 1e-6); // 2 * (3*1 + 5*0)
            }
        }
    }

    @Test
    void twoPluginsClaimingOneTypeStopStartUpNamingBoth() throws Exception {
        Path plugins = work.resolve("plugins");
        PluginJars.weightingPlugin(work, plugins, "first-plugin", "first.pkg", "same-name", "one");
        PluginJars.weightingPlugin(work, plugins, "second-plugin", "second.pkg", "same-name", "two");
        PluginConflictException e = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(plugins), Guice.createInjector()));
        assertTrue(e.getMessage().contains("first-plugin"), e.getMessage());
        assertTrue(e.getMessage().contains("second-plugin"), e.getMessage());
        assertTrue(e.getMessage().contains("'same-name'"), e.getMessage());
    }

    @Test
    void missingPluginDirectoryIsAClearError() {
        Path missing = work.resolve("nope");
        PluginConflictException e = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(missing), Guice.createInjector()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
