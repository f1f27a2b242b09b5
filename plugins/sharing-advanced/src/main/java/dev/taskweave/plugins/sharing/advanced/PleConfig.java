package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import java.util.List;

/** The {@code sharing.params} of {@code ple}; every field has a default. */
public final class PleConfig extends ExtractionConfig {
    @JsonProperty
    private int levels = 2;

    public PleConfig() {
        super(List.of(64, 32));
    }

    @Override
    public void validate() {
        ConfigChecks.atLeast("levels", levels, 1);
        super.validate();
    }

    /** @return the number of extraction levels */
    public int levels() {
        return levels;
    }
}
