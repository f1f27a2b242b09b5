package dev.taskweave.core.model;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.core.plugin.ContextClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a {@link MultiTaskBlock} split by who their gradient comes from: the shared
 * ones (the input encoder's, then the sharing strategy's that no task owns) and, per task, its
 * head's parameters followed by the sharing strategy's parameters it owns
 * ({@link TaskOwnedParameters}). Gradient combiners and the gradient telemetry work on the shared
 * ones only.
 *
 * <p>A task that another task depends on ({@code dependsOn}) owns nothing: its dependent's loss
 * reaches its head (ESMM multiplies the two probabilities) or its tower input (AITM), so its head
 * and its strategy-owned parameters are shared, after the strategy's, and the combiner sees both
 * tasks' gradients on them.
 */
public final class ParameterGroups {
    private final List<Entry> shared;
    private final List<List<Parameter>> tasks;
    private final boolean namedLastLayer;

    /**
     * A shared parameter.
     *
     * @param name      its path in the model
     * @param parameter the parameter
     * @param lastLayer true for a parameter of the sharing strategy's last shared layer
     *                  ({@link LastSharedLayer}), or of any layer of it (and the heads of tasks
     *                  another task depends on) when the strategy names none; false for the
     *                  encoder's
     */
    public record Entry(String name, Parameter parameter, boolean lastLayer) {
        public Entry {
            requireNonNull(name, "name is null");
            requireNonNull(parameter, "parameter is null");
        }
    }

    /**
     * @param shared the shared parameters, in vector order
     * @param tasks  per task, the parameters only that task's loss reaches
     */
    public ParameterGroups(List<Entry> shared, List<List<Parameter>> tasks) {
        this(shared, tasks, false);
    }

    /**
     * @param shared         the shared parameters, in vector order
     * @param tasks          per task, the parameters only that task's loss reaches
     * @param namedLastLayer whether the flagged entries are a last shared layer the sharing block
     *                       named ({@link LastSharedLayer}) rather than every parameter it shares
     */
    public ParameterGroups(List<Entry> shared, List<List<Parameter>> tasks, boolean namedLastLayer) {
        this.namedLastLayer = namedLastLayer;
        this.shared = List.copyOf(requireNonNull(shared, "shared is null"));
        List<List<Parameter>> copy = new ArrayList<>();
        for (List<Parameter> task : requireNonNull(tasks, "tasks is null")) {
            copy.add(List.copyOf(task));
        }
        this.tasks = List.copyOf(copy);
    }

