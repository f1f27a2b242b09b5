package dev.taskweave.plugins.sharing.advanced;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.GatedBlock;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import dev.taskweave.testkit.PluginConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class FactoryTest {
    private static final SharingContext CONTEXT = new SharingContext(List.of("rating", "click"), 12);
    private static final List<SharingStrategyFactory<?>> FACTORIES = List.of(new OmoeFactory(), new CgcFactory(),
            new PleFactory(), new CrossStitchFactory(), new SeparateFactory(), new SoftL2Factory());

    private static <C> SharingStrategy createDefault(SharingStrategyFactory<C> factory, SharingContext context)
            throws Exception {
        return factory.create(factory.configClass().getConstructor().newInstance(), context);
    }

    @Test
    void typesAreUniqueAndDescribed() {
        Set<String> types = new HashSet<>();
        for (SharingStrategyFactory<?> factory : FACTORIES) {
            assertTrue(types.add(factory.type()), factory.type());
            assertFalse(factory.description().isBlank(), factory.type());
        }
        assertEquals(Set.of("omoe", "cgc", "ple", "cross-stitch", "separate", "soft-l2"), types);
        assertEquals(OmoeConfig.class, new OmoeFactory().configClass());
        assertEquals(CgcConfig.class, new CgcFactory().configClass());
        assertEquals(PleConfig.class, new PleFactory().configClass());
        assertEquals(CrossStitchConfig.class, new CrossStitchFactory().configClass());
        assertEquals(SeparateConfig.class, new SeparateFactory().configClass());
        assertEquals(SoftL2Config.class, new SoftL2Factory().configClass());
    }

    @Test
    void defaultsBuildTheRightBlocks() throws Exception {
        Map<String, Class<? extends Block>> blocks = Map.of("omoe", OmoeBlock.class, "cgc", CgcBlock.class,
                "ple", PleBlock.class, "cross-stitch", CrossStitchBlock.class, "separate", SeparateBlock.class,
                "soft-l2", SoftL2Block.class);
        Map<String, Integer> widths = Map.of("omoe", 64, "cgc", 64, "ple", 32, "cross-stitch", 64, "separate", 64,
                "soft-l2", 64);
        for (SharingStrategyFactory<?> factory : FACTORIES) {
            SharingStrategy strategy = createDefault(factory, CONTEXT);
            assertEquals(widths.get(factory.type()), strategy.outputWidth(), factory.type());
            Block block = strategy.createBlock();
            assertInstanceOf(blocks.get(factory.type()), block);
            assertNotSame(block, strategy.createBlock());
            boolean gated = Set.of("omoe", "cgc", "ple").contains(factory.type());
            assertEquals(gated, block instanceof GatedBlock, factory.type());
            assertEquals(factory.type().equals("soft-l2"), block instanceof AuxiliaryLoss, factory.type());
        }
    }

    @Test
    void separateWithoutLayersPassesTheInputWidthOn() {
        SeparateConfig config = PluginConfigs.bind(Map.of("layers", List.of()), SeparateConfig.class);
        assertEquals(12, new SeparateFactory().create(config, CONTEXT).outputWidth());
    }

    @Test
    void factoriesCarryTheirStructure() {
        PleBlock ple = (PleBlock) new PleFactory().create(PluginConfigs.bind(Map.of("levels", 3), PleConfig.class), CONTEXT).createBlock();
        assertEquals(3, ple.levelCount());
        assertEquals(2, ple.taskCount());
        CgcBlock cgc = (CgcBlock) new CgcFactory().create(PluginConfigs.bind(Map.of("sharedExperts", 3, "taskExperts", 1), CgcConfig.class), CONTEXT).createBlock();
        assertEquals(3, cgc.sharedExperts());
        assertEquals(1, cgc.taskExperts());
        OmoeBlock omoe = (OmoeBlock) new OmoeFactory().create(new OmoeConfig(), CONTEXT).createBlock();
        assertEquals(4, omoe.expertCount());
        SoftL2Block soft = (SoftL2Block) new SoftL2Factory().create(PluginConfigs.bind(Map.of("penalty", 0.25), SoftL2Config.class), CONTEXT).createBlock();
        assertEquals(0.25, soft.penalty());
    }

    @Test
    void createValidatesItsConfig() {
        assertThrows(InvalidConfigException.class, () -> new PleFactory()
                .create(PluginConfigs.bind(Map.of("levels", 0), PleConfig.class), CONTEXT));
        assertThrows(InvalidConfigException.class, () -> new CgcFactory()
                .create(PluginConfigs.bind(Map.of("sharedExperts", 0), CgcConfig.class), CONTEXT));
        assertThrows(InvalidConfigException.class, () -> new CrossStitchFactory()
                .create(PluginConfigs.bind(Map.of("selfWeight", 2), CrossStitchConfig.class), CONTEXT));
        assertThrows(InvalidConfigException.class, () -> new SoftL2Factory()
                .create(PluginConfigs.bind(Map.of("penalty", -1), SoftL2Config.class), CONTEXT));
        assertThrows(NullPointerException.class, () -> new OmoeFactory().create(null, CONTEXT));
        assertThrows(NullPointerException.class, () -> new SeparateFactory().create(new SeparateConfig(), null));
        for (SharingStrategyFactory<?> factory : FACTORIES) {
            assertThrows(IllegalArgumentException.class,
                    () -> createDefault(factory, new SharingContext(List.of("a"), 0)), factory.type());
        }
    }

    @Test
    void extensionIndexListsAllSixFactories() throws Exception {
        // the index next to the main classes; test-classes and other jars may carry their own
        Path classes = Path.of(OmoeFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> index = Files.readAllLines(classes.resolve("META-INF/extensions.idx"));
        for (SharingStrategyFactory<?> factory : FACTORIES) {
            assertTrue(index.contains(factory.getClass().getName()), factory.getClass().getName());
        }
    }
}
