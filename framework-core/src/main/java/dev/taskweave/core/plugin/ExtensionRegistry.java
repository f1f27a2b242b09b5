package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Every factory type name known to this run, by kind, with its providing plugin. */
public final class ExtensionRegistry {
    /** The key of a plugin's metric names in {@link PluginInfo#types()}. */
    public static final String METRICS = "metric";
    private final Map<ExtensionKind, Map<String, Registered<?>>> byKind = new EnumMap<>(ExtensionKind.class);
    private final Map<String, PluginInfo> plugins;
    private final List<ExtensionFailure> failures;
    private final List<String> warnings;
    private final List<String> unloaded;
    private final List<String> clashes;

    ExtensionRegistry(Map<ExtensionKind, Map<String, Registered<?>>> byKind, Map<String, PluginInfo> plugins,
            List<ExtensionFailure> failures, List<String> warnings) {
        this(byKind, plugins, failures, warnings, List.of(), List.of());
    }

    ExtensionRegistry(Map<ExtensionKind, Map<String, Registered<?>>> byKind, Map<String, PluginInfo> plugins,
            List<ExtensionFailure> failures, List<String> warnings, List<String> unloaded, List<String> clashes) {
        for (ExtensionKind kind : ExtensionKind.values()) {
            this.byKind.put(kind, Collections.unmodifiableMap(new TreeMap<>(byKind.getOrDefault(kind, Map.of()))));
        }
        this.plugins = Collections.unmodifiableMap(new LinkedHashMap<>(plugins));
        this.failures = List.copyOf(failures);
        this.warnings = List.copyOf(warnings);
        this.unloaded = List.copyOf(unloaded);
        this.clashes = List.copyOf(clashes);
    }

    /**
     * @return the type and metric names provided twice, each saying by whom; empty unless the
     *     registry was made for {@code taskweave plugins} ({@link PluginRuntime#startListing}), since
     *     start-up stops on them otherwise. The first of the two is registered.
     */
    public List<String> clashes() {
        return clashes;
    }

    /**
     * @return the files in a plugins directory that could not be loaded as plugins (a broken or
     *     truncated jar, a library jar dropped there), each with why; also among {@link #warnings()}
     */
    public List<String> unloaded() {
        return unloaded;
    }

    /** Builds a registry, failing on a type name claimed twice within a kind. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the type names of a kind, sorted */
    public List<String> types(ExtensionKind kind) {
        return List.copyOf(byKind.get(kind).keySet());
    }

    /** @return the registration of a type, or null */
    @SuppressWarnings("unchecked")
    public <F> Registered<F> find(ExtensionKind kind, String type) {
        return (Registered<F>) byKind.get(kind).get(type);
    }

    /**
     * @param path   the config path that names the type, for the error message
     * @param source the config file, for the error message
     * @return the registration
     * @throws ConfigException listing the available types when the type is unknown or missing
     */
    public <F> Registered<F> require(ExtensionKind kind, String type, String path, String source) {
        if (type == null || type.isBlank()) {
            throw new ConfigException(source, path, 0, "missing; expected a " + kind.label() + " type, one of " + types(kind));
        }
        Registered<F> registered = find(kind, type);
        if (registered == null) {
            throw new ConfigException(source, path, 0, "unknown " + kind.label() + " type '" + type + "'; available: " + types(kind)
                    + (types(kind).isEmpty() ? " (no plugin provides a " + kind.label() + ": --plugins and TASKWEAVE_PLUGINS replace"
                            + " the distribution's plugins directory; give it too)" : "")
                    + failuresNote());
        }
        return registered;
    }

    /** @return the extensions that plugins declare but that could not be loaded or created */
    public List<ExtensionFailure> failures() {
        return failures;
    }

    /**
     * @return what start-up noticed but went on without: plugins that provide no extension, files
     *     that are not plugins, and each of {@link #failures()}
     */
    public List<String> warnings() {
        return warnings;
    }

    /** @return an unknown type's addition: the extensions that failed to load, which may include it, or nothing */
    private String failuresNote() {
        String files = unloaded.isEmpty() ? "" : "; " + (unloaded.size() == 1 ? "a file" : unloaded.size() + " files")
                + " in the plugins directories could not be loaded as plugins and may hold it: " + String.join("; ", unloaded);
        if (failures.isEmpty()) {
            return files;
        }
        List<String> each = new ArrayList<>();
        for (ExtensionFailure f : failures) {
            each.add(f.className() + " " + PluginFailureException.owner(f.pluginId(), f.version()) + " (" + f.reason() + ")");
        }
        return "; " + (failures.size() == 1 ? "an extension" : failures.size() + " extensions") + " failed to load and may be"
                + " the one meant: " + String.join("; ", each) + " (taskweave plugins lists them)" + files;
    }

    /** @return the loaded plugins by id */
    public Map<String, PluginInfo> plugins() {
        return plugins;
    }

    /** Collects registrations. */
    public static final class Builder {
        private final Map<ExtensionKind, Map<String, Registered<?>>> byKind = new EnumMap<>(ExtensionKind.class);
        private final Map<String, PluginInfo> plugins = new LinkedHashMap<>();
        private final Map<String, String> locations = new LinkedHashMap<>();
        private final Map<String, TreeSet<String>> metrics = new LinkedHashMap<>();
        private final List<ExtensionFailure> failures = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final List<String> unloaded = new ArrayList<>();
        private final List<String> clashes = new ArrayList<>();
        private boolean recordClashes;

