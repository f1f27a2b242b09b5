package dev.taskweave.plugins.sharing.advanced;

import java.util.List;

/** The {@code sharing.params} of {@code cgc}; every field has a default. */
public final class CgcConfig extends ExtractionConfig {
    public CgcConfig() {
        super(List.of(128, 64));
    }
}
