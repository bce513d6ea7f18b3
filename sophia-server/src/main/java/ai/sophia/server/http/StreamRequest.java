package ai.sophia.server.http;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A POSTed request as the SDK sees it when its answer may be a {@link ResumableStreams resumable
 * stream}: the SDK ends its work on a stream when the connection fails (its async listeners), which
 * would lose the response a client is about to resume for. So while the stream is kept ({@code
 * kept}), a lost connection is not reported to the SDK's listeners; they hear of the end only when
 * the SDK completes the stream itself, after its response; {@code done} hears of that completion.
 */
final class StreamRequest extends HttpServletRequestWrapper {
  private final BooleanSupplier kept;
  private final Runnable done;

  StreamRequest(HttpServletRequest request, BooleanSupplier kept, Runnable done) {
    super(request);
    this.kept = kept;
    this.done = done;
  }

  @Override
  public AsyncContext startAsync() {
    return new Context(super.startAsync());
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    return new Context(super.startAsync(request, response));
  }

  /** The SDK's async context: its listeners hear only of its own completion once kept. */
  private final class Context implements AsyncContext {
    private final AsyncContext real;
    private final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean completedBySdk;
    private volatile boolean told;

    Context(AsyncContext real) {
      this.real = real;
      real.addListener(
          new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) throws IOException {
              if (!kept.getAsBoolean() || completedBySdk) {
                tell(event);
              }
            }

            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
              if (!kept.getAsBoolean()) {
                for (AsyncListener l : listeners) {
                  l.onTimeout(event);
                }
              }
            }

            @Override
            public void onError(AsyncEvent event) throws IOException {
              if (!kept.getAsBoolean()) {
                for (AsyncListener l : listeners) {
                  l.onError(event);
                }
              }
            }

            @Override
            public void onStartAsync(AsyncEvent event) {}
          });
    }

    private void tell(AsyncEvent event) throws IOException {
      if (told) {
        return;
      }
      told = true;
      for (AsyncListener l : listeners) {
        l.onComplete(event);
      }
    }

    @Override
    public void complete() {
      completedBySdk = true;
      done.run();
      try {
        real.complete();
      } catch (IllegalStateException e) {
        // The container completed it when the connection failed; the SDK's listeners did not
        // hear of it then, so they hear now.
        try {
          tell(new AsyncEvent(this));
        } catch (IOException io) {
          throw new java.io.UncheckedIOException(io);
        }
      }
    }

    @Override
    public void addListener(AsyncListener listener) {
      listeners.add(listener);
    }

    @Override
    public void addListener(
        AsyncListener listener, ServletRequest request, ServletResponse response) {
      listeners.add(listener);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
      return real.createListener(type);
    }

    @Override
    public ServletRequest getRequest() {
      return real.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
      return real.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return real.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      real.dispatch();
    }

    @Override
    public void dispatch(String path) {
      real.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      real.dispatch(context, path);
    }

    @Override
    public void start(Runnable run) {
      real.start(run);
    }

    @Override
    public void setTimeout(long timeout) {
      real.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return real.getTimeout();
    }
  }
}