    /**
     * Splits an initialised block's parameters, asking the sharing block (under its plugin's class
     * loader) which parameters each task owns.
     *
     * @throws IllegalStateException if the sharing block declares a parameter that is not its own,
     *     or one parameter for two tasks, or names in its last shared layer a parameter that is not
     *     its own or that a task owns
     */
    public static ParameterGroups of(MultiTaskBlock block) {
        requireNonNull(block, "block is null");
        Map<Parameter, String> names = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue(), p.getKey());
        }
        List<Parameter> strategy = new ArrayList<>();
        for (Pair<String, Parameter> p : block.sharingBlock().getParameters()) {
            strategy.add(p.getValue());
        }
        Map<Parameter, Integer> owner = new IdentityHashMap<>();
        List<List<Parameter>> tasks = new ArrayList<>();
        for (int t = 0; t < block.taskCount(); t++) {
            List<Parameter> params = block.taskParameters(t);
            if (block.sharingBlock() instanceof TaskOwnedParameters owned) {
                List<Parameter> declared;
                try (ContextClassLoader ignored = ContextClassLoader.enter(block.sharingLoader())) {
                    declared = owned.taskOwnedParameters(t);
                }
                for (Parameter p : requireNonNull(declared, "taskOwnedParameters(" + t + ") is null")) {
                    if (strategy.stream().noneMatch(s -> s == p)) {
                        throw new IllegalStateException("the sharing block declares parameter " + p.getName()
                                + " for task " + t + " but it is not one of its parameters");
                    }
                    Integer previous = owner.put(p, t);
                    if (previous != null) {
                        throw new IllegalStateException("the sharing block declares parameter " + names.get(p)
                                + " for tasks " + previous + " and " + t);
                    }
                    params.add(p);
                }
            }
            tasks.add(params);
        }
        Set<Parameter> last = lastSharedLayer(block, strategy, owner, names);
        List<Entry> shared = new ArrayList<>();
        for (Pair<String, Parameter> p : block.encoder().getParameters()) {
            shared.add(new Entry(names.get(p.getValue()), p.getValue(), false));
        }
        for (Parameter p : strategy) {
            if (!owner.containsKey(p)) {
                shared.add(new Entry(names.get(p), p, last == null || last.contains(p)));
            }
        }
        boolean[] parent = new boolean[tasks.size()];
        for (TaskDependency d : block.dependencies()) {
            parent[d.parent()] = true;
        }
        for (int t = 0; t < tasks.size(); t++) {
            if (parent[t]) {
                for (Parameter p : tasks.get(t)) {
                    shared.add(new Entry(names.get(p), p, last == null));
                }
                tasks.set(t, List.of());
            }
        }
        return new ParameterGroups(shared, tasks, last != null);
    }

    /**
     * @return whether the entries flagged {@code lastLayer} are the last shared layer the sharing
     *     block named; false when it names none and every parameter it shares is flagged, with the
     *     heads of tasks another task depends on
     */
    public boolean namedLastLayer() {
        return namedLastLayer;
    }

    /**
     * @return the parameters the sharing block names as its last shared layer
     *     ({@link LastSharedLayer}), or null when it names none
     * @throws IllegalStateException if it names a parameter that is not its own, or one a task owns
     */
    private static Set<Parameter> lastSharedLayer(MultiTaskBlock block, List<Parameter> strategy,
            Map<Parameter, Integer> owner, Map<Parameter, String> names) {
        if (!(block.sharingBlock() instanceof LastSharedLayer named)) {
            return null;
        }
        List<Parameter> declared;
        try (ContextClassLoader ignored = ContextClassLoader.enter(block.sharingLoader())) {
            declared = named.lastSharedLayer();
        }
        Set<Parameter> last = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : requireNonNull(declared, "lastSharedLayer() is null")) {
            if (strategy.stream().noneMatch(s -> s == p)) {
                throw new IllegalStateException("the sharing block names parameter " + p.getName()
                        + " in its last shared layer but it is not one of its parameters");
            }
            if (owner.containsKey(p)) {
                throw new IllegalStateException("the sharing block names parameter " + names.get(p)
                        + " in its last shared layer but declares it task " + owner.get(p) + "'s own");
            }
            last.add(p);
        }
        return last.isEmpty() ? null : last;
    }

    /** @return the shared parameters, in vector order */
    public List<Parameter> shared() {
        List<Parameter> params = new ArrayList<>(shared.size());
        for (Entry e : shared) {
            params.add(e.parameter());
        }
        return params;
    }

    /** @return the shared parameters with their names and flags, in vector order */
    public List<Entry> sharedEntries() {
        return shared;
    }

    /** @return the layout of the flattened shared vector a gradient combiner receives */
    public List<SharedParameter> layout() {
        List<SharedParameter> layout = new ArrayList<>(shared.size());
        int offset = 0;
        for (Entry e : shared) {
            int n = Math.toIntExact(e.parameter().getArray().size());
            layout.add(new SharedParameter(e.name(), offset, n, e.lastLayer()));
            offset += n;
        }
        return List.copyOf(layout);
    }

    /** @return the number of tasks */
    public int taskCount() {
        return tasks.size();
    }

    /** @return one task's parameters: its head's, then the sharing strategy's it owns */
    public List<Parameter> task(int task) {
        return tasks.get(task);
    }
}
