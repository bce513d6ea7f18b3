package ai.sophia.research;

/**
 * A candidate source with its readable text: fetched from the web, or read from the local index.
 * {@code collection} says where its passages are indexed.
 */
record SourcePage(
    String url,
    String title,
    String text,
    String publishedDate,
    String provider,
    int searchRank,
    String contentHash,
    String collection) {}
