package ai.sophia.web;

import ai.sophia.config.Cidr;
import ai.sophia.config.SophiaConfig;
import ai.sophia.web.FetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches URLs that strangers control (search results, their redirects, crawled links) without
 * letting them reach Sophia's own network.
 *
 * <p>Design note: every hop is parsed once by OkHttp's {@link HttpUrl}, its host read as an IP
 * literal in any spelling or resolved once through the {@link HostResolver}, every address checked
 * by the {@link AddressPolicy}, and the connection then made through a {@link Dns} that can only
 * return those checked addresses, so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot move us. Redirects are followed by hand so each hop is checked the same way. No
 * proxy is used: a proxy would connect on our behalf to an address we never checked. One deadline
 * ({@code timeout_ms}) covers the whole fetch including redirects and the body.
 */
public final class SafeFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(SafeFetcher.class);
  private static final Set<String> TEXT_TYPES =
      Set.of(
          "text/html",
          "application/xhtml+xml",
          "text/plain",
          "text/markdown",
          "text/x-markdown",
          "application/xml",
          "text/xml",
          "application/json");
  private static final String ACCEPT =
      "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,"
          + "text/markdown;q=0.8,application/json;q=0.7";

  /** How much of an error page is read to look for a challenge. */
  private static final int ERROR_BODY_BYTES = 64 * 1024;

  private final OkHttpClient client;
  private final HostResolver resolver;
  private final AddressPolicy policy;
  private final long timeoutNanos;
  private final int maxBytes;
  private final int maxRedirects;
  private final String userAgent;

  private SafeFetcher(Builder b) {
    SophiaConfig.Fetch config = b.config;
    this.resolver = b.resolver;
    List<Cidr> allowed = new ArrayList<>();
    config.allowedPrivateRanges().forEach(text -> allowed.add(Cidr.parse(text)));
    this.policy = AddressPolicy.create(allowed, b.allowPrivate);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.timeoutMs());
    this.maxBytes = config.maxBytes();
    this.maxRedirects = config.maxRedirects();
    this.userAgent = config.userAgent();
    Duration timeout = Duration.ofMillis(config.timeoutMs());
    this.client =
        new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .proxy(Proxy.NO_PROXY)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .callTimeout(timeout)
            .build();
  }

  /** A fetcher with the system resolver and only the configured private ranges open. */
  public static SafeFetcher create(SophiaConfig.Fetch config) {
    return builder(config).build();
  }

  public static Builder builder(SophiaConfig.Fetch config) {
    return new Builder(Objects.requireNonNull(config, "config"));
  }

  /** Options beyond the configuration: the resolver, and ingest's {@code --allow-private}. */
  public static final class Builder {
    private final SophiaConfig.Fetch config;
    private HostResolver resolver = HostResolver.system();
    private boolean allowPrivate;

    private Builder(SophiaConfig.Fetch config) {
      this.config = config;
    }

    public Builder resolver(HostResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Opens loopback, private and shared ranges (an intranet); link-local, multicast and reserved
     * addresses stay closed. Only for an operator's explicit {@code ingest --allow-private}.
     */
    public Builder allowPrivate(boolean allowPrivate) {
      this.allowPrivate = allowPrivate;
      return this;
    }

    public SafeFetcher build() {
      return new SafeFetcher(this);
    }
  }

  /** Fetches {@code url}, following at most {@code max_redirects} checked redirects. */
  public FetchedPage fetch(URI url) {
    return fetch(Objects.requireNonNull(url, "url").toString());
  }

  /**
   * Fetches {@code url}, following at most {@code max_redirects} checked redirects.
   *
   * @throws FetchException naming the URL and the rule that stopped it
   */
  public FetchedPage fetch(String url) {
    HttpUrl current = parse(Objects.requireNonNull(url, "url"));
    URI requested = current.uri();
    long deadline = System.nanoTime() + timeoutNanos;
    List<URI> hops = new ArrayList<>();
    for (int hop = 0; ; hop++) {
      Target target = vet(current);
      hops.add(current.uri());
      try (Response response = execute(target, deadline)) {
        if (!response.isRedirect()) {
          return read(requested, current, hops, response);
        }
        if (hop >= maxRedirects) {
          throw new FetchException(
              Reason.TOO_MANY_REDIRECTS,
              display(requested) + " redirects more than " + maxRedirects + " times");
        }
        current = nextHop(current, response);
      } catch (InterruptedIOException e) {
        throw new FetchException(Reason.TIMEOUT, display(current) + " timed out", e);
      } catch (IOException e) {
        throw new FetchException(
            Reason.IO_ERROR, display(current) + " failed: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Checks that {@code url} is http(s) and its host may be reached, without fetching it.
   *
   * @return the URL, parsed
   * @throws FetchException as {@link #fetch(String)} would before connecting
   */
  public URI check(String url) {
    HttpUrl parsed = parse(Objects.requireNonNull(url, "url"));
    vet(parsed);
    return parsed.uri();
  }

  /**
   * Checks a hop that another HTTP client is about to make (a search engine's redirect) exactly as
   * {@link #fetch(String)} checks each of its hops.
   *
   * @return the URL to request (IP hosts in canonical spelling) and a {@link Dns} that answers only
   *     with the addresses that were checked; connect without a proxy
   * @throws FetchException naming the URL and the rule that refused it
   */
  public CheckedHop checkHop(HttpUrl url) {
    Target target = vet(Objects.requireNonNull(url, "url"));
    return new CheckedHop(target.url(), new PinnedDns(target.url().host(), target.addresses()));
  }

  /** A hop that passed the address check; {@code dns} connects only to the checked addresses. */
  public record CheckedHop(HttpUrl url, Dns dns) {}

  private static HttpUrl parse(String url) {
    HttpUrl parsed = HttpUrl.parse(url.strip());
    if (parsed == null) {
      throw new FetchException(
          Reason.FORBIDDEN_SCHEME, "'" + url + "' is not an http or https URL");
    }
    return parsed;
  }

  private HttpUrl nextHop(HttpUrl current, Response response) {
    String location = response.header("Location");
    if (location == null || location.isBlank()) {
      throw new FetchException(
          Reason.HTTP_ERROR,
          display(current) + " answered " + response.code() + " without a Location",
          response.code());
    }
    HttpUrl next = current.resolve(location);
    if (next == null) {
      throw new FetchException(
          Reason.FORBIDDEN_SCHEME,
          display(current) + " redirects to '" + location + "', which is not an http(s) URL");
    }
    return next;
  }

  /** An address-checked hop: the URL to request (IP hosts canonical) and where it may connect. */
  private record Target(HttpUrl url, List<InetAddress> addresses) {}

  private Target vet(HttpUrl url) {
    String host = url.host();
    HttpUrl effective = url;
    List<InetAddress> addresses;
    switch (IpLiterals.parse(host)) {
      case IpLiterals.Parsed.Address a -> {
        addresses = List.of(a.address());
        // Request the canonical spelling so OkHttp cannot read the literal differently.
        effective = url.newBuilder().host(a.address().getHostAddress()).build();
      }
      case IpLiterals.Parsed.Malformed m ->
          throw new FetchException(
              Reason.FORBIDDEN_SCHEME,
              display(url) + " has a malformed numeric host '" + host + "': " + m.why());
      case IpLiterals.Parsed.Hostname h -> addresses = resolve(url, host);
    }
    for (InetAddress address : addresses) {
      policy
          .refusal(address)
          .ifPresent(
              why -> {
                LOG.debug("refused {}: {}", display(url), why);
                throw new FetchException(
                    Reason.FORBIDDEN_ADDRESS, display(url) + " refused: " + why);
              });
    }
    return new Target(effective, addresses);
  }

  private List<InetAddress> resolve(HttpUrl url, String host) {
    try {
      List<InetAddress> addresses = resolver.resolve(host);
      if (addresses.isEmpty()) {
        throw new UnknownHostException(host + " has no addresses");
      }
      return List.copyOf(addresses);
    } catch (UnknownHostException e) {
      throw new FetchException(
          Reason.HOST_NOT_FOUND, display(url) + ": host '" + host + "' not found", e);
    }
  }

  private Response execute(Target target, long deadline) throws IOException {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new InterruptedIOException("deadline passed");
    }
    OkHttpClient pinned =
        client.newBuilder().dns(new PinnedDns(target.url().host(), target.addresses())).build();
    Request request =
        new Request.Builder()
            .url(target.url())
            .header("User-Agent", userAgent)
            .header("Accept", ACCEPT)
            .get()
            .build();
    Call call = pinned.newCall(request);
    call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
    return call.execute();
  }

  private FetchedPage read(URI requested, HttpUrl finalUrl, List<URI> hops, Response response)
      throws IOException {
    int status = response.code();
    ResponseBody body = response.body();
    MediaType mediaType = body.contentType();
    String essence =
        mediaType == null
            ? ""
            : (mediaType.type() + "/" + mediaType.subtype()).toLowerCase(Locale.ROOT);
    String header = response.header("Content-Type", "");
    boolean textual = essence.isEmpty() || TEXT_TYPES.contains(essence);
    if (status >= 400) {
      if (textual) {
        byte[] head = readUpTo(body, ERROR_BODY_BYTES);
        if (ChallengeDetector.isChallenge(status, TextDecoder.decode(head, header))) {
          throw challenge(finalUrl, status);
        }
      }
      throw new FetchException(
          Reason.HTTP_ERROR, display(finalUrl) + " answered HTTP " + status, status);
    }
    if (status < 200 || status >= 300) {
      throw new FetchException(
          Reason.HTTP_ERROR, display(finalUrl) + " answered HTTP " + status, status);
    }
    if (!textual) {
      throw new FetchException(
          Reason.UNSUPPORTED_CONTENT_TYPE,
          display(finalUrl) + " is " + essence + ", not a text type Sophia reads");
    }
    if (body.contentLength() > maxBytes) {
      throw tooLarge(finalUrl);
    }
    byte[] bytes = readUpTo(body, maxBytes + 1);
    if (bytes.length > maxBytes) {
      throw tooLarge(finalUrl);
    }
    if (essence.isEmpty()) {
      essence = sniff(finalUrl, bytes);
    }
    String text = TextDecoder.decode(bytes, header);
    if (ChallengeDetector.isChallenge(status, text)) {
      throw challenge(finalUrl, status);
    }
    return new FetchedPage(requested, finalUrl.uri(), hops, status, essence, text, Instant.now());
  }

  /** The media type of an unlabelled body: binary is refused, markup is HTML, the rest text. */
  private static String sniff(HttpUrl url, byte[] bytes) {
    for (int i = 0; i < Math.min(bytes.length, 1024); i++) {
      if (bytes[i] == 0) {
        throw new FetchException(
            Reason.UNSUPPORTED_CONTENT_TYPE, display(url) + " has no content type and is binary");
      }
    }
    String head =
        new String(bytes, 0, Math.min(bytes.length, 1024), StandardCharsets.ISO_8859_1)
            .toLowerCase(Locale.ROOT);
    return head.contains("<html") || head.contains("<!doctype html") ? "text/html" : "text/plain";
  }

  private static byte[] readUpTo(ResponseBody body, int limit) throws IOException {
    try (InputStream in = body.byteStream()) {
      return in.readNBytes(limit);
    }
  }

  private FetchException tooLarge(HttpUrl url) {
    return new FetchException(
        Reason.TOO_LARGE, display(url) + " is larger than " + maxBytes + " bytes");
  }

  private static FetchException challenge(HttpUrl url, int status) {
    return new FetchException(
        Reason.CHALLENGE,
        display(url) + " answered with a bot challenge (CAPTCHA) instead of content",
        status);
  }

  /** A URL fit for messages: without user name or password. */
  private static String display(HttpUrl url) {
    return url.newBuilder().username("").password("").build().toString();
  }

  private static String display(URI uri) {
    HttpUrl url = HttpUrl.get(uri);
    return display(url);
  }

  /** Answers only for the host we checked, and only with the addresses we checked. */
  private record PinnedDns(String host, List<InetAddress> addresses) implements Dns {
    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
      if (!hostname.equalsIgnoreCase(host)) {
        throw new UnknownHostException(hostname + " was not checked");
      }
      return addresses;
    }
  }
}
