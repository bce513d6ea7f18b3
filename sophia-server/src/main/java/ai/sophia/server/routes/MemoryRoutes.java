package ai.sophia.server.routes;

import ai.sophia.research.ResearchRequests;
import ai.sophia.research.Researcher;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** {@code GET /api/v1/memory/search?q=&limit=}: semantic search over what Sophia has read. */
public final class MemoryRoutes {
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 50;
  private static final Set<String> PARAMETERS = Set.of("q", "limit");

  private final Researcher researcher;

  public MemoryRoutes(Researcher researcher) {
    this.researcher = Objects.requireNonNull(researcher, "researcher");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/memory/search", this::search, Access.READ);
  }

  private void search(Context ctx) {
    RequestParams.allowOnly(ctx, PARAMETERS);
    String query =
        ResearchRequests.searchable(
            "q", RequestParams.text(ctx, "q", ResearchRequests.MAX_QUERY_CHARS));
    int limit = RequestParams.integer(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    ctx.json(new MemorySearch(query, researcher.searchMemory(query, limit)));
  }

  record MemorySearch(String query, List<Researcher.MemoryHit> results) {}
}
