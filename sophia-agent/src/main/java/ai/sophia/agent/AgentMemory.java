package ai.sophia.agent;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.tool.MemorySearchTool;
import java.util.List;

/**
 * Long-term memory of agents in the {@code agent_memories} collection. Each finished run becomes
 * one document, url {@code memory://<memory scope>/<run id>}; every search is filtered to the url
 * folder of one scope ({@link DocumentIndex#searchUnder}: one term on Lucene, whatever the number
 * of memories), so an agent never sees another scope's memories. The scope in the url keeps a
 * memory addressable.
 */
public final class AgentMemory {
  private static final int MAX_CHARS = 4000;

  private final DocumentIndex index;
  private final Embedder embedder;

  public AgentMemory(DocumentIndex index, Embedder embedder) {
    this.index = index;
    this.embedder = embedder;
  }

  /** Remembers a finished run's question and answer in {@code scope}. */
  public void remember(String scope, String runId, String question, String answer) {
    String text = "Question: " + question + "\nAnswer: " + answer;
    if (text.length() > MAX_CHARS) {
      text = text.substring(0, MAX_CHARS);
    }
    String url = MemorySearchTool.scopePrefix(scope) + runId;
    float[] vector = embedder.embedPassages(List.of(text)).getFirst();
    String title = question.length() > 120 ? question.substring(0, 120) : question;
    index.replace(
        List.of(
            new Chunk(
                LuceneDocumentIndex.chunkId(url, 0),
                DocumentIndex.AGENT_MEMORIES,
                url,
                title,
                0,
                text,
                vector)));
  }

  /** The {@code limit} memories of {@code scope} closest to {@code query}. */
  public List<ChunkHit> recall(String scope, String query, int limit) {
    return index.searchUnder(
        DocumentIndex.AGENT_MEMORIES,
        MemorySearchTool.scopePrefix(scope),
        query,
        embedder.embedQuery(query),
        limit);
  }
}
