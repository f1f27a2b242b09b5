package dev.taskweave.plugins.heads.attributes;

import dev.taskweave.api.model.TaskContext;

/** The check both heads make on the task they are created for. */
final class Widths {
    private Widths() {}

    /**
     * @param context the task
     * @param head    the head's type name
     * @param needs   what the head needs, for the message (for example {@code "labels"})
     * @param refused the attribute kind the head cannot read (a class index is no set of flags, and
     *                flags are no class), or null
     * @return the task's label width
     * @throws dev.taskweave.api.InvalidConfigException with an empty path (the head as a whole does not fit the
     *     task: the runtime reports it at {@code tasks[i].head}, as a configuration error) when the label width is
     *     below 2, or the attribute is of kind {@code refused}
     */
    static int atLeastTwo(TaskContext context, String head, String needs, dev.taskweave.api.data.EntityAttribute.Kind refused) {
        if (refused != null && context.attributeKind() == refused && context.labelWidth() >= 2) {
            boolean classes = refused == dev.taskweave.api.data.EntityAttribute.Kind.CLASS;
            throw new dev.taskweave.api.InvalidConfigException("", "task '" + context.name() + "': head '" + head + "' cannot read attribute '"
                    + context.label() + "', which " + (classes ? "gives each entity one class of " + context.labelWidth()
                    + "; use head 'multiclass'" : "gives each entity a set of " + context.labelWidth()
                    + " flags, any number of them set; use head 'multilabel'"));
        }
        int width = context.labelWidth();
        if (width < 2) {
            throw new dev.taskweave.api.InvalidConfigException("", "task '" + context.name() + "': head '" + head + "' needs at least 2 "
                    + needs + ", but label '" + context.label() + "' has width " + width
                    + (context.attribute() ? "" : " (it is not an entity attribute)"));
        }
        return width;
    }
}
