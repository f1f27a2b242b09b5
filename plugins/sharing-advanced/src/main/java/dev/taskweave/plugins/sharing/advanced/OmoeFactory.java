package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: omoe}}: expert MLPs mixed by one softmax gate that all tasks share. */
@Extension
public final class OmoeFactory implements SharingStrategyFactory<OmoeConfig> {
    @Override
    public String type() {
        return "omoe";
    }

    @Override
    public Class<OmoeConfig> configClass() {
        return OmoeConfig.class;
    }

    @Override
    public String description() {
        return "one-gate mixture of experts: shared expert MLPs mixed by a single softmax gate for all tasks";
    }

    @Override
    public SharingStrategy create(OmoeConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        int experts = config.experts();
        List<Integer> layers = config.expertLayers();
        double dropout = config.dropout();
        return SharingStrategy.of(() -> new OmoeBlock(inputWidth, tasks, experts, layers, dropout), last(layers));
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
