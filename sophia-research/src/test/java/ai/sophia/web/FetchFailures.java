package ai.sophia.web;

import static org.assertj.core.api.Assertions.fail;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Runs a fetch that must fail and hands back the {@link FetchException}, for assertions. */
public final class FetchFailures {
  private FetchFailures() {}

  public static FetchException of(ThrowingCallable fetch) {
    try {
      fetch.call();
    } catch (FetchException e) {
      return e;
    } catch (Throwable e) {
      throw new AssertionError("expected a FetchException, got " + e, e);
    }
    return fail("expected a FetchException, but the fetch succeeded");
  }

  public static FetchException.Reason reasonOf(ThrowingCallable fetch) {
    return of(fetch).reason();
  }
}
