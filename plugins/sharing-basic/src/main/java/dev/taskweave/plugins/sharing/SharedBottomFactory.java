package dev.taskweave.plugins.sharing;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
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
        return new Strategy(context.inputWidth(), context.tasks().size(), config.layers(), config.dropout());
    }

    private static final class Strategy implements SharingStrategy {
        private final int inputWidth;
        private final int tasks;
        private final List<Integer> layers;
        private final double dropout;

        Strategy(int inputWidth, int tasks, List<Integer> layers, double dropout) {
            if (inputWidth < 1) {
                throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
            }
            this.inputWidth = inputWidth;
            this.tasks = tasks;
            this.layers = layers;
            this.dropout = dropout;
        }

        @Override
        public Block createBlock() {
            return new SharedBottomBlock(inputWidth, tasks, layers, dropout);
        }

        @Override
        public int outputWidth() {
            return layers.isEmpty() ? inputWidth : layers.get(layers.size() - 1);
        }
    }
}
