package dev.taskweave.plugins.sharing.advanced;

import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;

/** Builds strategies by type name and {@code params}, the way the runtime binds the YAML. */
final class Strategies {
    static final List<String> TYPES = List.of("omoe", "cgc", "ple", "cross-stitch", "separate", "soft-l2");

    private static final List<SharingStrategyFactory<?>> FACTORIES = List.of(new OmoeFactory(), new CgcFactory(),
            new PleFactory(), new CrossStitchFactory(), new SeparateFactory(), new SoftL2Factory());

    private Strategies() {}

    static SharingStrategy create(String type, int tasks, int width, Map<String, ?> params) {
        for (SharingStrategyFactory<?> factory : FACTORIES) {
            if (factory.type().equals(type)) {
                return create(factory, tasks, width, params);
            }
        }
        throw new IllegalArgumentException("no factory for " + type);
    }

    private static <C> SharingStrategy create(
            SharingStrategyFactory<C> factory, int tasks, int width, Map<String, ?> params) {
        return factory.create(PluginConfigs.bind(params, factory.configClass()), TestSupport.context(tasks, width));
    }

    /** Small structures for every type; the last layer is 4 wide. */
    static Map<String, Object> small(String type) {
        return switch (type) {
            case "omoe" -> Map.of("experts", 3, "expertLayers", List.of(8, 4));
            case "cgc" -> Map.of("sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4));
            case "ple" -> Map.of("levels", 2, "sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4));
            default -> Map.of("layers", List.of(8, 4));
        };
    }
}
