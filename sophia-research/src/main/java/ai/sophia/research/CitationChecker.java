package ai.sophia.research;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a model's answer (JSON of {@link ModelAnswerWriter#SCHEMA}) and checks its citations
 * against the sources it was given. A citation survives when its source exists and supports the
 * claim ({@link Support#gaps}: terms, numbers, names and negation, over the passages the model was
 * shown); a claim survives with the citations that survive, and is dropped when none does. Two
 * surviving claims that contradict each other ({@link Contradictions}) are both dropped: the
 * sources cannot support both. Every problem found is listed in words the model can act on when it
 * is asked again.
 */
final class CitationChecker {
  private static final Pattern MARKER = Pattern.compile("\\[(\\d{1,3})]");

  private final ObjectMapper json;
  private final Map<Integer, Support.Source> sources = new HashMap<>();

  CitationChecker(ObjectMapper json, List<AnswerWriter.SourceText> sources) {
    this.json = json;
    for (AnswerWriter.SourceText s : sources) {
      this.sources.put(s.index(), Support.Source.of(String.join("\n", s.passages())));
    }
  }

  /** A claim that survived its citations' checks, by its number in the reply. */
  private record Kept(int number, String label, AnswerWriter.Claim claim, boolean repaired) {}

  /**
   * The outcome of checking one reply: the summaries worth keeping (by source), the claims that
   * survived, the counts, and the problems.
   */
  record Checked(
      Map<Integer, String> summaries,
      List<AnswerWriter.Claim> claims,
      int made,
      int dropped,
      int repaired,
      List<String> problems) {
    /** Usable as is: something survived, and at least half of what the model claimed. */
    boolean acceptable() {
      return !claims.isEmpty() && claims.size() * 2 >= made;
    }
  }

  Checked check(String reply) {
    JsonNode root;
    try {
      root = json.readTree(unfenced(reply));
    } catch (JsonProcessingException e) {
      return malformed("the reply is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !root.path("claims").isArray()) {
      return malformed("the reply is not a JSON object with a \"claims\" array");
    }
    List<String> problems = new ArrayList<>();
    List<Kept> kept = new ArrayList<>();
    int made = 0;
    for (JsonNode node : root.path("claims")) {
      made++;
      String raw = node.path("text").asText("");
      Set<Integer> cited = new LinkedHashSet<>();
      List<String> unreadable = new ArrayList<>();
      for (JsonNode n : node.path("sources")) {
        if (n.canConvertToInt()) {
          cited.add(n.asInt());
        } else {
          unreadable.add(n.toString());
        }
      }
      Matcher m = MARKER.matcher(raw);
      while (m.find()) {
        cited.add(Integer.parseInt(m.group(1)));
      }
      String text = MARKER.matcher(raw).replaceAll("").replaceAll("\\s+", " ").strip();
      text = text.replaceAll(" ([.,;:!?])", "$1");
      if (text.isEmpty()) {
        problems.add("claim " + made + " has no text");
        continue;
      }
      String label = "claim " + made + " (\"" + abbreviate(text) + "\")";
      for (String u : unreadable) {
        problems.add(label + " cites " + u + ", which is not a source number");
      }
      List<Integer> supporting = new ArrayList<>();
      for (int n : cited) {
        Support.Source source = sources.get(n);
        List<String> gaps = source == null ? List.of() : Support.gaps(text, source);
        if (source == null) {
          problems.add(label + " cites [" + n + "], but there is no source " + n);
        } else if (!gaps.isEmpty()) {
          problems.add(
              label + " cites [" + n + "], but source " + n + " " + String.join(", and ", gaps));
        } else {
          supporting.add(n);
        }
      }
      if (cited.isEmpty()) {
        problems.add(label + " cites no source");
      }
      if (supporting.isEmpty()) {
        continue;
      }
      boolean repaired = supporting.size() < cited.size() || !unreadable.isEmpty();
      kept.add(new Kept(made, label, new AnswerWriter.Claim(text, supporting), repaired));
    }
    if (made == 0) {
      problems.add("the reply has no claims");
    }
    List<Kept> consistent = withoutContradictions(kept, problems);
    return new Checked(
        summaries(root.path("summaries")),
        consistent.stream().map(Kept::claim).toList(),
        made,
        made - consistent.size(),
        (int) consistent.stream().filter(Kept::repaired).count(),
        List.copyOf(problems));
  }

  /**
   * The claims that contradict no other: the citation checks let both of a contradicting pair
   * through, so at least one of them is supported only in appearance, and neither is kept.
   */
  private static List<Kept> withoutContradictions(List<Kept> kept, List<String> problems) {
    Set<Integer> contradicted = new LinkedHashSet<>();
    for (int i = 0; i < kept.size(); i++) {
      for (int j = i + 1; j < kept.size(); j++) {
        Kept a = kept.get(i);
        Kept b = kept.get(j);
        Optional<String> how = Contradictions.between(a.claim().text(), b.claim().text());
        if (how.isPresent()) {
          contradicted.add(a.number());
          contradicted.add(b.number());
          problems.add(
              a.label()
                  + " and "
                  + b.label()
                  + " contradict each other ("
                  + how.get()
                  + "), and their sources seem to support both, so neither is kept; state only"
                  + " what a source says");
        }
      }
    }
    return kept.stream().filter(k -> !contradicted.contains(k.number())).toList();
  }

  /** Summaries of given sources, non-blank, whose [n] markers all name given sources. */
  private Map<Integer, String> summaries(JsonNode nodes) {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (JsonNode node : nodes) {
      int n = node.path("source").asInt(-1);
      String text = node.path("summary").asText("").replaceAll("\\s+", " ").strip();
      if (!sources.containsKey(n) || text.isEmpty() || out.containsKey(n)) {
        continue;
      }
      boolean citesOnlyGiven = true;
      Matcher m = MARKER.matcher(text);
      while (m.find()) {
        citesOnlyGiven &= sources.containsKey(Integer.parseInt(m.group(1)));
      }
      if (citesOnlyGiven) {
        out.put(n, text);
      }
    }
    return out;
  }

  private static Checked malformed(String problem) {
    return new Checked(Map.of(), List.of(), 0, 0, 0, List.of(problem));
  }

  /** Some models wrap JSON in a Markdown code fence even when a schema was asked for. */
  private static String unfenced(String reply) {
    String s = reply.strip();
    if (s.startsWith("```")) {
      int firstLine = s.indexOf('\n');
      int end = s.lastIndexOf("```");
      if (firstLine > 0 && end > firstLine) {
        return s.substring(firstLine + 1, end);
      }
    }
    return s;
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
