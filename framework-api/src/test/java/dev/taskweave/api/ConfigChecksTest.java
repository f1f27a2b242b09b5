package dev.taskweave.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfigChecksTest {
    private static void assertInvalid(String path, String reason, Executable check) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, check);
        assertEquals(path, e.path());
        assertEquals(reason, e.reason());
    }

    @Test
    void numbersOutsideTheirRangeNameTheFieldAndTheValue() {
        assertDoesNotThrow(() -> ConfigChecks.atLeast("experts", 1, 1));
        assertInvalid("experts", "expected an integer >= 1, got 0", () -> ConfigChecks.atLeast("experts", 0, 1));

        assertDoesNotThrow(() -> ConfigChecks.dropout("dropout", 0));
        assertDoesNotThrow(() -> ConfigChecks.dropout("dropout", 0.999));
        assertInvalid("dropout", "expected a dropout rate in [0, 1), got 1.0", () -> ConfigChecks.dropout("dropout", 1));
        assertInvalid("dropout", "expected a dropout rate in [0, 1), got NaN", () -> ConfigChecks.dropout("dropout", Double.NaN));
        assertInvalid("dropout", "expected a dropout rate in [0, 1), got -0.1", () -> ConfigChecks.dropout("dropout", -0.1));
        // below 1 as a double, 1 as the float the layers hold
        assertInvalid("dropout", "expected a dropout rate in [0, 1), got 0.99999999, which is 1 in single precision (at most"
                + " 0.99999994)", () -> ConfigChecks.dropout("dropout", 0.99999999));
        assertDoesNotThrow(() -> ConfigChecks.dropout("dropout", 0.99999994));

        assertDoesNotThrow(() -> ConfigChecks.unitInterval("selfWeight", 1));
        assertInvalid("selfWeight", "expected a number in [0, 1], got 1.01", () -> ConfigChecks.unitInterval("selfWeight", 1.01));

        assertDoesNotThrow(() -> ConfigChecks.nonNegative("alpha", 0));
        assertInvalid("alpha", "expected a finite number >= 0, got Infinity",
                () -> ConfigChecks.nonNegative("alpha", Double.POSITIVE_INFINITY));
        assertInvalid("alpha", "expected a finite number >= 0, got -1.0", () -> ConfigChecks.nonNegative("alpha", -1));

        assertDoesNotThrow(() -> ConfigChecks.positive("temperature", 1e-9));
        assertInvalid("temperature", "expected a finite number > 0, got 0.0", () -> ConfigChecks.positive("temperature", 0));
        assertInvalid("temperature", "expected a finite number > 0, got NaN", () -> ConfigChecks.positive("temperature", Double.NaN));

        assertDoesNotThrow(() -> ConfigChecks.finite("threshold", null));
        assertInvalid("threshold", "expected a finite number, got NaN", () -> ConfigChecks.finite("threshold", Double.NaN));
    }

    @Test
    void widthsNameTheBadElement() {
        assertDoesNotThrow(() -> ConfigChecks.widths("tower", List.of(), true));
        assertDoesNotThrow(() -> ConfigChecks.widths("layers", List.of(8, 1), false));
        assertInvalid("layers", "expected at least one layer width, got an empty list",
                () -> ConfigChecks.widths("layers", List.of(), false));
        assertInvalid("tower", "expected a list of layer widths (may be empty), got null",
                () -> ConfigChecks.widths("tower", null, true));
        assertInvalid("layers", "expected a list of layer widths, got null", () -> ConfigChecks.widths("layers", null, false));
        assertInvalid("tower[2]", "expected a layer width >= 1, got -1", () -> ConfigChecks.widths("tower", List.of(8, 4, -1), true));
        assertInvalid("layers[1]", "expected a layer width >= 1, got null",
                () -> ConfigChecks.widths("layers", Arrays.asList(8, null), false));
    }
}
