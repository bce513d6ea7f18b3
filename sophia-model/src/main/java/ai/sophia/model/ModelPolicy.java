package ai.sophia.model;

import java.util.List;

/** Which models to ask, in order: the primary first, then its fallbacks. */
public record ModelPolicy(List<ModelRef> chain) {
  public ModelPolicy {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a model policy needs at least one model");
    }
  }

  public static ModelPolicy of(List<String> refs, String field) {
    return new ModelPolicy(refs.stream().map(r -> ModelRef.parse(r, field)).toList());
  }

  public ModelRef primary() {
    return chain.get(0);
  }
}
