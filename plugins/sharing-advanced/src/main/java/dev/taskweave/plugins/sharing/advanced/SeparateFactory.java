package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: separate}}: one independent MLP column per task. */
@Extension
public final class SeparateFactory implements SharingStrategyFactory<SeparateConfig> {
    @Override
    public String type() {
        return "separate";
    }

    @Override
    public Class<SeparateConfig> configClass() {
        return SeparateConfig.class;
    }

    @Override
    public String description() {
        return "feature sharing only: one independent MLP column per task behind the shared input encoder";
    }

    @Override
    public SharingStrategy create(SeparateConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        List<Integer> layers = config.layers();
        double dropout = config.dropout();
        int outputWidth = layers.isEmpty() ? inputWidth : last(layers);
        return SharingStrategy.of(() -> new SeparateBlock(inputWidth, tasks, layers, dropout), outputWidth);
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
