/**
 * {@code taskweave benchmark}: trains a suite of configurations over several seeds and their
 * single-task counterparts, and writes {@code results.json}, {@code report.md} and
 * {@code report.html}.
 */
package dev.taskweave.bench;
