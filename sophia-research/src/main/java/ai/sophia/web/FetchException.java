package ai.sophia.web;

import ai.sophia.error.SophiaException;
import java.util.OptionalInt;

/** A URL that was not fetched, and why. The message names the URL and the rule it broke. */
public class FetchException extends SophiaException {
  /** Why the fetch did not happen or did not succeed. */
  public enum Reason {
    /** The address is loopback, private, link-local, multicast, reserved... (SSRF guard). */
    FORBIDDEN_ADDRESS,
    /** Not http or https, or a malformed URL. */
    FORBIDDEN_SCHEME,
    HOST_NOT_FOUND,
    TOO_MANY_REDIRECTS,
    TOO_LARGE,
    UNSUPPORTED_CONTENT_TYPE,
    /** A CAPTCHA or bot-challenge page instead of content. */
    CHALLENGE,
    HTTP_ERROR,
    TIMEOUT,
    IO_ERROR
  }

  private final Reason reason;
  private final int httpStatus;

  public FetchException(Reason reason, String message) {
    this(reason, message, 0);
  }

  /** A failure with the HTTP status the server answered (robots.txt handling needs it). */
  public FetchException(Reason reason, String message, int httpStatus) {
    super(message, true);
    this.reason = reason;
    this.httpStatus = httpStatus;
  }

  public FetchException(Reason reason, String message, Throwable cause) {
    super(message, true, cause);
    this.reason = reason;
    this.httpStatus = 0;
  }

  public Reason reason() {
    return reason;
  }

  /** The HTTP status of the response that failed, if the server answered at all. */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }
}
