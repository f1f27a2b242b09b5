package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.core.model.ParameterGroups;
import dev.taskweave.core.plugin.ContextClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-task gradients of the shared parameters, from one forward pass and one backward pass per
 * task that keeps the graph, handed to a {@link GradientCombiner}; the combined gradient is then
 * written back before the optimizer step. Parameters that belong to one task (its head, and the
 * sharing strategy's parameters it owns) are not shared: they accumulate only their task's
 * gradient, which is scaled by the task's weight.
 */
final class GradientSurgery {
    private final GradientCombiner combiner;
    private final ClassLoader loader;
    /** the weighting's registration, whose failures the combiner's are reported as, or null */
    private final dev.taskweave.core.plugin.Registered<?> owner;
    private final String source;
    private final List<Parameter> shared;
    private final List<List<Parameter>> taskParameters = new ArrayList<>();
    private final int size;

    GradientSurgery(AssembledModel model, GradientCombiner combiner) {
        this(ParameterGroups.of(model.block()), combiner, model.plan().weighting().classLoader(), model.plan().weighting(),
                model.plan().source());
    }

    /**
     * @param groups   the shared parameters (what the combiner sees) and each task's own parameters
     *                 (its head's and the sharing strategy's it owns)
     * @param combiner the combiner
     * @param loader   its plugin's class loader
     */
    GradientSurgery(ParameterGroups groups, GradientCombiner combiner, ClassLoader loader) {
        this(groups, combiner, loader, null, null);
    }

    /**
     * @param owner  the weighting's registration, which a failure of the combiner names (with
     *               {@code source} and {@code weighting.type}), or null
     * @param source the experiment's file, or null
     */
    private GradientSurgery(ParameterGroups groups, GradientCombiner combiner, ClassLoader loader,
            dev.taskweave.core.plugin.Registered<?> owner, String source) {
        this.combiner = requireNonNull(combiner, "combiner is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.owner = owner;
        this.source = source;
        this.shared = groups.shared();
        List<SharedParameter> layout = groups.layout();
        this.size = layout.isEmpty() ? 0 : layout.get(layout.size() - 1).offset() + layout.get(layout.size() - 1).size();
        for (int t = 0; t < groups.taskCount(); t++) {
            taskParameters.add(groups.task(t));
        }
        call("layout()", () -> {
            combiner.layout(layout);
            return null;
        });
    }

    /** Calls the combiner with its plugin's class loader; its failure names the weighting when known. */
    private <T> T call(String action, java.util.function.Supplier<T> body) {
        if (owner != null) {
            return owner.callRunning(source, "weighting.type", action, body);
        }
        try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
            return body.get();
        }
    }

    /**
     * Back-propagates each present task separately, combines, and leaves the combined gradient on
     * the shared parameters and the weighted task gradients on each task's own parameters.
     *
     * @return the task weights the combiner chose
     */
    float[] backward(NDList losses, float[] lossValues, float[] present, NDArray auxiliary) {
        float[][] gradients = perTaskGradients(shared, losses, present);
        float[] values = lossValues.clone();
        for (int t = 0; t < values.length; t++) {
            if (present[t] == 0) {
                values[t] = Float.NaN;
            }
        }
        GradientCombiner.Combined combined = call("combine()", () -> combiner.combine(gradients, values));
        if (combined == null || combined.sharedGradient() == null || combined.taskWeights() == null
                || combined.sharedGradient().length != size || combined.taskWeights().length != present.length) {
            String problem = combined == null ? "returned null" : "must return " + size + " shared gradient values and "
                    + present.length + " task weights, got " + (combined.sharedGradient() == null ? "null" : combined.sharedGradient().length)
                    + " and " + (combined.taskWeights() == null ? "null" : combined.taskWeights().length);
            throw owner == null ? new IllegalStateException("the gradient combiner " + problem)
                    : owner.failure(source, "weighting.type", "combine()", problem);
        }
        for (int t = 0; t < present.length; t++) {
            if (present[t] > 0 && combined.taskWeights()[t] != 1f) {
                for (Parameter p : taskParameters.get(t)) {
                    try (NDArray g = p.getArray().getGradient()) {
                        g.muli(combined.taskWeights()[t]);
                    }
                }
            }
        }
        int offset = 0;
        for (Parameter p : shared) {
            NDArray weight = p.getArray();
            int n = Math.toIntExact(weight.size());
            try (NDArray g = weight.getGradient();
                    NDArray v = g.getManager().create(Arrays.copyOfRange(combined.sharedGradient(), offset, offset + n), weight.getShape())) {
                g.muli(0f).addi(v);
            }
            offset += n;
        }
        if (auxiliary != null) {
            try (NDArray ones = auxiliary.onesLike()) {
                JniUtils.backward((PtNDArray) auxiliary, (PtNDArray) ones, false, false);
            }
        }
        return combined.taskWeights();
    }

    /**
     * One backward pass per present task that keeps the graph; returns each task's flattened
     * gradient of the shared parameters ({@code null} for absent tasks). A task's own parameters
     * accumulate their task's gradient (no other task's loss reaches them); shared gradients are
     * zeroed before each pass.
     */
    static float[][] perTaskGradients(List<Parameter> shared, NDList losses, float[] present) {
        int total = 0;
        for (Parameter p : shared) {
            total += Math.toIntExact(p.getArray().size());
        }
        float[][] gradients = new float[present.length][];
        for (int t = 0; t < present.length; t++) {
            if (present[t] == 0) {
                continue;
            }
            zero(shared);
            NDArray loss = losses.get(t);
            try (NDArray ones = loss.onesLike()) {
                JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, true, false);
            }
            float[] flat = new float[total];
            int offset = 0;
            for (Parameter p : shared) {
                try (NDArray g = p.getArray().getGradient()) {
                    float[] v = g.toFloatArray();
                    System.arraycopy(v, 0, flat, offset, v.length);
                    offset += v.length;
                }
            }
            gradients[t] = flat;
        }
        return gradients;
    }

    static void zero(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            if (p.getArray().hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) p.getArray());
            }
        }
    }
}
