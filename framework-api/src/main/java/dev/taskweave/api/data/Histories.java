package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

/**
 * Builds the rows of a history feature ({@link FeatureSpec#history}): for each user the items
 * they interacted with, or for each item the users who interacted with it, in the columns of the
 * other side's entity indices. The encoder reads a history as it is (it does not normalise it as it
 * does other multi-hot features), so the scaling chosen here is what the model sees:
 * {@link Scale#MEAN} divides by the entity's number of interactions {@code n} (the encoded value is
 * the mean of the counterparts' embeddings, the usual choice for 0/1 interactions);
 * {@link Scale#ROOT} divides by {@code sqrt(n)} (SVD++'s normalisation, the usual choice for
 * signed values such as centred ratings, whose mean would cancel out towards zero). The runtime
 * leaves a row's own interaction out when it reads the feature, so a history must hold exactly the
 * training interactions, one column per entity of the other side.
 */
public final class Histories {
    private Histories() {}

    /** How a row is scaled by its number of interactions {@code n}. */
    public enum Scale {
        /** Divide by {@code n}: the row's values sum to their mean. */
        MEAN,
        /** Divide by {@code sqrt(n)} (SVD++). */
        ROOT
    }

    /**
     * @param interactions the training interactions (only these: a history built from valid or
     *                     test rows leaks them)
     * @param entity       whose history: {@link Entity#USER} gives one row per user over the items
     * @param users        the number of users
     * @param items        the number of items
     * @param values       per interaction, the value to store instead of 1 (for example the rating
     *                     minus the training mean); null for 1
     * @param scale        how each row is scaled by its number of interactions
     * @return {@code rows x width} values, row-major, for {@link EntityTable.Builder#dense}
     */
    public static float[] of(Interactions interactions, Entity entity, int users, int items, float[] values, Scale scale) {
        requireNonNull(interactions, "interactions is null");
        requireNonNull(scale, "scale is null");
        requireNonNull(entity, "entity is null");
        int[] rowOf = entity == Entity.USER ? interactions.users() : interactions.items();
        int[] columnOf = entity == Entity.USER ? interactions.items() : interactions.users();
        if (values != null && values.length != rowOf.length) {
            throw new IllegalArgumentException(values.length + " values for " + rowOf.length + " interactions");
        }
        int rows = entity == Entity.USER ? users : items;
        int width = entity == Entity.USER ? items : users;
        float[] out = new float[Math.multiplyExact(rows, width)];
        int[] counts = new int[rows];
        for (int k = 0; k < rowOf.length; k++) {
            int row = rowOf[k];
            int column = columnOf[k];
            if (row < 0 || row >= rows || column < 0 || column >= width) {
                throw new IllegalArgumentException("interaction " + k + " (user " + interactions.users()[k] + ", item "
                        + interactions.items()[k] + ") is outside " + users + " users and " + items + " items");
            }
            counts[row]++;
            out[row * width + column] = values == null ? 1f : values[k];
        }
        for (int row = 0; row < rows; row++) {
            if (counts[row] > 0) {
                float factor = scale == Scale.MEAN ? 1f / counts[row] : (float) (1 / Math.sqrt(counts[row]));
                for (int c = row * width; c < (row + 1) * width; c++) {
                    out[c] *= factor;
                }
            }
        }
        return out;
    }
}
