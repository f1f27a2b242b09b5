package dev.taskweave.plugins.files;

import dev.taskweave.api.data.Entity;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a column becomes a feature name: {@code user_} or {@code item_} and the column's name in
 * lower case with every run of other characters than letters and digits turned into {@code _}
 * ({@code "Age Group"} of the users file is {@code user_age_group}); a name that already starts
 * with the prefix keeps it once ({@code user_segment} stays {@code user_segment}).
 */
final class FeatureNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private FeatureNames() {}

    /** @return true for letters, digits and '_', starting with a letter */
    static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** @return {@code user_} or {@code item_} */
    static String prefix(Entity entity) {
        return entity == Entity.USER ? "user_" : "item_";
    }

    /** @return the feature name of a column of the entity's file, or null when nothing of it is left */
    static String of(Entity entity, String column) {
        String body = column.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (body.isEmpty()) {
            return null;
        }
        String prefix = prefix(entity);
        return body.startsWith(prefix) ? body : prefix + body;
    }
}
