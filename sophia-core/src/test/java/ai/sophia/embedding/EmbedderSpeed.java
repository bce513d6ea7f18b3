package ai.sophia.embedding;

import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Embedding speed benchmark (not a test, not shipped): after two warm-up rounds on 40 texts, embeds
 * 200 passages of 120 words and ~200 sentences of 15-30 words cut from the PostgreSQL manual with
 * every variant in one JVM, warm, and prints passages/s, sentences/s and the ratio to LangChain4j's
 * one-text-per-call path. For the quantized models it also compares their vectors with the
 * unquantized model's.
 *
 * <p>Run: {@code java -cp <test classpath> ai.sophia.embedding.EmbedderSpeed [docsDir] [models]}
 */
final class EmbedderSpeed {
  private static final int WARMUP = 2;
  private static final int WARMUP_TEXTS = 40;
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private record Variant(
      String name, String model, Supplier<Function<List<String>, List<float[]>>> open) {}

  public static void main(String[] args) throws Exception {
    Path docs = Path.of(args.length > 0 ? args[0] : "/usr/share/doc/postgresql-doc-15/html");
    List<String> models =
        List.of((args.length > 1 ? args[1] : "bge-small-en-v1.5,all-minilm-l6-v2").split(","));
    Corpus corpus = Corpus.read(docs);
    System.out.printf(
        "%d passages (mean %d words), %d sentences (mean %d words), %d cores%n",
        corpus.passages.size(),
        meanWords(corpus.passages),
        corpus.sentences.size(),
        meanWords(corpus.sentences),
        CORES);
    ExecutorService pool =
        Executors.newFixedThreadPool(CORES, Thread.ofPlatform().daemon().factory());
    List<Variant> variants = new ArrayList<>();
    for (String model : models) {
      variants.addAll(variants(model, pool));
    }
    Map<String, float[]> baseline = new LinkedHashMap<>();
    Map<String, List<float[]>> reference = new LinkedHashMap<>();
    System.out.println(
        "| variant | passages/s | sentences/s | ratio p | ratio s | load1 | cos to lc4j fp32 (min) |"
            + " top1 kept | top5 overlap |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Variant v : variants) {
      Function<List<String>, List<float[]>> embed = v.open.get();
      for (int i = 0; i < WARMUP; i++) {
        embed.apply(corpus.passages.subList(0, WARMUP_TEXTS));
        embed.apply(corpus.sentences.subList(0, WARMUP_TEXTS));
      }
      double before = load();
      long t = System.nanoTime();
      embed.apply(corpus.passages);
      double pm = corpus.passages.size() / ((System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      List<float[]> vectors = embed.apply(corpus.sentences);
      double sm = corpus.sentences.size() / ((System.nanoTime() - t) / 1e9);
      if (embed instanceof AutoCloseable closeable) {
        closeable.close();
      }
      float[] base = baseline.computeIfAbsent(v.model, k -> new float[] {(float) pm, (float) sm});
      List<float[]> ref = reference.computeIfAbsent(v.model, k -> vectors);
      Quality q = Quality.of(ref, vectors);
      System.out.printf(
          "| %s | %.1f | %.1f | %.2f | %.2f | %.1f-%.1f | %.5f (%.5f) | %.3f | %.3f |%n",
          v.name,
          pm,
          sm,
          pm / base[0],
          sm / base[1],
          before,
          load(),
          q.meanCos,
          q.minCos,
          q.top1,
          q.top5);
    }
    pool.shutdown();
  }

  private static List<Variant> variants(String model, ExecutorService pool) {
    boolean bge = model.startsWith("bge");
    String file = bge ? "bge-small-en-v1.5" : "all-minilm-l6-v2";
    BertEncoder.Pooling pooling = bge ? BertEncoder.Pooling.CLS : BertEncoder.Pooling.MEAN;
    List<Variant> out = new ArrayList<>();
    out.add(
        new Variant(
            model + " lc4j (baseline)",
            model,
            () -> {
              EmbeddingModel lc4j =
                  bge
                      ? new BgeSmallEnV15EmbeddingModel(pool)
                      : new AllMiniLmL6V2EmbeddingModel(pool);
              return texts -> lc4j(lc4j, texts);
            }));
    out.add(
        new Variant(
            model + " batched 16, ORT default opts, 1 batch at a time",
            model,
            () -> closing(encoder(file, pooling, new OrtSession.SessionOptions()))));
    out.add(
        new Variant(
            model + " batched 16, ALL, 1 ORT thread x " + CORES + " batches at once",
            model,
            () ->
                closing(
                    BertEncoder.load(
                        file + ".onnx", file + "-tokenizer.json", pooling, CORES, 16, 8192))));
    out.add(
        new Variant(
            model + " batched 16, ALL, " + CORES + " ORT threads, 1 batch at a time",
            model,
            () -> closing(encoder(file, pooling, tuned()))));
    out.add(
        new Variant(
            model + "-q lc4j",
            model,
            () -> {
              EmbeddingModel lc4j =
                  bge
                      ? new BgeSmallEnV15QuantizedEmbeddingModel(pool)
                      : new AllMiniLmL6V2QuantizedEmbeddingModel(pool);
              return texts -> lc4j(lc4j, texts);
            }));
    out.add(
        new Variant(
            model + "-q batched 16, ALL, 1 ORT thread x " + CORES + " batches at once",
            model,
            () ->
                closing(
                    BertEncoder.load(
                        file + "-q.onnx", file + "-q-tokenizer.json", pooling, CORES, 16, 8192))));
    return out;
  }

  private static BertEncoder encoder(
      String file, BertEncoder.Pooling pooling, OrtSession.SessionOptions options) {
    return BertEncoder.load(
        file + ".onnx", file + "-tokenizer.json", pooling, options, 16, 8192, 1);
  }

  private static OrtSession.SessionOptions tuned() {
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(CORES);
      return options;
    } catch (ai.onnxruntime.OrtException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An embedding function that is also closeable, so each session is freed after its run. */
  private interface ClosingEmbed extends Function<List<String>, List<float[]>>, AutoCloseable {}

  private static ClosingEmbed closing(BertEncoder encoder) {
    return new ClosingEmbed() {
      @Override
      public List<float[]> apply(List<String> texts) {
        return encoder.embed(texts);
      }

      @Override
      public void close() {
        encoder.close();
      }
    };
  }

  private static List<float[]> lc4j(EmbeddingModel model, List<String> texts) {
    List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
    return model.embedAll(segments).content().stream().map(Embedding::vector).toList();
  }

  private static double load() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  private static int meanWords(List<String> texts) {
    return (int) texts.stream().mapToInt(t -> t.split("\\s+").length).average().orElse(0);
  }

  /** Agreement of candidate vectors with reference vectors over the same sentences. */
  private record Quality(double meanCos, double minCos, double top1, double top5) {
    static Quality of(List<float[]> ref, List<float[]> cand) {
      double sum = 0;
      double min = 1;
      int top1 = 0;
      double overlap = 0;
      for (int i = 0; i < ref.size(); i++) {
        double c = dot(ref.get(i), cand.get(i));
        sum += c;
        min = Math.min(min, c);
        List<Integer> r = nearest(ref, i);
        List<Integer> k = nearest(cand, i);
        if (r.get(0).equals(k.get(0))) {
          top1++;
        }
        overlap += r.stream().filter(k::contains).count() / 5.0;
      }
      int n = ref.size();
      return new Quality(sum / n, min, (double) top1 / n, overlap / n);
    }

    /** The five other sentences nearest to sentence i, nearest first. */
    private static List<Integer> nearest(List<float[]> vs, int i) {
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < vs.size(); j++) {
        if (j != i) {
          others.add(j);
        }
      }
      others.sort((a, b) -> Double.compare(dot(vs.get(i), vs.get(b)), dot(vs.get(i), vs.get(a))));
      return others.subList(0, 5);
    }
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** Passages and sentences cut from HTML pages, deterministically (pages in name order). */
  private record Corpus(List<String> passages, List<String> sentences) {
    static Corpus read(Path dir) throws IOException {
      List<Path> pages;
      try (Stream<Path> files = Files.list(dir)) {
        pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
      }
      List<String> passages = new ArrayList<>();
      List<String> sentences = new ArrayList<>();
      for (int i = 0; i < pages.size() && (passages.size() < 200 || sentences.size() < 200); i++) {
        String[] words = text(pages.get(i)).split("\\s+");
        if (words.length < 300) {
          continue;
        }
        if (i % 2 == 0 && passages.size() < 200) {
          passages.add(String.join(" ", Arrays.copyOfRange(words, 60, 180)));
        } else if (sentences.size() < 200) {
          String body = String.join(" ", Arrays.copyOfRange(words, 60, words.length));
          for (String s : body.split("(?<=[.?!])\\s+")) {
            int n = s.split("\\s+").length;
            if (n >= 15 && n <= 30) {
              sentences.add(s);
              break;
            }
          }
        }
      }
      return new Corpus(passages, sentences);
    }

    private static String text(Path page) throws IOException {
      String html = Files.readString(page);
      return html.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ")
          .replaceAll("<[^>]+>", " ")
          .replace("&nbsp;", " ")
          .replace("&lt;", "<")
          .replace("&gt;", ">")
          .replace("&amp;", "&")
          .replaceAll("&[a-z#0-9]+;", " ")
          .replaceAll("\\s+", " ")
          .trim();
    }
  }
}
