package dev.taskweave.plugins.heads.attributes;

import dev.taskweave.api.model.TaskContext;

/** The check both heads make on the task they are created for. */
final class Widths {
    private Widths() {}

    /**
     * @param context the task
     * @param head    the head's type name
     * @param needs   what the head needs, for the message (for example {@code "labels"})
     * @return the task's label width
     * @throws IllegalArgumentException when the label width is below 2
     */
    static int atLeastTwo(TaskContext context, String head, String needs) {
        int width = context.labelWidth();
        if (width < 2) {
            throw new IllegalArgumentException("task '" + context.name() + "': head '" + head + "' needs at least 2 "
                    + needs + ", but label '" + context.label() + "' has width " + width
                    + (context.attribute() ? "" : " (it is not an entity attribute)"));
        }
        return width;
    }
}
