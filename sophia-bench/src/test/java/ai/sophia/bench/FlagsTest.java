package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlagsTest {
  private static final Set<String> KNOWN = Set.of("docs", "models", "queries");

  @Test
  void parse_knownFlags_givesValuesAndFallbacks() {
    Flags flags = Flags.parse(new String[] {"--docs", "/d", "--models", "a, b,,"}, KNOWN);

    assertThat(flags.path("docs", "/x")).isEqualTo(Path.of("/d"));
    assertThat(flags.list("models", "z")).containsExactly("a", "b");
    assertThat(flags.integer("queries", 40, 1, 1000)).isEqualTo(40);
  }

  @Test
  void parse_unknownFlag_namesIt() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"--doc", "/d"}, KNOWN))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--doc")
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("--doc");
  }

  @Test
  void parse_flagWithoutValue_saysSo() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"--docs"}, KNOWN))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs a value");
  }

  @Test
  void integer_outOfRangeOrNotANumber_namesTheFlag() {
    Flags flags = Flags.parse(new String[] {"--queries", "0"}, KNOWN);
    Flags words = Flags.parse(new String[] {"--queries", "many"}, KNOWN);

    assertThatThrownBy(() -> flags.integer("queries", 40, 1, 1000))
        .hasMessageContaining("--queries must be between 1 and 1000");
    assertThatThrownBy(() -> words.integer("queries", 40, 1, 1000))
        .hasMessageContaining("whole number");
  }
}
