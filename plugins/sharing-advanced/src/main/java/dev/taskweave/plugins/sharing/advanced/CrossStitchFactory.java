package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: cross-stitch}}: one MLP column per task, mixed after every layer by a learnable matrix. */
@Extension
public final class CrossStitchFactory implements SharingStrategyFactory<CrossStitchConfig> {
    @Override
    public String type() {
        return "cross-stitch";
    }

    @Override
    public Class<CrossStitchConfig> configClass() {
        return CrossStitchConfig.class;
    }

    @Override
    public String description() {
        return "cross-stitch networks: one MLP column per task, linearly mixed after every layer by learnable weights";
    }

    @Override
    public SharingStrategy create(CrossStitchConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        List<Integer> layers = config.layers();
        double dropout = config.dropout();
        double selfWeight = config.selfWeight();
        return SharingStrategy.of(() -> new CrossStitchBlock(inputWidth, tasks, layers, dropout, selfWeight), last(layers));
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
