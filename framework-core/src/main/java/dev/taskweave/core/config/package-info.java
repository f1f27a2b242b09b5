/** The experiment file: its typed model, loading from YAML and validation with exact paths. */
package dev.taskweave.core.config;
