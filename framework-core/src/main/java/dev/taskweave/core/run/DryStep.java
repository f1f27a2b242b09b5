package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The training step {@code taskweave check} runs, so that a plugin whose {@code loss()} or
 * {@code scores()} fails does so before training rather than at its first step: one batch of the
 * first epoch's training rows, built as training builds them (labels, masks, sampled negatives,
 * pairwise tasks' pairs, distillation targets) from the first {@code training.batchSize}
 * interactions and the attribute rows, through {@link Trainer}'s own step (the forward
 * pass, the task losses, the sharing strategy's auxiliary loss, the loss weighting's combination
 * or a gradient combiner's, and the backward pass in a gradient collector), then scored by every
 * head as evaluation scores ({@link Evaluator#score}). The optimiser is not stepped: the
 * gradients are left unapplied, and nothing is written. A plugin's failure is thrown as
 * {@code train} throws it; a loss that is not finite is a {@link #warning()}.
 *
 * <p>It draws from PyTorch's generator and the dropout masks' generator, and gives the model's
 * parameters gradients: run it on a model made for it, never before training in the same process
 * ({@code benchmark} and {@code tune} check their experiments without it).
 *
 * @param rows    the rows of the batch, 0 when there are no training rows
 * @param warning what first turned the step's loss into NaN or an infinity, or null
 */
public record DryStep(int rows, String warning) {
    /**
     * Runs the step.
     *
     * @param gatherer     reads the model's features as training does (with its dropout settings)
     * @param distillation null, or the teachers whose outputs the distilled tasks' labels are mixed with
     */
    public static DryStep run(AssembledModel model, Dataset dataset, FeatureGatherer gatherer, NDManager manager,
            Distillation distillation) {
        requireNonNull(model, "model is null");
        ExperimentConfig config = model.plan().config();
        if (dataset.train() == null) {
            return new DryStep(0, null);
        }
        Trainer.TrainingRows training = Trainer.TrainingRows.of(model, dataset, model.taskLabels(dataset));
        // epoch 1's rows of the first interactions only (their negatives, and the attribute rows): not the
        // whole epoch's, which would cost what training's first epoch allocates
        ExampleSet epoch = training.build(first(dataset.train(), config.training.batchSize), dataset, config.seed, 1);
        ExampleSet batch = epoch.select(rows(epoch, model.tasks().size(), config.training.batchSize));
        if (batch.size() == 0) {
            return new DryStep(0, null);
        }
        // what the optimiser does to the parameters training updates, without laying them out in its buffer
        for (Parameter p : Trainer.trainable(model)) {
            p.getArray().setRequiresGradient(true);
        }
        GradientSurgery surgery = model.weighting() instanceof GradientCombiner combiner ? new GradientSurgery(model, combiner) : null;
        // as epoch 1 starts
        Engine.getInstance().setRandomSeed(Trainer.epochSeed(config.seed, 1));
        int[] order = new int[batch.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        float[][] step = Trainer.step(model, gatherer.forRows(batch.features()), batch, order, 0, batch.size(),
                new SplittableRandom(config.seed * 31 + 1), manager, null, surgery, training.pairwise(), training.sampler(),
                Trainer.scratch(gatherer, training.pairwise()), distillation, true);
        Trainer.Diverged diverged = Trainer.Diverged.find(model, step[0], step[2], step[4][0], step[4][1], step[4][2]);
        // every head's scores() of the same rows, in inference mode
        Evaluator.score(model, gatherer.forRows(batch.features()), batch.users(), batch.items(), config.training.evalBatchSize, manager);
        return new DryStep(batch.size(), diverged == null ? null : String.format(Locale.ROOT, "%s is %s on the dry step's batch, before"
                + " any update (%s): training would diverge at its first step (a loss that cannot take some labels or outputs)",
                diverged.what(), diverged.value(), diverged.where()));
    }

    /** @return the first {@code n} rows of {@code split} (all when it has fewer) */
    static Interactions first(Interactions split, int n) {
        int k = Math.min(n, split.size());
        Map<String, float[]> labels = new LinkedHashMap<>();
        for (String column : split.labelColumns()) {
            labels.put(column, Arrays.copyOf(split.label(column), k));
        }
        Map<String, float[]> features = new LinkedHashMap<>();
        split.features().forEach((name, values) -> features.put(name, Arrays.copyOf(values, k)));
        return new Interactions(Arrays.copyOf(split.users(), k), Arrays.copyOf(split.items(), k), labels, features);
    }

    /**
     * @param tasks     the model's tasks
     * @param batchSize the most rows
     * @return rows of {@code set}, ascending, at most {@code batchSize}: for every task, its first
     *     labelled row among the observed rows and its first among the rows added for it (a
     *     sampled negative, an entity's attribute row), which the first rows alone would leave out,
     *     so that its loss meets labels of each kind; then the set's first rows
     */
    static int[] rows(ExampleSet set, int tasks, int batchSize) {
        TreeSet<Integer> chosen = new TreeSet<>();
        for (int t = 0; t < tasks && chosen.size() < batchSize; t++) {
            for (int from : new int[] {0, set.observed()}) {
                int to = from == 0 ? set.observed() : set.size();
                float[] mask = set.mask(t);
                for (int r = from; r < to; r++) {
                    if (mask[r] > 0) {
                        if (chosen.size() < batchSize) {
                            chosen.add(r);
                        }
                        break;
                    }
                }
            }
        }
        for (int r = 0; r < set.size() && chosen.size() < batchSize; r++) {
            chosen.add(r);
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @return the line of the check report that says the step ran */
    public String describe() {
        if (rows == 0) {
            return "dry step: none, the data has no training rows";
        }
        return String.format(Locale.ROOT, "dry step: one batch of %,d training rows through forward, losses, backward and scores: %s",
                rows, warning == null ? "ok" : "a loss is not finite (see warnings)");
    }
}
