package dev.taskweave.plugins.files;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.DatasetSourceFactory;
import org.pf4j.Extension;

/** {@code data: {type: files, params: {interactions: {file: ..., user: ..., item: ...}}}}: your own files. */
@Extension
public final class FilesDatasetFactory implements DatasetSourceFactory<FilesConfig> {
    @Override
    public String type() {
        return "files";
    }

    @Override
    public Class<FilesConfig> configClass() {
        return FilesConfig.class;
    }

    @Override
    public String description() {
        return "Interactions and user and item side features from CSV or TSV files; random, time, leave-last-out or file splits";
    }

    @Override
    public DatasetSource create(FilesConfig config, DataContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new FilesSource(config, context);
    }
}
