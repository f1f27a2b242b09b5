package dev.taskweave.core.plugin;

/**
 * An extension a plugin declares (in its {@code META-INF/extensions.idx}) that could not be loaded
 * or created; the rest of the plugin loads without it.
 *
 * @param pluginId  the plugin's id
 * @param version   the plugin's version
 * @param location  the plugin's jar or directory
 * @param className the extension's class
 * @param reason    why, in one line
 */
public record ExtensionFailure(String pluginId, String version, String location, String className, String reason) {
    @Override
    public String toString() {
        return "extension " + className + " " + PluginFailureException.owner(pluginId, version) + " (" + location
                + ") was not loaded: " + reason;
    }
}
