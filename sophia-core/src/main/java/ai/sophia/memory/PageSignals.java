package ai.sophia.memory;

/**
 * What a page search measured about one candidate page, before fusion. {@code pageBm25}: BM25 of
 * the whole page (title boosted); {@code passageBm25}: BM25 of its best passage; {@code cosine}:
 * cosine similarity of its closest passage to the query (absolute, comparable across queries);
 * {@code centroid}: cosine of the query with the mean of the page's passage vectors (the page's
 * meaning as a whole); {@code termCoverage}: the share of the query's words, weighted by rarity
 * (BM25's idf over pages), that occur in the page, in [0, 1]; {@code bm25Rank} and {@code
 * vectorRank}: the page's 1-based rank among the candidates by page BM25 and by cosine (0 when it
 * has no BM25 match). How the page's other passages back its best one: {@code secondCosine}, the
 * cosine of its second closest passage (its closest when it has one); {@code softCosine}, a soft
 * maximum of all its passages' cosines (0.05 × log Σ exp(cos / 0.05), at least {@code cosine});
 * {@code passageBm25TopTwo}, the mean BM25 of its two best passages (half the best when it has
 * one); {@code passages}, how many passages it has.
 */
public record PageSignals(
    double pageBm25,
    double passageBm25,
    double cosine,
    double centroid,
    double termCoverage,
    int bm25Rank,
    int vectorRank,
    double secondCosine,
    double softCosine,
    double passageBm25TopTwo,
    int passages) {}
