package dev.taskweave.api;

import org.pf4j.ExtensionPoint;

/**
 * The shape shared by every Taskweave factory: a unique type name, a typed configuration class,
 * and a one-line description shown by {@code taskweave plugins}.
 *
 * @param <C> the configuration class that the YAML {@code params} block is bound to
 */
public interface ExtensionFactory<C> extends ExtensionPoint {
    /** @return the type name used in YAML; unique across all loaded plugins of the same kind */
    String type();

    /**
     * @return the class the {@code params} block is bound to; it needs a public no-argument
     *     constructor (or a Jackson creator) and may implement {@link ValidatedConfig}
     */
    Class<C> configClass();

    /** @return a one-line description */
    default String description() {
        return "";
    }
}
