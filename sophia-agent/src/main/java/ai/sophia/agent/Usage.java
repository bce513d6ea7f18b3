package ai.sophia.agent;

import ai.sophia.model.ModelReply;

/** What one run's model calls consumed; touched only by the run's own thread. */
final class Usage {
  int modelCalls;
  long inputTokens;
  long outputTokens;
  double costUsd;

  void add(ModelReply reply) {
    modelCalls++;
    inputTokens += reply.usage().inputTokens();
    outputTokens += reply.usage().outputTokens();
    costUsd += reply.costUsd();
  }
}
