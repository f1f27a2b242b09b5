package dev.taskweave.plugins.sharing;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: shared-bottom}}: one MLP whose output every task reads. */
@Extension
public final class SharedBottomFactory implements SharingStrategyFactory<SharedBottomConfig> {
    @Override
    public String type() {
        return "shared-bottom";
    }

    @Override
    public Class<SharedBottomConfig> configClass() {
        return SharedBottomConfig.class;
    }

    @Override
    public String description() {
        return "hard parameter sharing: one MLP bottom whose output every task reads";
    }

    @Override
    public SharingStrategy create(SharedBottomConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        List<Integer> layers = config.layers();
        double dropout = config.dropout();
        return SharingStrategy.of(() -> new SharedBottomBlock(inputWidth, tasks, layers, dropout),
                layers.isEmpty() ? inputWidth : layers.get(layers.size() - 1));
    }
}
