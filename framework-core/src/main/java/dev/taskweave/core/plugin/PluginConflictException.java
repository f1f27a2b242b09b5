package dev.taskweave.core.plugin;

/** Start-up cannot go on: two plugins claim one name, or a plugin failed to load. */
public final class PluginConflictException extends RuntimeException {
    public PluginConflictException(String message) {
        super(message);
    }
}
