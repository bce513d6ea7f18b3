package ai.sophia.security;

/** What an API key may do, from most to least privileged. */
public enum Role {
  admin,
  developer,
  user,
  readonly;

  /** True when this role has at least the rights of {@code other}. */
  public boolean atLeast(Role other) {
    return ordinal() <= other.ordinal();
  }
}
