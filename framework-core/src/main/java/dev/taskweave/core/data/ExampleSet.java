package dev.taskweave.core.data;

import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.Interactions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rows ready for batching: user and item indices, and for every task its encoded labels and a
 * mask (1 where the row carries that task's label). Observed rows come first, then the negatives
 * sampled for implicit-feedback tasks, then one row per entity for attribute tasks; negatives and
 * attribute rows are labelled only for their own task. An attribute row describes one entity: the
 * other side's index is -1 (no features). A task with a joint parent (ESMM) is also labelled 0
 * wherever its parent is labelled 0. The split's per-interaction feature columns come along: a
 * sampled negative takes the value of the row it was drawn for (the same user at the same
 * moment), an attribute row none ({@code NaN}: the entity table's value).
 */
public final class ExampleSet {
    private final int[] users;
    private final int[] items;
    private final float[][] labels;
    private final int[] widths;
    private final float[][] masks;
    private final int observed;
    private final Map<String, float[]> features;

    private ExampleSet(int[] users, int[] items, float[][] labels, int[] widths, float[][] masks, int observed,
            Map<String, float[]> features) {
        this.features = features;
        this.users = users;
        this.items = items;
        this.labels = labels;
        this.widths = widths;
        this.masks = masks;
        this.observed = observed;
    }

    /** Builds the rows of a split without attribute rows. */
    public static ExampleSet build(Interactions split, List<TaskLabels> tasks, NegativeSampler sampler, long seed) {
        return build(split, tasks, sampler, seed, Map.of());
    }

    /**
     * Builds the rows of one split.
     *
     * @param split              the observed rows
     * @param tasks              every task, in model order
     * @param sampler            draws negatives (null when no task needs any)
     * @param seed               seeds negative sampling
     * @param attributeEntities  per attribute name, the entities to emit attribute rows for
     */
    public static ExampleSet build(Interactions split, List<TaskLabels> tasks, NegativeSampler sampler, long seed,
            Map<String, int[]> attributeEntities) {
        return build(split, tasks, sampler, seed, attributeEntities, java.util.Set.of());
    }

    /**
     * As {@link #build(Interactions, List, NegativeSampler, long, Map)}.
     *
     * @param pairFeatures the split's feature columns that hold a value of each row's pair
     *                     ({@link dev.taskweave.api.data.FeatureSpec#pair()}): a sampled negative,
     *                     another pair, does not take its positive's value (NaN: the gatherer scores
     *                     it), where it takes the positive's value of every other column (the moment)
     */
    public static ExampleSet build(Interactions split, List<TaskLabels> tasks, NegativeSampler sampler, long seed,
            Map<String, int[]> attributeEntities, java.util.Set<String> pairFeatures) {
        int n = split.size();
        long rows = n;
        for (TaskLabels t : tasks) {
            rows += (long) n * t.negatives();
            if (t.attribute() != null) {
                rows += attributeEntities.getOrDefault(t.attribute().name(), new int[0]).length;
            }
        }
        for (TaskLabels t : tasks) {
            // one array holds a task's labels of every row, sampled negatives included
            if (rows * Math.max(1, t.width()) > Integer.MAX_VALUE - 8) {
                throw new dev.taskweave.api.DataException("task " + t.name(), 0, "a split of " + n + " interactions makes " + rows
                        + " rows with the sampled negatives and attribute rows, and labels " + t.width() + " wide over them pass one"
                        + " array's " + (Integer.MAX_VALUE - 8) + " values: sample fewer negatives, or train on less data at a time");
            }
        }
        int total = (int) rows;
        int[] users = Arrays.copyOf(split.users(), total);
        int[] items = Arrays.copyOf(split.items(), total);
        float[][] labels = new float[tasks.size()][];
        int[] widths = new int[tasks.size()];
        float[][] masks = new float[tasks.size()][total];
        for (int t = 0; t < tasks.size(); t++) {
            TaskLabels task = tasks.get(t);
            widths[t] = task.width();
            labels[t] = new float[total * widths[t]];
            if (task.attribute() != null) {
                continue;
            }
            float[] column = task.implicit() ? null : split.label(task.column());
            for (int i = 0; i < n; i++) {
                float raw = task.implicit() ? 1f : column == null ? Float.NaN : column[i];
                float value = Float.isNaN(raw) ? Float.NaN : (float) task.encoder().applyAsDouble(raw);
                if (!Float.isNaN(value)) {
                    labels[t][i] = value;
                    masks[t][i] = 1f;
                }
            }
        }
        Map<String, float[]> features = new java.util.LinkedHashMap<>();
        Map<String, float[]> moments = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, float[]> column : split.features().entrySet()) {
            float[] values = Arrays.copyOf(column.getValue(), total);
            Arrays.fill(values, n, total, Float.NaN);
            features.put(column.getKey(), values);
            if (!pairFeatures.contains(column.getKey())) {
                moments.put(column.getKey(), values);
            }
        }
        int next = n;
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < tasks.size(); t++) {
            int k = tasks.get(t).negatives();
            if (k == 0) {
                continue;
            }
            if (sampler == null) {
                throw new IllegalStateException("task " + tasks.get(t).name() + " needs negatives but no sampler was given");
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    users[next] = split.users()[i];
                    items[next] = sampler.sample(split.users()[i], random);
                    for (float[] values : moments.values()) {
                        values[next] = values[i];
                    }
                    labels[t][next] = 0f;
                    masks[t][next] = 1f;
                    next++;
                }
            }
        }
        for (int t = 0; t < tasks.size(); t++) {
            EntityAttribute attribute = tasks.get(t).attribute();
            if (attribute == null) {
                continue;
            }
            int width = widths[t];
            for (int entity : attributeEntities.getOrDefault(attribute.name(), new int[0])) {
                boolean onItems = tasks.get(t).onItems();
                users[next] = onItems ? -1 : entity;
                items[next] = onItems ? entity : -1;
                System.arraycopy(attribute.values(), entity * width, labels[t], next * width, width);
                masks[t][next] = 1f;
                next++;
            }
        }
        for (int t = 0; t < tasks.size(); t++) {
            int parent = tasks.get(t).jointParent();
            if (parent < 0) {
                continue;
            }
            if (parent >= t || widths[t] != 1 || widths[parent] != 1) {
                throw new IllegalStateException("task " + tasks.get(t).name() + " cannot be joint with task " + parent);
            }
            // the joint event cannot happen where the parent's did not
            for (int r = 0; r < total; r++) {
                if (masks[parent][r] > 0 && labels[parent][r] == 0f) {
                    labels[t][r] = 0f;
                    masks[t][r] = 1f;
                }
            }
        }
        return new ExampleSet(users, items, labels, widths, masks, n, java.util.Collections.unmodifiableMap(features));
    }

    /**
     * @param rows rows of this set, ascending
     * @return those rows alone, in that order (the observed ones still first)
     */
    public ExampleSet select(int[] rows) {
        int observedHere = 0;
        for (int k = 0; k < rows.length; k++) {
            if (k > 0 && rows[k] <= rows[k - 1]) {
                throw new IllegalArgumentException("rows must be ascending: " + rows[k - 1] + " before " + rows[k]);
            }
            if (rows[k] < observed) {
                observedHere++;
            }
        }
        int[] u = new int[rows.length];
        int[] i = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            u[k] = users[rows[k]];
            i[k] = items[rows[k]];
        }
        float[][] l = new float[labels.length][];
        float[][] m = new float[masks.length][];
        for (int t = 0; t < labels.length; t++) {
            l[t] = new float[rows.length * widths[t]];
            m[t] = new float[rows.length];
            for (int k = 0; k < rows.length; k++) {
                System.arraycopy(labels[t], rows[k] * widths[t], l[t], k * widths[t], widths[t]);
                m[t][k] = masks[t][rows[k]];
            }
        }
        Map<String, float[]> f = new java.util.LinkedHashMap<>();
        features.forEach((name, values) -> {
            float[] column = new float[rows.length];
            for (int k = 0; k < rows.length; k++) {
                column[k] = values[rows[k]];
            }
            f.put(name, column);
        });
        return new ExampleSet(u, i, l, widths.clone(), m, observedHere, java.util.Collections.unmodifiableMap(f));
    }

    /**
     * @return per-interaction feature columns by feature name, one value per row ({@code NaN}:
     *     the entity table's value; do not modify the arrays)
     */
    public Map<String, float[]> features() {
        return features;
    }

    /** @return the number of rows, negatives and attribute rows included */
    public int size() {
        return users.length;
    }

    /** @return the number of observed rows (the first ones) */
    public int observed() {
        return observed;
    }

    /** @return user index per row, -1 on item-attribute rows (do not modify) */
    public int[] users() {
        return users;
    }

    /** @return item index per row, -1 on user-attribute rows (do not modify) */
    public int[] items() {
        return items;
    }

    /** @return a task's encoded labels, {@link #width} per row, 0 where unlabelled (do not modify) */
    public float[] labels(int task) {
        return labels[task];
    }

    /** @return the number of label values per row of a task */
    public int width(int task) {
        return widths[task];
    }

    /** @return a task's mask (do not modify) */
    public float[] mask(int task) {
        return masks[task];
    }

    /** @return the number of rows labelled for a task */
    public int labelled(int task) {
        int count = 0;
        for (float m : masks[task]) {
            if (m > 0) {
                count++;
            }
        }
        return count;
    }
}
