package ai.sophia.code;

import ai.sophia.error.ForbiddenException;
import java.util.List;

/** A change touches protected paths ({@code code.protected_paths}) without a person's approval. */
public final class ProtectedPathException extends ForbiddenException {
  private final List<String> paths;

  ProtectedPathException(List<String> paths, String howToApprove) {
    super("the change touches protected paths " + paths + "; " + howToApprove);
    this.paths = List.copyOf(paths);
  }

  public List<String> paths() {
    return paths;
  }
}
