package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.util.List;

/**
 * {@code split}: how the interactions become {@code train}, {@code valid} and {@code test}.
 * {@code by: random} (the default) draws {@code valid} and {@code test} shares of the rows with
 * the seed; {@code by: time} puts the latest {@code test} share of the rows (by the interactions'
 * {@code timestamp}) in test and the {@code valid} share before them in valid; {@code by: files}
 * trains on the interactions file and reads {@code validFile} and {@code testFile} (same columns
 * and reading options); {@code by: last} puts each user's latest row in test and the one before it
 * in valid (leave-one-out by time; a user with fewer than three rows keeps them in train but for
 * the latest of two). With {@code coldSlices} (the default) the test rows of users or items
 * that have no training row are reported apart, as {@code test_cold_user}, {@code test_cold_item}
 * and {@code test_cold_both}, and {@code test} keeps the rows of known users and items (an empty
 * slice is left out). {@code coldUsers} and {@code coldItems} first hold out a seeded share of
 * the users and of the items whole, so that the cold slices measure new users and new items.
 */
public final class SplitConfig {
    static final double DEFAULT_FRACTION = 0.1;
    /** The largest {@code coldUsers} and {@code coldItems}. */
    static final double MAX_COLD = 0.5;

    /** How rows are assigned to splits. */
    public enum By {
        /** A seeded random share of rows. */
        @JsonProperty("random") RANDOM,
        /** The latest rows by timestamp. */
        @JsonProperty("time") TIME,
        /** Separate files. */
        @JsonProperty("files") FILES,
        /** Each user's latest row to test and the one before it to valid (leave-one-out by time). */
        @JsonProperty("last") LAST
    }

    @JsonProperty
    private By by = By.RANDOM;
    @JsonProperty
    private Double valid;
    @JsonProperty
    private Double test;
    @JsonProperty
    private String validFile;
    @JsonProperty
    private String testFile;
    @JsonProperty
    private boolean coldSlices = true;
    @JsonProperty
    private double coldUsers;
    @JsonProperty
    private double coldItems;

    public SplitConfig() {}

    void validate(boolean hasTimestamp) {
        if (by == null) {
            throw new InvalidConfigException("by", "missing; expected one of [random, time, files, last]");
        }
        for (String field : List.of("coldUsers", "coldItems")) {
            double share = field.equals("coldUsers") ? coldUsers : coldItems;
            if (!(share >= 0 && share <= MAX_COLD)) {
                throw new InvalidConfigException(field, "expected a share of the " + (field.equals("coldUsers") ? "users" : "items")
                        + " in [0, " + MAX_COLD + "], got " + share);
            }
            if (share > 0 && !coldSlices) {
                throw new InvalidConfigException(field, "holds out whole " + (field.equals("coldUsers") ? "users" : "items")
                        + " to report them as a cold slice, and coldSlices is false");
            }
        }
        if (by == By.FILES) {
            if (valid != null || test != null) {
                throw new InvalidConfigException(valid != null ? "valid" : "test", "a share of rows is not used with "
                        + "by: files; validFile and testFile are the valid and test splits");
            }
            blankPath("validFile", validFile);
            blankPath("testFile", testFile);
            return;
        }
        if (validFile != null || testFile != null) {
            throw new InvalidConfigException(validFile != null ? "validFile" : "testFile", "only used with by: files");
        }
        if (by == By.LAST) {
            if (valid != null || test != null) {
                throw new InvalidConfigException(valid != null ? "valid" : "test", "a share of rows is not used with by: last, "
                        + "which holds out each user's latest row (test) and the one before it (valid)");
            }
            if (!hasTimestamp) {
                throw new InvalidConfigException("by", "by: last needs interactions.timestamp, the column that orders each user's rows");
            }
            return;
        }
        fraction("valid", validFraction());
        fraction("test", testFraction());
        if (validFraction() + testFraction() >= 1) {
            throw new InvalidConfigException("test", "valid + test must be below 1, got " + validFraction() + " + " + testFraction());
        }
        if (by == By.TIME && !hasTimestamp) {
            throw new InvalidConfigException("by", "by: time needs interactions.timestamp, the column that orders the rows");
        }
    }

    private static void fraction(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "expected a share of the rows in [0, 1), got " + value);
        }
    }

    private static void blankPath(String field, String path) {
        if (path != null && path.isBlank()) {
            throw new InvalidConfigException(field, "expected a file path, got an empty string");
        }
    }

    public By by() {
        return by;
    }

    /** @return the share of rows for valid (random and time splits) */
    public double validFraction() {
        return valid == null ? DEFAULT_FRACTION : valid;
    }

    /** @return the share of rows for test (random and time splits) */
    public double testFraction() {
        return test == null ? DEFAULT_FRACTION : test;
    }

    /** @return the valid file (by: files), or null for no valid split */
    public String validFile() {
        return validFile;
    }

    /** @return the test file (by: files), or null for no test split */
    public String testFile() {
        return testFile;
    }

    /** @return the share of users held out whole (all their rows test rows) */
    public double coldUsers() {
        return coldUsers;
    }

    /** @return the share of items held out whole */
    public double coldItems() {
        return coldItems;
    }

    /** @return whether cold test rows are reported apart */
    public boolean coldSlices() {
        return coldSlices;
    }
}
