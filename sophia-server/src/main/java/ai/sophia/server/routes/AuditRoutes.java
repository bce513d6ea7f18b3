package ai.sophia.server.routes;

import ai.sophia.security.AuditEntry;
import ai.sophia.security.AuditLog;
import ai.sophia.server.http.Access;
import ai.sophia.server.http.RequestParams;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The audit log, for admins: {@code GET /api/v1/audit?limit=&before=} lists entries newest first
 * (page on with {@code before}, the last seq seen); {@code GET /api/v1/audit/export} streams every
 * entry oldest first as JSON lines; {@code GET /api/v1/audit/verify} walks the hash chain and says
 * whether it is intact or where it breaks (200 either way: a broken chain is a finding, not an
 * error of the request).
 */
public final class AuditRoutes {
  private final AuditLog audit;
  private final ObjectMapper mapper;

  public AuditRoutes(AuditLog audit, ObjectMapper mapper) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  public void register(RoutesConfig routes) {
    routes.get("/api/v1/audit", this::list, Access.ADMIN);
    routes.get("/api/v1/audit/export", this::export, Access.ADMIN);
    routes.get("/api/v1/audit/verify", this::verify, Access.ADMIN);
  }

  private void list(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of("limit", "before"));
    int limit = RequestParams.integer(ctx, "limit", 100, 1, 1000);
    int before = RequestParams.integer(ctx, "before", 0, 0, Integer.MAX_VALUE);
    List<AuditEntry> entries = audit.recent(limit, before);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entries", entries.stream().map(AuditEntry::fields).toList());
    body.put("next_before", entries.size() < limit ? null : entries.getLast().seq());
    ctx.json(body);
  }

  private void export(Context ctx) throws IOException {
    RequestParams.allowOnly(ctx, Set.of());
    ctx.contentType("application/x-ndjson");
    ctx.header("Content-Disposition", "attachment; filename=\"sophia-audit.jsonl\"");
    BufferedWriter out =
        new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
    try {
      audit.forEach(
          e -> {
            try {
              out.write(mapper.writeValueAsString(e.fields()));
              out.write('\n');
            } catch (IOException io) {
              throw new UncheckedIOException(io);
            }
          });
    } finally {
      out.flush();
    }
  }

  private void verify(Context ctx) {
    RequestParams.allowOnly(ctx, Set.of());
    AuditLog.Verification v = audit.verify();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("intact", v.intact());
    body.put("entries", v.entries());
    body.put("head_hash", v.headHash());
    body.put(
        "broken",
        v.broken()
            .map(b -> Map.<String, Object>of("seq", b.seq(), "reason", b.reason()))
            .orElse(null));
    ctx.json(body);
  }
}
