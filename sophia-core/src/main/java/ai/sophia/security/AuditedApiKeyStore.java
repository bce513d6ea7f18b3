package ai.sophia.security;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link ApiKeyStore} whose changes (create, revoke) are recorded in the audit log as made by
 * {@code actor} from {@code source}: how key changes made outside HTTP, by the CLI on the server's
 * machine, are audited like those made through the API.
 */
public final class AuditedApiKeyStore implements ApiKeyStore {
  private final ApiKeyStore keys;
  private final AuditLog audit;
  private final String actor;
  private final String source;
  private final Clock clock;

  public AuditedApiKeyStore(
      ApiKeyStore keys, AuditLog audit, String actor, String source, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.actor = Objects.requireNonNull(actor, "actor");
    this.source = Objects.requireNonNull(source, "source");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public IssuedKey create(String name, Role role, Optional<Instant> expiresAt) {
    IssuedKey issued = keys.create(name, role, expiresAt);
    record(
        "keys create",
        issued.key().id() + " (" + role + expiresAt.map(e -> ", expires " + e).orElse("") + ")");
    return issued;
  }

  @Override
  public IssuedKey rotate(String id, Instant oldWorksUntil) {
    IssuedKey issued = keys.rotate(id, oldWorksUntil);
    record(
        "keys rotate",
        id + " -> " + issued.key().id() + " (old works until " + oldWorksUntil + ")");
    return issued;
  }

  @Override
  public List<ApiKey> list() {
    return keys.list();
  }

  @Override
  public boolean revoke(String id) {
    boolean revoked = keys.revoke(id);
    record("keys revoke", id + (revoked ? "" : " (no such active key)"));
    return revoked;
  }

  @Override
  public Optional<ApiKey> authenticate(String secret) {
    return keys.authenticate(secret);
  }

  @Override
  public long countActive() {
    return keys.countActive();
  }

  /** Records a change to a key made beside the store (its second factor), as this store's own. */
  public void note(String action, String target) {
    record(action, target);
  }

  private void record(String action, String target) {
    audit.append(
        AuditEntry.event(
            clock.instant(),
            "-",
            actor,
            "-",
            action,
            target,
            source,
            0,
            AuditEntry.Outcome.succeeded,
            "-"));
  }
}
