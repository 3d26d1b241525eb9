/* test-request.c: the request template and its rules, without a server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The headers of every request, Last-Event-ID, the method and body after
 * each kind of redirect, and the credentials that do not follow a redirect
 * to another origin.
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "sse-error.h"
#include "sse-request-private.h"

static const char *
header (SoupMessage *msg,
        const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_request_headers (msg), name);
}

static guint
count_headers (SoupMessage *msg)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint n = 0;

  soup_message_headers_iter_init (&iter, soup_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    n++;
  return n;
}

/* The first request, from a template whose message is not sent itself. */
static SoupMessage *
first_message (SseRequest *request,
               const char *last_event_id)
{
  gboolean template_sent = TRUE;
  SoupMessage *msg = _sse_request_new_first_message (request, last_event_id, &template_sent);

  g_assert_false (template_sent);
  return msg;
}

static goffset
body_length (SoupMessage *msg)
{
  return soup_message_headers_get_content_length (soup_message_get_request_headers (msg));
}

static void
test_from_url (void)
{
  SseRequest request = { 0 };
  g_autoptr(SoupMessage) msg = NULL;

  _sse_request_init (&request, "http://example.org/feed?x=1", NULL);
  g_assert_cmpstr (request.url, ==, "http://example.org/feed?x=1");
  g_assert_nonnull (request.uri);
  g_assert_true (request.method == SOUP_METHOD_GET);
  g_assert_null (request.headers);
  g_assert_true (request.follow_redirects);
  g_assert_false (request.template_has_body);

  /* Exactly the three headers of the standard (Host is libsoup's). */
  msg = first_message (&request, "41");
  g_assert_cmpstr (soup_message_get_method (msg), ==, "GET");
  g_assert_cmpstr (header (msg, "Accept"), ==, "text/event-stream");
  g_assert_cmpstr (header (msg, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (header (msg, "Last-Event-ID"), ==, "41");
  g_assert_cmpuint (count_headers (msg), ==, 3);
  /* Redirects are always the source's to follow. */
  g_assert_true (soup_message_query_flags (msg, SOUP_MESSAGE_NO_REDIRECT));

  _sse_request_clear (&request);
  g_assert_null (request.url);
  g_assert_null (request.uri);
}

static void
test_not_http (void)
{
  static const char *const urls[] = {
    "ftp://example.org/", "mailto:x@example.org", "about:blank", "not a url", "http://",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      SseRequest request = { 0 };

      _sse_request_init (&request, urls[i], NULL);
      g_assert_cmpstr (request.url, ==, urls[i]);
      g_assert_null (request.uri);
      _sse_request_clear (&request);
    }
}

/* A template's URI was parsed by whoever made the message, more leniently
 * than a URL given as a string is: it is held to the same rules, and the
 * problem named. */
static void
test_template_invalid_uri (void)
{
  static const struct {
    const char *url;
    const char *message;
  } cases[] = {
    { "http://this is invalid/", "The host in “http://this%20is%20invalid/” is not a valid "
                                 "host name or address" },
    { "http://ex%3Cample.org/", "The host in * is not a valid host name or address" },
    { "http://127.0.0.1:0/", "The port in “http://127.0.0.1:0/” is not a number from 1 to "
                             "65535" },
    { "http://127.0.0.1:8080/", NULL },
    { "https://[::1]/events", NULL },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (cases[i].url, SOUP_HTTP_URI_FLAGS, NULL);
      g_autoptr(SoupMessage) template = soup_message_new_from_uri ("POST", uri);
      SseRequest request = { 0 };

      _sse_request_init (&request, NULL, template);
      if (cases[i].message == NULL)
        {
          g_assert_nonnull (request.uri);
          g_assert_no_error (request.uri_error);
        }
      else
        {
          g_test_message ("%s: %s", cases[i].url, request.uri_error->message);
          g_assert_null (request.uri);
          g_assert_error (request.uri_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          g_assert_true (g_pattern_match_simple (cases[i].message, request.uri_error->message));
        }
      _sse_request_clear (&request);
    }
}

static void
test_last_event_id (void)
{
  SseRequest request = { 0 };
  g_autoptr(SoupMessage) empty = NULL;
  g_autoptr(SoupMessage) none = NULL;

  _sse_request_init (&request, "http://example.org/", NULL);
  /* An empty last event ID is not sent at all. */
  empty = first_message (&request, "");
  none = first_message (&request, NULL);
  g_assert_null (header (empty, "Last-Event-ID"));
  g_assert_null (header (none, "Last-Event-ID"));
  _sse_request_clear (&request);
}

static void
test_template (void)
{
  g_autoptr(SoupMessage) template = soup_message_new ("POST", "https://api.example.org/v1/chat");
  g_autoptr(GUri) party = g_uri_parse ("https://app.example.org/", G_URI_FLAGS_NONE, NULL);
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (template);
  SseRequest request = { 0 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"stream\":true}", 15);

  soup_message_headers_append (hdrs, "Authorization", "Bearer k");
  soup_message_headers_append (hdrs, "Accept", "application/json, text/event-stream");
  soup_message_headers_append (hdrs, "Mcp-Session-Id", "s1");
  /* The source sends its own Last-Event-ID, and libsoup these two. */
  soup_message_headers_append (hdrs, "Last-Event-ID", "stale");
  soup_message_headers_append (hdrs, "Host", "elsewhere.example.org");
  soup_message_headers_append (hdrs, "Transfer-Encoding", "chunked");
  soup_message_set_flags (template, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_NEW_CONNECTION);
  soup_message_set_priority (template, SOUP_MESSAGE_PRIORITY_HIGH);
  soup_message_set_first_party (template, party);

  _sse_request_init (&request, "http://ignored.example.org/", template);
  g_assert_cmpstr (request.url, ==, "https://api.example.org/v1/chat");
  g_assert_true (request.method == SOUP_METHOD_POST);
  g_assert_false (request.follow_redirects);
  /* Transfer-Encoding: chunked says a body is there, which libsoup cannot
   * give back. */
  g_assert_true (request.template_has_body);

  _sse_request_set_body (&request, "application/json", body);
  msg = first_message (&request, "7");
  g_assert_cmpstr (soup_message_get_method (msg), ==, "POST");
  g_assert_cmpstr (header (msg, "Authorization"), ==, "Bearer k");
  /* The application's Accept is kept (MCP servers want both types). */
  g_assert_cmpstr (header (msg, "Accept"), ==, "application/json, text/event-stream");
  g_assert_cmpstr (header (msg, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (header (msg, "Mcp-Session-Id"), ==, "s1");
  g_assert_cmpstr (header (msg, "Last-Event-ID"), ==, "7");
  g_assert_null (header (msg, "Host"));
  g_assert_null (header (msg, "Transfer-Encoding"));
  g_assert_cmpstr (header (msg, "Content-Type"), ==, "application/json");
  g_assert_cmpint (body_length (msg), ==, 15);
  g_assert_true (soup_message_query_flags (msg, SOUP_MESSAGE_NEW_CONNECTION));
  g_assert_true (soup_message_query_flags (msg, SOUP_MESSAGE_NO_REDIRECT));
  g_assert_cmpint (soup_message_get_priority (msg), ==, SOUP_MESSAGE_PRIORITY_HIGH);
  {
    g_autofree char *first_party = g_uri_to_string (soup_message_get_first_party (msg));

    g_assert_cmpstr (first_party, ==, "https://app.example.org/");
  }

  /* The template's Cache-Control is kept too. */
  soup_message_headers_replace (request.headers, "Cache-Control", "max-age=0");
  g_clear_object (&msg);
  msg = first_message (&request, "");
  g_assert_cmpstr (header (msg, "Cache-Control"), ==, "max-age=0");
  g_assert_null (header (msg, "Last-Event-ID"));

  _sse_request_clear (&request);
}

static void
test_template_body_type (void)
{
  g_autoptr(SoupMessage) template = soup_message_new ("POST", "http://example.org/");
  g_autoptr(GBytes) body = g_bytes_new_static ("a=1", 3);
  SseRequest request = { 0 };

  soup_message_set_request_body_from_bytes (template, "application/x-www-form-urlencoded", body);
  _sse_request_init (&request, NULL, template);
  g_assert_true (request.template_has_body);
  g_assert_cmpstr (request.body_content_type, ==, "application/x-www-form-urlencoded");
  g_assert_null (request.body);

  /* A body given without a type keeps the template's. */
  _sse_request_set_body (&request, NULL, body);
  g_assert_true (request.body == body);
  g_assert_cmpstr (request.body_content_type, ==, "application/x-www-form-urlencoded");
  _sse_request_set_body (&request, NULL, NULL);
  g_assert_null (request.body);
  _sse_request_clear (&request);
}

static void
test_copy_headers (void)
{
  g_autoptr(SoupMessageHeaders) from = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  static const char *const names[] = {
    "Host", "Content-Length", "Transfer-Encoding", "Last-Event-ID", "Content-Type",
    "Content-Encoding", "Content-Language", "Content-Location", "X-Custom", "Authorization",
  };
  static const struct {
    gboolean from_template;
    gboolean without_body;
    guint    kept;   /* a bit per name above */
  } cases[] = {
    { FALSE, FALSE, 0x3F8 },   /* all but what libsoup writes */
    { TRUE, FALSE, 0x3F0 },    /* nor Last-Event-ID */
    { FALSE, TRUE, 0x308 },    /* nor the body's headers */
    { TRUE, TRUE, 0x300 },
  };
  gsize i, n;

  for (n = 0; n < G_N_ELEMENTS (names); n++)
    soup_message_headers_append (from, names[n], "v");

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SoupMessageHeaders) to = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);

      _sse_request_copy_headers (from, to, cases[i].from_template, cases[i].without_body);
      for (n = 0; n < G_N_ELEMENTS (names); n++)
        {
          gboolean kept = (cases[i].kept & (1u << n)) != 0;

          g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, names[n]);
          g_assert_cmpint (soup_message_headers_get_one (to, names[n]) != NULL, ==, kept);
        }
    }
}

static void
test_redirect_method (void)
{
  static const guint statuses[] = { 301, 302, 303, 307, 308 };
  static const struct {
    const char *method;
    const char *drops;   /* per status above: 'y' or 'n' */
  } cases[] = {
    { "GET", "nnnnn" },
    { "HEAD", "nnnnn" },
    { "POST", "yyynn" },
    { "PUT", "nnynn" },
    { "REPORT", "nnynn" },
    { "DELETE", "nnynn" },
  };
  gsize i, j;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    for (j = 0; j < G_N_ELEMENTS (statuses); j++)
      {
        g_test_message ("%s after %u", cases[i].method, statuses[j]);
        g_assert_cmpint (_sse_request_redirect_drops_body (statuses[j], cases[i].method), ==,
                         cases[i].drops[j] == 'y');
      }
}

/* A POST with a body and credentials, as the application left it. */
static SoupMessage *
first_post (SseRequest *request,
            GBytes     *body)
{
  g_autoptr(SoupMessage) template = soup_message_new ("POST", "http://a.example.org/feed");
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (template);

  soup_message_headers_append (hdrs, "Authorization", "Bearer secret");
  soup_message_headers_append (hdrs, "Cookie", "session=1");
  soup_message_headers_append (hdrs, "X-App", "kept");
  _sse_request_init (request, NULL, template);
  _sse_request_set_body (request, "application/json", body);
  return first_message (request, "");
}

static void
test_redirect_keeps_body (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  SseRequest request = { 0 };
  SseRequestChain chain = { 0 };
  g_autoptr(SoupMessage) first = first_post (&request, body);
  g_autoptr(GUri) same = g_uri_parse ("http://A.example.org:80/moved", G_URI_FLAGS_NONE, NULL);
  g_autoptr(SoupMessage) next = NULL;

  _sse_request_chain_init (&chain, first, request.body, FALSE);
  g_assert_cmpstr (chain.origin, ==, "http://a.example.org");

  next = _sse_request_chain_redirect (&chain, &request, 307, same);
  g_assert_cmpuint (chain.redirects, ==, 1);
  g_assert_cmpstr (soup_message_get_method (next), ==, "POST");
  g_assert_cmpint (body_length (next), ==, 2);
  g_assert_cmpstr (header (next, "Content-Type"), ==, "application/json");
  /* The same origin, whatever the spelling: credentials stay. */
  g_assert_cmpstr (header (next, "Authorization"), ==, "Bearer secret");
  g_assert_cmpstr (header (next, "Cookie"), ==, "session=1");
  g_assert_cmpstr (header (next, "X-App"), ==, "kept");
  g_assert_cmpstr (header (next, "Accept"), ==, "text/event-stream");

  _sse_request_chain_clear (&chain);
  _sse_request_clear (&request);
}

static void
test_redirect_drops_body (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  SseRequest request = { 0 };
  SseRequestChain chain = { 0 };
  g_autoptr(SoupMessage) first = first_post (&request, body);
  g_autoptr(GUri) target = g_uri_parse ("http://a.example.org/other", G_URI_FLAGS_NONE, NULL);
  g_autoptr(SoupMessage) get = NULL;
  g_autoptr(SoupMessage) again = NULL;

  _sse_request_chain_init (&chain, first, request.body, FALSE);
  get = _sse_request_chain_redirect (&chain, &request, 302, target);
  g_assert_cmpstr (soup_message_get_method (get), ==, "GET");
  g_assert_null (chain.body);
  g_assert_null (header (get, "Content-Type"));
  g_assert_cmpint (body_length (get), ==, 0);
  g_assert_cmpstr (header (get, "X-App"), ==, "kept");

  /* Once a GET, a 307 does not bring the body back. */
  again = _sse_request_chain_redirect (&chain, &request, 307, target);
  g_assert_cmpstr (soup_message_get_method (again), ==, "GET");
  g_assert_cmpint (body_length (again), ==, 0);
  g_assert_cmpuint (chain.redirects, ==, 2);

  _sse_request_chain_clear (&chain);
  _sse_request_clear (&request);
}

static void
test_redirect_cross_origin (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  SseRequest request = { 0 };
  SseRequestChain chain = { 0 };
  g_autoptr(SoupMessage) first = first_post (&request, body);
  static const char *const hops[] = {
    "https://a.example.org/feed",       /* another scheme */
    "http://a.example.org/feed",        /* back to the first origin */
  };
  static const char *const others[] = {
    "http://b.example.org/",            /* another host */
    "http://a.example.org:8080/",       /* another port */
    "http://[::1]/",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (others); i++)
    {
      SseRequestChain c = { 0 };
      g_autoptr(GUri) uri = g_uri_parse (others[i], G_URI_FLAGS_NONE, NULL);
      g_autoptr(SoupMessage) next = NULL;

      _sse_request_chain_init (&c, first, request.body, FALSE);
      next = _sse_request_chain_redirect (&c, &request, 308, uri);
      g_test_message ("%s", others[i]);
      g_assert_null (header (next, "Authorization"));
      g_assert_null (header (next, "Cookie"));
      g_assert_cmpstr (header (next, "X-App"), ==, "kept");
      g_assert_cmpint (body_length (next), ==, 2);
      _sse_request_chain_clear (&c);
    }

  /* Stripped for the rest of the attempt, even back at the first origin. */
  _sse_request_chain_init (&chain, first, request.body, FALSE);
  for (i = 0; i < G_N_ELEMENTS (hops); i++)
    {
      g_autoptr(GUri) uri = g_uri_parse (hops[i], G_URI_FLAGS_NONE, NULL);
      g_autoptr(SoupMessage) next = _sse_request_chain_redirect (&chain, &request, 307, uri);
      g_autofree char *origin = NULL;

      g_assert_null (header (next, "Authorization"));
      g_assert_null (header (next, "Cookie"));
      origin = g_strdup (chain.origin);
      g_assert_cmpstr (origin, ==, i == 0 ? "https://a.example.org" : "http://a.example.org");
    }
  /* The template itself is untouched, for the next attempt. */
  g_assert_cmpstr (soup_message_headers_get_one (request.headers, "Authorization"), ==,
                   "Bearer secret");

  _sse_request_chain_clear (&chain);
  _sse_request_clear (&request);
}

/* A template message that carries its body, as PyGObject and GJS users
 * build one: it is sent itself, once, since libsoup cannot give its body
 * back. */
static void
test_template_sent_itself (void)
{
  g_autoptr(SoupMessage) template = soup_message_new ("POST", "http://example.org/v1/chat");
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"stream\":true}", 15);
  g_autoptr(SoupMessage) first = NULL;
  g_autoptr(GError) error = NULL;
  SseRequest request = { 0 };
  gboolean template_sent = FALSE;

  soup_message_set_request_body_from_bytes (template, "application/json", body);
  soup_message_headers_append (soup_message_get_request_headers (template), "Last-Event-ID",
                               "stale");
  _sse_request_init (&request, NULL, template);
  g_assert_true (request.template_has_body);

  /* Sent once: fine, but not on every attempt. */
  g_assert_true (_sse_request_check_body (&request, FALSE, NULL));
  g_assert_false (_sse_request_check_body (&request, TRUE, &error));
  g_assert_error (error, SSE_ERROR, SSE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "sse_event_source_set_request_body()"));
  g_clear_error (&error);

  first = _sse_request_new_first_message (&request, "", &template_sent);
  g_assert_true (template_sent);
  g_assert_true (first == template);
  g_assert_cmpstr (header (first, "Accept"), ==, "text/event-stream");
  g_assert_cmpstr (header (first, "Cache-Control"), ==, "no-cache");
  g_assert_null (header (first, "Last-Event-ID"));
  g_assert_cmpint (body_length (first), ==, 15);
  g_assert_true (soup_message_query_flags (first, SOUP_MESSAGE_NO_REDIRECT));

  /* Gone now: it cannot be sent again, which says what to do. */
  g_assert_false (_sse_request_check_body (&request, FALSE, &error));
  g_assert_error (error, SSE_ERROR, SSE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "cannot be sent again"));
  g_clear_error (&error);

  /* Given as bytes, it can, on every attempt, with new messages. */
  _sse_request_set_body (&request, NULL, body);
  g_assert_true (_sse_request_check_body (&request, TRUE, NULL));
  g_clear_object (&first);
  first = _sse_request_new_first_message (&request, "9", &template_sent);
  g_assert_false (template_sent);
  g_assert_true (first != template);
  g_assert_cmpint (body_length (first), ==, 15);
  g_assert_cmpstr (header (first, "Content-Type"), ==, "application/json");
  g_assert_cmpstr (header (first, "Last-Event-ID"), ==, "9");

  _sse_request_clear (&request);
}

