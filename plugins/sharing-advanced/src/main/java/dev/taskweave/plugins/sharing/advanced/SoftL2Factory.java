package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: soft-l2}}: one MLP column per task, pulled together by an L2 penalty. */
@Extension
public final class SoftL2Factory implements SharingStrategyFactory<SoftL2Config> {
    @Override
    public String type() {
        return "soft-l2";
    }

    @Override
    public Class<SoftL2Config> configClass() {
        return SoftL2Config.class;
    }

    @Override
    public String description() {
        return "soft parameter sharing: one MLP column per task plus an L2 penalty on the distance between columns";
    }

    @Override
    public SharingStrategy create(SoftL2Config config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        List<Integer> layers = config.layers();
        double dropout = config.dropout();
        double penalty = config.penalty();
        return SharingStrategy.of(() -> new SoftL2Block(inputWidth, tasks, layers, dropout, penalty), last(layers));
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
