/**
 * The plugin runtime: PF4J discovery with class loaders that share only the SPI with the host,
 * Guice-backed extension creation (one child injector per plugin), and the registry of type names.
 */
package dev.taskweave.core.plugin;
