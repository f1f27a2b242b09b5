package dev.taskweave.plugins.sharing;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: mmoe}}: expert MLPs mixed per task by a softmax gate. */
@Extension
public final class MmoeFactory implements SharingStrategyFactory<MmoeConfig> {
    @Override
    public String type() {
        return "mmoe";
    }

    @Override
    public Class<MmoeConfig> configClass() {
        return MmoeConfig.class;
    }

    @Override
    public String description() {
        return "multi-gate mixture of experts: shared expert MLPs, one softmax gate per task";
    }

    @Override
    public SharingStrategy create(MmoeConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        int experts = config.experts();
        List<Integer> layers = config.expertLayers();
        double dropout = config.dropout();
        return SharingStrategy.of(() -> new MmoeBlock(inputWidth, tasks, experts, layers, dropout), layers.get(layers.size() - 1));
    }
}
