package ai.sophia.code;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One file of a change: {@code path} inside the repository (forward slashes) and either its new
 * {@code content} (created or replaced) or {@code delete}.
 */
public record FileChange(String path, String content, boolean delete) {
  public FileChange {
    Objects.requireNonNull(path, "path");
    if (delete == (content != null)) {
      throw new IllegalArgumentException(
          "a file change has either content or delete, not both or neither: " + path);
    }
  }

  public static FileChange write(String path, String content) {
    return new FileChange(path, Objects.requireNonNull(content, "content"), false);
  }

  public static FileChange remove(String path) {
    return new FileChange(path, null, true);
  }

  /**
   * Checks a path as every change does (inside the repository, no control or invalid characters,
   * names within file-system limits), naming {@code field} when it is bad.
   *
   * @throws ai.sophia.error.InvalidInputException naming {@code field}
   */
  public static void checkPath(String path, String field) {
    ChangeGuard.checkPath(path, field);
  }

  /** The bytes the file will hold: its content in UTF-8, nothing for a deletion. */
  byte[] bytes() {
    return delete ? new byte[0] : content.getBytes(StandardCharsets.UTF_8);
  }
}
