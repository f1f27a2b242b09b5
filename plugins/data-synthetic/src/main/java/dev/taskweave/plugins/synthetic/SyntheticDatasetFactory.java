package dev.taskweave.plugins.synthetic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.DatasetSourceFactory;
import org.pf4j.Extension;

/** {@code data: {type: synthetic}}: a generated dataset with planted structure. */
@Extension
public final class SyntheticDatasetFactory implements DatasetSourceFactory<SyntheticConfig> {
    @Override
    public String type() {
        return "synthetic";
    }

    @Override
    public Class<SyntheticConfig> configClass() {
        return SyntheticConfig.class;
    }

    @Override
    public String description() {
        return "generated users, items and ratings with planted segments, categories, tags and popularity";
    }

    @Override
    public DatasetSource create(SyntheticConfig config, DataContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        long seed = config.seed() != null ? config.seed() : context.seed();
        return () -> new SyntheticGenerator(config, seed).generate().dataset();
    }
}
