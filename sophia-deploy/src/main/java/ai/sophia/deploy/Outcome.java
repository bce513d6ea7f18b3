package ai.sophia.deploy;

import java.util.Objects;

/**
 * What a target reports at the end of a deployment: healthy, rolled back or failed, why, the URL,
 * the version it found running before (empty when it does not know), and for a local process the
 * process it left running.
 */
record Outcome(
    DeploymentStatus status,
    String detail,
    String url,
    String previousVersion,
    long pid,
    long pidStartedAt,
    int port) {
  Outcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(previousVersion, "previousVersion");
  }

  static Outcome healthy(String detail, String url) {
    return new Outcome(DeploymentStatus.healthy, detail, url, "", 0, 0, 0);
  }

  static Outcome rolledBack(String detail) {
    return new Outcome(DeploymentStatus.rolled_back, detail, "", "", 0, 0, 0);
  }

  static Outcome failed(String detail) {
    return new Outcome(DeploymentStatus.failed, detail, "", "", 0, 0, 0);
  }

  Outcome previous(String version) {
    return new Outcome(status, detail, url, version, pid, pidStartedAt, port);
  }
}
