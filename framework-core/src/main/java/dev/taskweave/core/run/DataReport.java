package dev.taskweave.core.run;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.core.config.TaskConfig;
import dev.taskweave.core.model.MultiTaskBlock;
import dev.taskweave.core.model.ParameterGroups;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What an experiment's data source produced, as {@code taskweave check} prints it: entities,
 * splits, ranking lists, the features the encoder reads, each task's labels per split, the model's
 * size and the source's own description. Everything is read before training, so a wrong column, an empty split
 * or a task with no labels shows in seconds.
 */
public final class DataReport {
    private DataReport() {}

    /**
     * @param selected the features the encoder reads (after {@code features.include/exclude} and
     *                 leaving out task labels)
     * @param stats    per task, its training labels as encoded by its head
     */
    public static String render(Plan plan, Dataset dataset, List<FeatureSpec> selected, Map<String, LabelStatistics> stats) {
        return render(plan, dataset, selected, stats, null, Map.of());
    }

    /**
     * As {@link #render(Plan, Dataset, List, Map)}, with the assembled model's parameter counts
     * ({@link #parameters}) before the warnings, and its heads' warnings ({@link AssembledModel#warnings}) among them.
     *
     * @param model null for none
     * @param negatives per task, the negatives its head draws per training row (absent: none)
     */
    public static String render(Plan plan, Dataset dataset, List<FeatureSpec> selected, Map<String, LabelStatistics> stats,
            AssembledModel model, Map<String, Integer> negatives) {
        return render(plan, dataset, selected, stats, model, negatives, null);
    }

