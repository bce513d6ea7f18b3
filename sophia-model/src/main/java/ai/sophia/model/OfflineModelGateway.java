package ai.sophia.model;

import ai.sophia.health.HealthCheck;
import java.util.List;
import java.util.function.Consumer;

/**
 * The gateway of a Sophia with no model provider: never available, so every caller works in its
 * offline mode and says so. A call made anyway fails with {@link ModelUnavailableException}.
 */
public final class OfflineModelGateway implements ModelGateway {
  private static final ModelPolicy NONE = new ModelPolicy(List.of(new ModelRef("offline", "none")));

  private OfflineModelGateway() {}

  public static OfflineModelGateway create() {
    return new OfflineModelGateway();
  }

  @Override
  public ModelPolicy defaultPolicy() {
    return NONE;
  }

  @Override
  public boolean available(ModelPolicy policy) {
    return false;
  }

  @Override
  public ModelReply chat(ModelPolicy policy, ModelRequest request, CallContext context) {
    throw new ModelUnavailableException("no model provider is configured (offline)", List.of());
  }

  @Override
  public ModelReply stream(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken) {
    return chat(policy, request, context);
  }

  @Override
  public List<HealthCheck> healthChecks() {
    return List.of();
  }
}
