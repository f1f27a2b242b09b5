package dev.taskweave.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.core.config.ConfigException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the plugin directories come from, and a missing one named by where it was given. */
class PluginDirectoriesTest {
    @TempDir
    Path work;

    @Test
    void aMissingDirectoryIsNamedWithWhereItWasGiven() throws Exception {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Path none = work.resolve("none");
        String both = plugins + File.pathSeparator + none;
        // before: plugins directory .../none does not exist (naming neither the variable nor the option)
        ConfigException env = assertThrows(ConfigException.class, () -> TaskweaveCli.pluginDirectories(List.of(), both, null));
        assertEquals("TASKWEAVE_PLUGINS: plugins directory " + none + " does not exist (TASKWEAVE_PLUGINS is '" + both
                + "': directories separated by '" + File.pathSeparator + "')", env.getMessage());
        ConfigException option = assertThrows(ConfigException.class,
                () -> TaskweaveCli.pluginDirectories(List.of(plugins, none), "ignored", null));
        assertEquals("--plugins: plugins directory " + none + " does not exist", option.getMessage());
        Path file = Files.writeString(work.resolve("plugins.txt"), "x");
        ConfigException property = assertThrows(ConfigException.class,
                () -> TaskweaveCli.pluginDirectories(List.of(), null, file.toString()));
        assertEquals("taskweave.plugins: plugins directory " + file + " is not a directory (the taskweave.plugins property, which"
                + " bin/taskweave sets to $TASKWEAVE_PLUGINS, else to the distribution's plugins directory)", property.getMessage());
        ConfigException nothing = assertThrows(ConfigException.class, () -> TaskweaveCli.pluginDirectories(List.of(), " ", ""));
        assertEquals("--plugins: no plugin directory: pass --plugins DIR or set TASKWEAVE_PLUGINS", nothing.getMessage());
    }

    @Test
    void theOptionWinsOverTheVariableWhichWinsOverTheProperty() throws Exception {
        Path a = Files.createDirectories(work.resolve("a"));
        Path b = Files.createDirectories(work.resolve("b"));
        assertEquals(List.of(a), TaskweaveCli.pluginDirectories(List.of(a), b.toString(), b.toString()));
        assertEquals(List.of(b, a), TaskweaveCli.pluginDirectories(List.of(), b + File.pathSeparator + File.pathSeparator + a, "x"));
        assertEquals(List.of(a), TaskweaveCli.pluginDirectories(List.of(), null, a.toString()));
    }
}
