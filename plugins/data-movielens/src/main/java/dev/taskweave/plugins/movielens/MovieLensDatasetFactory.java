package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.DatasetSourceFactory;
import org.pf4j.Extension;

/** {@code data: {type: movielens, params: {directory: ..., benchmark: ...}}}: MovieLens-100K. */
@Extension
public final class MovieLensDatasetFactory implements DatasetSourceFactory<MovieLensConfig> {
    @Override
    public String type() {
        return "movielens";
    }

    @Override
    public Class<MovieLensConfig> configClass() {
        return MovieLensConfig.class;
    }

    @Override
    public String description() {
        return "MovieLens-100K with demographics, genres and release dates; benchmark, fold or random splits";
    }

    @Override
    public DatasetSource create(MovieLensConfig config, DataContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new MovieLensSource(config, context);
    }
}
