package ai.sophia.web;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognizes bot challenges served instead of content: Cloudflare's interstitial, DuckDuckGo's
 * anomaly page, CAPTCHA walls. Strong markers count on any page; words such as "captcha" count on a
 * 403/429/503 answer, and otherwise only when the page title opens with them ("Just a moment...",
 * "Are you a robot?"), so an article about CAPTCHAs is not taken for one.
 */
public final class ChallengeDetector {
  private static final List<String> STRONG =
      List.of(
          "cf-chl",
          "cf_chl_opt",
          "/cdn-cgi/challenge-platform",
          "anomaly-modal",
          "bots use duckduckgo too",
          "geo.captcha-delivery.com",
          "px-captcha");
  private static final List<String> WEAK =
      List.of(
          "captcha",
          "just a moment...",
          "are you a robot",
          "are you a human",
          "verify you are human",
          "checking your browser",
          "unusual traffic");
  private static final Pattern TITLE =
      Pattern.compile("<title[^>]*>(.*?)</title>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern CHALLENGE_TITLE =
      Pattern.compile(
          "^\\s*(just a moment|attention required|are you a (robot|human)|verify(ing)? you are"
              + " (a )?human|human verification|security check|captcha|checking your browser|one"
              + " more step|access denied)\\b");

  private ChallengeDetector() {}

  /** True when a response with this status and body is a challenge rather than content. */
  public static boolean isChallenge(int status, String body) {
    String lower = body.toLowerCase(Locale.ROOT);
    if (STRONG.stream().anyMatch(lower::contains)) {
      return true;
    }
    if (status == 403 || status == 429 || status == 503) {
      return WEAK.stream().anyMatch(lower::contains);
    }
    Matcher title = TITLE.matcher(lower);
    return title.find() && CHALLENGE_TITLE.matcher(title.group(1)).find();
  }
}
