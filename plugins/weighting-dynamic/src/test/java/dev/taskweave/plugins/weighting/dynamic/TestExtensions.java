package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LossWeightingFactory;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestExtensions {
    private static final List<LossWeightingFactory<?>> FACTORIES = List.of(new DwaWeightingFactory(),
            new RlwWeightingFactory(), new PcGradWeightingFactory(), new MgdaWeightingFactory(),
            new CaGradWeightingFactory(), new GradNormWeightingFactory());

    @Test
    void factoriesDeclareTheirTypes() {
        assertEquals(List.of("dwa", "rlw", "pcgrad", "mgda-ub", "cagrad", "gradnorm"),
                FACTORIES.stream().map(LossWeightingFactory::type).toList());
        assertEquals(List.of(DwaConfig.class, RlwConfig.class, PcGradConfig.class, MgdaConfig.class,
                CaGradConfig.class, GradNormConfig.class),
                FACTORIES.stream().map(LossWeightingFactory::configClass).toList());
        for (LossWeightingFactory<?> factory : FACTORIES) {
            assertFalse(factory.description().isBlank(), factory.type());
        }
    }

    @Test
    void noneReadsTheTasksDeclaredWeights() {
        // check warns about a task weight other than 1 under any of them
        for (LossWeightingFactory<?> factory : FACTORIES) {
            assertFalse(factory.readsTaskWeights(), factory.type());
        }
    }

    @Test
    void gradientMethodsAreCombiners() {
        assertInstanceOf(GradientCombiner.class,
                new PcGradWeightingFactory().create(new PcGradConfig(), Harness.context(2)));
        assertInstanceOf(GradientCombiner.class,
                new MgdaWeightingFactory().create(new MgdaConfig(), Harness.context(2)));
        assertInstanceOf(GradientCombiner.class,
                new CaGradWeightingFactory().create(new CaGradConfig(), Harness.context(2)));
        assertInstanceOf(GradientCombiner.class,
                new GradNormWeightingFactory().create(new GradNormConfig(), Harness.context(2)));
        assertFalse(new DwaWeightingFactory().create(new DwaConfig(), Harness.context(2)) instanceof GradientCombiner);
        assertFalse(new RlwWeightingFactory().create(new RlwConfig(), Harness.context(2)) instanceof GradientCombiner);
    }

    @Test
    void annotationProcessorIndexesAllFactories() throws Exception {
        // the index next to the factory classes (test-classes holds its own, empty, index)
        URL location = DwaWeightingFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {location}, null);
                InputStream in = loader.getResourceAsStream("META-INF/extensions.idx")) {
            assertNotNull(in, "META-INF/extensions.idx is missing from " + location);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (LossWeightingFactory<?> factory : FACTORIES) {
                assertTrue(lines.contains(factory.getClass().getName()), lines.toString());
            }
        }
    }
}
