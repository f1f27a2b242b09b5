package dev.taskweave.core.formula;

/** A ranking formula does not parse or names a task the model cannot rank on. */
public final class FormulaException extends IllegalArgumentException {
    private final int position;

    public FormulaException(int position, String reason) {
        super(position >= 0 ? reason + " at position " + (position + 1) : reason);
        this.position = position;
    }

    /** @return the 0-based character position of the problem, or -1 */
    public int position() {
        return position;
    }
}