/* MCP's resumption: a GET with the application's headers, none of the
 * body's, and Last-Event-ID. */
static void
test_resume_message (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  SseRequest request = { 0 };
  g_autoptr(SoupMessage) template = soup_message_new ("POST", "http://example.org/mcp");
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (template);
  g_autoptr(SoupMessage) msg = NULL;

  soup_message_headers_append (hdrs, "Accept", "application/json, text/event-stream");
  soup_message_headers_append (hdrs, "Mcp-Session-Id", "s1");
  soup_message_headers_append (hdrs, "Authorization", "Bearer k");
  soup_message_headers_append (hdrs, "Content-Type", "application/json");
  _sse_request_init (&request, NULL, template);
  _sse_request_set_body (&request, "application/json", body);

  msg = _sse_request_new_resume_message (&request, "42");
  g_assert_cmpstr (soup_message_get_method (msg), ==, "GET");
  g_assert_cmpstr (header (msg, "Accept"), ==, "application/json, text/event-stream");
  g_assert_cmpstr (header (msg, "Mcp-Session-Id"), ==, "s1");
  g_assert_cmpstr (header (msg, "Authorization"), ==, "Bearer k");
  g_assert_cmpstr (header (msg, "Last-Event-ID"), ==, "42");
  g_assert_cmpstr (header (msg, "Cache-Control"), ==, "no-cache");
  g_assert_null (header (msg, "Content-Type"));
  g_assert_cmpint (body_length (msg), ==, 0);
  g_assert_cmpstr (g_uri_get_path (soup_message_get_uri (msg)), ==, "/mcp");

  _sse_request_clear (&request);
}

