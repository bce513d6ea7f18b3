package ai.sophia.web;

import ai.sophia.config.SophiaConfig;
import java.util.List;

/** Fetch configurations for tests: short timeouts, the default redirect limit. */
public final class FetchConfigs {
  public static final String USER_AGENT = "SophiaBot/0.1 (+https://github.com/sophia-ai/sophia)";

  private FetchConfigs() {}

  /** 3 s deadline, 200 kB cap, 5 redirects, with {@code allowed} private ranges open. */
  public static SophiaConfig.Fetch allowing(String... allowed) {
    return new SophiaConfig.Fetch(3_000, 200_000, 5, USER_AGENT, List.of(allowed));
  }

  /** Loopback opened through the operator allow-list, as an intranet operator would. */
  public static SophiaConfig.Fetch loopbackAllowed() {
    return allowing("127.0.0.0/8");
  }
}
