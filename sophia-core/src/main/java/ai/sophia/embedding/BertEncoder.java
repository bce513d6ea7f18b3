package ai.sophia.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/*
 * Design: a BERT sentence encoder that runs the ONNX session on padded batches [rows, seq] with an
 * attention mask, instead of one text per call as LangChain4j's OnnxBertBiEncoder does. Its output
 * must equal LangChain4j's for the same model files, so it reproduces that class exactly:
 *  - the text is tokenized with [CLS]/[SEP]; a text of more than 512 tokens is cut into windows of
 *    at most 510 word pieces that never split a word (a window ends before a "##" piece), each
 *    window is encoded as [CLS] window [SEP], and the windows' vectors are averaged weighted by
 *    their piece counts;
 *  - CLS pooling takes the first position, MEAN pooling averages the unmasked positions (for one
 *    unpadded sequence that is all of them, including [CLS] and [SEP]);
 *  - the result is L2-normalized.
 * Windows are sorted by length and batched with similar lengths so padding stays small.
 * Concurrency: OrtSession.run and the Rust tokenizer are thread-safe; this class has no mutable
 * state after construction. Batches run in parallel, one ONNX thread each (the caller's thread plus
 * a pool): on 2 busy cores that measured faster than one batch at a time on ONNX Runtime's own
 * intra-op threads, which spin and lose under contention (EmbedderSpeed).
 */
final class BertEncoder implements AutoCloseable {
  enum Pooling {
    CLS,
    MEAN
  }

  /** 512 positions minus [CLS] and [SEP]. */
  static final int MAX_PIECES = 510;

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final boolean wantsTypeIds;
  private final HuggingFaceTokenizer tokenizer;
  private final Pooling pooling;
  private final int maxRows;
  private final int maxBatchTokens;
  private final int parallelism;
  private final ExecutorService pool;

