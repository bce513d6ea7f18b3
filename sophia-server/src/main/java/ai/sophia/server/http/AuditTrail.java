package ai.sophia.server.http;

import ai.sophia.security.ApiKey;
import ai.sophia.security.AuditEntry;
import ai.sophia.security.AuditLog;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What goes into the audit log from HTTP: every request that may change something (any method but
 * GET, HEAD and OPTIONS — keys, sign-ins, approvals, commits, deployments, swarm triggers and
 * cancels, ingests…), whatever its outcome, and every request refused for its credentials (401) or
 * its role (403), reads included, and every return from the OpenID issuer ({@value #OIDC_CALLBACK},
 * a GET that signs in or is refused). Who is the key that authenticated (or {@code -}), what is the
 * method and route template, the target is the path, from where is the client's address.
 */
public final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

  /** The dashboard's sign-in callback from the OpenID issuer: audited though it is a GET. */
  public static final String OIDC_CALLBACK = "/dashboard/oidc/callback";

  private final AuditLog audit;
  private final Clock clock;

  public AuditTrail(AuditLog audit, Clock clock) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Whether a request with this method, route and answer belongs in the audit log. */
  static boolean audited(String method, String uriTemplate, int status) {
    return !READS.contains(method)
        || status == 401
        || status == 403
        || uriTemplate.equals(OIDC_CALLBACK);
  }

  /** Records one finished request when it belongs in the audit log ({@code key} may be null). */
  public void record(
      String method,
      String uriTemplate,
      String path,
      int status,
      ApiKey key,
      String source,
      String requestId) {
    if (!audited(method, uriTemplate, status)) {
      return;
    }
    try {
      audit.append(
          AuditEntry.event(
              clock.instant(),
              key == null ? "-" : key.id(),
              key == null ? "-" : key.name(),
              key == null ? "-" : key.role().name(),
              method + " " + uriTemplate,
              path,
              source,
              status,
              AuditEntry.Outcome.ofStatus(status),
              requestId));
    } catch (RuntimeException e) {
      // The request has been answered; the missing entry is what an operator must hear about.
      log.warn("audit: could not record {} {} ({}): {}", method, path, status, e.getMessage());
    }
  }
}
