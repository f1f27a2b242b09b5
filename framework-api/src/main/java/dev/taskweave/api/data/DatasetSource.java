package dev.taskweave.api.data;

/** A configured data source, ready to load. */
public interface DatasetSource {
    /**
     * Reads or generates the data.
     *
     * @return the dataset
     * @throws dev.taskweave.api.DataException naming the file and line when input is malformed
     */
    Dataset load();
}
