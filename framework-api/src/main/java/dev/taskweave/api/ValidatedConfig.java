package dev.taskweave.api;

/**
 * A plugin configuration object that checks its own values after the runtime has bound the YAML
 * {@code params} block onto it.
 *
 * <p>Implementations throw {@link InvalidConfigException} naming the offending field relative to
 * the object; the runtime prefixes the full path (for example {@code tasks[1].params.tower}).
 */
public interface ValidatedConfig {
    /**
     * Checks the bound values.
     *
     * @throws InvalidConfigException when a value is out of range or inconsistent
     */
    void validate();
}
