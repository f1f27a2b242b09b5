package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.Dataset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link MovieLensSource#read()} produces: the dataset, and the genre flags it withholds.
 *
 * @param dataset      the dataset; the {@code item_genres} rows of the hidden items are all zero
 * @param hiddenGenres the withheld genre flags by item entity index, in genre_hidden_items.txt order
 *                     (empty unless the benchmark split is used): labels for a genre task's evaluation
 */
public record MovieLensData(Dataset dataset, Map<Integer, float[]> hiddenGenres) {
    public MovieLensData {
        requireNonNull(dataset, "dataset is null");
        hiddenGenres = Collections.unmodifiableMap(new LinkedHashMap<>(hiddenGenres));
    }
}
