package dev.taskweave.core.config;

/**
 * A configuration class cannot be created, whatever the YAML says: it has no constructor Jackson
 * can use, is abstract or a non-static inner class, its constructor threw something other than a
 * validation of its input, or there is no class at all (a plugin's {@code configClass()} returned
 * null). A bug of the class's author, not a mistake in the YAML: a call into a plugin reports it
 * as the plugin's failure, naming the plugin and the class
 * ({@code dev.taskweave.core.plugin.PluginFailureException}); elsewhere it is an internal error.
 */
public final class ConfigClassException extends RuntimeException {
    private final Class<?> configClass;
    private final String reason;

    /**
     * @param configClass the class bound to, or null when there is none
     * @param reason      why it cannot be created, in one line
     * @param cause       Jackson's error, or null
     */
    public ConfigClassException(Class<?> configClass, String reason, Throwable cause) {
        super((configClass == null ? "no config class" : "the config class " + configClass.getName() + " cannot be created")
                + ": " + reason, cause);
        this.configClass = configClass;
        this.reason = reason;
    }

    /** @return the class bound to, or null when there is none */
    public Class<?> configClass() {
        return configClass;
    }

    /** @return why it cannot be created, without the class */
    public String reason() {
        return reason;
    }
}
