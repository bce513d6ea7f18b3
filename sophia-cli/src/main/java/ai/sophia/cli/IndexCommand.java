package ai.sophia.cli;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.StorageException;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.ElasticsearchDocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sophia index}: the search index itself. */
@Command(
    name = "index",
    description = "Manage Sophia's search index.",
    subcommands = {IndexCommand.Migrate.class})
final class IndexCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return Main.missingSubcommand(spec);
  }

  /**
   * {@code sophia index migrate --to elasticsearch}: copies the embedded index in {@code
   * data_dir/index} into the Elasticsearch index {@code index.elasticsearch} names, document by
   * document in key order, with no re-embedding. After each batch the last key copied is saved in
   * {@code data_dir/index-migration.checkpoint}, so a migration that was interrupted resumes where
   * it stopped (copying a document again is harmless: it replaces itself). At the end the chunk
   * count of every collection must be the same on both sides; the checkpoint is then removed.
   */
  @Command(
      name = "migrate",
      description = "Copy the embedded index into Elasticsearch (resumable; verified by counts).")
  static final class Migrate implements Callable<Integer> {
    static final String CHECKPOINT = "index-migration.checkpoint";
    private static final int BATCH_DOCUMENTS = 50;
    private static final List<String> COLLECTIONS =
        List.of(DocumentIndex.DOCUMENTS, DocumentIndex.RESEARCH_DATA, DocumentIndex.AGENT_MEMORIES);

    @ParentCommand IndexCommand index;
    @Spec CommandSpec spec;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "BACKEND",
        description = "Where to copy the index: elasticsearch (index.elasticsearch.*).")
    String to;

    @Option(names = "--restart", description = "Ignore a saved checkpoint and copy everything.")
    boolean restart;

    @Override
    public Integer call() {
      if (!"elasticsearch".equals(to)) {
        throw new InvalidInputException(
            "--to", "--to is '" + to + "' but the only target is elasticsearch");
      }
      Main main = index.main;
      SophiaConfig config = main.config();
      PrintWriter out = spec.commandLine().getOut();
      Path checkpoint = config.dataDir().resolve(CHECKPOINT);
      ProgressPrinter progress =
          new ProgressPrinter(spec.commandLine().getErr(), System.console() != null);
      String model = config.embedding().model();
      try (LuceneDocumentIndex source = LuceneDocumentIndex.open(config.dataDir(), model);
          ElasticsearchDocumentIndex target =
              ElasticsearchDocumentIndex.open(
                  config.index().elasticsearch(), Secrets.create(main.env()), model)) {
        SortedSet<String> keys = source.documentKeys();
        String after = restart ? "" : read(checkpoint);
        SortedSet<String> todo = after.isEmpty() ? keys : keys.tailSet(after + "\0");
        int done = keys.size() - todo.size();
        if (!after.isEmpty()) {
          out.println("resuming after " + done + " of " + keys.size() + " documents");
        }
        List<String> batch = new ArrayList<>(BATCH_DOCUMENTS);
        for (String key : todo) {
          batch.add(key);
          if (batch.size() == BATCH_DOCUMENTS) {
            done += copy(source, target, batch, checkpoint);
            progress.update("migrating", done, keys.size());
          }
        }
        done += copy(source, target, batch, checkpoint);
        progress.update("migrating", done, keys.size());
        progress.finish();
        Set<String> collections = new TreeSet<>(COLLECTIONS);
        keys.forEach(k -> collections.add(LuceneDocumentIndex.collectionOf(k)));
        return verify(source, target, collections, checkpoint, out);
      } finally {
        progress.finish();
      }
    }

    /** Copies one batch of documents and saves the last key; how many documents it copied. */
    private static int copy(
        LuceneDocumentIndex source,
        ElasticsearchDocumentIndex target,
        List<String> batch,
        Path checkpoint) {
      if (batch.isEmpty()) {
        return 0;
      }
      List<Chunk> chunks = source.chunksOf(batch);
      target.replace(chunks);
      write(checkpoint, batch.getLast());
      int n = batch.size();
      batch.clear();
      return n;
    }

    private static int verify(
        LuceneDocumentIndex source,
        ElasticsearchDocumentIndex target,
        Set<String> collections,
        Path checkpoint,
        PrintWriter out) {
      List<String> mismatches = new ArrayList<>();
      long total = 0;
      for (String collection : collections) {
        long expected = source.count(collection);
        long actual = target.count(collection);
        total += expected;
        if (expected != actual) {
          mismatches.add(collection + ": " + expected + " here, " + actual + " in Elasticsearch");
        }
      }
      if (!mismatches.isEmpty()) {
        throw new StorageException(
            "the copy does not match ("
                + String.join("; ", mismatches)
                + "); run the migration again, or with --restart if another node writes to "
                + target.name());
      }
      try {
        Files.deleteIfExists(checkpoint);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.println(
          "migrated "
              + total
              + " chunks into "
              + target.name()
              + "; counts match in every collection. Set index.backend: elasticsearch to use it.");
      return 0;
    }

    private static String read(Path checkpoint) {
      try {
        return Files.exists(checkpoint) ? Files.readString(checkpoint, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        throw new StorageException("cannot read " + checkpoint + ": " + e.getMessage(), e);
      }
    }

    /** Replaces the checkpoint atomically, so an interruption never leaves half a key. */
    private static void write(Path checkpoint, String key) {
      try {
        Path partial = checkpoint.resolveSibling(CHECKPOINT + ".partial");
        Files.writeString(partial, key, StandardCharsets.UTF_8);
        Files.move(
            partial,
            checkpoint,
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new StorageException("cannot write " + checkpoint + ": " + e.getMessage(), e);
      }
    }
  }
}
