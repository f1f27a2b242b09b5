package dev.taskweave.plugins.sharing;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
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
        return new Strategy(context.inputWidth(), context.tasks().size(), config.experts(), config.expertLayers(),
                config.dropout());
    }

    private static final class Strategy implements SharingStrategy {
        private final int inputWidth;
        private final int tasks;
        private final int experts;
        private final List<Integer> expertLayers;
        private final double dropout;

        Strategy(int inputWidth, int tasks, int experts, List<Integer> expertLayers, double dropout) {
            if (inputWidth < 1) {
                throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
            }
            this.inputWidth = inputWidth;
            this.tasks = tasks;
            this.experts = experts;
            this.expertLayers = expertLayers;
            this.dropout = dropout;
        }

        @Override
        public Block createBlock() {
            return new MmoeBlock(inputWidth, tasks, experts, expertLayers, dropout);
        }

        @Override
        public int outputWidth() {
            return expertLayers.get(expertLayers.size() - 1);
        }
    }
}
