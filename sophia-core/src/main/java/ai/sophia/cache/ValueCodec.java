package ai.sophia.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;

/**
 * How a value of a {@link SharedCache} is written and read back. Reading is defensive: the bytes
 * come from a store other programs can write to, so anything this codec did not write (corrupt,
 * truncated, another version's shape, another program's) decodes to empty, never to an exception.
 */
public interface ValueCodec<V> {
  byte[] encode(V value);

  /** The value, or empty when {@code bytes} are not a value this codec wrote. */
  Optional<V> decode(byte[] bytes);

  /**
   * JSON of a record type: unknown or missing fields make a miss (the record's constructor checks
   * what it needs), and parsing is bounded (nesting 16 deep, strings of at most {@code
   * maxStringChars}) on top of the size cap of the shared level.
   */
  static <V> ValueCodec<V> json(Class<V> type, int maxStringChars) {
    Objects.requireNonNull(type, "type");
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxStringLength(maxStringChars)
                    .maxNumberLength(32)
                    .build())
            .build();
    ObjectMapper mapper =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    ObjectReader reader = mapper.readerFor(type);
    return new ValueCodec<>() {
      @Override
      public byte[] encode(V value) {
        try {
          return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write a " + type.getSimpleName(), e);
        }
      }

      @Override
      public Optional<V> decode(byte[] bytes) {
        try {
          return Optional.ofNullable(reader.readValue(bytes));
        } catch (IOException | RuntimeException e) {
          // Not ours (or no longer ours): a miss.
          return Optional.empty();
        }
      }
    };
  }
}
