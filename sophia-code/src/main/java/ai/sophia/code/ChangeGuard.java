package ai.sophia.code;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The guards every change passes before git is touched: paths stay inside the repository (no {@code
 * ..}, no absolute path, nothing under {@code .git}), sizes within {@code code.max_*}, and which
 * paths are protected ({@code code.protected_paths}, globs like {@code .github/workflows/**}).
 */
final class ChangeGuard {
  static final int MAX_PATH_CHARS = 1024;

  /** The longest file name most file systems take, in UTF-8 bytes. */
  static final int MAX_NAME_BYTES = 255;

  private final SophiaConfig.Code limits;
  private final List<PathMatcher> protectedPaths;

  ChangeGuard(SophiaConfig.Code limits) {
    this.limits = limits;
    this.protectedPaths =
        limits.protectedPaths().stream()
            .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob))
            .toList();
  }

  /**
   * Checks the files of a change.
   *
   * @throws InvalidInputException naming {@code files[i].path} (or {@code files}) at fault
   */
  void check(List<FileChange> files) {
    if (files.isEmpty()) {
      throw new InvalidInputException("files", "a change needs at least one file");
    }
    if (files.size() > limits.maxFiles()) {
      throw new InvalidInputException(
          "files",
          "a change has at most "
              + limits.maxFiles()
              + " files (code.max_files); got "
              + files.size());
    }
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (int i = 0; i < files.size(); i++) {
      FileChange f = files.get(i);
      String field = "files[" + i + "].path";
      checkPath(f.path(), field);
      if (!seen.add(f.path())) {
        throw new InvalidInputException(field, "the path '" + f.path() + "' is listed twice");
      }
      int size = f.bytes().length;
      if (size > limits.maxFileBytes()) {
        throw new InvalidInputException(
            "files[" + i + "].content",
            f.path()
                + " is "
                + size
                + " bytes; the limit per file is "
                + limits.maxFileBytes()
                + " (code.max_file_bytes)");
      }
      total += size;
    }
    if (total > limits.maxChangeBytes()) {
      throw new InvalidInputException(
          "files",
          "the change is "
              + total
              + " bytes; the limit per change is "
              + limits.maxChangeBytes()
              + " (code.max_change_bytes)");
    }
  }

  /** The paths of {@code files} that match a protected glob, in order. */
  List<String> protectedIn(List<FileChange> files) {
    List<String> hits = new ArrayList<>();
    for (FileChange f : files) {
      Path p;
      try {
        p = Path.of(f.path());
      } catch (InvalidPathException e) {
        continue; // check refuses it
      }
      if (protectedPaths.stream().anyMatch(m -> m.matches(p))) {
        hits.add(f.path());
      }
    }
    return hits;
  }

  static void checkPath(String path, String field) {
    if (path == null || path.isBlank()) {
      throw new InvalidInputException(field, "a file path is required");
    }
    String why = null;
    if (path.length() > MAX_PATH_CHARS) {
      why = "is longer than " + MAX_PATH_CHARS + " characters";
    } else if (path.indexOf('\0') >= 0 || path.chars().anyMatch(Character::isISOControl)) {
      why = "holds control characters";
    } else if (!encodable(path)) {
      why = "holds an invalid character (a lone UTF-16 surrogate)";
    } else if (path.contains("\\")) {
      why = "holds a backslash; separate folders with '/'";
    } else if (path.startsWith("/") || path.matches("^[A-Za-z]:.*") || path.startsWith("~")) {
      why = "is absolute; give a path relative to the repository's root";
    } else {
      for (String segment : path.split("/", -1)) {
        if (segment.equals("..")) {
          why = "leaves the repository ('..')";
        } else if (segment.isEmpty() || segment.equals(".")) {
          why = "has an empty or '.' segment";
        } else if (segment.toLowerCase(Locale.ROOT).equals(".git")) {
          why = "is inside .git, which Sophia never writes";
        } else if (tooLong(segment)) {
          why = "has a file or folder name over " + MAX_NAME_BYTES + " bytes";
        }
        if (why != null) {
          break;
        }
      }
    }
    if (why != null) {
      throw new InvalidInputException(field, "the path '" + printable(path) + "' " + why);
    }
  }

  /** False for text with a lone surrogate, which no file system and no git ref can hold. */
  static boolean encodable(String text) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(text);
  }

  static boolean tooLong(String name) {
    return name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES;
  }

  private static String printable(String path) {
    String shown = path.length() > 120 ? path.substring(0, 120) + "…" : path;
    StringBuilder out = new StringBuilder(shown.length());
    shown
        .codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    Character.isISOControl(c) || Character.isSurrogate((char) c) ? '?' : c));
    return out.toString();
  }
}
