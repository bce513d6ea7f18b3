package ai.sophia.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail as sent to clients. {@code field} names the input at fault and is left
 * out when no single field is; {@code requestId} lets an operator find the request's logs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String field,
    String requestId) {

  static final String MEDIA_TYPE = "application/problem+json";

  /** Problem types are URNs: stable names a client can switch on, with no fake web address. */
  static String type(String slug) {
    return "urn:sophia:problem:" + slug;
  }
}
