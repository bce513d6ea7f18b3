package ai.sophia.security;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the audit log: who ({@code actorId}, {@code actorName}, {@code actorRole}; {@code -}
 * when no valid key was presented), what ({@code action} on {@code target}), when, from where
 * ({@code source}), and the outcome ({@code status}: the HTTP status, 0 for the CLI). {@code seq},
 * {@code prevHash} and {@code hash} place it in the chain; a new event has seq 0 and empty hashes
 * until {@link AuditLog#append} gives them.
 */
public record AuditEntry(
    long seq,
    Instant at,
    String actorId,
    String actorName,
    String actorRole,
    String action,
    String target,
    String source,
    int status,
    Outcome outcome,
    String requestId,
    String prevHash,
    String hash) {

  /** What came of the attempt. */
  public enum Outcome {
    succeeded,
    failed,
    /** Refused: an unknown or revoked key (401), or a role below the route's (403). */
    denied;

    /** The outcome an HTTP status means. */
    public static Outcome ofStatus(int status) {
      if (status == 401 || status == 403) {
        return denied;
      }
      return status >= 200 && status < 400 ? succeeded : failed;
    }
  }

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(outcome, "outcome");
    actorId = clean(actorId, 64);
    actorName = clean(actorName, 128);
    actorRole = clean(actorRole, 32);
    action = clean(action, 200);
    target = clean(target, 500);
    source = clean(source, 100);
    requestId = clean(requestId, 100);
    prevHash = prevHash == null ? "" : prevHash;
    hash = hash == null ? "" : hash;
  }

  /** A new event, not yet in the chain. */
  public static AuditEntry event(
      Instant at,
      String actorId,
      String actorName,
      String actorRole,
      String action,
      String target,
      String source,
      int status,
      Outcome outcome,
      String requestId) {
    return new AuditEntry(
        0, at, actorId, actorName, actorRole, action, target, source, status, outcome, requestId,
        "", "");
  }

  /** The entry as the API and the JSON-lines export show it, in this order. */
  public Map<String, Object> fields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", seq);
    m.put("at", at.toString());
    m.put("actor", Map.of("key_id", actorId, "name", actorName, "role", actorRole));
    m.put("action", action);
    m.put("target", target);
    m.put("source", source);
    m.put("status", status);
    m.put("outcome", outcome.name());
    m.put("request_id", requestId);
    m.put("prev_hash", prevHash);
    m.put("hash", hash);
    return m;
  }

  /** This event placed in the chain after {@code prevHash} as number {@code seq}. */
  AuditEntry chained(long seq, String prevHash, String hash) {
    return new AuditEntry(
        seq, at, actorId, actorName, actorRole, action, target, source, status, outcome, requestId,
        prevHash, hash);
  }

  /** Control characters become spaces (a row is one line of an export), and long text is cut. */
  private static String clean(String s, int max) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    s.codePoints().limit(max).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return b.toString();
  }
}
