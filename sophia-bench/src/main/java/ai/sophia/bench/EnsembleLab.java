package ai.sophia.bench;

import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.PageHit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleBiFunction;

/**
 * An experiment ({@code bench/ensemble.sh}): does fusing the page rankings of several embedding
 * models, each over its own ingest of the same manual, rank better than one model alone? Every
 * question is asked of each model's index with the learned ranker ({@link PageFusion#learned()}, or
 * with {@code --fusion standard} the blend); the lists are fused by reciprocal rank (k = 60) and by
 * the sum of the pages' relative relevance, and every ranking is scored on the sets' tune and
 * report halves, as {@link RetrievalEval} does.
 *
 * <p>Flags: {@code --models a,b,c} (each ingested into {@code --data-root}/manual-NAME by {@code
 * bench/retrieval.sh --model NAME}), {@code --data-root DIR}, {@code --questions a.tsv,b.tsv},
 * {@code --fusion standard|learned}, {@code --lists FILE} (each model's pages of each question, for
 * analysis).
 */
public final class EnsembleLab {
  private static final Set<String> FLAGS =
      Set.of("models", "data-root", "questions", "fusion", "lists");
  private static final int DEPTH = RetrievalScorer.PAGES;
  private static final double RRF_K = 60;

  private EnsembleLab() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("ensemble: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  private record Model(String name, OnnxEmbedder embedder, LuceneDocumentIndex index) {}

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    List<String> names = flags.list("models", "all-minilm-l6-v2,e5-small-v2,bge-small-en-v1.5");
    Path root = flags.path("data-root", "bench/data");
    Map<String, List<Question>> sets =
        Question.answerableSets(
            flags.list("questions", "bench/retrieval/questions.tsv,bench/retrieval/keywords.tsv"));
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-ensemble-")) {
      List<Model> models = new ArrayList<>();
      for (String name : names) {
        Path kept = root.resolve("manual-" + name);
        if (!Files.isDirectory(kept.resolve("index"))) {
          throw new BenchException(
              kept + " holds no index: run bench/retrieval.sh --model " + name + " first");
        }
        OnnxEmbedder embedder = OnnxEmbedder.create(name);
        embedder.load();
        models.add(
            new Model(name, embedder, LuceneDocumentIndex.open(scratch.copy(kept, name), name)));
      }
      try {
        PageFusion fusion =
            switch (flags.text("fusion", "learned")) {
              case "learned" -> PageFusion.learned();
              case "standard" -> PageFusion.standard();
              default ->
                  throw new InvalidInputException("--fusion", "--fusion is standard or learned");
            };
        Path listsFile = flags.has("lists") ? flags.path("lists", "") : null;
        List<String> lines = new ArrayList<>();
        sets.forEach((set, questions) -> lines.addAll(report(set, questions, models, fusion)));
        if (listsFile != null) {
          try {
            Files.write(listsFile, lines);
          } catch (java.io.IOException e) {
            throw new BenchException("cannot write " + listsFile + ": " + e.getMessage(), e);
          }
        }
      } finally {
        models.forEach(m -> m.index().close());
      }
    }
  }

  /**
   * Prints the set's table; returns one line per question and model: set, question, model, and the
   * model's pages best first, tab-separated.
   */
  private static List<String> report(
      String set, List<Question> questions, List<Model> models, PageFusion fusion) {
    // Each model's learned page ranking of every question, asked once.
    Map<String, List<List<PageHit>>> lists = new HashMap<>();
    for (Question question : questions) {
      List<List<PageHit>> perModel = new ArrayList<>();
      for (Model model : models) {
        perModel.add(
            model
                .index()
                .searchPages(
                    DocumentIndex.DOCUMENTS,
                    Set.of(),
                    question.text(),
                    model.embedder().embedQuery(question.text()),
                    DEPTH,
                    fusion,
                    false));
      }
      lists.put(question.text(), perModel);
    }
    RetrievalScorer scorer = new RetrievalScorer(questions);
    List<ModelRun> runs = new ArrayList<>();
    for (int m = 0; m < models.size(); m++) {
      int only = m;
      runs.add(
          scorer.score(
              models.get(m).name() + " alone",
              models.get(m).name(),
              0,
              q -> lists.get(q).get(only).stream().map(PageHit::url).toList()));
    }
    String all = String.join(" + ", models.stream().map(Model::name).toList());
    runs.add(
        scorer.score(
            "fused by reciprocal rank",
            all,
            0,
            q -> fuse(lists.get(q), (h, r) -> 1 / (RRF_K + r))));
    runs.add(
        scorer.score(
            "fused by summed relevance", all, 0, q -> fuse(lists.get(q), (h, r) -> h.score())));
    System.out.printf("%n### %s (%d questions)%n%n", set, questions.size());
    System.out.print(RetrievalReport.markdown(runs));
    List<String> lines = new ArrayList<>();
    for (Question question : questions) {
      for (int m = 0; m < models.size(); m++) {
        List<String> pages = new ArrayList<>(List.of(set, question.text(), models.get(m).name()));
        lists.get(question.text()).get(m).forEach(h -> pages.add(h.url()));
        lines.add(String.join("\t", pages));
      }
    }
    return lines;
  }

  /** Pages of all lists by the sum of {@code credit(hit, rank from 1)}, best first. */
  private static List<String> fuse(
      List<List<PageHit>> lists, ToDoubleBiFunction<PageHit, Integer> credit) {
    Map<String, Double> total = new HashMap<>();
    for (List<PageHit> list : lists) {
      for (int i = 0; i < list.size(); i++) {
        total.merge(list.get(i).url(), credit.applyAsDouble(list.get(i), i + 1), Double::sum);
      }
    }
    return total.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(Map.Entry::getKey)
        .toList();
  }
}
