package ai.sophia.model;

/**
 * A provider answered 2xx with nothing Sophia can use: no text and no tool calls, or a plain body
 * where a stream of server-sent events was asked for. A failed attempt, never a success; the same
 * model is not asked again, the next one in the policy is.
 */
final class UnreadableReplyException extends RuntimeException {
  UnreadableReplyException(String message) {
    super(message);
  }
}
