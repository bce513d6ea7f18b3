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
 * prefix of one scope (a Lucene prefix filter, {@link DocumentIndex#searchUnder}), so an agent
 * never sees another scope's memories. Putting the scope in the url needs no new index field and
 * keeps a memory addressable.
 */
final class AgentMemory {
  private static final int MAX_CHARS = 4000;

  private final DocumentIndex index;
  private final Embedder embedder;

  AgentMemory(DocumentIndex index, Embedder embedder) {
    this.index = index;
    this.embedder = embedder;
  }

  void remember(String scope, String runId, String question, String answer) {
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

  List<ChunkHit> recall(String scope, String query, int limit) {
    return index.searchUnder(
        DocumentIndex.AGENT_MEMORIES,
        MemorySearchTool.scopePrefix(scope),
        query,
        embedder.embedQuery(query),
        limit);
  }
}
