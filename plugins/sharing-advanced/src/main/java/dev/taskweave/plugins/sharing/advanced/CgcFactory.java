package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import java.util.List;
import org.pf4j.Extension;

/** {@code sharing: {type: cgc}}: shared and task-owned experts, one softmax gate per task. */
@Extension
public final class CgcFactory implements SharingStrategyFactory<CgcConfig> {
    @Override
    public String type() {
        return "cgc";
    }

    @Override
    public Class<CgcConfig> configClass() {
        return CgcConfig.class;
    }

    @Override
    public String description() {
        return "customized gate control: shared plus per-task experts, each task gating its own and the shared ones";
    }

    @Override
    public SharingStrategy create(CgcConfig config, SharingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        int inputWidth = context.inputWidth();
        int tasks = context.tasks().size();
        int shared = config.sharedExperts();
        int owned = config.taskExperts();
        List<Integer> layers = config.expertLayers();
        double dropout = config.dropout();
        return SharingStrategy.of(() -> new CgcBlock(inputWidth, tasks, shared, owned, layers, dropout), last(layers));
    }

    private static int last(List<Integer> widths) {
        return widths.get(widths.size() - 1);
    }
}
