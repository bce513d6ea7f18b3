package ai.sophia.security;

import java.util.Optional;

/**
 * What an API key may do, from most to least privileged. Each role is also an OAuth scope, {@code
 * sophia:<role>}, which caps what a token may do whatever its roles claim says.
 */
public enum Role {
  admin,
  developer,
  user,
  readonly;

  private static final String SCOPE_PREFIX = "sophia:";

  /** True when this role has at least the rights of {@code other}. */
  public boolean atLeast(Role other) {
    return ordinal() <= other.ordinal();
  }

  /** The OAuth scope that grants this role: {@code sophia:admin}, {@code sophia:readonly}… */
  public String scope() {
    return SCOPE_PREFIX + name();
  }

  /** The lesser of this role and {@code other}. */
  public Role atMost(Role other) {
    return atLeast(other) ? other : this;
  }

  /**
   * The highest role the space-separated {@code scopes} grant; empty when they name no {@code
   * sophia:} scope.
   */
  public static Optional<Role> grantedBy(String scopes) {
    for (Role role : values()) {
      for (String scope : scopes.split(" ")) {
        if (scope.equals(role.scope())) {
          return Optional.of(role);
        }
      }
    }
    return Optional.empty();
  }
}
