package ai.sophia.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.UnavailableException;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ResearchToolTest {
  /** Records what it was asked, then fails: only the request matters here. */
  static final class RecordingResearcher implements Researcher {
    final List<ResearchRequest> asked = new CopyOnWriteArrayList<>();

    @Override
    public ResearchResult research(ResearchRequest request, ResearchProgress progress) {
      asked.add(request);
      throw new UnavailableException("recorded");
    }

    @Override
    public Optional<ResearchResult> find(String id) {
      return Optional.empty();
    }

    @Override
    public List<MemoryHit> searchMemory(String query, int limit) {
      return List.of();
    }

    @Override
    public List<Summary> history(String containing, int limit) {
      return List.of();
    }
  }

  @Test
  void invoke_forAnAgent_researchIsPaidByItsKeyAndCountedAsItsOwn() throws Exception {
    RecordingResearcher researcher = new RecordingResearcher();
    ResearchTool tool = ResearchTool.create(researcher, "duckduckgo");
    ToolContext context =
        new ToolContext("run_1", "research", "research", "key_abc", "run_1/c1", 0);

    assertThatThrownBy(
            () ->
                tool.invoke(
                    new ObjectMapper().readTree("{\"query\":\"what is MVCC\",\"sources_limit\":2}"),
                    context))
        .hasMessage("recorded");

    assertThat(researcher.asked)
        .containsExactly(
            new ResearchRequest("what is MVCC", 2, "duckduckgo", "key_abc", "research"));
  }

  @Test
  void invoke_badArguments_failureWithoutResearch() throws Exception {
    RecordingResearcher researcher = new RecordingResearcher();
    ResearchTool tool = ResearchTool.create(researcher, "duckduckgo");
    ToolContext context = new ToolContext("run_1", "research", "research", "", "run_1/c1", 0);

    ToolOutput out =
        tool.invoke(new ObjectMapper().readTree("{\"query\":\"q\",\"sources_limit\":99}"), context);

    assertThat(out).isInstanceOf(ToolOutput.Failure.class);
    assertThat(out.text()).startsWith("research: ").contains("sources_limit");
    assertThat(researcher.asked).isEmpty();
  }
}
