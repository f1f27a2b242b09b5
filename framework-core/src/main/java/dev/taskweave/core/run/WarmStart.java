package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.model.TaskIndexedParameters;
import dev.taskweave.core.model.InputEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Starts a model from a trained one ({@code training.initFrom}): yesterday's model, retrained on
 * today's data, begins where it ended instead of from random weights.
 *
 * <p>The data may have changed between the two: new users and items, other codes for the same
 * ones, new category values. A task's own parameters (its head, wide part and transfer block, and
 * what the sharing strategy declares its own: an MMoE gate, a CGC task's experts) follow the task
 * by name, so a task inserted or moved in the list neither takes another's nor gives its own away;
 * a task the old model did not have keeps its initialisation. So do what the sharing strategy and
 * the loss weighting lay out by task position ({@link TaskIndexedParameters}: a cross-stitch
 * column, PLE's inner task experts, each task's slice of a mixing matrix, a gate's rows or
 * uncertainty weighting's log-variances). Every other parameter whose name and
 * shape match is copied, except the
 * encoders' tables (the shared encoder's, and those of wide parts with features of their own),
 * which are indexed by codes or columns that depend on the data: their rows are
 * carried by what they stand for, not by position: an identifier's row by the entity's raw id, a
 * named category's or column's row by its name, a history's row by the other side's raw id (a
 * category without names, or a multi-hot feature with unnamed columns, by position when its size
 * is unchanged). Rows the old model has no counterpart for (new users, new values) keep their fresh
 * initialisation, as do parameters it does not have or has in another shape (a new feature or
 * task, another width).
 */
public final class WarmStart {
    private WarmStart() {}

