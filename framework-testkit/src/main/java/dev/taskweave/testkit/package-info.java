/**
 * Test helpers for plugin authors (test scope): {@link dev.taskweave.testkit.PluginConfigs} binds
 * a {@code params} map onto a configuration class the way the runtime binds YAML;
 * {@link dev.taskweave.testkit.HeadChecks} and {@link dev.taskweave.testkit.SharingChecks} check a
 * task head or a sharing block against what the runtime relies on, and give the small training
 * loops the built-in plugins' tests use. The built-in plugins test themselves with it.
 */
package dev.taskweave.testkit;
