package ai.sophia.server.routes;

import ai.sophia.agent.Approval;
import ai.sophia.agent.Approvals;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Approvals of risky tool calls: {@code GET /api/v1/approvals} lists the pending ones (oldest
 * first), {@code GET /api/v1/approvals/{id}} shows one, and {@code POST /api/v1/approvals/{id}}
 * with {@code {decision: grant|deny, reason}} decides it — once (a second decision is 409).
 * Deciding needs a developer or admin key; the decision records the key's id.
 */
public final class ApprovalRoutes {
  private static final Set<String> LIST_PARAMETERS = Set.of("limit");

  private final Approvals approvals;
  private final RequestBodies bodies;

  public ApprovalRoutes(Approvals approvals, RequestBodies bodies) {
    this.approvals = Objects.requireNonNull(approvals, "approvals");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/approvals", this::pending, Access.READ);
    routes.get("/api/v1/approvals/{id}", this::one, Access.READ);
    routes.post("/api/v1/approvals/{id}", this::decide, Access.DECIDE);
  }

  private void pending(Context ctx) {
    RequestParams.allowOnly(ctx, LIST_PARAMETERS);
    int limit = RequestParams.integer(ctx, "limit", 50, 1, 500);
    ctx.json(Map.of("approvals", approvals.pending(limit)));
  }

  private void one(Context ctx) {
    ctx.json(approvals.find(AgentBodies.id("id", ctx.pathParam("id"))));
  }

  private void decide(Context ctx) {
    String id = AgentBodies.id("id", ctx.pathParam("id"));
    AgentBodies.Decision body = bodies.read(ctx, AgentBodies.Decision.class);
    boolean granted = body.granted();
    Approval decided =
        approvals.decide(id, granted, Guard.keyId(ctx).orElse(""), body.validReason());
    ctx.json(decided);
  }
}