    /**
     * What was carried over.
     *
     * @param copied    parameters copied whole (or row by row, for the encoder's tables)
     * @param fresh     parameters of the new model that kept their initialisation (what each
     *                  belongs to, then its path in the model), with why
     * @param rows      per encoder table, the rows carried and the rows the new table has
     */
    public record Report(List<String> copied, Map<String, String> fresh, Map<String, int[]> rows) {
        /** @return one line per table and per parameter left fresh, for the training log */
        public String describe(String source) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "initialised from %s: %d of %d parameters carried over",
                    source, copied.size(), copied.size() + fresh.size()));
            rows.forEach((name, r) -> {
                if (r[0] != r[1]) {
                    sb.append(String.format(Locale.ROOT, "%n  %s: %,d of %,d rows from the old model (the others are new)", name, r[0], r[1]));
                }
            });
            fresh.forEach((name, why) -> sb.append(String.format(Locale.ROOT, "%n  %s: not carried over (%s)", name, why)));
            return sb.toString();
        }
    }

    /**
     * Copies the old model's parameters into the new one, before training.
     *
     * @param from      the trained model
     * @param fromUsers its user table (the raw ids behind its codes)
     * @param fromItems its item table
     * @param to        the new model, initialised and not yet trained
     * @param users     the new data's user table
     * @param items     the new data's item table
     */
    public static Report apply(AssembledModel from, EntityTable fromUsers, EntityTable fromItems, AssembledModel to,
            EntityTable users, EntityTable items, NDManager manager) {
        Map<String, Parameter> old = new LinkedHashMap<>();
        // by the name without its leading child index: a block after the task heads (the loss weighting) is
        // numbered after them, so its index moves when a task is added or removed ("06weighting_logVariance"
        // becomes "07weighting_logVariance"); used where the full name is not found and the rest is unique
        Map<String, Parameter> unnumbered = new LinkedHashMap<>();
        java.util.Set<String> repeated = new java.util.HashSet<>();
        for (Pair<String, Parameter> p : from.block().getParameters()) {
            old.put(p.getKey(), p.getValue());
            String key = withoutIndex(p.getKey());
            if (unnumbered.putIfAbsent(key, p.getValue()) != null) {
                repeated.add(key);
            }
        }
        repeated.forEach(unnumbered::remove);
        // a task's own parameters, matched by the task's name (null: a task the old model did not have)
        Map<Parameter, Parameter> ownBefore = new java.util.IdentityHashMap<>();
        Map<Parameter, String> ownFresh = new java.util.IdentityHashMap<>();
        List<String> oldTasks = from.tasks().stream().map(ResolvedTask::name).toList();
        List<String> newTasks = to.tasks().stream().map(ResolvedTask::name).toList();
        Map<Parameter, List<TaskIndexedParameters.TaskAxis>> oldAxes = taskAxes(from);
        Map<Parameter, List<TaskIndexedParameters.TaskAxis>> newAxes = taskAxes(to);
        for (int t = 0; t < to.tasks().size(); t++) {
            String task = to.tasks().get(t).name();
            int j = oldTasks.indexOf(task);
            Map<String, List<Parameter>> mine = own(to, t);
            Map<String, List<Parameter>> theirs = j < 0 ? Map.of() : own(from, j);
            mine.forEach((group, params) -> {
                List<Parameter> before = theirs.getOrDefault(group, List.of());
                for (int k = 0; k < params.size(); k++) {
                    if (j < 0) {
                        ownFresh.put(params.get(k), "task " + task + " is new");
                    } else if (before.size() != params.size()) {
                        ownFresh.put(params.get(k), "task " + task + "'s " + group + " has " + before.size() + " parameters in the old"
                                + " model, " + params.size() + " now");
                    } else {
                        ownBefore.put(params.get(k), before.get(k));
                    }
                }
            });
        }
        Map<Parameter, FeatureSpec> oldTables = tables(from.block().encoders());
        Map<Parameter, FeatureSpec> newTables = tables(to.block().encoders());
        List<String> copied = new ArrayList<>();
        Map<String, String> fresh = new LinkedHashMap<>();
        Map<String, int[]> rows = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : to.block().getParameters()) {
            String name = p.getKey();
            Parameter target = p.getValue();
            if (ownFresh.containsKey(target)) {
                fresh.put(name, ownFresh.get(target));
                continue;
            }
            Parameter source = ownBefore.containsKey(target) ? ownBefore.get(target)
                    : old.containsKey(name) ? old.get(name) : unnumbered.get(withoutIndex(name));
            if (source == null) {
                fresh.put(name, "the old model has no such parameter");
                continue;
            }
            FeatureSpec feature = newTables.get(target);
            FeatureSpec oldFeature = oldTables.get(source);
            if (feature != null && oldFeature != null && feature.kind() == oldFeature.kind()) {
                String[] newKeys = rowKeys(feature, users, items);
                String[] oldKeys = rowKeys(oldFeature, fromUsers, fromItems);
                long width = target.getArray().getShape().get(1);
                if (source.getArray().getShape().get(1) != width) {
                    // another embedding width: no row carries over, whatever its name
                    fresh.put(name, "shape " + source.getArray().getShape() + " before, " + target.getArray().getShape() + " now");
                    continue;
                }
                if (newKeys == null || oldKeys == null) {
                    fresh.put(name, "the table's rows cannot be matched (" + oldFeature.size() + " rows before, " + feature.size()
                            + " now, unnamed)");
                    continue;
                }
                int carried = copyRows(source.getArray(), oldKeys, target.getArray(), newKeys, (int) width, manager);
                rows.put(feature.name(), new int[] {carried, newKeys.length});
                copied.add(name);
                continue;
            }
            if (newAxes.containsKey(target)) {
                String refused = carryByTask(source.getArray(), oldAxes.getOrDefault(source, List.of()), oldTasks, target.getArray(),
                        newAxes.get(target), newTasks, manager);
                if (refused != null) {
                    fresh.put(name, refused);
                } else {
                    copied.add(name);
                }
                continue;
            }
            if (!source.getArray().getShape().equals(target.getArray().getShape())) {
                fresh.put(name, "shape " + source.getArray().getShape() + " before, " + target.getArray().getShape() + " now");
                continue;
            }
            WeightAverage.overwrite(target.getArray(), source.getArray().toFloatArray(), manager);
            copied.add(name);
        }
        Map<String, String> labelled = new LinkedHashMap<>();
        List<String> taskNames = to.tasks().stream().map(ResolvedTask::name).toList();
        fresh.forEach((name, why) -> labelled.put(to.block().describeParameter(name, taskNames), why));
        return new Report(copied, labelled, rows);
    }

    /** @return a parameter's name without the child index DJL puts before its block's name ({@code 07weighting_x}: {@code weighting_x}) */
    static String withoutIndex(String name) {
        int i = 0;
        while (i < name.length() && Character.isDigit(name.charAt(i))) {
            i++;
        }
        return name.substring(i);
    }

    /**
     * @return task {@code t}'s own parameters by what holds them, each list in a fixed order: its
     *     head's, transfer block's and wide part's
     *     ({@link dev.taskweave.core.model.MultiTaskBlock#taskParameterGroups}), and those the sharing
     *     strategy declares its own ({@link dev.taskweave.api.model.TaskOwnedParameters})
     */
    private static Map<String, List<Parameter>> own(AssembledModel model, int t) {
        Map<String, List<Parameter>> groups = new LinkedHashMap<>(model.block().taskParameterGroups(t));
        groups.put("sharing", model.block().sharingBlock() instanceof dev.taskweave.api.model.TaskOwnedParameters owned
                ? owned.taskOwnedParameters(t) : List.of());
        groups.put("sharing position", model.block().sharingBlock() instanceof TaskIndexedParameters indexed
                ? indexed.taskPositionParameters(t) : List.of());
        groups.put("weighting position", model.block().weightingBlock() instanceof TaskIndexedParameters indexed
                ? indexed.taskPositionParameters(t) : List.of());
        return groups;
    }

    /** @return the axes that run over the tasks, of the sharing strategy's and the loss weighting's parameters */
    private static Map<Parameter, List<TaskIndexedParameters.TaskAxis>> taskAxes(AssembledModel model) {
        Map<Parameter, List<TaskIndexedParameters.TaskAxis>> out = new java.util.IdentityHashMap<>();
        for (ai.djl.nn.Block block : List.of(model.block().sharingBlock(), model.block().weightingBlock())) {
            if (block instanceof TaskIndexedParameters indexed) {
                for (TaskIndexedParameters.TaskAxis axis : indexed.taskAxes()) {
                    out.computeIfAbsent(axis.parameter(), p -> new ArrayList<>()).add(axis);
                }
            }
        }
        return out;
    }

    /**
     * Copies {@code from} into {@code to} with each task axis's slices carried by the task's name:
     * new task {@code t}'s slice from the old task of its name, a new task's kept as initialised,
     * the entries after the tasks' (no task's) as they are. Other axes must have the same length.
     *
     * @return null when copied, else why not (and {@code to} is unchanged)
     */
    static String carryByTask(NDArray from, List<TaskIndexedParameters.TaskAxis> fromAxes, List<String> oldTasks, NDArray to,
            List<TaskIndexedParameters.TaskAxis> toAxes, List<String> newTasks, NDManager manager) {
        long[] before = from.getShape().getShape();
        long[] now = to.getShape().getShape();
        String shapes = "shape " + from.getShape() + " before, " + to.getShape() + " now";
        if (before.length != now.length) {
            return shapes;
        }
        int[][] map = new int[now.length][];
        for (int a = 0; a < now.length; a++) {
            int axis = a;
            TaskIndexedParameters.TaskAxis mine = toAxes.stream().filter(x -> x.axis() == axis).findFirst().orElse(null);
            TaskIndexedParameters.TaskAxis theirs = fromAxes.stream().filter(x -> x.axis() == axis).findFirst().orElse(null);
            map[a] = new int[(int) now[a]];
            if (mine == null) {
                if (theirs != null || before[a] != now[a]) {
                    return shapes;
                }
                for (int i = 0; i < map[a].length; i++) {
                    map[a][i] = i;
                }
                continue;
            }
            int w = mine.width();
            long restNow = now[a] - (long) newTasks.size() * w;
            long restBefore = theirs == null ? -1 : before[a] - (long) oldTasks.size() * theirs.width();
            if (theirs == null || theirs.width() != w || restNow < 0 || restNow != restBefore) {
                return shapes + ", laid out by task with " + (theirs == null ? "no task axis" : theirs.width() + " per task") + " before, "
                        + w + " now";
            }
            for (int t = 0; t < newTasks.size(); t++) {
                int j = oldTasks.indexOf(newTasks.get(t));
                for (int k = 0; k < w; k++) {
                    map[a][t * w + k] = j < 0 ? -1 : j * w + k;
                }
            }
            for (int r = 0; r < restNow; r++) {
                map[a][newTasks.size() * w + r] = oldTasks.size() * w + r;
            }
        }
        float[] source = from.toFloatArray();
        float[] target = to.toFloatArray();
        int[] index = new int[now.length];
        for (int flat = 0; flat < target.length; flat++) {
            int rest = flat;
            for (int a = now.length - 1; a >= 0; a--) {
                index[a] = (int) (rest % now[a]);
                rest /= (int) now[a];
            }
            int at = 0;
            boolean fresh = false;
            for (int a = 0; a < now.length; a++) {
                int i = map[a][index[a]];
                if (i < 0) {
                    fresh = true;
                    break;
                }
                at = (int) (at * before[a] + i);
            }
            if (!fresh) {
                target[flat] = source[at];
            }
        }
        WeightAverage.overwrite(to, target, manager);
        return null;
    }

    /** The tables of every encoder (the shared one and the wide parts' own), with their features. */
    private static Map<Parameter, FeatureSpec> tables(List<InputEncoder> encoders) {
        Map<Parameter, FeatureSpec> out = new HashMap<>();
        for (InputEncoder encoder : encoders) {
            List<FeatureSpec> features = encoder.features();
            for (int i = 0; i < features.size(); i++) {
                Parameter p = encoder.weight(i);
                if (p != null) {
                    out.put(p, features.get(i));
                }
            }
        }
        return out;
    }

    /**
     * @return what each row of a feature's table stands for, or null when its rows have no names
     *     (they are then matched by position when the sizes agree)
     */
    static String[] rowKeys(FeatureSpec f, EntityTable users, EntityTable items) {
        String[] keys = new String[f.size()];
        if (f.kind() == FeatureKind.CATEGORICAL && f.id()) {
            EntityTable table = f.entity() == Entity.USER ? users : items;
            int[] codes = table.categorical(f.name());
            keys[0] = "\u0000unknown";
            for (int e = 0; e < codes.length; e++) {
                if (codes[e] > 0) {
                    keys[codes[e]] = "id:" + table.rawIds().get(e);
                }
            }
            return keys;
        }
        if (f.kind() == FeatureKind.CATEGORICAL && !f.labels().isEmpty()) {
            keys[0] = "\u0000unknown";
            for (int c = 1; c < f.size(); c++) {
                keys[c] = "value:" + f.labels().get(c - 1);
            }
            return keys;
        }
        if (f.kind() == FeatureKind.MULTI_HOT && f.fromInteractions()) {
            EntityTable other = f.entity() == Entity.USER ? items : users;
            if (other.size() != f.size()) {
                return null;
            }
            for (int j = 0; j < keys.length; j++) {
                keys[j] = "id:" + other.rawIds().get(j);
            }
            return keys;
        }
        if (f.kind() == FeatureKind.MULTI_HOT && !f.labels().isEmpty()) {
            for (int j = 0; j < keys.length; j++) {
                keys[j] = "value:" + f.labels().get(j);
            }
            return keys;
        }
        for (int j = 0; j < keys.length; j++) {
            keys[j] = "position:" + j + "/" + keys.length;
        }
        return keys;
    }

    /** Copies the old table's rows into the new table's rows of the same key; @return the rows copied */
    private static int copyRows(NDArray from, String[] fromKeys, NDArray to, String[] toKeys, int width, NDManager manager) {
        Map<String, Integer> index = new HashMap<>();
        for (int r = 0; r < fromKeys.length; r++) {
            if (fromKeys[r] != null) {
                index.put(fromKeys[r], r);
            }
        }
        float[] source = from.toFloatArray();
        float[] target = to.toFloatArray();
        int carried = 0;
        for (int r = 0; r < toKeys.length; r++) {
            Integer s = toKeys[r] == null ? null : index.get(toKeys[r]);
            if (s != null) {
                System.arraycopy(source, s * width, target, r * width, width);
                carried++;
            }
        }
        WeightAverage.overwrite(to, target, manager);
        return carried;
    }
}