    /**
     * As {@link #render(Plan, Dataset, List, Map, AssembledModel, Map)}, with the line of the
     * training step {@code check} ran after the parameter counts, and its warning among the others.
     *
     * @param dryStep null for none
     */
    public static String render(Plan plan, Dataset dataset, List<FeatureSpec> selected, Map<String, LabelStatistics> stats,
            AssembledModel model, Map<String, Integer> negatives, DryStep dryStep) {
        StringBuilder out = new StringBuilder();
        line(out, "data: %s", dataset.name());
        line(out, "users: %,d (%,d with training rows); items: %,d (%,d with training rows)", dataset.users().size(),
                withId(dataset, Entity.USER), dataset.items().size(), withId(dataset, Entity.ITEM));
        line(out, "splits:");
        for (Map.Entry<String, Interactions> split : dataset.splits().entrySet()) {
            line(out, "  %-16s %,10d rows", split.getKey(), split.getValue().size());
        }
        for (Map.Entry<String, Map<String, int[]>> split : dataset.attributeEvaluation().entrySet()) {
            StringBuilder attributes = new StringBuilder();
            split.getValue().forEach((name, entities) -> attributes.append(attributes.length() == 0 ? "" : ", ")
                    .append(name).append(' ').append(String.format(Locale.ROOT, "%,d", entities.length)));
            line(out, "  %-16s attributes evaluated: %s", split.getKey(), attributes);
        }
        for (Map.Entry<String, RankingCandidates> ranking : dataset.rankings().entrySet()) {
            TreeSet<Integer> lengths = new TreeSet<>();
            for (int[] list : ranking.getValue().negatives()) {
                lengths.add(list.length);
            }
            line(out, "ranking lists on %s: %,d, negatives per list %s", ranking.getKey(), ranking.getValue().size(),
                    lengths.isEmpty() ? "(no list)" : lengths.size() == 1 ? lengths.first() : lengths.first() + "-" + lengths.last());
        }
        line(out, "features the encoder reads (%d of %d):", selected.size(), dataset.features().size());
        for (FeatureSpec f : selected) {
            line(out, "  %-22s %-4s %s%s", f.name(), f.entity() == Entity.USER ? "user" : "item", describe(f), wideOnly(plan, f));
        }
        for (FeatureSpec f : dataset.features()) {
            if (!selected.contains(f)) {
                line(out, "  %-22s %-4s not read (excluded, or a task's label)", f.name(), f.entity() == Entity.USER ? "user" : "item");
            }
        }
        line(out, "tasks:");
        for (TaskConfig t : plan.config().tasks) {
            LabelStatistics s = stats.get(t.name);
            EntityAttribute attribute = dataset.attributes().get(t.label);
            StringBuilder splits = new StringBuilder();
            if (attribute != null) {
                splits.append(String.format(Locale.ROOT, "train %,d entities", s.count()));
                dataset.attributeEvaluation().forEach((split, byAttribute) -> {
                    int[] entities = byAttribute.get(attribute.name());
                    if (entities != null) {
                        splits.append(String.format(Locale.ROOT, ", %s %,d", split, entities.length));
                    }
                });
                line(out, "  %-12s %-11s attribute %s (%s, %s %d): %s%s", t.name, t.head, t.label,
                        attribute.entity() == Entity.USER ? "user" : "item",
                        attribute.kind() == EntityAttribute.Kind.CLASS ? "classes" : "labels", attribute.width(), splits,
                        s.count() == 0 ? "  ** no training entity **" : "");
                continue;
            }
            boolean observed = TaskContext.OBSERVED.equals(t.label);
            for (Map.Entry<String, Interactions> split : dataset.splits().entrySet()) {
                long labelled = observed ? split.getValue().size() : labelled(split.getValue().label(t.label));
                splits.append(splits.length() == 0 ? "" : ", ").append(split.getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%,d", labelled));
            }
            // an observed task's rows are its positives as its head encodes them: said so only when they are
            String summary = observed && s.count() > 0 && s.mean() == 1 && s.variance() == 0 ? "all positive"
                    : String.format(Locale.ROOT, "mean %.4g, sd %.4g", s.mean(), Math.sqrt(s.variance()))
                    // the column's own values, before the head encodes them: a value outside what the
                    // task expects (a 7 among 1-5 stars) shows here
                    + (observed ? "" : range(dataset.train() == null ? null : dataset.train().label(t.label), s, t.label));
            line(out, "  %-12s %-11s %s: labelled rows %s; training labels %s%s", t.name, t.head,
                    observed ? "observed (implicit)" : "label " + t.label, splits, summary,
                    s.count() == 0 ? "  ** no labelled training row **" : "");
        }
        if (model != null) {
            out.append(parameters(model));
        }
        if (dryStep != null) {
            line(out, "%s", dryStep.describe());
        }
        List<String> warnings = new java.util.ArrayList<>(warnings(plan, dataset, selected, stats, negatives));
        if (model != null) {
            warnings.addAll(model.warnings()); // the heads' own, about their parameters against the labels
        }
        if (dryStep != null && dryStep.warning() != null) {
            warnings.add(dryStep.warning());
        }
        line(out, "warnings:%s", warnings.isEmpty() ? " none" : "");
        warnings.forEach(w -> line(out, "  - %s", w));
        if (!dataset.description().isEmpty()) {
            line(out, "description:");
            dataset.description().forEach((key, value) -> {
                if (!key.startsWith(Dataset.WARNING)) { // listed with the warnings
                    line(out, "  %s = %s", key, value);
                }
            });
        }
        return out.toString();
    }

    /**
     * @return what deserves a look before training, one sentence each: a side feature with the
     *     same value for every entity (it tells the model nothing; a feature that takes a value per
     *     interaction varies by row instead), a categorical side feature unknown for most entities
     *     or all, a feature that takes a value per interaction whose values some split's rows do
     *     not record, a task whose training labels are all the same (an implicit task's
     *     positives that its head does not read as 1 too), Platt scaling fitted on training rows, a
     *     task weight that the weighting ignores; and the data source's own ({@link Dataset#WARNING} keys of its description)
     * @param negatives per task, the negatives its head draws per training row (absent: none); a
     *     task whose labelled rows are all positive and that draws negatives is not said to learn a constant
     */
    public static List<String> warnings(Plan plan, Dataset dataset, List<FeatureSpec> selected, Map<String, LabelStatistics> stats,
            Map<String, Integer> negatives) {
        List<String> out = new java.util.ArrayList<>();
        dataset.description().forEach((key, value) -> {
            if (key.startsWith(Dataset.WARNING)) {
                out.add(value);
            }
        });
        List<String> include = plan.config().features.include;
        if (include != null && include.isEmpty()) {
            // what releases before wrote for a left-out include, so it is read the same, and said
            out.add("features.include is empty, which reads every feature (as when it is left out): list the features to read"
                    + " only those, or leave it out");
        }
        for (FeatureSpec f : selected) {
            if (f.id() || f.fromInteractions() || f.perInteraction()) {
                continue;
            }
            String entities = f.entity() == Entity.USER ? "users" : "items";
            int n = dataset.table(f.entity()).size();
            if (f.kind() == FeatureKind.CATEGORICAL) {
                int[] codes = dataset.table(f.entity()).categorical(f.name());
                long unknown = java.util.Arrays.stream(codes).filter(c -> c == 0).count();
                long values = java.util.Arrays.stream(codes).filter(c -> c > 0).distinct().count();
                if (values == 0) {
                    out.add(String.format(Locale.ROOT, "feature %s is unknown for every one of the %,d %s", f.name(), n, entities));
                } else if (values == 1 && unknown == 0 && n > 1) {
                    out.add(String.format(Locale.ROOT, "feature %s has the same value for all %,d %s: it tells the model nothing",
                            f.name(), n, entities));
                } else if (unknown * 2 > n) {
                    out.add(String.format(Locale.ROOT, "feature %s is unknown for %,d of the %,d %s", f.name(), unknown, n, entities));
                }
            } else if (n > 1 && constant(dataset.table(f.entity()), f)) {
                out.add(String.format(Locale.ROOT, "feature %s is the same for all %,d %s: it tells the model nothing", f.name(), n,
                        entities));
            }
        }
        for (FeatureSpec f : selected) {
            if (!f.contextual()) {
                continue; // a pair feature's rows without a value read the score of their pair
            }
            // a split whose rows do not record the feature reads each user's current value: a
            // training split without it never shows the model a moment, an evaluated one scores
            // every row at the end of training
            List<String> missing = dataset.splits().entrySet().stream()
                    .filter(e -> e.getValue().size() > 0 && e.getValue().feature(f.name()) == null).map(Map.Entry::getKey).toList();
            if (!missing.isEmpty()) {
                out.add(String.format(Locale.ROOT, "feature %s takes a value per interaction, but the rows of %s do not record "
                        + "it: they read each user's current value", f.name(), String.join(", ", missing)));
            }
        }
        for (int i = 0; i < plan.config().tasks.size(); i++) {
            TaskConfig t = plan.config().tasks.get(i);
            LabelStatistics s = stats.get(t.name);
            boolean observed = TaskContext.OBSERVED.equals(t.label);
            if (s != null && s.count() == 0) {
                boolean attribute = dataset.attributes().containsKey(t.label);
                out.add(String.format(Locale.ROOT, "task %s: %s, so it learns nothing; its metrics measure its initial state",
                        t.name, attribute ? "no entity with a known " + t.label + " is left to train on (each is held out for"
                        + " evaluation or unknown)" : "no training row has label " + t.label));
            }
            // all positive: an implicit task's rows, or any task that samples negatives beside them
            boolean sampled = negatives.getOrDefault(t.name, 0) > 0;
            if (s != null && s.count() > 1 && s.variance() == 0 && !((observed || sampled) && s.mean() == 1)) {
                String value = s.mean() == Math.rint(s.mean()) ? Long.toString((long) s.mean()) : String.format(Locale.ROOT, "%.4g", s.mean());
                out.add(String.format(Locale.ROOT, "task %s: all %,d training labels are %s as its head encodes them, so it "
                        + "learns a constant", t.name, s.count(), value));
                dev.taskweave.core.config.EarlyStoppingConfig es = plan.config().training.earlyStopping;
                if (es != null && es.metric != null && es.metric.endsWith("." + t.name + ".auc")) {
                    // an AUC needs both classes: on labels of one class it is not a number, and no epoch is better than another
                    out.add(String.format(Locale.ROOT, "training.earlyStopping.metric: %s is an AUC of task %s, whose labels are"
                            + " all the same: it is undefined (not finite), so early stopping cannot compare epochs by it", es.metric,
                            t.name));
                }
            }
            if (("platt".equals(t.calibrate) || "linear".equals(t.calibrate)) && "train".equals(t.calibrateOn)) {
                out.add("tasks[" + i + "].calibrateOn: train fits " + ("platt".equals(t.calibrate) ? "Platt scaling" : "its line")
                        + " on rows the model has learnt, which leaves it over-confident; the validation split (the default)"
                        + " measures what the model does on new rows");
            }
        }
        if (plan.weighting() != null && plan.weighting().factory() instanceof dev.taskweave.api.model.LossWeightingFactory<?> weighting
                && !plan.weighting().call(plan.source(), "weighting.type", "readsTaskWeights()", weighting::readsTaskWeights)) {
            for (int i = 0; i < plan.config().tasks.size(); i++) {
                double weight = plan.config().tasks.get(i).weight;
                if (weight != 1) {
                    out.add(String.format(Locale.ROOT, "tasks[%d].weight: %s is ignored: weighting %s sets the tasks' weights"
                            + " itself (fixed and uncertainty read them)", i, number(weight), plan.config().weighting.type));
                }
            }
        }
        return out;
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /**
     * The data against the data a trained model learnt from, for a retraining (a warm start from
     * that model) or to see what a served model meets: the users and items it does not know (it
     * scores them from side features), category values and column names it has not seen (read as
     * unknown by the served model), numeric features whose scaling moved, and each task's
     * training label mean then and now.
     *
     * @param model      the model's name, for the heading
     * @param modelUsers the model's user table
     * @param modelItems the model's item table
     * @param modelFeatures the model's features
     * @param modelLabelMeans per task whose labels are values (not implicit feedback, not an
     *                   attribute's classes), the model's training label mean
     * @param modelTasks the model's tasks by name, with their labels
     */
    public static String compare(String model, Dataset dataset, List<FeatureSpec> selected, Map<String, LabelStatistics> stats,
            dev.taskweave.api.data.EntityTable modelUsers, dev.taskweave.api.data.EntityTable modelItems,
            List<FeatureSpec> modelFeatures, Map<String, Double> modelLabelMeans, Map<String, String> modelTasks) {
        StringBuilder out = new StringBuilder();
        line(out, "compared with %s:", model);
        for (Entity entity : Entity.values()) {
            dev.taskweave.api.data.EntityTable now = dataset.table(entity);
            dev.taskweave.api.data.EntityTable then = entity == Entity.USER ? modelUsers : modelItems;
            // an entity the model's table holds without a learnt id (no training row then, id code 0)
            // is scored from its side features too
            int[] idCodes = modelFeatures.stream().filter(f -> f.entity() == entity && f.id() && then.has(f.name()))
                    .map(f -> then.categorical(f.name())).findFirst().orElse(null);
            long unknown = now.rawIds().stream().filter(id -> {
                int index = then.indexOf(id);
                return index < 0 || idCodes != null && idCodes[index] == 0;
            }).count();
            String kind = entity == Entity.USER ? "users" : "items";
            line(out, "  %s: %,d, of which %,d the model does not know (it scores them from their side features)", kind,
                    now.size(), unknown);
        }
        Map<String, FeatureSpec> before = new java.util.LinkedHashMap<>();
        modelFeatures.forEach(f -> before.put(f.name(), f));
        for (FeatureSpec f : selected) {
            FeatureSpec old = before.get(f.name());
            if (old == null) {
                line(out, "  feature %s: new (the model does not read it)", f.name());
                continue;
            }
            if (!f.labels().isEmpty() && !old.labels().isEmpty()) {
                List<String> added = f.labels().stream().filter(v -> !old.labels().contains(v)).toList();
                if (!added.isEmpty()) {
                    line(out, "  feature %s: %d %s the model has not seen (it reads them as unknown): %s", f.name(), added.size(),
                            f.kind() == FeatureKind.CATEGORICAL ? "values" : "columns",
                            added.size() <= 8 ? added.toString() : added.subList(0, 8).toString().replace("]", ", ...]"));
                }
            }
            if (f.scale() != null && old.scale() != null && !f.scale().equals(old.scale())) {
                line(out, "  feature %s: scaled as %s now, %s in the model", f.name(), f.scale().describe(), old.scale().describe());
            }
            if (f.fromInteractions() && !java.util.Objects.equals(f.historyScale(), old.historyScale())) {
                line(out, "  feature %s: a history %s now, %s in the model (a training row's history without its own"
                        + " interaction is rescaled only where it is declared; the model reads it as it was trained:"
                        + " train it again to read it as declared now)", f.name(), declared(f), declared(old));
            }
        }
        // and the other way: what the model reads or predicts that this experiment leaves out
        java.util.Set<String> read = new java.util.HashSet<>();
        selected.forEach(f -> read.add(f.name()));
        java.util.Set<String> given = new java.util.HashSet<>();
        dataset.features().forEach(f -> given.add(f.name()));
        for (FeatureSpec old : modelFeatures) {
            if (!read.contains(old.name())) {
                line(out, "  feature %s: read by the model, %s", old.name(), given.contains(old.name())
                        ? "left out of this experiment's features (features.include or exclude)"
                        : "not in the data now (serving reads it as unknown for an entity it is not given for)");
            }
        }
        modelTasks.forEach((task, label) -> {
            if (!stats.containsKey(task)) {
                line(out, "  task %s: in the model (label %s), not in this experiment", task, label);
            }
        });
        stats.keySet().stream().filter(task -> !modelTasks.containsKey(task))
                .forEach(task -> line(out, "  task %s: new (the model has no task of that name)", task));
        stats.forEach((task, s) -> {
            Double then = modelLabelMeans.get(task);
            if (then != null && s.count() > 0) {
                line(out, "  task %s: training label mean %.4g now, %.4g in the model", task, s.mean(), then);
            }
        });
        return out.toString();
    }

    /**
     * The model's size: every trainable value, then the encoder's (embedding tables and
     * projections), the sharing strategy's (its experts, gates and any parts it keeps per task),
     * the loss weighting's (if it learns any), and per task its own (head, and its wide part or
     * transfer module if any).
     */
    public static String parameters(AssembledModel model) {
        MultiTaskBlock block = model.block();
        long total = count(block.getParameters().values());
        long encoder = count(block.encoder().getParameters().values());
        long sharing = count(block.sharingBlock().getParameters().values());
        StringBuilder tasks = new StringBuilder();
        for (ResolvedTask t : model.tasks()) {
            line(tasks, "  %-12s %,d%s", t.name(), count(block.taskParameters(t.index())),
                    block.hasWidePart(t.index()) ? " (with its wide part)" : "");
        }
        long weighting = count(block.weightingBlock().getParameters().values());
        StringBuilder out = new StringBuilder();
        line(out, "model: %,d parameters; encoder %,d, sharing (%s) %,d%s", total, encoder, model.plan().config().sharing.type,
                sharing, weighting == 0 ? "" : String.format(Locale.ROOT, ", weighting (%s) %,d", model.plan().config().weighting.type, weighting));
        out.append(tasks);
        if (model.weighting() instanceof GradientCombiner) {
            out.append(combined(model));
        }
        dev.taskweave.core.config.ExperimentConfig config = model.plan().config();
        boolean[] distilled = config.training.distillation == null ? null : ModelAssembler.distilledTasks(model.plan(), model.tasks());
        if (distilled != null) {
            dev.taskweave.core.config.DistillationConfig d = config.training.distillation;
            List<String> names = model.tasks().stream().filter(t -> distilled[t.index()]).map(ResolvedTask::name).toList();
            String changed = d.teacher == null || d.teacher.isEmpty() ? ""
                    : ", its " + String.join(", ", d.teacher.keySet()) + " as training.distillation.teacher sets";
            String from = d.teachers != null
                    ? String.format(Locale.ROOT, "%d teacher(s) trained first (this experiment with seed%s %s%s)", d.teachers,
                            d.teachers > 1 ? "s" : "", d.teachers > 1
                                    ? ModelAssembler.teacherSeed(config.seed, 1) + "-" + ModelAssembler.teacherSeed(config.seed, d.teachers)
                                    : String.valueOf(ModelAssembler.teacherSeed(config.seed, 1)), changed)
                    : d.models.size() + " model(s): " + String.join(", ", d.models);
            line(out, "distillation: %s learn from %s, weight %s", String.join(", ", names), from, d.weight);
        }
        return out.toString();
    }

    /**
     * What a gradient combiner works on: how many shared values each task's gradient has, and how
     * many of them GradNorm measures on (the strategy's last shared layer,
     * {@link dev.taskweave.api.model.LastSharedLayer}).
     */
    private static String combined(AssembledModel model) {
        ParameterGroups groups = ParameterGroups.of(model.block());
        long shared = 0;
        long last = 0;
        for (SharedParameter p : groups.layout()) {
            shared += p.size();
            last += p.lastLayer() ? p.size() : 0;
        }
        String sharing = model.plan().config().sharing.type;
        String reference = groups.namedLastLayer()
                ? String.format(Locale.ROOT, "%s's last shared layer (GradNorm's reference) holds %,d of them", sharing, last)
                : last == 0 ? String.format(Locale.ROOT, "%s shares no layer, so GradNorm's reference is all of them", sharing)
                : String.format(Locale.ROOT, "%s names no last shared layer, so GradNorm's reference is every value it shares"
                        + " and the head of any task another depends on (%,d)", sharing, last);
        StringBuilder out = new StringBuilder();
        line(out, "gradients: %s combines each task's gradient of %,d shared values; %s", model.plan().config().weighting.type,
                shared, reference);
        return out.toString();
    }

    private static long count(List<ai.djl.nn.Parameter> parameters) {
        long n = 0;
        for (ai.djl.nn.Parameter p : parameters) {
            n += p.getArray().size();
        }
        return n;
    }

    /** @return whether every row of a dense column ({@code width} values per row) is the same */
    /** @return true when every entity has the same values of a dense or sparse feature */
    private static boolean constant(dev.taskweave.api.data.EntityTable table, FeatureSpec f) {
        if (!table.isSparse(f.name())) {
            return constant(table.dense(f.name()), f.size());
        }
        dev.taskweave.api.data.SparseRows rows = table.sparse(f.name());
        int first = rows.start(1) - rows.start(0);
        for (int r = 1; r < rows.rows(); r++) {
            if (rows.start(r + 1) - rows.start(r) != first) {
                return false;
            }
            for (int j = 0; j < first; j++) {
                if (rows.columns()[rows.start(r) + j] != rows.columns()[j]
                        || Float.compare(rows.values()[rows.start(r) + j], rows.values()[j]) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean constant(float[] values, int width) {
        for (int i = width; i < values.length; i++) {
            if (Float.compare(values[i], values[i % width]) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return {@code ", values a to b"} over the column's labelled rows, or, when the head's encoding
     *     changed that range (a binary head's threshold makes 1-5 stars 0 or 1), {@code " as its head
     *     encodes them (raw LABEL a to b)"}; an empty string when the column has no labelled row
     */
    private static String range(float[] column, LabelStatistics encoded, String label) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : column == null ? new float[0] : column) {
            if (!Float.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) {
            return "";
        }
        boolean same = !encoded.hasRange() || (float) encoded.min() == min && (float) encoded.max() == max;
        return same ? ", values " + number(min) + " to " + number(max)
                : " as its head encodes them (raw " + label + " " + number(min) + " to " + number(max) + ")";
    }

    private static String number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9f ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static long labelled(float[] column) {
        if (column == null) {
            return 0;
        }
        long n = 0;
        for (float v : column) {
            if (!Float.isNaN(v)) {
                n++;
            }
        }
        return n;
    }

    private static int withId(Dataset dataset, Entity entity) {
        for (FeatureSpec f : dataset.features()) {
            if (f.entity() == entity && f.id()) {
                int n = 0;
                for (int code : dataset.table(entity).categorical(f.name())) {
                    if (code > 0) {
                        n++;
                    }
                }
                return n;
            }
        }
        return dataset.table(entity).size();
    }

    /** @return for a feature of {@code features.wideOnly}, which tasks' wide parts read it; else empty */
    private static String wideOnly(Plan plan, FeatureSpec f) {
        if (!plan.config().features.wideOnly.contains(f.name())) {
            return "";
        }
        return "; wide parts only: " + plan.config().tasks.stream().filter(t -> t.wideFeatures.contains(f.name()))
                .map(t -> t.name).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String describe(FeatureSpec f) {
        if (f.pair()) {
            return "numeric, a score of each (user, item) pair (features.neighbours)";
        }
        return f.perInteraction() ? describeKind(f) + ", one value per interaction" : describeKind(f);
    }

    private static String describeKind(FeatureSpec f) {
        if (f.kind() == FeatureKind.CATEGORICAL) {
            return String.format(Locale.ROOT, "categorical, %,d codes%s%s", f.size() - 1, f.id() ? " (identifier)" : "",
                    examples(f.labels()));
        }
        if (f.kind() == FeatureKind.NUMERIC) {
            return f.scale() == null ? "numeric" : "numeric, read as " + f.scale().describe();
        }
        return String.format(Locale.ROOT, "%s, %,d wide%s", f.fromInteractions() ? "history" : "multi-hot", f.size(), examples(f.labels()));
    }

    /** @return up to eight of a feature's value names, after a space; empty without names */
    private static String examples(java.util.List<String> labels) {
        return labels.isEmpty() ? "" : " " + (labels.size() <= 8 ? labels.toString() : labels.subList(0, 8).toString().replace("]", ", ...]"));
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String declared(FeatureSpec f) {
        return f.historyScale() == null ? "of undeclared scale" : "scaled by " + (f.historyScale() == dev.taskweave.api.data.Histories.Scale.MEAN
                ? "1/n" : "1/sqrt(n)");
    }
}
