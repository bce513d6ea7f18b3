package ai.sophia.tool;

/**
 * How much harm a tool can do. Reading tools run freely; writing tools (a commit) and deploying
 * tools run only when the request authorized that risk or a person approved the call.
 */
public enum Risk {
  read,
  write,
  deploy
}
