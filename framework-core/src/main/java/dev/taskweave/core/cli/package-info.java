/** The {@code taskweave} command line: plugins, train, evaluate and predict. */
package dev.taskweave.core.cli;
