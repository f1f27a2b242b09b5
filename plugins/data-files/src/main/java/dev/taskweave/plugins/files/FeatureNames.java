package dev.taskweave.plugins.files;

import dev.taskweave.api.data.Entity;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a column becomes a feature name: {@code user_} or {@code item_} and the column's name in
 * lower case ({@link Locale#ROOT}) with every run of other characters than the ASCII letters
 * {@code a-z} and digits {@code 0-9} turned into one {@code _}, none at either end
 * ({@code "Age Group"} of the users file is {@code user_age_group}, {@code "Größe"}
 * {@code user_gr_e}); a name that already starts with the prefix keeps it once
 * ({@code user_segment} stays {@code user_segment}).
 *
 * <p>Names stay ASCII on purpose: they are typed into the experiment (attributes, hideFeatures,
 * features.dropout), into tuning paths (framework-bench accepts {@code [A-Za-z0-9_]} there) and
 * into serving requests, where an accented letter may arrive composed or decomposed and silently
 * name nothing; and the label and flags names this plugin accepts are ASCII too. Two columns that
 * give one name, or a column that gives none, are a configuration error.
 */
final class FeatureNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private FeatureNames() {}

    /** @return true for ASCII letters, digits and '_', starting with a letter */
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