  private BertEncoder(
      OrtEnvironment environment,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      Pooling pooling,
      int maxRows,
      int maxBatchTokens,
      int parallelism)
      throws OrtException {
    this.environment = environment;
    this.session = session;
    this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
    this.tokenizer = tokenizer;
    this.pooling = pooling;
    this.maxRows = maxRows;
    this.maxBatchTokens = maxBatchTokens;
    this.parallelism = parallelism;
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, parallelism - 1),
            Thread.ofPlatform().daemon().name("embed-batch-", 0).factory());
  }

  /**
   * Loads a model and its tokenizer from class-path resources (the LangChain4j model jars ship
   * both), with all graph optimizations; {@code threads} batches run at once, one ONNX thread each.
   * Batches hold at most {@code maxRows} windows and {@code maxBatchTokens} padded positions.
   */
  static BertEncoder load(
      String modelResource,
      String tokenizerResource,
      Pooling pooling,
      int threads,
      int maxRows,
      int maxBatchTokens) {
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(1);
      return load(
          modelResource, tokenizerResource, pooling, options, maxRows, maxBatchTokens, threads);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX session options rejected: " + e.getMessage(), e);
    }
  }

  /** As above with explicit session options (the speed benchmark compares them). */
  static BertEncoder load(
      String modelResource,
      String tokenizerResource,
      Pooling pooling,
      OrtSession.SessionOptions options,
      int maxRows,
      int maxBatchTokens,
      int parallelism) {
    try {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession session = environment.createSession(resource(modelResource), options);
      HuggingFaceTokenizer tokenizer;
      try (InputStream in = stream(tokenizerResource)) {
        // Same options as LangChain4j: no padding; long texts are windowed here, not truncated.
        tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false"));
      }
      return new BertEncoder(
          environment, session, tokenizer, pooling, maxRows, maxBatchTokens, parallelism);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX model " + modelResource + " could not be loaded", e);
    } catch (IOException e) {
      throw new UncheckedIOException("tokenizer " + tokenizerResource + " could not be read", e);
    }
  }

  /**
   * Unit vectors, one per text, in input order; a text without tokens gets the vector of the empty
   * sequence.
   */
  List<float[]> embed(List<String> texts) {
    List<Window> windows = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      windows.addAll(windows(i, tokenizer.encode(texts.get(i), true, false)));
    }
    windows.sort(Comparator.comparingInt(w -> w.ids.length));
    // Small enough batches that every parallel worker gets one.
    int rows = Math.max(1, Math.min(maxRows, -Math.floorDiv(-windows.size(), parallelism)));
    List<Integer> starts = new ArrayList<>();
    int start = 0;
    while (start < windows.size()) {
      starts.add(start);
      int end = start + 1;
      // Sorted ascending, so the last window of a batch is its longest.
      while (end < windows.size()
          && end - start < rows
          && (long) (end - start + 1) * windows.get(end).ids.length <= maxBatchTokens) {
        end++;
      }
      start = end;
    }
    starts.add(windows.size());
    float[][] pooled = new float[windows.size()][];
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int b = 1; b < starts.size() - 1; b++) {
      int from = starts.get(b);
      int to = starts.get(b + 1);
      running.add(
          CompletableFuture.runAsync(() -> run(windows.subList(from, to), pooled, from), pool));
    }
    if (starts.size() > 1) {
      run(windows.subList(0, starts.get(1)), pooled, 0);
    }
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
    return combine(texts.size(), windows, pooled);
  }

  private record Window(int text, long[] ids, int weight) {}

  private static List<Window> windows(int text, Encoding encoding) {
    long[] ids = encoding.getIds();
    // A text the tokenizer drops whole (zero-width, control or invalid characters) is encoded as
    // the empty sequence [CLS] [SEP]: input alone must never make embedding fail.
    if (ids.length <= MAX_PIECES + 2) {
      return List.of(new Window(text, ids, ids.length - 2));
    }
    String[] tokens = encoding.getTokens();
    long cls = ids[0];
    long sep = ids[ids.length - 1];
    List<Window> out = new ArrayList<>();
    int from = 1;
    int last = ids.length - 1;
    while (from < last) {
      int to = from + MAX_PIECES;
      if (to >= last) {
        to = last;
      } else {
        while (to > from && tokens[to].startsWith("##")) {
          to--;
        }
        if (to == from) {
          to = from + MAX_PIECES;
        }
      }
      long[] window = new long[to - from + 2];
      window[0] = cls;
      System.arraycopy(ids, from, window, 1, to - from);
      window[window.length - 1] = sep;
      out.add(new Window(text, window, to - from));
      from = to;
    }
    return out;
  }

  private void run(List<Window> batch, float[][] pooled, int offset) {
    int rows = batch.size();
    int seq = batch.get(rows - 1).ids.length;
    long[] ids = new long[rows * seq];
    long[] mask = new long[rows * seq];
    for (int r = 0; r < rows; r++) {
      long[] w = batch.get(r).ids;
      System.arraycopy(w, 0, ids, r * seq, w.length);
      Arrays.fill(mask, r * seq, r * seq + w.length, 1L);
    }
    long[] shape = {rows, seq};
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
        OnnxTensor typesTensor =
            OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * seq]), shape)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", idsTensor);
      inputs.put("attention_mask", maskTensor);
      if (wantsTypeIds) {
        inputs.put("token_type_ids", typesTensor);
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName()))) {
        OnnxTensor hidden = (OnnxTensor) result.get(0);
        long[] outShape = hidden.getInfo().getShape();
        int dim = (int) outShape[2];
        FloatBuffer values = hidden.getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          pooled[offset + r] = pool(values, r * seq * dim, batch.get(r).ids.length, dim);
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX inference failed: " + e.getMessage(), e);
    }
  }

  private String outputName() {
    // LangChain4j reads output 0 (last_hidden_state); take it by name so only it is copied out.
    return session.getOutputNames().iterator().next();
  }

  private float[] pool(FloatBuffer values, int base, int length, int dim) {
    float[] out = new float[dim];
    if (pooling == Pooling.CLS) {
      values.get(base, out, 0, dim);
      return out;
    }
    for (int t = 0; t < length; t++) {
      int at = base + t * dim;
      for (int j = 0; j < dim; j++) {
        out[j] += values.get(at + j);
      }
    }
    for (int j = 0; j < dim; j++) {
      out[j] /= length;
    }
    return out;
  }

  private static List<float[]> combine(int count, List<Window> windows, float[][] pooled) {
    List<List<Integer>> parts = new ArrayList<>(count);
    for (int t = 0; t < count; t++) {
      parts.add(new ArrayList<>(1));
    }
    for (int i = 0; i < windows.size(); i++) {
      parts.get(windows.get(i).text).add(i);
    }
    List<float[]> out = new ArrayList<>(count);
    for (List<Integer> part : parts) {
      if (part.size() == 1) {
        out.add(normalize(pooled[part.get(0)]));
        continue;
      }
      float[] sum = new float[pooled[part.get(0)].length];
      int total = 0;
      for (int i : part) {
        int weight = windows.get(i).weight;
        total += weight;
        for (int j = 0; j < sum.length; j++) {
          sum[j] += pooled[i][j] * weight;
        }
      }
      for (int j = 0; j < sum.length; j++) {
        sum[j] /= total;
      }
      out.add(normalize(sum));
    }
    return out;
  }

  private static float[] normalize(float[] v) {
    float sumSquare = 0;
    for (float x : v) {
      sumSquare += x * x;
    }
    float norm = (float) Math.sqrt(sumSquare);
    for (int i = 0; i < v.length; i++) {
      v[i] /= norm;
    }
    return v;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = stream(name)) {
      return in.readAllBytes();
    }
  }

  private static InputStream stream(String name) throws IOException {
    InputStream in = BertEncoder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException("resource " + name + " is not on the class path");
    }
    return in;
  }

  @Override
  public void close() {
    pool.shutdown();
    tokenizer.close();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX session could not be closed", e);
    }
  }
}
