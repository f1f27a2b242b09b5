package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: ple}}: stacked customized-gate-control levels. */
@Extension
public final class PleFactory implements SharingStrategyFactory<PleConfig> {
    @Override
    public String type() {
        return "ple";
    }

    @Override
    public Class<PleConfig> configClass() {
        return PleConfig.class;
    }

    @Override
    public String description() {
        return "progressive layered extraction: stacked CGC levels linked by per-task and shared gates";
    }

    @Override
    public SharingStrategy create(PleConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        int levels = config.levels();
        int shared = config.sharedExperts();
        int owned = config.taskExperts();
        List<Integer> layers = config.expertLayers();
        double dropout = config.dropout();
        return SharingStrategy.of(
                () -> new PleBlock(inputWidth, tasks, levels, shared, owned, layers, dropout), last(layers));
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
