package ai.sophia.server.http;

import ai.sophia.security.Role;
import io.javalin.security.RouteRole;
import java.util.Optional;

/**
 * Who may call a route. Every route declares one; a route that declares none is treated as {@link
 * #ADMIN}, so forgetting to declare access fails closed.
 */
public enum Access implements RouteRole {
  /** No API key needed (only /health). */
  PUBLIC(null),
  /** Any valid key, read-only ones included: reads and metrics. */
  READ(Role.readonly),
  /** Keys that may use Sophia's capabilities: research and other actions. */
  USE(Role.user),
  /** Deciding what agents may do: approving or denying risky tool calls. */
  DECIDE(Role.developer),
  /** Administration. */
  ADMIN(Role.admin);

  private final Role minimum;

  Access(Role minimum) {
    this.minimum = minimum;
  }

  /** The least privileged role allowed; empty for public routes. */
  public Optional<Role> minimum() {
    return Optional.ofNullable(minimum);
  }
}