/* A body that cannot be sent again is lost to a redirect that keeps the
 * method, not to one that turns the request into a GET. */
static void
test_redirect_body_lost (void)
{
  g_autoptr(SoupMessage) first = soup_message_new ("POST", "http://example.org/");
  g_autoptr(GUri) target = g_uri_parse ("http://example.org/b", G_URI_FLAGS_NONE, NULL);
  g_autoptr(SoupMessage) next = NULL;
  SseRequest request = { 0 };
  SseRequestChain chain = { 0 };

  _sse_request_init (&request, "http://example.org/", NULL);
  _sse_request_chain_init (&chain, first, NULL, TRUE);
  g_assert_true (chain.body_lost);
  g_assert_false (_sse_request_redirect_drops_body (307, chain.method));
  next = _sse_request_chain_redirect (&chain, &request, 303, target);
  g_assert_false (chain.body_lost);
  g_assert_cmpstr (soup_message_get_method (next), ==, "GET");
  _sse_request_chain_clear (&chain);
  _sse_request_clear (&request);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/request/from-url", test_from_url);
  g_test_add_func ("/request/not-http", test_not_http);
  g_test_add_func ("/request/template-invalid-uri", test_template_invalid_uri);
  g_test_add_func ("/request/last-event-id", test_last_event_id);
  g_test_add_func ("/request/template", test_template);
  g_test_add_func ("/request/template-body-type", test_template_body_type);
  g_test_add_func ("/request/copy-headers", test_copy_headers);
  g_test_add_func ("/request/redirect/method", test_redirect_method);
  g_test_add_func ("/request/redirect/keeps-body", test_redirect_keeps_body);
  g_test_add_func ("/request/redirect/drops-body", test_redirect_drops_body);
  g_test_add_func ("/request/redirect/cross-origin", test_redirect_cross_origin);
  g_test_add_func ("/request/redirect/body-lost", test_redirect_body_lost);
  g_test_add_func ("/request/template-sent-itself", test_template_sent_itself);
  g_test_add_func ("/request/resume", test_resume_message);

  return g_test_run ();
}
