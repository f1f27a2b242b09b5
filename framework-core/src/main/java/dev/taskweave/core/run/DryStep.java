package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.store.WeightingState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The training step {@code taskweave check} runs, so that a plugin that fails in it or at the end
 * of the first epoch does so before training rather than during it: one batch of the
 * first epoch's training rows, built as training builds them (labels, masks, sampled negatives,
 * pairwise tasks' pairs, distillation targets) from the first {@code training.batchSize}
 * interactions and the attribute rows, through {@link Trainer}'s own step (the forward
 * pass, the task losses, the sharing strategy's auxiliary loss, the loss weighting's combination
 * or a gradient combiner's, and the backward pass in a gradient collector); then what training
 * calls at the end of an epoch, on that batch: every head's scores and every task's metrics as
 * evaluation computes them ({@link Evaluator#evaluate}), with {@code training.telemetry} the
 * gradient telemetry (a backward pass per task, and a gradient combiner's {@code preview()}:
 * {@link Telemetry#gradients}) and the gates' usage of a gated sharing block
 * ({@link Telemetry#gateUsage}), and the loss weighting's
 * {@code epochEnded(1, losses)} with the step's loss per task; and a {@code StatefulWeighting}'s
 * {@code saveState()}, whose bytes its {@code loadState()} then reads back, as saving a model or a
 * checkpoint and loading or resuming it do. The optimiser is not stepped:
 * the gradients are left unapplied, and nothing is written. A plugin's failure is thrown as
 * {@code train} throws it; a loss that is not finite is a {@link #warning()}.
 *
 * <p>It draws from PyTorch's generator and the dropout masks' generator, gives the model's
 * parameters gradients and ends the weighting's first epoch: run it on a model made for it, never
 * before training in the same process ({@code benchmark} and {@code tune} check their experiments
 * without it).
 *
 * @param rows    the rows of the batch, 0 when there are no training rows
 * @param telemetry whether the gradient telemetry ran ({@code training.telemetry})
 * @param gates   whether the sharing block's gates were read (a gated block, with telemetry)
 * @param state   whether the loss weighting's state was saved and read back (a {@code StatefulWeighting})
 * @param warning what first turned the step's loss into NaN or an infinity, or null
 */
public record DryStep(int rows, boolean telemetry, boolean gates, boolean state, String warning) {
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
            return new DryStep(0, false, false, false, null);
        }
        Trainer.TrainingRows training = Trainer.TrainingRows.of(model, dataset, model.taskLabels(dataset));
        // epoch 1's rows of the first interactions only (their negatives, and the attribute rows): not the
        // whole epoch's, which would cost what training's first epoch allocates
        ExampleSet epoch = training.build(first(dataset.train(), config.training.batchSize), dataset, config.seed, 1);
        ExampleSet batch = epoch.select(rows(epoch, model.tasks().size(), config.training.batchSize));
        if (batch.size() == 0) {
            return new DryStep(0, false, false, false, null);
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
        // what the end of epoch 1 calls, in training's order, on the same rows: every head's scores() in
        // inference mode and every task's metrics (validation), the gradient telemetry and the gates, epochEnded()
        Evaluator.evaluate(model, gatherer, batch, config.training.evalBatchSize, manager);
        boolean telemetry = config.training.telemetry;
        boolean gates = false;
        if (telemetry) {
            // the gradient telemetry: a backward pass per task, and a gradient combiner's preview()
            Telemetry reader = new Telemetry(model, gatherer);
            ParameterStore ps = new ParameterStore(manager, false);
            reader.gradients(batch, order, config.training.batchSize, manager, ps);
            gates = !reader.gateUsage(batch, config.training.evalBatchSize, manager, ps).isEmpty();
        }
        Trainer.epochEnded(model, 1, epochLosses(step[0], step[2], step[3]));
        // what saving the model or a checkpoint writes after the epoch, and resuming or loading it reads back:
        // a StatefulWeighting's state, read back into the weighting that wrote it
        byte[] state = WeightingState.save(model);
        if (state != null) {
            WeightingState.load(state, model, model.plan().source() + ": weighting.type: the state its saveState() wrote");
        }
        return new DryStep(batch.size(), telemetry, gates, state != null, diverged == null ? null : String.format(Locale.ROOT, "%s is %s on the dry step's batch,"
                + " before any update (%s): training would diverge at its first step (a loss that cannot take some labels or outputs)",
                diverged.what(), diverged.value(), diverged.where()));
    }

    /**
     * @param losses  the step's loss per task
     * @param present per task, 1 when the batch has rows labelled for it
     * @param counts  per task, the rows its loss is a mean over
     * @return the loss vector an epoch of this one step ends with, as training computes it: a
     *     task's loss, NaN for a task without rows its loss is a mean over
     */
    static double[] epochLosses(float[] losses, float[] present, float[] counts) {
        double[] epoch = new double[losses.length];
        for (int t = 0; t < losses.length; t++) {
            epoch[t] = present[t] > 0 && counts[t] > 0 ? losses[t] : Double.NaN;
        }
        return epoch;
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
        return String.format(Locale.ROOT, "dry step: one batch of %,d training rows through forward, losses, backward, scores, metrics%s%s"
                + " and the weighting's epoch end%s: %s", rows, telemetry ? ", gradient telemetry" : "", gates ? ", gate usage" : "", state ? " and state" : "", warning == null ? "ok"
                : "a loss is not finite (see warnings)");
    }
}
