package dev.taskweave.core.cli;

/**
 * Adds a subcommand to {@code taskweave} without the runtime naming the module that provides it.
 * Implementations are found with {@link java.util.ServiceLoader} on the application class path
 * ({@code META-INF/services/dev.taskweave.core.cli.CliExtension}); the {@code serve} command of
 * {@code framework-serve} is one.
 *
 * <p>The returned object is a picocli {@code @Command}; it may declare a
 * {@code @ParentCommand TaskweaveCli root} field to reach the global options (for example
 * {@link TaskweaveCli#pluginDirectories()}). Failures it throws are reported like the built-in
 * commands': {@link dev.taskweave.core.config.ConfigException} and the API's input exceptions exit
 * with {@link TaskweaveCli#BAD_INPUT}.
 */
public interface CliExtension {
    /** @return the subcommand's name, for example {@code serve} */
    String name();

    /** @return a new picocli command object */
    Object command();
}
