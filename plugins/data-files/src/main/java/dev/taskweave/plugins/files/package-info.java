/**
 * Dataset source {@code files}: interactions and user and item side features read from delimited
 * text files (CSV, TSV or any single-character separator), split at random, by time or by file.
 */
package dev.taskweave.plugins.files;
