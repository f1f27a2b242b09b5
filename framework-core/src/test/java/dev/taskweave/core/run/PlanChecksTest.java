package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.Registered;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link ModelAssembler#plan} refuses before any data is read, with a stub of every kind of plugin. */
class PlanChecksTest {
    private final ConfigLoader loader = new ConfigLoader();
    private final ModelAssembler assembler;

    PlanChecksTest() {
        ExtensionFactory<Object> stub = new ExtensionFactory<>() {
            @Override
            public String type() {
                return "stub";
            }

            @Override
            public Class<Object> configClass() {
                return Object.class;
            }
        };
        ExtensionRegistry.Builder registry = ExtensionRegistry.builder();
        for (ExtensionKind kind : ExtensionKind.values()) {
            registry.add(kind, new Registered<>("stub", stub, "test", "1.0.0", getClass().getClassLoader()), "test");
        }
        assembler = new ModelAssembler(registry.build(), new MetricRegistry(List.of()), loader);
    }

    private ExperimentConfig experiment(String more) {
        return loader.parse("""
                data: {type: stub}
                tasks: [{name: rating, head: stub, label: rating}]
                sharing: {type: stub}
                weighting: {type: stub}
                """ + more, "t.yaml");
    }

    @Test
    void anEmptyIncludeIsRefusedWhereALeftOutOneReadsEveryFeature() {
        ConfigException e = assertThrows(ConfigException.class, () -> assembler.plan(experiment("features: {include: []}\n"), "t.yaml"));
        assertEquals("t.yaml: features.include: expected at least one feature name; leave it out to read every feature", e.getMessage());
        List<FeatureSpec> available = List.of(new FeatureSpec("user_id", Entity.USER, FeatureKind.CATEGORICAL, 3, true, List.of(), false),
                new FeatureSpec("item_id", Entity.ITEM, FeatureKind.CATEGORICAL, 4, true, List.of(), false));
        ExperimentConfig all = experiment("");
        assembler.plan(all, "t.yaml");
        assertEquals(available, assembler.selectFeatures(all, available, "t.yaml"));
        assertEquals(available.subList(1, 2), assembler.selectFeatures(experiment("features: {include: [item_id]}\n"), available, "t.yaml"));
        // a model stored by a release that wrote a left-out include as [] keeps loading, and reads every feature
        ExperimentConfig stored = experiment("features: {include: []}\n");
        assembler.planStored(stored, "t.yaml");
        assertEquals(available, assembler.selectFeatures(stored, available, "t.yaml"));
    }
}
