/* test-http.c: the pure URI and HTTP helpers, without a server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "sse-http-private.h"

static GUri *
parse (const char *url)
{
  GUri *uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  g_assert_nonnull (uri);
  return uri;
}

static void
test_uri_is_http (void)
{
  static const struct {
    const char *url;
    gboolean    http;
  } cases[] = {
    { "http://example.org/feed", TRUE },
    { "https://example.org/", TRUE },
    { "HTTPS://EXAMPLE.ORG/", TRUE },
    { "http://[::1]:8080/", TRUE },
    { "ftp://example.org/", FALSE },
    { "file:///etc/passwd", FALSE },
    { "mailto:someone@example.org", FALSE },
    { "http:///path-without-host", FALSE },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (cases[i].url, SOUP_HTTP_URI_FLAGS, NULL);

      g_test_message ("%s", cases[i].url);
      if (uri == NULL)
        {
          g_assert_false (cases[i].http);
          continue;
        }
      g_assert_cmpint (_sse_uri_is_http (uri), ==, cases[i].http);
    }
}

static void
test_uri_origin (void)
{
  static const struct {
    const char *url;
    const char *origin;
  } cases[] = {
    { "http://example.org/feed?x=1", "http://example.org" },
    { "http://example.org:80/", "http://example.org" },
    { "https://example.org:443/", "https://example.org" },
    { "https://example.org:80/", "https://example.org:80" },
    { "http://example.org:443/", "http://example.org:443" },
    { "HTTP://Example.ORG:8080/A", "http://example.org:8080" },
    { "http://[::1]/", "http://[::1]" },
    { "http://[::1]:8080/", "http://[::1]:8080" },
    { "http://user:secret@example.org/", "http://example.org" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GUri) uri = parse (cases[i].url);
      g_autofree char *origin = _sse_uri_origin (uri);

      g_assert_cmpstr (origin, ==, cases[i].origin);
    }
}

static void
test_uri_for_display (void)
{
  g_autoptr(GUri) uri = parse ("https://user:secret@example.org:8443/feed?token=abc#frag");
  g_autofree char *shown = _sse_uri_for_display (uri);

  g_assert_cmpstr (shown, ==, "https://example.org:8443/feed");
}

static void
test_content_type_essence (void)
{
  static const char *const yes[] = {
    "text/event-stream",
    "text/event-stream;",
    "text/event-stream; charset=utf-8",
    "TEXT/Event-Stream",
    "  text/event-stream  ; charset=utf-8",
    "\ttext/event-stream\t",
  };
  static const char *const no[] = {
    "",
    ";",
    "text/event-streams",
    "text/event-strea",
    "text/plain",
    "application/json",
    "text/event-stream-x; a=b",
    "x text/event-stream",
    "text /event-stream",
  };
  gsize i;

  g_assert_false (_sse_http_is_event_stream (NULL));
  for (i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (_sse_http_is_event_stream (yes[i]));
  for (i = 0; i < G_N_ELEMENTS (no); i++)
    {
      g_test_message ("“%s”", no[i]);
      g_assert_false (_sse_http_is_event_stream (no[i]));
    }
}

static void
test_retry_after_seconds (void)
{
  g_assert_cmpuint (_sse_http_parse_retry_after (NULL, NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("0", NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("7", NULL), ==, 7000);
  g_assert_cmpuint (_sse_http_parse_retry_after ("  120 ", NULL), ==, 120000);
  g_assert_cmpuint (_sse_http_parse_retry_after ("007", NULL), ==, 7000);
  /* Too large to count in milliseconds: as long as can be. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("4294968", NULL), ==, G_MAXUINT);
  g_assert_cmpuint (_sse_http_parse_retry_after ("99999999999999999999999", NULL), ==,
                    G_MAXUINT);
  /* Not delta-seconds, and not a date either. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("7s", NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("-7", NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("1.5", NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("", NULL), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("soon", NULL), ==, 0);
}

static void
test_retry_after_date (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 7, 12, 0, 0);
  g_autoptr(GDateTime) later = g_date_time_new_utc (2026, 12, 7, 12, 0, 0.25);

  /* IMF-fixdate, and the two obsolete forms HTTP still accepts. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("Mon, 07 Dec 2026 12:00:30 GMT", now), ==,
                    30000);
  g_assert_cmpuint (_sse_http_parse_retry_after ("Monday, 07-Dec-26 12:01:00 GMT", now), ==,
                    60000);
  g_assert_cmpuint (_sse_http_parse_retry_after ("Mon Dec  7 13:00:00 2026", now), ==,
                    3600000);
  /* Now, or in the past: no wait. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("Mon, 07 Dec 2026 12:00:00 GMT", now), ==, 0);
  g_assert_cmpuint (_sse_http_parse_retry_after ("Sun, 06 Dec 2026 12:00:00 GMT", now), ==, 0);
  /* A part of a millisecond left is waited in full. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("Mon, 07 Dec 2026 12:00:01 GMT", later), ==,
                    750);
  /* Not a date. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("Mon, 99 Foo 2026 12:00:00 GMT", now), ==, 0);
  /* Without @now, the current time: a date long past waits nothing. */
  g_assert_cmpuint (_sse_http_parse_retry_after ("Thu, 01 Jan 1970 00:00:00 GMT", NULL), ==, 0);
}

