package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ParserMessagesTest {
    private final ObjectMapper json = new ObjectMapper();

    private String described(String text) {
        return ParserMessages.describeWithLocation(assertThrows(JsonProcessingException.class, () -> json.readTree(text)));
    }

    @Test
    void anUnclosedArraySaysWhereItOpenedAndWhereTheTextEnded() {
        assertEquals("Unexpected end-of-input: expected close marker for Array (opened at line 1, column 11) at line 1, column 13",
                described("{\"items\": [1"));
    }

    @Test
    void hintsToChangeTheReadersSettingsAreLeftOut() {
        assertEquals("Non-standard token 'NaN' at line 1, column 18", described("{\"k\": 1, \"x\": NaN}"));
        assertEquals("Document nesting depth (1001) exceeds the maximum allowed (1000)",
                described("[".repeat(1001)));
    }

    @Test
    void everyLocationAndHintJacksonWritesIntoAMessageIsTakenOut() {
        for (String text : java.util.List.of("{\"a\": [1}", "{\"a\": 1 /* x */}", "{\"a\": \u001e1}", "{\"a\": 'x'}", "[1,]",
                "{\"a\" 1}", "{\"a\": tru}", "{\"a\": 01}")) {
            String message = described(text);
            org.junit.jupiter.api.Assertions.assertFalse(message.contains("`") || message.contains("Source:") || message.contains("REDACTED")
                    || message.contains("Feature") || message.contains("enabl"), text + " -> " + message);
        }
        assertEquals("Unexpected close marker '}': expected ']' (for Array starting at line 1, column 7) at line 1, column 9",
                described("{\"a\": [1}"));
    }

    @Test
    void aLineOfAFileSaysColumnsOnly() {
        // the caller names the file's line: "users.jsonl:7: ... at line 1" would contradict it
        assertEquals("Unexpected close marker '}': expected ']' (for Array starting at column 7) at column 9",
                ParserMessages.describeInLine(assertThrows(JsonProcessingException.class, () -> json.readTree("{\"a\": [1}"))));
    }

    @Test
    void aWholeNumberOutOfRangeSaysWhichRange() {
        assertEquals("number 99999999999999999999 is out of range: expected a whole number from -9223372036854775808 to"
                + " 9223372036854775807", ParserMessages.clean("Numeric value (99999999999999999999) out of range of long"
                + " (-9223372036854775808 - 9223372036854775807)"));
    }

    @Test
    void aConfigValueOutOfRangeIsWordedForItsAuthor() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse("name: x\nseed: 99999999999999999999\n", "big.yaml"));
        assertEquals("big.yaml:2: seed: number 99999999999999999999 is out of range: expected a whole number from"
                + " -9223372036854775808 to 9223372036854775807", e.getMessage());
    }
}
