package dev.taskweave.plugins.sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.testkit.PluginConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

final class FactoryTest {
    private static final SharingContext CONTEXT = new SharingContext(List.of("rating", "click"), 12);

    @Test
    void sharedBottomFactory() {
        SharedBottomFactory factory = new SharedBottomFactory();
        assertEquals("shared-bottom", factory.type());
        assertEquals(SharedBottomConfig.class, factory.configClass());
        assertFalse(factory.description().isBlank());
        SharingStrategy strategy = factory.create(new SharedBottomConfig(), CONTEXT);
        assertEquals(64, strategy.outputWidth());
        assertInstanceOf(SharedBottomBlock.class, strategy.createBlock());
        assertNotSame(strategy.createBlock(), strategy.createBlock());
    }

    @Test
    void mmoeFactory() {
        MmoeFactory factory = new MmoeFactory();
        assertEquals("mmoe", factory.type());
        assertEquals(MmoeConfig.class, factory.configClass());
        assertFalse(factory.description().isBlank());
        SharingStrategy strategy = factory.create(new MmoeConfig(), CONTEXT);
        assertEquals(64, strategy.outputWidth());
        MmoeBlock block = assertInstanceOf(MmoeBlock.class, strategy.createBlock());
        assertEquals(4, block.expertCount());
        assertEquals(2, block.taskCount());
        assertNotSame(strategy.createBlock(), strategy.createBlock());
    }

    @Test
    void createValidatesItsConfig() {
        MmoeConfig config = PluginConfigs.bind(java.util.Map.of("experts", 0), MmoeConfig.class);
        assertThrows(InvalidConfigException.class, () -> new MmoeFactory().create(config, CONTEXT));
        assertThrows(NullPointerException.class, () -> new SharedBottomFactory().create(null, CONTEXT));
        assertThrows(IllegalArgumentException.class,
                () -> new SharedBottomFactory().create(new SharedBottomConfig(), new SharingContext(List.of("a"), 0)));
    }

    @Test
    void extensionIndexListsBothFactories() throws Exception {
        // the index next to the main classes; test-classes and other jars may carry their own
        Path classes = Path.of(SharedBottomFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> index = Files.readAllLines(classes.resolve("META-INF/extensions.idx"));
        assertTrue(index.contains(SharedBottomFactory.class.getName()));
        assertTrue(index.contains(MmoeFactory.class.getName()));
    }
}