        /**
         * Records a type name provided twice ({@link #add}) instead of failing on it: the first
         * registration stays, and {@link ExtensionRegistry#clashes()} says why the second is not.
         */
        public Builder recordClashes() {
            recordClashes = true;
            return this;
        }

        /** Records a name provided twice (a metric's), as {@link #add} does a type's. */
        Builder clash(String message) {
            clashes.add(requireNonNull(message, "message is null"));
            return this;
        }

        /** @return the clashes recorded so far */
        List<String> clashes() {
            return List.copyOf(clashes);
        }

        /** Records files that could not be loaded as plugins, each with why; they are warnings too. */
        public Builder unloaded(List<String> files) {
            unloaded.addAll(files);
            return this;
        }

        /** Records a metric name a plugin provides, listed by {@code taskweave plugins}. */
        public Builder metric(String pluginId, String name) {
            metrics.computeIfAbsent(pluginId, k -> new TreeSet<>()).add(name);
            return this;
        }

        /** Records an extension that could not be loaded. */
        public Builder failure(ExtensionFailure failure) {
            failures.add(requireNonNull(failure, "failure is null"));
            return this;
        }

        /** Records start-up warnings; each failure is added to them by {@link #build()}. */
        public Builder warnings(List<String> more) {
            warnings.addAll(more);
            return this;
        }

        /**
         * Adds a factory of a kind.
         *
         * @throws PluginConflictException when another factory has its type name within the kind,
         *     unless clashes are recorded ({@link #recordClashes()})
         */
        public Builder add(ExtensionKind kind, Registered<?> registered, String location) {
            requireNonNull(registered, "registered is null");
            Map<String, Registered<?>> types = byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>());
            Registered<?> previous = types.putIfAbsent(registered.type(), registered);
            if (previous != null) {
                String message;
                if (previous.pluginId().equals(registered.pluginId())) {
                    // one plugin twice: its two classes tell the author which to rename
                    message = "the " + kind.label() + " type '" + registered.type() + "' is provided by two classes "
                            + PluginFailureException.owner(registered.pluginId(), registered.pluginVersion()) + " (" + location + "): "
                            + previous.factory().getClass().getName() + " and " + registered.factory().getClass().getName()
                            + "; each type name may be provided once: rename one of them in the plugin";
                } else {
                    message = "the " + kind.label() + " type '" + registered.type() + "' is provided by two plugins: "
                            + previous.pluginId() + " (" + locations.get(previous.pluginId()) + ") and " + registered.pluginId()
                            + " (" + location + "); remove one of them";
                }
                if (!recordClashes) {
                    throw new PluginConflictException(message);
                }
                clashes.add(message);
                return this;
            }
            locations.putIfAbsent(registered.pluginId(), location);
            return this;
        }

        /** Records a plugin's description. */
        public Builder plugin(PluginInfo info) {
            plugins.put(info.id(), info);
            return this;
        }

        /** @return the registry, with each plugin's type list filled in */
        public ExtensionRegistry build() {
            Map<String, PluginInfo> withTypes = new LinkedHashMap<>();
            for (PluginInfo p : plugins.values()) {
                Map<String, List<String>> types = new LinkedHashMap<>();
                for (Map.Entry<ExtensionKind, Map<String, Registered<?>>> e : byKind.entrySet()) {
                    TreeSet<String> names = new TreeSet<>();
                    for (Registered<?> r : e.getValue().values()) {
                        if (r.pluginId().equals(p.id())) {
                            names.add(r.type());
                        }
                    }
                    if (!names.isEmpty()) {
                        types.put(e.getKey().label(), new ArrayList<>(names));
                    }
                }
                if (metrics.containsKey(p.id())) {
                    types.put(METRICS, new ArrayList<>(metrics.get(p.id())));
                }
                withTypes.put(p.id(), new PluginInfo(p.id(), p.version(), p.description(), p.location(), types));
            }
            List<String> all = new ArrayList<>(unloaded);
            all.addAll(warnings);
            for (ExtensionFailure f : failures) {
                all.add(f.toString());
            }
            return new ExtensionRegistry(byKind, withTypes, failures, all, unloaded, clashes);
        }
    }

    /** @return the type name a factory declares, unchecked ({@link #typeNameProblem}) */
    static String typeOf(Object factory) {
        return ((ExtensionFactory<?>) factory).type();
    }

    /**
     * What a type or metric name may be: one word without spaces or control characters. A name
     * with a space ({@code " huber2 "}) would be listed and looked up as written, which no one
     * means to write in YAML. Anything else that loaded before stays accepted (capitals, a
     * {@code .} in a metric's name), so that the models trained with such a plugin keep loading;
     * the built-in names are lower-case tokens ({@code shared-bottom}, {@code hr@10}), which the
     * docs recommend.
     */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[^\\s\\p{Cntrl}]+");

    /** @return why {@code type}, a factory's {@code type()}, is refused, or null when it is a type name */
    static String typeNameProblem(String type) {
        if (type == null) {
            return "its type() returned null";
        }
        if (!NAME.matcher(type).matches()) {
            return "its type() '" + type + "' is not a type name: one word, without spaces or control characters (as in"
                    + " shared-bottom)";
        }
        return null;
    }

    /** @return why {@code name}, a metric's {@code name()}, is refused, or null when it is a metric name */
    static String metricNameProblem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "its metric '" + name + "' is not a metric name: one word, without spaces or control characters (as in"
                    + " micro_f1); the metric is not loaded";
        }
        return null;
    }
}
