package ai.sophia.code;

import java.util.List;

/** Removes secrets from text bound for logs and error messages. */
final class Redactor {
  static final String MASK = "[REDACTED]";

  private final List<String> secrets;

  Redactor(List<String> secrets) {
    this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).toList();
  }

  String clean(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    // user:password@ in a URL, whatever the password
    return out.replaceAll("://[^/@\\s]*:[^/@\\s]*@", "://" + MASK + "@");
  }
}
