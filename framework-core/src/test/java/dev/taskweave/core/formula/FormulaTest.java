package dev.taskweave.core.formula;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FormulaTest {
    private static double eval(String text, double... values) {
        return Formula.parse(text).evaluate(values);
    }

    @Test
    void arithmeticWithPrecedenceAndTasksInOrderOfFirstUse() {
        Formula f = Formula.parse("0.6 * like + 0.4 * watch");
        assertEquals(List.of("like", "watch"), f.tasks());
        assertEquals(0.6 * 0.5 + 0.4 * 0.25, f.evaluate(new double[] {0.5, 0.25}), 1e-12);
        assertEquals(14, eval("2 + 3 * 4"), 1e-12);
        assertEquals(20, eval("(2 + 3) * 4"), 1e-12);
        assertEquals(1, eval("8 / 4 / 2"), 1e-12);
        assertEquals(-3, eval("-a - -1 * -1", 2), 1e-12);
        assertEquals(1e-3, eval("1e-3"), 1e-15);
        assertEquals(List.of("watch", "like"), Formula.parse("watch * like + like").tasks());
        assertEquals(List.of("like-2", "my_task"), Formula.parse("like-2 + my_task").tasks());
        assertEquals(2, eval("like - 2", 4), 1e-12);
    }

    @Test
    void dottedNamesReadMetricsOfTasks() {
        Formula f = Formula.parse("like.auc - 0.5 * rating.rmse");
        assertEquals(List.of("like.auc", "rating.rmse"), f.tasks());
        assertEquals(0.8 - 0.5 * 0.9, f.evaluate(new double[] {0.8, 0.9}), 1e-12);
        assertEquals(List.of("valid.genre-2.micro_f1", "a._b"), Formula.parse("valid.genre-2.micro_f1 * a._b").tasks());
        // a dot before a digit does not continue a name
        FormulaException e = assertThrows(FormulaException.class, () -> Formula.parse("like.5"));
        assertTrue(e.getMessage().contains("unexpected '.'"), e.getMessage());
        // a ranking metric's cutoff after '@'; an '@' not followed by a letter or digit is no part of a name
        assertEquals(List.of("valid.watch.hr@10", "watch.ndcg@5"), Formula.parse("valid.watch.hr@10 - watch.ndcg@5").tasks());
        assertThrows(FormulaException.class, () -> Formula.parse("watch.hr@ 10"));
    }

    @Test
    void functions() {
        assertEquals(Math.log(2), eval("log(1 + x)", 1), 1e-12);
        assertEquals(Math.exp(1), eval("exp(1)"), 1e-12);
        assertEquals(3, eval("sqrt(9)"), 1e-12);
        assertEquals(2, eval("abs(-2)"), 1e-12);
        assertEquals(0.7, eval("max(a, b, 0.7)", 0.1, 0.2), 1e-12);
        assertEquals(0.1, eval("min(a, b)", 0.1, 0.2), 1e-12);
    }

    @Test
    void lengthAndNestingAreBoundedSoARequestCannotExhaustTheStack() {
        // the longest formula allowed, a sum of 2,048 terms, parses and evaluates
        String sum = "a" + "+a".repeat((Formula.MAX_LENGTH - 1) / 2);
        assertEquals(2048, Formula.parse(sum).evaluate(new double[] {1}), 1e-12);
        assertMessage(sum + "+a", "the formula is 4097 characters long; at most 4096");
        // 100 levels of parentheses, signs or function arguments parse; 101 do not
        assertEquals(2, eval("(".repeat(100) + "2" + ")".repeat(100)), 1e-12);
        assertEquals(2, eval("-".repeat(100) + "2"), 1e-12);
        assertEquals(2, eval("abs(".repeat(100) + "2" + ")".repeat(100)), 1e-12);
        assertMessage("(".repeat(101) + "2" + ")".repeat(101), "nested more than 100 deep (parentheses, function arguments and signs)");
        assertMessage("-".repeat(101) + "2", "nested more than 100 deep");
        assertMessage("abs(".repeat(101) + "2" + ")".repeat(101), "nested more than 100 deep");
        // many distinct names: each keeps its first-use index
        StringBuilder names = new StringBuilder("t0");
        for (int i = 1; i < 500; i++) {
            names.append("+t").append(i);
        }
        Formula f = Formula.parse(names.toString());
        assertEquals(500, f.tasks().size());
        assertEquals("t499", f.tasks().get(499));
        double[] values = new double[500];
        values[499] = 7;
        assertEquals(7, f.evaluate(values), 1e-12);
    }

    @Test
    void errorsSayWhatAndWhere() {
        assertMessage("", "the formula is empty");
        assertMessage("0.5 * (like +", "expected a number, a task or '(' but the formula ends");
        assertMessage("(like", "expected ')' at position 6");
        assertMessage("like ** 2", "unexpected '*' at position 7");
        assertMessage("like watch", "unexpected 'w' at position 6");
        assertMessage("foo(like)", "unknown function 'foo'; available: log, exp, sqrt, abs, min, max at position 1");
        assertMessage("log(a, b)", "log takes one argument, got 2");
        assertMessage("max(a)", "max takes two or more arguments, got 1");
        assertMessage("1.2.3", "malformed number '1.2.3'");
        assertMessage("1e400 * like", "number '1e400' is beyond the range of a double (about 1.8e308) at position 1");
        assertMessage("like $ 2", "unexpected '$'");
    }

    private static void assertMessage(String text, String expected) {
        FormulaException e = assertThrows(FormulaException.class, () -> Formula.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
