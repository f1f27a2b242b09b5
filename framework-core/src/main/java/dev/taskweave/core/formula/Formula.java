package dev.taskweave.core.formula;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An arithmetic formula over named values: a ranking formula that fuses task scores into one number
 * per item ({@code 0.6 * like + 0.4 * watch}, {@code max(like, 0.5) * log(1 + watch)}), or a tuning
 * objective over validation metrics ({@code like.auc - 0.5 * rating.rmse}).
 *
 * <p>Grammar: numbers ({@code 2}, {@code 0.5}, {@code 1e-3}), names ({@code [A-Za-z_][A-Za-z0-9_.-]*}:
 * a {@code -} inside a name only when followed by a letter, digit or underscore, a {@code .} only
 * when followed by a letter or underscore, an {@code @} only when followed by a letter or digit, as
 * in {@code interaction.hr@10}; none with spaces around it), {@code + - * /}, unary
 * minus, parentheses, and the functions {@code log}, {@code exp}, {@code sqrt}, {@code abs} (one
 * argument), {@code min}, {@code max} (two or more). Usual precedence; evaluation is in double
 * precision. What a name means is the caller's: {@link #tasks()} lists them. A formula holds at most
 * {@value #MAX_LENGTH} characters and nests parentheses, function arguments and signs at most
 * {@value #MAX_NESTING} deep, so that parsing and evaluating it stay well inside a thread's stack
 * (a formula can come from a request).
 */
public final class Formula {
    /** The longest formula, in characters. */
    public static final int MAX_LENGTH = 4096;
    /** The deepest nesting of parentheses, function arguments and unary signs. */
    public static final int MAX_NESTING = 100;

    private final String text;
    private final Node root;
    private final List<String> tasks;

    private Formula(String text, Node root, List<String> tasks) {
        this.text = text;
        this.root = root;
        this.tasks = tasks;
    }

    /** @throws FormulaException when the text does not parse */
    public static Formula parse(String text) {
        requireNonNull(text, "text is null");
        if (text.length() > MAX_LENGTH) {
            throw new FormulaException(-1, "the formula is " + text.length() + " characters long; at most " + MAX_LENGTH);
        }
        Parser p = new Parser(text);
        Node root = p.expression();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw new FormulaException(p.pos, "unexpected '" + text.charAt(p.pos) + "'");
        }
        return new Formula(text, root, List.copyOf(p.tasks.keySet()));
    }

    /** @return the source text */
    public String text() {
        return text;
    }

    /** @return the names the formula reads (task names in a ranking formula), in order of first use */
    public List<String> tasks() {
        return tasks;
    }

    /**
     * @param values one value per task of {@link #tasks()}, in that order
     * @return the formula's value
     */
    public double evaluate(double[] values) {
        return root.eval(values);
    }

    @Override
    public String toString() {
        return text;
    }

    private interface Node {
        double eval(double[] v);
    }

    private static final class Parser {
        private final String s;
        private int pos;
        private final Map<String, Integer> tasks = new LinkedHashMap<>();
        private int nesting = -1; // the formula itself is level 0

        Parser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean eat(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        /** Enters one level of nesting; {@link #leave} ends it. */
        void enter() {
            if (++nesting > MAX_NESTING) {
                throw new FormulaException(pos, "nested more than " + MAX_NESTING + " deep (parentheses, function arguments and signs)");
            }
        }

        void leave() {
            nesting--;
        }

        Node expression() {
            enter();
            try {
                return sum();
            } finally {
                leave();
            }
        }

        private Node sum() {
            Node left = term();
            while (true) {
                if (eat('+')) {
                    Node a = left;
                    Node b = term();
                    left = v -> a.eval(v) + b.eval(v);
                } else if (eat('-')) {
                    Node a = left;
                    Node b = term();
                    left = v -> a.eval(v) - b.eval(v);
                } else {
                    return left;
                }
            }
        }

        Node term() {
            Node left = unary();
            while (true) {
                if (eat('*')) {
                    Node a = left;
                    Node b = unary();
                    left = v -> a.eval(v) * b.eval(v);
                } else if (eat('/')) {
                    Node a = left;
                    Node b = unary();
                    left = v -> a.eval(v) / b.eval(v);
                } else {
                    return left;
                }
            }
        }

        Node unary() {
            if (eat('-')) {
                enter();
                Node a = unary();
                leave();
                return v -> -a.eval(v);
            }
            if (eat('+')) {
                enter();
                Node a = unary();
                leave();
                return a;
            }
            return primary();
        }

        Node primary() {
            skipSpace();
            if (pos >= s.length()) {
                throw new FormulaException(pos, s.isBlank() ? "the formula is empty" : "expected a number, a task or '(' but the formula ends");
            }
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                Node inner = expression();
                if (!eat(')')) {
                    throw new FormulaException(pos, "expected ')'");
                }
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                return number();
            }
            if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_'
                        || (s.charAt(pos) == '-' && pos + 1 < s.length()
                                && (Character.isLetterOrDigit(s.charAt(pos + 1)) || s.charAt(pos + 1) == '_'))
                        || (s.charAt(pos) == '.' && pos + 1 < s.length()
                                && (Character.isLetter(s.charAt(pos + 1)) || s.charAt(pos + 1) == '_'))
                        || (s.charAt(pos) == '@' && pos + 1 < s.length() && Character.isLetterOrDigit(s.charAt(pos + 1))))) {
                    pos++;
                }
                String name = s.substring(start, pos);
                if (eat('(')) {
                    return function(name, start);
                }
                int index = tasks.computeIfAbsent(name, n -> tasks.size());
                return v -> v[index];
            }
            throw new FormulaException(pos, "unexpected '" + c + "'");
        }

        Node number() {
            int start = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                pos++;
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                int mark = pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                        pos++;
                    }
                } else {
                    pos = mark;
                }
            }
            double value;
            try {
                value = Double.parseDouble(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new FormulaException(start, "malformed number '" + s.substring(start, pos) + "'");
            }
            if (Double.isInfinite(value)) {
                // it would make every score infinite or NaN, and a ranking of nothing
                throw new FormulaException(start, "number '" + s.substring(start, pos) + "' is beyond the range of a double"
                        + " (about 1.8e308)");
            }
            return v -> value;
        }

        Node function(String name, int start) {
            List<Node> args = new ArrayList<>();
            if (!eat(')')) {
                do {
                    args.add(expression());
                } while (eat(','));
                if (!eat(')')) {
                    throw new FormulaException(pos, "expected ',' or ')' in the arguments of " + name);
                }
            }
            Node[] a = args.toArray(new Node[0]);
            switch (name) {
                case "log", "exp", "sqrt", "abs" -> {
                    if (a.length != 1) {
                        throw new FormulaException(start, name + " takes one argument, got " + a.length);
                    }
                    Node x = a[0];
                    return switch (name) {
                        case "log" -> v -> Math.log(x.eval(v));
                        case "exp" -> v -> Math.exp(x.eval(v));
                        case "sqrt" -> v -> Math.sqrt(x.eval(v));
                        default -> v -> Math.abs(x.eval(v));
                    };
                }
                case "min", "max" -> {
                    if (a.length < 2) {
                        throw new FormulaException(start, name + " takes two or more arguments, got " + a.length);
                    }
                    boolean max = name.equals("max");
                    return v -> {
                        double r = a[0].eval(v);
                        for (int i = 1; i < a.length; i++) {
                            double x = a[i].eval(v);
                            r = max ? Math.max(r, x) : Math.min(r, x);
                        }
                        return r;
                    };
                }
                default -> throw new FormulaException(start, "unknown function '" + name + "'; available: log, exp, sqrt, abs, min, max");
            }
        }
    }
}
