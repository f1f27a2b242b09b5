package dev.taskweave.api.data;

/** The two kinds of entity a recommender sees; every feature belongs to one of them. */
public enum Entity {
    /** The person being recommended to. */
    USER,
    /** The thing being recommended. */
    ITEM
}
