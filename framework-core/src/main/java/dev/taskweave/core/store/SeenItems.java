package dev.taskweave.core.store;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.Interactions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The items each user interacted with in training ({@code seen.bin}), so serving can leave them
 * out of recommendations. Stored per user as sorted, distinct item indices. Models saved before
 * this file existed load with {@link #none()}, whose {@link #available()} is false.
 */
public final class SeenItems {
    private static final int MAGIC = 0x54575331; // "TWS1"
    private static final SeenItems NONE = new SeenItems(null);

    private final int[][] items;

    private SeenItems(int[][] items) {
        this.items = items;
    }

    /** @return the marker for a model directory without {@code seen.bin} */
    public static SeenItems none() {
        return NONE;
    }

    /** @return the distinct items of each user in {@code train}, for {@code users} users */
    public static SeenItems of(Interactions train, int users) {
        requireNonNull(train, "train is null");
        int[] counts = new int[users];
        for (int u : train.users()) {
            counts[u]++;
        }
        int[][] items = new int[users][];
        for (int u = 0; u < users; u++) {
            items[u] = new int[counts[u]];
        }
        int[] fill = new int[users];
        for (int r = 0; r < train.size(); r++) {
            int u = train.users()[r];
            items[u][fill[u]++] = train.items()[r];
        }
        for (int u = 0; u < users; u++) {
            items[u] = Arrays.stream(items[u]).sorted().distinct().toArray();
        }
        return new SeenItems(items);
    }

    /** @return false when the model directory had no {@code seen.bin} */
    public boolean available() {
        return items != null;
    }

    /** @return the number of users covered (0 when not available) */
    public int users() {
        return items == null ? 0 : items.length;
    }

    /** @return the sorted item indices a user interacted with in training (do not modify) */
    public int[] items(int user) {
        if (items == null) {
            throw new IllegalStateException("seen items are not available for this model");
        }
        return items[user];
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(items.length);
        for (int[] row : items) {
            out.writeInt(row.length);
            for (int i : row) {
                out.writeInt(i);
            }
        }
    }

    static SeenItems read(DataInputStream in, int users, int itemCount, String source) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException(source + " is not a Taskweave seen-items file");
        }
        int n = in.readInt();
        if (n != users) {
            throw new IOException(source + ": " + n + " users, but the model has " + users);
        }
        int[][] items = new int[n][];
        for (int u = 0; u < n; u++) {
            int count = in.readInt();
            if (count < 0 || count > itemCount) {
                throw new IOException(source + ": user " + u + " has " + count + " items");
            }
            items[u] = new int[count];
            for (int j = 0; j < count; j++) {
                int item = in.readInt();
                if (item < 0 || item >= itemCount) {
                    throw new IOException(source + ": item index " + item + " outside [0, " + itemCount + ")");
                }
                items[u][j] = item;
            }
        }
        return new SeenItems(items);
    }
}
