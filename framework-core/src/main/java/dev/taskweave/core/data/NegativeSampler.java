package dev.taskweave.core.data;

import dev.taskweave.api.data.Interactions;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws, for a user, an item uniformly among the items the user was not observed with.
 *
 * <p>Training negatives avoid the training positives only; evaluation negatives avoid every
 * positive the sampler was given.
 */
public final class NegativeSampler {
    private static final int MAX_TRIES = 1000;
    private final int itemCount;
    private final Set<Long> positives = new HashSet<>();

    /**
     * @param itemCount the number of items to draw from
     * @param observed  the splits whose rows count as positives
     */
    public NegativeSampler(int itemCount, Iterable<Interactions> observed) {
        if (itemCount < 2) {
            throw new IllegalArgumentException("negative sampling needs at least 2 items, got " + itemCount);
        }
        this.itemCount = itemCount;
        for (Interactions split : observed) {
            for (int i = 0; i < split.size(); i++) {
                positives.add(key(split.users()[i], split.items()[i]));
            }
        }
    }

    /** @return an item the user was not observed with (or any item if the user has seen almost all) */
    public int sample(int user, SplittableRandom random) {
        int item = random.nextInt(itemCount);
        for (int tries = 0; tries < MAX_TRIES && positives.contains(key(user, item)); tries++) {
            item = random.nextInt(itemCount);
        }
        return item;
    }

    /** @return true when the pair was observed */
    public boolean isPositive(int user, int item) {
        return positives.contains(key(user, item));
    }

    private static long key(int user, int item) {
        return ((long) user << 32) | (item & 0xffffffffL);
    }
}
