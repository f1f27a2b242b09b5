package dev.taskweave.serve.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDManager;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.FactoredScorer;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.core.formula.Formula;
import dev.taskweave.core.formula.FormulaException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model loaded for serving: the graph and its parameters in their own {@link NDManager} (closed
 * with the model), the entity tables, a reusable feature gatherer and the model's default
 * ranking formula.
 */
public final class ServedModel implements AutoCloseable {
    private final Path directory;
    private final ModelStore.LoadedModel loaded;
    private final NDManager manager;
    private final FeatureGatherer gatherer;
    private final Formula defaultFormula;
    private final FactoredScorer factored;
    private final Set<String> attributeHidden;
    /** per item-attribute task (model index), every item's scores: user-independent, computed once */
    private final Map<Integer, float[]> itemAttributeScores = new HashMap<>();

    private ServedModel(Path directory, ModelStore.LoadedModel loaded, NDManager manager, boolean factored) {
        this.directory = directory;
        this.loaded = loaded;
        this.manager = manager;
        ExperimentConfig config = loaded.model().plan().config();
        List<FeatureSpec> features = loaded.model().features();
        this.attributeHidden = ModelAssembler.attributeLabelFeatures(config, features);
        // hides the attribute tasks' labels and hideFeatures on attribute rows only: interaction rows read everything
        this.gatherer = new FeatureGatherer(features, loaded.users(), loaded.items(), attributeHidden).withNeighbours(loaded.neighbours());
        int[] itemTasks = loaded.model().tasks().stream().filter(t -> TaskScorer.attributeEntity(t) == Entity.ITEM)
                .mapToInt(ResolvedTask::index).toArray();
        int items = loaded.items().size();
        if (itemTasks.length > 0 && items > 0) {
            int[] all = new int[items];
            Arrays.setAll(all, i -> i);
            // one pass over every item; the user side is ignored for item attributes
            float[][] scores = TaskScorer.scorePairs(loaded.model(), gatherer, new int[items], all, itemTasks, manager);
            for (int j = 0; j < itemTasks.length; j++) {
                itemAttributeScores.put(itemTasks[j], scores[j]);
            }
        }
        String text = config.serving == null ? null : config.serving.formula;
        Formula formula = null;
        if (text != null) {
            try {
                formula = Formula.parse(text);
                check(formula);
            } catch (FormulaException e) {
                throw new ConfigException(directory.resolve(ModelStore.EXPERIMENT).toString(), "serving.formula", 0, e.getMessage());
            }
        }
        this.defaultFormula = formula;
        // the cache's item rows have no user: they must read every item feature, so no hidden set here
        this.factored = factored ? FactoredScorer.create(loaded.model(),
                new FeatureGatherer(features, loaded.users(), loaded.items()).withNeighbours(loaded.neighbours()), manager) : null;
    }

    /**
     * Loads a model directory with its own native memory scope.
     *
     * @param factored whether to build the {@link FactoredScorer} (its cache holds every item's
     *                 part of the sharing strategy's first layer: items x units floats)
     */
    public static ServedModel load(ModelStore store, Path directory, boolean factored) {
        requireNonNull(store, "store is null");
        requireNonNull(directory, "directory is null");
        NDManager manager = NDManager.newBaseManager();
        try {
            return new ServedModel(directory, store.load(directory, manager), manager, factored);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Checks that a ranking formula fits this model: it names at least one task, and every task it
     * names exists and has one output.
     *
     * @throws FormulaException naming the task
     */
    public void check(Formula formula) {
        if (formula.tasks().isEmpty()) {
            throw new FormulaException(-1, "names no task; it must use at least one of " + taskNames());
        }
        for (String name : formula.tasks()) {
            ResolvedTask task = model().task(name);
            if (task == null) {
                throw new FormulaException(-1, "unknown task '" + name + "'; the model has " + taskNames());
            }
            if (width(task) != 1) {
                throw new FormulaException(-1, "task '" + name + "' has " + width(task)
                        + " outputs; a formula can only use single-output tasks");
            }
        }
    }

    /** @return the number of scores a task gives per (user, item) pair */
    public static int width(ResolvedTask task) {
        // asked of the head, and checked, when the model was assembled
        return task.outputWidth();
    }

    /** @return the task names, in model order */
    public List<String> taskNames() {
        return model().tasks().stream().map(ResolvedTask::name).toList();
    }

    /** @return the model directory */
    public Path directory() {
        return directory;
    }

    /** @return what was loaded */
    public ModelStore.LoadedModel loaded() {
        return loaded;
    }

    /** @return the graph */
    public AssembledModel model() {
        return loaded.model();
    }

    /** @return the model's native memory scope; open a sub-manager per request */
    public NDManager manager() {
        return manager;
    }

    /** @return the gatherer over the model's own user and item tables */
    public FeatureGatherer gatherer() {
        return gatherer;
    }

    /**
     * @return the scorer that ranks items for one user from cached item-side activations, or null
     *     when the model's sharing strategy cannot be factored (then {@code TaskScorer} scores)
     */
    public FactoredScorer factored() {
        return factored;
    }

    /**
     * @return a gatherer over {@code users} and the model's items that, like training, hides the
     *     attribute tasks' labels and {@code hideFeatures} on attribute rows
     */
    public FeatureGatherer gatherer(EntityTable users) {
        return gatherer(users, null);
    }

    /**
     * @param users a table of users, or null for the model's own
     * @param items a table of items, or null for the model's own
     * @return a gatherer over those tables that, like training, hides the attribute tasks' labels
     *     and {@code hideFeatures} on attribute rows (the model's own, {@link #gatherer()}, when both
     *     are null); a user's history leaves the row's item out only over the model's own items,
     *     an item's history the row's user only over the model's own users
     */
    public FeatureGatherer gatherer(EntityTable users, EntityTable items) {
        if (users == null && items == null) {
            return gatherer;
        }
        EntityTable u = users == null ? loaded.users() : users;
        EntityTable i = items == null ? loaded.items() : items;
        // a pair feature reads 0 unless both tables are the model's own (a new user has no ratings, a new item no neighbours)
        return new FeatureGatherer(model().features(), u, i, attributeHidden, u == loaded.users(), i == loaded.items())
                .withNeighbours(loaded.neighbours());
    }

    /**
     * @return every item's scores for an item-attribute task (items x outputs, in item order), as
     *     its rows were trained and evaluated: the item alone; null for any other task, and for an
     *     attribute task of a model saved before the attribute's entity was recorded
     */
    public float[] itemAttributeScores(ResolvedTask task) {
        return itemAttributeScores.get(task.index());
    }

    /** @return the model's {@code serving.formula}, or null */
    public Formula defaultFormula() {
        return defaultFormula;
    }

    @Override
    public void close() {
        if (factored != null) {
            factored.close();
        }
        manager.close();
    }
}
