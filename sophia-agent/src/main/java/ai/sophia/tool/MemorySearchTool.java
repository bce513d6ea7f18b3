package ai.sophia.tool;

import ai.sophia.embedding.Embedder;
import ai.sophia.error.InvalidInputException;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.research.ResearchRequests;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code memory_search}: hybrid search over what Sophia researched ({@code research_data}), what
 * was ingested ({@code documents}) and the calling agent's own long-term memories ({@code
 * agent_memories} under its memory scope only). Read risk.
 */
public final class MemorySearchTool implements Tool {
  public static final String NAME = "memory_search";
  public static final int MAX_LIMIT = 20;
  private static final int MAX_PASSAGE_CHARS = 1200;
  private static final Set<String> FIELDS = Set.of("query", "limit");
  private static final JsonNode SCHEMA =
      Arguments.schema(
          new String[][] {
            {"query", "string", "what to look for"},
            {"limit", "integer", "how many passages, 1 to " + MAX_LIMIT + " (default 5)"}
          },
          "query");

  private final DocumentIndex index;
  private final Embedder embedder;

  private MemorySearchTool(DocumentIndex index, Embedder embedder) {
    this.index = Objects.requireNonNull(index, "index");
    this.embedder = Objects.requireNonNull(embedder, "embedder");
  }

  public static MemorySearchTool create(DocumentIndex index, Embedder embedder) {
    return new MemorySearchTool(index, embedder);
  }

  /** The url prefix of one memory scope's memories in {@link DocumentIndex#AGENT_MEMORIES}. */
  public static String scopePrefix(String memoryScope) {
    return "memory://" + memoryScope + "/";
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Search Sophia's memory: pages researched before, ingested documents, and this agent's"
        + " own memories of earlier runs. Returns numbered passages with their sources.";
  }

  @Override
  public JsonNode parameters() {
    return SCHEMA;
  }

  @Override
  public Risk risk() {
    return Risk.read;
  }

  @Override
  public ToolOutput invoke(JsonNode arguments, ToolContext context) {
    String query;
    int limit;
    try {
      Arguments.onlyFields(arguments, FIELDS);
      query = Arguments.requiredText(arguments, "query", 1000);
      limit = Arguments.optionalInt(arguments, "limit", 5, 1, MAX_LIMIT);
      ResearchRequests.searchable("query", query);
    } catch (Arguments.Bad | InvalidInputException e) {
      return new ToolOutput.Failure("memory_search: " + e.getMessage());
    }
    List<ChunkHit> hits = search(query, context.memoryScope(), limit);
    if (hits.isEmpty()) {
      return new ToolOutput.Success("Nothing in memory matches '" + query + "'.");
    }
    StringBuilder text = new StringBuilder();
    int n = 1;
    for (ChunkHit h : hits) {
      String passage = h.chunk().text();
      if (passage.length() > MAX_PASSAGE_CHARS) {
        passage = passage.substring(0, MAX_PASSAGE_CHARS) + "…";
      }
      text.append('[')
          .append(n++)
          .append("] ")
          .append(h.chunk().title())
          .append(" — ")
          .append(h.chunk().url())
          .append(" (")
          .append(h.chunk().collection())
          .append(")\n")
          .append(passage)
          .append("\n\n");
    }
    return new ToolOutput.Success(text.toString().strip());
  }

  /** The best passage of each of the best {@code limit} documents, best first. */
  public List<ChunkHit> search(String query, String memoryScope, int limit) {
    float[] vector = embedder.embedQuery(query);
    int wide = limit * 3;
    List<ChunkHit> hits = new ArrayList<>();
    hits.addAll(index.search(DocumentIndex.RESEARCH_DATA, query, vector, wide));
    hits.addAll(index.search(DocumentIndex.DOCUMENTS, query, vector, wide));
    hits.addAll(
        index.searchUnder(
            DocumentIndex.AGENT_MEMORIES, scopePrefix(memoryScope), query, vector, wide));
    hits.sort(Comparator.comparingDouble(ChunkHit::score).reversed());
    Map<String, ChunkHit> best = new LinkedHashMap<>();
    for (ChunkHit h : hits) {
      if (best.size() == limit) {
        break;
      }
      best.putIfAbsent(h.chunk().collection() + ' ' + h.chunk().url(), h);
    }
    return List.copyOf(best.values());
  }
}