static void
test_server_text (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "Service Unavailable", "Service Unavailable" },
    { "", "" },
    { "Überlastet", "Überlastet" },
    { "a\r\nb", "a\xEF\xBF\xBD\xEF\xBF\xBD" "b" },
    { "\x1b[2Jclear", "\xEF\xBF\xBD[2Jclear" },
    { "tab\there", "tab\xEF\xBF\xBDhere" },
    { "bad \xff byte", "bad \xEF\xBF\xBD byte" },
    { "del\x7f", "del\xEF\xBF\xBD" },
    /* C1 controls are controls too. */
    { "c1\xc2\x9b", "c1\xEF\xBF\xBD" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = _sse_http_server_text (cases[i].in);

      g_assert_cmpstr (text, ==, cases[i].out);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

static void
test_reason_phrase (void)
{
  g_autofree char *standard = _sse_http_reason_phrase (SOUP_STATUS_SERVICE_UNAVAILABLE, "");
  g_autofree char *missing = _sse_http_reason_phrase (SOUP_STATUS_NOT_FOUND, NULL);
  g_autofree char *own = _sse_http_reason_phrase (429, "Slow\r\nDown");
  g_autofree char *unknown = _sse_http_reason_phrase (599, NULL);
  g_autofree char *too_many = _sse_http_reason_phrase (429, NULL);

  g_assert_cmpstr (standard, ==, "Service Unavailable");
  g_assert_cmpstr (missing, ==, "Not Found");
  g_assert_cmpstr (own, ==, "Slow\xEF\xBF\xBD\xEF\xBF\xBD" "Down");
  g_assert_cmpstr (unknown, ==, "Unknown Error");
  g_assert_cmpstr (too_many, ==, "Too Many Requests");
}

static void
test_certificate_errors (void)
{
  g_autofree char *none = _sse_http_describe_certificate_errors (0);
  g_autofree char *one = _sse_http_describe_certificate_errors (G_TLS_CERTIFICATE_EXPIRED);
  g_autofree char *two = _sse_http_describe_certificate_errors (G_TLS_CERTIFICATE_UNKNOWN_CA |
                                                                G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_autofree char *unknown = _sse_http_describe_certificate_errors (G_TLS_CERTIFICATE_GENERIC_ERROR);

  g_assert_null (none);
  g_assert_null (unknown);
  g_assert_cmpstr (one, ==, "it has expired");
  g_assert_cmpstr (two, ==, "it is not signed by a trusted certificate authority; "
                            "it is not for this host name");
}

static void
test_fatal_errors (void)
{
  static const struct {
    GQuark   domain;
    int      code;
    gboolean fatal;
  } cases[] = {
    { 0, G_TLS_ERROR_BAD_CERTIFICATE, TRUE },
    { 0, G_TLS_ERROR_CERTIFICATE_REQUIRED, TRUE },
    { 0, G_TLS_ERROR_UNAVAILABLE, TRUE },
    { 0, G_TLS_ERROR_HANDSHAKE, FALSE },
    { 0, G_TLS_ERROR_EOF, FALSE },
    { 1, G_IO_ERROR_NOT_SUPPORTED, TRUE },
    { 1, G_IO_ERROR_INVALID_ARGUMENT, TRUE },
    { 1, G_IO_ERROR_CONNECTION_REFUSED, FALSE },
    { 1, G_IO_ERROR_TIMED_OUT, FALSE },
    { 1, G_IO_ERROR_HOST_NOT_FOUND, FALSE },
    { 1, G_IO_ERROR_BROKEN_PIPE, FALSE },
    { 2, G_RESOLVER_ERROR_NOT_FOUND, FALSE },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GQuark domain = cases[i].domain == 0 ? G_TLS_ERROR :
                      cases[i].domain == 1 ? G_IO_ERROR : G_RESOLVER_ERROR;
      g_autoptr(GError) error = g_error_new_literal (domain, cases[i].code, "x");

      g_test_message ("%s %d", g_quark_to_string (domain), cases[i].code);
      g_assert_cmpint (_sse_http_is_fatal_error (error), ==, cases[i].fatal);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/uri/is-http", test_uri_is_http);
  g_test_add_func ("/http/uri/origin", test_uri_origin);
  g_test_add_func ("/http/uri/for-display", test_uri_for_display);
  g_test_add_func ("/http/content-type/essence", test_content_type_essence);
  g_test_add_func ("/http/retry-after/seconds", test_retry_after_seconds);
  g_test_add_func ("/http/retry-after/date", test_retry_after_date);
  g_test_add_func ("/http/server-text", test_server_text);
  g_test_add_func ("/http/reason-phrase", test_reason_phrase);
  g_test_add_func ("/http/certificate-errors", test_certificate_errors);
  g_test_add_func ("/http/fatal-errors", test_fatal_errors);

  return g_test_run ();
}
