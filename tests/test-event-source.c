/* test-event-source.c: SseEventSource against an in-process server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test drives the main loop until a condition holds (test_wait_until);
 * none sleeps. Sources use a backoff of 1 ms unless the test is about the
 * backoff, so that the whole program runs in a few seconds.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-event-source-private.h"
#include "sse-stream-reader-private.h"
#include "test-network-monitor.h"
#include "test-utils.h"

/* A self-signed certificate for 127.0.0.1 (valid until 2126), for the TLS
 * test: no client trusts it. */
static const char test_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBfzCCASWgAwIBAgIUfVoZVxOeBNk0agDefHdqHRcKjjMwCgYIKoZIzj0EAwIw\n"
  "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAxMzg0NVoYDzIxMjYxMDI5\n"
  "MDEzODQ1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
  "PQMBBwNCAARTUx7A9yb0a1RzU5hlAJSlBGEhIMgzWNhE+CVUedMm+EnreKnR5Ysw\n"
  "bKwykRikFgD8lWZQMNI/ZTJnCw8K66G6o1MwUTAdBgNVHQ4EFgQU6UR94aPy9nL+\n"
  "bAAZl6p45En0BeIwHwYDVR0jBBgwFoAU6UR94aPy9nL+bAAZl6p45En0BeIwDwYD\n"
  "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBkoAT/I+l0Fv0WUmEHpyI6\n"
  "Zxx1797BDZ79dJ5O/WWDjAIhAOU+c5SD27B7G/NHxJaMu8CRErcJs47m/ajRqhb3\n"
  "cW/n\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHnqcNJllUhn7IlwR\n"
  "b3IAOoabt8aFuKZcKlIhZHJihoahRANCAARTUx7A9yb0a1RzU5hlAJSlBGEhIMgz\n"
  "WNhE+CVUedMm+EnreKnR5YswbKwykRikFgD8lWZQMNI/ZTJnCw8K66G6\n"
  "-----END PRIVATE KEY-----\n";

/* Expected warnings --------------------------------------------------------
 *
 * The library logs with the structured API, which g_test_expect_message()
 * does not see: this writer lets a test expect one warning. */

static const char *expected_warning;
static guint expected_warning_hits;

static GLogWriterOutput
test_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  gsize i;

  if (expected_warning != NULL && (level & G_LOG_LEVEL_WARNING) != 0)
    for (i = 0; i < n_fields; i++)
      if (strcmp (fields[i].key, "MESSAGE") == 0 &&
          g_pattern_match_simple (expected_warning, fields[i].value))
        {
          expected_warning_hits++;
          return G_LOG_WRITER_HANDLED;
        }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A recorder of everything a source emits --------------------------------- */

/* The recorder of test-utils.h, with two more checks on every source of
 * this file: prepare-request comes while the source is CONNECTING, and
 * (when the recorder is freed) every signal came in this thread. */
typedef TestRecorder Recorder;

static void
check_prepare_request (SseEventSource *source,
                       SoupMessage    *msg,
                       Recorder       *rec)
{
  g_assert_cmpint (sse_event_source_get_status (source), ==, SSE_STATUS_CONNECTING);
}

/* A recorder of @source (taken), with a backoff of 1 ms. */
static Recorder *
recorder_new_for_source (SseEventSource *source)
{
  Recorder *rec = test_recorder_new (source);

  g_signal_connect (source, "prepare-request", G_CALLBACK (check_prepare_request), rec);
  return rec;
}

/* A source for @path on @server, with a backoff of 1 ms, and its recorder. */
static Recorder *
recorder_new (TestServer *server,
              const char *path)
{
  g_autofree char *url = test_server_get_url_for (server, path);

  return recorder_new_for_source (sse_event_source_new (url));
}

static void
recorder_free (Recorder *rec)
{
  g_assert_false (rec->wrong_thread);
  test_recorder_free (rec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

/* Properties and defaults ------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(SseEventSource) source = sse_event_source_new ("http://127.0.0.1:1/events");
  SoupSession *session = sse_event_source_get_session (source);

  g_assert_cmpint (sse_event_source_get_status (source), ==, SSE_STATUS_CLOSED);
  g_assert_cmpstr (sse_event_source_get_url (source), ==, "http://127.0.0.1:1/events");
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "");
  g_assert_cmpuint (sse_event_source_get_reconnection_time (source), ==, 3000);
  g_assert_cmpuint (sse_event_source_get_max_reconnection_time (source), ==, 30000);
  g_assert_cmpuint (sse_event_source_get_reconnect_attempt (source), ==, 0);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (source), ==, 0);
  g_assert_cmpint (sse_event_source_get_max_reconnect_attempts (source), ==, -1);
  g_assert_cmpuint (sse_event_source_get_connect_timeout (source), ==, 30000);
  g_assert_cmpuint (sse_event_source_get_read_timeout (source), ==, 5 * 60 * 1000);
  g_assert_cmpuint (sse_event_source_get_max_event_size (source), ==,
                    SSE_PARSER_DEFAULT_MAX_EVENT_SIZE);
  g_assert_false (sse_event_source_get_retry_on_server_error (source));
  g_assert_null (sse_event_source_get_request_body (source));

  /* The session fits event streams: no I/O timeout, many connections. */
  g_assert_nonnull (session);
  g_assert_cmpuint (soup_session_get_timeout (session), ==, 0);
  g_assert_cmpuint (soup_session_get_max_conns_per_host (session), >=, 1000);
  g_assert_cmpuint (soup_session_get_max_conns (session), >=, 1000);
}

/* Every property, through g_object_get() and g_object_set() as bindings and
 * GtkBuilder use them. */
static void
test_properties (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", "http://127.0.0.1:1/msg");
  g_autoptr(SseEventSource) source = NULL;
  SoupSession *got_session = NULL;
  g_autofree char *url = NULL, *last_event_id = NULL;
  SseStatus status;
  guint reconnect_attempt, reconnect_delay, n_notified = 0;

  source = g_object_new (SSE_TYPE_EVENT_SOURCE, "message", msg, "session", session, NULL);

  /* Read-only, or set at construction ("message", the request template,
   * is write-only: the source keeps a copy of it, not the message). */
  g_object_get (source,
                "session", &got_session,
                "url", &url,
                "status", &status,
                "reconnect-attempt", &reconnect_attempt,
                "reconnect-delay", &reconnect_delay,
                "last-event-id", &last_event_id,
                NULL);
  g_assert_true (got_session == session);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1/msg");
  g_assert_cmpstr (url, ==, sse_event_source_get_url (source));
  g_assert_cmpint (status, ==, SSE_STATUS_CLOSED);
  g_assert_cmpuint (reconnect_attempt, ==, 0);
  g_assert_cmpuint (reconnect_delay, ==, 0);
  g_assert_cmpstr (last_event_id, ==, "");
  g_clear_object (&got_session);

  /* "last-event-id", the one writable string: notified on change only. */
  g_signal_connect_swapped (source, "notify::last-event-id", G_CALLBACK (g_atomic_int_inc),
                            &n_notified);
  g_object_set (source, "last-event-id", "42", NULL);
  g_object_set (source, "last-event-id", "42", NULL);
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "42");
  g_assert_cmpuint (n_notified, ==, 1);

  test_assert_property_write (source, "reconnection-time", 1234);
  test_assert_property_write (source, "max-reconnection-time", 5678);
  test_assert_property_write (source, "max-reconnect-attempts", 7);
  test_assert_property_write (source, "connect-timeout", 111);
  test_assert_property_write (source, "read-timeout", 222);
  test_assert_property_write (source, "max-event-size", 333);
  test_assert_property_write (source, "retry-on-server-error", TRUE);
  g_assert_cmpint (sse_event_source_get_reconnect_mode (source), ==, SSE_RECONNECT_MODE_AUTO);
  test_assert_property_write (source, "reconnect-mode", SSE_RECONNECT_MODE_RESUME_GET);
  g_assert_cmpuint (sse_event_source_get_max_queued_bytes (source), ==, 4 * 1024 * 1024);
  test_assert_property_write (source, "max-queued-bytes", 4096);
  g_assert_cmpuint (sse_event_source_get_max_queued_bytes (source), ==, 4096);

  /* The getters agree. */
  g_assert_cmpuint (sse_event_source_get_reconnection_time (source), ==, 1234);
  g_assert_cmpuint (sse_event_source_get_max_reconnection_time (source), ==, 5678);
  g_assert_cmpint (sse_event_source_get_max_reconnect_attempts (source), ==, 7);
  g_assert_cmpuint (sse_event_source_get_connect_timeout (source), ==, 111);
  g_assert_cmpuint (sse_event_source_get_read_timeout (source), ==, 222);
  g_assert_cmpuint (sse_event_source_get_max_event_size (source), ==, 333);
  g_assert_true (sse_event_source_get_retry_on_server_error (source));
  g_assert_cmpint (sse_event_source_get_reconnect_mode (source), ==,
                   SSE_RECONNECT_MODE_RESUME_GET);

  /* "message", the six read above, the nine written: nothing else. */
  test_assert_n_properties (source, 16);
}

static void
test_given_session (void)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 0, NULL);
  g_autoptr(SseEventSource) source = NULL;

  source = g_object_new (SSE_TYPE_EVENT_SOURCE,
                         "url", "http://127.0.0.1:1/",
                         "session", session,
                         NULL);
  g_assert_true (sse_event_source_get_session (source) == session);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *counter)
{
  (*counter)++;
}

static void
test_last_event_id_refuses_newlines (void)
{
  g_autoptr(SseEventSource) source = sse_event_source_new ("http://127.0.0.1:1/");
  guint notified = 0;

  g_signal_connect (source, "notify::last-event-id", G_CALLBACK (count_notify), &notified);

  sse_event_source_set_last_event_id (source, "42");
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "42");
  g_assert_cmpuint (notified, ==, 1);

  /* A value that would inject a header is refused; nothing changes. */
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  sse_event_source_set_last_event_id (source, "43\r\nX-Injected: yes");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "42");

  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  g_object_set (source, "last-event-id", "a\nb", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "42");
  g_assert_cmpuint (notified, ==, 1);

  /* Setting the same value again does not notify. */
  sse_event_source_set_last_event_id (source, "42");
  g_assert_cmpuint (notified, ==, 1);

  sse_event_source_set_last_event_id (source, NULL);
  g_assert_cmpstr (sse_event_source_get_last_event_id (source), ==, "");
  g_assert_cmpuint (notified, ==, 2);
}

static void
test_invalid_url (void)
{
  g_autoptr(Recorder) rec = recorder_new_for_source (sse_event_source_new ("ftp://example.org/"));

  sse_event_source_open (rec->source);
  /* The failure comes from the main context, after open() returned, as a
   * browser reports it from a queued task. */
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_CONNECTING);
  g_assert_cmpstr (rec->log->str, ==, "connecting");
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpstr (rec->log->str, ==, "connecting error closed");
  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "ftp://example.org/"));
}

/* Each URL that a browser's URL parser refuses, with the problem named. */
static void
test_invalid_urls (void)
{
  static const struct {
    const char *url;
    const char *message;
  } cases[] = {
    { "ftp://example.org/", "“ftp://example.org/” is not an http or https URL*" },
    { "mailto:someone@example.org", "*is not an http or https URL*" },
    { "http://127.0.0.1:99999/", "The port in “http://127.0.0.1:99999/” is not a number from 1 "
                                 "to 65535" },
    { "http://127.0.0.1:0/", "The port in * is not a number from 1 to 65535" },
    { "http://example.org:http/", "The port in * is not a number from 1 to 65535" },
    { "http://:80/", "“http://:80/” has no host name" },
    { "https://", "“https://” has no host name" },
    { "http://this is invalid/", "The host in “http://this is invalid/” is not a valid host "
                                 "name or address" },
    { "http://ex<ample.org/", "The host in * is not a valid host name or address" },
    { "http://[::1/", "The host in * is not a valid host name or address" },
    { "example.org/events", "“example.org/events” is not an absolute URL*" },
    { "", "No URL was given*" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Recorder) rec = recorder_new_for_source (sse_event_source_new (cases[i].url));
      const GError *error;

      sse_event_source_open (rec->source);
      test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
      g_assert_cmpstr (rec->log->str, ==, "connecting error closed");
      error = test_recorder_error (rec, 0);
      g_test_message ("%s: %s", cases[i].url, error->message);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_pattern_match_simple (cases[i].message, error->message));
    }
}

/* Opening ----------------------------------------------------------------- */

static void
count_event (SseEventSource *source,
             SseEvent       *event,
             guint          *counter)
{
  (*counter)++;
}

static void
test_open_events (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/events");
  TestResponse *r;
  guint n_updates = 0, n_nothing = 0;
  g_autofree char *origin = NULL;
  const TestRequest *request;
  SseEvent *event;

  r = test_server_queue_stream (server, "/events",
                                ": hello\n\ndata: one\n\nevent: update\ndata: two\nid: 7\n\n");
  test_response_write (r, "event: other\ndata: three\n\n");

  /* Detailed handlers see their event type only. */
  g_signal_connect (rec->source, "event::update", G_CALLBACK (count_event), &n_updates);
  g_signal_connect (rec->source, "event::nothing", G_CALLBACK (count_event), &n_nothing);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_CLOSED);

  sse_event_source_open (rec->source);
  /* open() moved to CONNECTING and prepared the request before returning. */
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_CONNECTING);
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);

  test_wait_until (rec->events->len == 3);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open comment event event event");
  g_assert_cmpuint (n_updates, ==, 1);
  g_assert_cmpuint (n_nothing, ==, 0);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "one");
  g_assert_cmpstr (sse_event_get_event_type (g_ptr_array_index (rec->events, 0)), ==, "message");
  event = g_ptr_array_index (rec->events, 1);
  g_assert_cmpstr (sse_event_get_event_type (event), ==, "update");
  g_assert_cmpstr (sse_event_get_data (event), ==, "two");
  g_assert_cmpstr (sse_event_get_id (event), ==, "7");
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "7");
  event = g_ptr_array_index (rec->events, 2);
  g_assert_cmpstr (sse_event_get_event_type (event), ==, "other");
  g_assert_null (sse_event_get_id (event));
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "7");
  g_assert_cmpstr (sse_event_source_get_last_event_id (rec->source), ==, "7");
  g_assert_cmpstr (g_ptr_array_index (rec->comments, 0), ==, "hello");

  /* Events carry the origin of the server: scheme, host and port. */
  origin = g_strdup_printf ("http://127.0.0.1:%u", test_server_get_port (server));
  g_assert_cmpstr (sse_event_get_origin (event), ==, origin);

  /* The request of the standard, and no Last-Event-ID yet. */
  request = test_server_get_request (server, 0);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/events");
  g_assert_cmpstr (test_request_get_header (request, "Accept"), ==, "text/event-stream");
  g_assert_cmpstr (test_request_get_header (request, "Cache-Control"), ==, "no-cache");
  g_assert_null (test_request_get_header (request, "Last-Event-ID"));
  g_assert_cmpuint (rec->errors->len, ==, 0);

  /* Opening an open source does nothing. */
  sse_event_source_open (rec->source);
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
}

static void
test_open_content_type_parameters (void)
{
  static const char *types[] = {
    "text/event-stream; charset=utf-8",
    "Text/Event-Stream",
    "text/event-stream;",
    " text/event-stream ;foo=bar",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(TestServer) server = test_server_new ();
      g_autoptr(Recorder) rec = recorder_new (server, "/");
      TestResponse *r = test_server_queue_stream (server, "/", "data: ok\n\n");

      test_response_set_content_type (r, types[i]);
      sse_event_source_open (rec->source);
      test_wait_until (rec->events->len == 1);
      g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
    }
}

static void
test_resume_last_event_id (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_server_queue_stream (server, "/", "data: next\n\n");

  /* An application that saved the last ID resumes from it. */
  sse_event_source_set_last_event_id (rec->source, "saved-41");
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 0), "Last-Event-ID"),
                   ==, "saved-41");
  g_assert_cmpstr (sse_event_get_last_event_id (g_ptr_array_index (rec->events, 0)), ==,
                   "saved-41");
}

/* Split reads ------------------------------------------------------------- */

static void
test_split_reads (void)
{
  static const char stream[] =
    "\xEF\xBB\xBF" "data: first\r\n\r\n"
    "event: long\ndata: line one\ndata: line two\nid: a\xC3\xA9z\n\n"
    ": comment\rdata: cr only\r\r"
    "data: caf\xC3\xA9\n\n";
  gsize sizes[] = { 1, 2, 3, 5, 7, 11 };
  guint round;

  /* The same stream, cut differently each time, each piece its own read. */
  for (round = 0; round < G_N_ELEMENTS (sizes); round++)
    {
      g_autoptr(TestServer) server = test_server_new ();
      g_autoptr(Recorder) rec = recorder_new (server, "/");
      TestResponse *r = test_server_queue_stream (server, "/", NULL);
      gsize off = 0, len = strlen (stream);

      while (off < len)
        {
          gsize n = MIN (sizes[round] + off % 3, len - off);

          test_response_write_len (r, stream + off, n);
          test_response_wait (r, 1);
          off += n;
        }

      sse_event_source_open (rec->source);
      test_wait_until (rec->events->len == 4);

      g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "first");
      g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "line one\nline two");
      g_assert_cmpstr (sse_event_get_event_type (g_ptr_array_index (rec->events, 1)), ==, "long");
      g_assert_cmpstr (sse_event_get_id (g_ptr_array_index (rec->events, 1)), ==, "a\xC3\xA9z");
      g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "cr only");
      g_assert_cmpstr (test_recorder_event_data (rec, 3), ==, "caf\xC3\xA9");
      g_assert_cmpuint (rec->comments->len, ==, 1);
    }
}

/* Reconnecting ------------------------------------------------------------ */

static void
test_reconnect_after_drop (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  TestResponse *r;
  SseEvent *event;

  /* The connection breaks in the middle of the third event. */
  r = test_server_queue_stream (server, "/", "id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
  test_response_write (r, "id: 3\ndata: partial");
  test_response_drop (r);
  test_server_queue_stream (server, "/", "data: c\n\n");

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 3);

  /* The partial event was not delivered, and its id was not taken. */
  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "a");
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "b");
  g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "c");
  event = g_ptr_array_index (rec->events, 2);
  g_assert_null (sse_event_get_id (event));
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "2");
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "2");

  /* The order of things: the broken attempt's error comes first, while
   * the status is still OPEN; then the attempt and delay, then the status. */
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_true (test_recorder_error (rec, 0)->domain == G_IO_ERROR);
  g_assert_cmpstr (rec->log->str, ==,
                   "connecting prepare open event event "
                   "error attempt=1 delay reconnecting "
                   "connecting prepare open event");
  g_assert_cmpuint (sse_event_source_get_reconnect_attempt (rec->source), ==, 1);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (rec->source), ==, 1);
}

static void
test_reconnect_after_end (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_end (test_server_queue_stream (server, "/", "id: x\ndata: a\n\n"));
  test_server_queue_stream (server, "/", "data: b\n\n");

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);

  /* A stream that ends normally is no error. */
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpstr (rec->log->str, ==,
                   "connecting prepare open event "
                   "attempt=1 delay reconnecting "
                   "connecting prepare open event");
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "x");
}

static void
test_reconnect_id_only_block (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  guint notified = 0;

  /* A block with an id and no data changes the last event ID. */
  test_response_end (test_server_queue_stream (server, "/", "data: a\n\nid: only-id\n\n"));
  test_server_queue_stream (server, "/", "data: b\n\n");

  g_signal_connect (rec->source, "notify::last-event-id", G_CALLBACK (count_notify), &notified);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);

  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (sse_event_source_get_last_event_id (rec->source), ==, "only-id");
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "only-id");
}

static void
test_retry_field (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  guint delay;

  test_response_end (test_server_queue_stream (server, "/", "retry: 40\ndata: a\n\n"));
  test_server_queue_stream (server, "/", "data: b\n\n");

  /* The default backoff, this time. */
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_RECONNECTING);

  /* retry: replaced the 3 s of the default; the delay is at least it. */
  g_assert_cmpuint (sse_event_source_get_reconnection_time (rec->source), ==, 40);
  delay = sse_event_source_get_reconnect_delay (rec->source);
  g_assert_cmpuint (delay, >=, 40);
  g_assert_cmpuint (delay, <=, 60);
  g_assert_cmpuint (sse_event_get_retry (g_ptr_array_index (rec->events, 0)), ==, 40);

  test_wait_until (rec->events->len == 2);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
}

/* The calls of logging_backoff(). */
typedef struct {
  GArray *attempts;
  GArray *times;
} BackoffLog;

static BackoffLog
backoff_log_new (void)
{
  return (BackoffLog) { g_array_new (FALSE, FALSE, sizeof (guint)),
                        g_array_new (FALSE, FALSE, sizeof (guint)) };
}

static void
backoff_log_clear (BackoffLog *log)
{
  g_clear_pointer (&log->attempts, g_array_unref);
  g_clear_pointer (&log->times, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BackoffLog, backoff_log_clear)

static guint
logging_backoff (SseEventSource *source,
                 guint           attempt,
                 guint           reconnection_time,
                 gpointer        user_data)
{
  BackoffLog *log = user_data;

  g_array_append_val (log->attempts, attempt);
  g_array_append_val (log->times, reconnection_time);
  return 1;
}

static void
test_backoff_func (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  g_auto(BackoffLog) log = backoff_log_new ();

  test_response_end (test_server_queue_stream (server, "/", "retry: 25\n\n"));

  sse_event_source_set_backoff_func (rec->source, logging_backoff, &log, NULL);
  sse_event_source_set_max_reconnect_attempts (rec->source, 3);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* Called once per retried failure, with growing attempts and the
   * server's reconnection time. */
  g_assert_cmpuint (log.attempts->len, ==, 3);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 2), ==, 3);
  g_assert_cmpuint (g_array_index (log.times, guint, 0), ==, 25);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 4);
}

static void
destroy_counter (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_backoff_func_destroy (void)
{
  guint destroyed = 0;
  SseEventSource *source = sse_event_source_new ("http://127.0.0.1:1/");

  sse_event_source_set_backoff_func (source, test_fast_backoff, &destroyed, destroy_counter);
  g_assert_cmpuint (destroyed, ==, 0);
  sse_event_source_set_backoff_func (source, test_fast_backoff, &destroyed, destroy_counter);
  g_assert_cmpuint (destroyed, ==, 1);
  g_object_unref (source);
  g_assert_cmpuint (destroyed, ==, 2);
}

static void
test_healthy_reset (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  g_auto(BackoffLog) log = backoff_log_new ();
  TestResponse *r;

  /* Two connections that end at once, then two that last longer than the
   * healthy time (150 ms here), then the rest end at once again. */
  r = test_response_new_stream ();
  test_response_end (r);
  test_server_queue (server, "/", test_response_ref (r));
  test_server_queue (server, "/", r);
  r = test_response_new_stream ();
  test_response_write (r, ": hi\n");
  test_response_wait (r, 300);
  test_response_end (r);
  test_server_queue (server, "/", test_response_ref (r));
  test_server_queue (server, "/", r);
  test_response_end (test_server_queue_stream (server, "/", NULL));

  _sse_event_source_set_healthy_time (rec->source, 150);
  sse_event_source_set_backoff_func (rec->source, logging_backoff, &log, NULL);
  sse_event_source_open (rec->source);
  test_wait_until (log.attempts->len == 6);
  sse_event_source_close (rec->source);

  /* 1, 2, then a healthy connection: 1; healthy again: 1; then 2, 3. */
  g_assert_cmpuint (g_array_index (log.attempts, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 2), ==, 1);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 3), ==, 1);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 4), ==, 2);
  g_assert_cmpuint (g_array_index (log.attempts, guint, 5), ==, 3);
}

static void
test_reopen_skips_wait (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_end (test_server_queue_stream (server, "/", NULL));
  test_server_queue_stream (server, "/", "data: back\n\n");

  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_set_reconnection_time (rec->source, 3600 * 1000);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_RECONNECTING);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (rec->source), >=, 3600 * 1000);

  /* open() while waiting reconnects at once. */
  sse_event_source_open (rec->source);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_CONNECTING);
  test_wait_until (rec->events->len == 1);
}

/* HTTP answers ------------------------------------------------------------ */

/* No reconnection follows: it would take 1 ms. */
static void
assert_no_reconnection (TestServer *server)
{
  test_run_for (50);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static Recorder *
run_until_closed (TestServer   *server,
                  TestResponse *response)
{
  Recorder *rec;

  test_server_queue (server, "/", response);
  rec = recorder_new (server, "/");
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  return rec;
}

static void
test_http_204 (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_complete (SOUP_STATUS_NO_CONTENT, NULL, NULL));

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "204 No Content"));
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare error closed");
  g_assert_cmpuint (rec->errors->len, ==, 1);
  assert_no_reconnection (server);
}

static void
test_http_404 (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_complete (SOUP_STATUS_NOT_FOUND,
                                                              "text/plain", "no such feed"));

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "404 Not Found"));
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message,
                            test_server_get_url (server)));
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_OPEN), ==, 0);
  assert_no_reconnection (server);
}

static void
test_http_500 (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_complete (SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                                              NULL, NULL));

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "500"));
  assert_no_reconnection (server);
}

static void
test_http_server_errors_retried (void)
{
  static const guint statuses[] = { 500, 502, 503, 408, 429 };
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (statuses); i++)
    test_server_queue (server, "/", test_response_new_complete (statuses[i], NULL, NULL));
  test_server_queue_stream (server, "/", "data: finally\n\n");

  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpuint (rec->errors->len, ==, G_N_ELEMENTS (statuses));
  for (i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *code = g_strdup_printf (" %u ", statuses[i]);

      g_assert_error (test_recorder_error (rec, i), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
      g_assert_nonnull (strstr (test_recorder_error (rec, i)->message, code));
    }
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==,
                    G_N_ELEMENTS (statuses));
  g_assert_cmpuint (sse_event_source_get_reconnect_attempt (rec->source), ==,
                    G_N_ELEMENTS (statuses));
}

static void
test_http_retry_after (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 30);
  g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  TestResponse *r;

  r = test_response_new_complete (SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);
  test_response_add_header (r, "Retry-After", "7");
  test_server_queue (server, "/", r);
  r = test_response_new_complete (SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);
  test_response_add_header (r, "Retry-After", date);
  test_server_queue (server, "/", r);
  test_server_queue_stream (server, "/", "data: up\n\n");

  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_open (rec->source);

  /* Delta-seconds: a lower bound of the delay, above the backoff. */
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_RECONNECTING);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (rec->source), ==, 7000);
  sse_event_source_open (rec->source);   /* do not wait it out */

  /* An HTTP date, 30 s from now (to the second). */
  test_wait_until (rec->errors->len == 2 &&
                   test_recorder_status (rec) == SSE_STATUS_RECONNECTING);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (rec->source), >=, 28000);
  g_assert_cmpuint (sse_event_source_get_reconnect_delay (rec->source), <=, 31000);
  sse_event_source_open (rec->source);

  test_wait_until (rec->events->len == 1);
}

static void
test_content_type_wrong (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_complete (SOUP_STATUS_OK, "application/json",
                                                              "{\"data\": 1}"));

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_CONTENT_TYPE);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "application/json"));
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare error closed");
  assert_no_reconnection (server);
}

static void
test_content_type_missing (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  TestResponse *r = test_response_new (SOUP_STATUS_OK);

  test_response_write (r, "data: x\n\n");
  rec = run_until_closed (server, r);

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_CONTENT_TYPE);
  g_assert_cmpuint (rec->events->len, ==, 0);
}

static void
test_content_type_lookalike (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  TestResponse *r = test_response_new_stream ();

  test_response_set_content_type (r, "text/event-streamx");
  test_response_write (r, "data: x\n\n");
  rec = run_until_closed (server, r);

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_CONTENT_TYPE);
}

/* Redirects --------------------------------------------------------------- */

/* A message for a source to take as its template: @method, to @path on
 * @server. */
static SoupMessage *
message_new (TestServer *server,
             const char *method,
             const char *path)
{
  g_autofree char *url = test_server_get_url_for (server, path);

  return soup_message_new (method, url);
}

static void
test_redirect (gconstpointer data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/old");
  g_autofree char *url = test_server_get_url_for (server, "/old");

  test_server_queue (server, "/old", test_response_new_redirect (status, "/new"));
  test_response_end (test_server_queue_stream (server, "/new", "id: 1\ndata: moved\n\n"));

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "moved");
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpuint (rec->prepare_times->len, ==, 2);   /* once per attempt, not per redirect */
  /* Every reconnection starts again from the URL asked for. */
  g_assert_cmpstr (sse_event_source_get_url (rec->source), ==, url);
  g_assert_cmpuint (test_server_count_requests (server, "/old"), ==, 2);
  g_assert_cmpuint (test_server_count_requests (server, "/new"), >=, 2);
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 3), "Last-Event-ID"),
                   ==, "1");
}

static void
test_redirect_cross_origin (void)
{
  g_autoptr(TestServer) first = test_server_new ();
  g_autoptr(TestServer) other = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (first, "GET", "/feed");
  g_autofree char *elsewhere = test_server_get_url_for (other, "/feed");
  g_autofree char *origin = NULL;
  const TestRequest *request;

  /* Same origin first (credentials kept), then another origin (a
   * different port is another origin). */
  test_server_queue (first, "/feed", test_response_new_redirect (302, "/moved"));
  test_server_queue (first, "/moved", test_response_new_redirect (307, elsewhere));
  test_server_queue_stream (other, "/feed", "data: there\n\n");

  soup_message_headers_append (soup_message_get_request_headers (msg),
                               "Authorization", "Bearer secret");
  soup_message_headers_append (soup_message_get_request_headers (msg), "Cookie", "session=s3cr3t");
  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Client", "kept");
  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  request = test_server_get_request (first, 1);
  g_assert_cmpstr (request->path, ==, "/moved");
  g_assert_cmpstr (test_request_get_header (request, "Authorization"), ==, "Bearer secret");
  g_assert_cmpstr (test_request_get_header (request, "Cookie"), ==, "session=s3cr3t");

  request = test_server_get_request (other, 0);
  g_assert_null (test_request_get_header (request, "Authorization"));
  g_assert_null (test_request_get_header (request, "Cookie"));
  g_assert_cmpstr (test_request_get_header (request, "X-Client"), ==, "kept");
  g_assert_cmpstr (test_request_get_header (request, "Accept"), ==, "text/event-stream");

  /* The events come from the other origin. */
  origin = g_strdup_printf ("http://127.0.0.1:%u", test_server_get_port (other));
  g_assert_cmpstr (sse_event_get_origin (g_ptr_array_index (rec->events, 0)), ==, origin);
}

static void
test_redirect_post (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "POST", "/post");
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"q\":1}", 7);
  const TestRequest *request;

  /* 307 keeps the method and the body; 303 turns it into a GET. */
  test_server_queue (server, "/post", test_response_new_redirect (307, "/post2"));
  test_server_queue (server, "/post2", test_response_new_redirect (303, "/get"));
  test_server_queue_stream (server, "/get", "data: ok\n\n");

  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  sse_event_source_set_request_body (rec->source, "application/json", body);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  request = test_server_get_request (server, 1);
  g_assert_cmpstr (request->path, ==, "/post2");
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                   "{\"q\":1}", 7);
  g_assert_cmpstr (test_request_get_header (request, "Content-Type"), ==, "application/json");

  request = test_server_get_request (server, 2);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpuint (g_bytes_get_size (request->body), ==, 0);
  g_assert_null (test_request_get_header (request, "Content-Type"));
}

static void
test_redirect_loop (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_redirect (302, "/"));

  g_assert_error (test_recorder_error (rec, 0), SOUP_SESSION_ERROR,
                  SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "redirect loop"));
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 21);
}

static void
test_redirect_not_followed (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "GET", "/old");

  test_server_queue (server, "/old", test_response_new_redirect (302, "/new"));

  /* A template that says not to follow redirects is obeyed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "302"));
  g_assert_cmpuint (test_server_count_requests (server, "/new"), ==, 0);
}

static void
test_redirect_without_location (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = run_until_closed (server, test_response_new_complete (302, NULL, NULL));
  g_assert_error (test_recorder_error (rec, 0), SOUP_SESSION_ERROR,
                  SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION);
}

/* Requests ---------------------------------------------------------------- */

static void
refresh_token (SseEventSource *source,
               SoupMessage    *msg,
               guint          *counter)
{
  g_autofree char *token = g_strdup_printf ("Bearer token-%u", ++*counter);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", token);
}

static void
test_prepare_request (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  guint counter = 0, i;

  test_response_drop (test_server_queue_stream (server, "/", "id: 5\ndata: x\n\n"));

  g_signal_connect (rec->source, "prepare-request", G_CALLBACK (refresh_token), &counter);
  sse_event_source_open (rec->source);
  test_wait_until (test_server_get_n_requests (server) == 3);
  sse_event_source_close (rec->source);

  /* A fresh header on each attempt, next to the source's own. */
  for (i = 0; i < 3; i++)
    {
      const TestRequest *request = test_server_get_request (server, i);
      g_autofree char *token = g_strdup_printf ("Bearer token-%u", i + 1);

      g_assert_cmpstr (test_request_get_header (request, "Authorization"), ==, token);
      g_assert_cmpstr (test_request_get_header (request, "Accept"), ==, "text/event-stream");
      if (i > 0)
        g_assert_cmpstr (test_request_get_header (request, "Last-Event-ID"), ==, "5");
    }
}

static void
test_post_body_resent (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "POST", "/chat");
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"prompt\":\"hi\"}", 15);
  guint i;

  test_response_drop (test_server_queue_stream (server, "/chat", "data: token\n\n"));

  soup_message_headers_append (soup_message_get_request_headers (msg), "X-Api-Key", "k");
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept",
                               "text/event-stream, application/json");
  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  /* Sent again on every attempt: not the default for a POST. */
  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_RESEND);
  sse_event_source_set_request_body (rec->source, "application/json", body);
  g_assert_true (sse_event_source_get_request_body (rec->source) == body);
  g_assert_cmpstr (sse_event_source_get_request_content_type (rec->source), ==,
                   "application/json");
  sse_event_source_open (rec->source);
  test_wait_until (test_server_get_n_requests (server) == 4);
  sse_event_source_close (rec->source);

  /* Every attempt sends the method, the headers and the whole body. */
  for (i = 0; i < 4; i++)
    {
      const TestRequest *request = test_server_get_request (server, i);

      g_assert_cmpstr (request->method, ==, "POST");
      g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                       "{\"prompt\":\"hi\"}", 15);
      g_assert_cmpstr (test_request_get_header (request, "Content-Type"), ==, "application/json");
      g_assert_cmpstr (test_request_get_header (request, "X-Api-Key"), ==, "k");
      /* The application's Accept is kept. */
      g_assert_cmpstr (test_request_get_header (request, "Accept"), ==,
                       "text/event-stream, application/json");
    }
}

/* The template's cookie policy (first party, site for cookies) and
 * priority reach every attempt's message. */
static void
check_template_policy (SseEventSource *source,
                       SoupMessage    *msg,
                       guint          *n_checked)
{
  GUri *first_party = soup_message_get_first_party (msg);
  GUri *site = soup_message_get_site_for_cookies (msg);
  g_autofree char *first_party_s = first_party != NULL ? g_uri_to_string (first_party) : NULL;
  g_autofree char *site_s = site != NULL ? g_uri_to_string (site) : NULL;

  g_assert_cmpstr (first_party_s, ==, "https://app.example/");
  g_assert_cmpstr (site_s, ==, "https://site.example/");
  g_assert_cmpint (soup_message_get_priority (msg), ==, SOUP_MESSAGE_PRIORITY_HIGH);
  (*n_checked)++;
}

static void
test_template_policy (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "GET", "/");
  g_autoptr(GUri) first_party = g_uri_parse ("https://app.example/", G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) site = g_uri_parse ("https://site.example/", G_URI_FLAGS_NONE, NULL);
  guint n_checked = 0;

  test_response_end (test_server_queue_stream (server, "/", "data: 1\n\n"));
  test_server_queue_stream (server, "/", "data: 2\n\n");

  soup_message_set_first_party (msg, first_party);
  soup_message_set_site_for_cookies (msg, site);
  soup_message_set_priority (msg, SOUP_MESSAGE_PRIORITY_HIGH);
  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  g_signal_connect (rec->source, "prepare-request", G_CALLBACK (check_template_policy), &n_checked);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);
  g_assert_cmpuint (n_checked, ==, 2);
}

/* An authentication challenge restarts the message inside libsoup, which
 * drops its body: the source gives the body again, so that the request
 * with the credentials carries it too. */
static gboolean
authenticate (SoupMessage *msg,
              SoupAuth    *auth,
              gboolean     retrying,
              guint       *n_challenges)
{
  (*n_challenges)++;
  if (!retrying)
    soup_auth_authenticate (auth, "user", "secret");
  return FALSE;
}

static void
connect_authenticate (SseEventSource *source,
                      SoupMessage    *msg,
                      guint          *n_challenges)
{
  g_signal_connect (msg, "authenticate", G_CALLBACK (authenticate), n_challenges);
}

static void
test_auth_body_resent (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "POST", "/private");
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"q\":1}", 7);
  g_autofree char *credentials = g_base64_encode ((const guchar *) "user:secret", 11);
  g_autofree char *authorization = g_strdup_printf ("Basic %s", credentials);
  TestResponse *r;
  guint n_challenges = 0, i;

  r = test_response_new_complete (SOUP_STATUS_UNAUTHORIZED, "text/plain", "who are you?");
  test_response_add_header (r, "WWW-Authenticate", "Basic realm=\"feeds\"");
  test_server_queue (server, "/private", r);
  test_server_queue_stream (server, "/private", "data: welcome\n\n");

  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  sse_event_source_set_request_body (rec->source, "application/json", body);
  g_signal_connect (rec->source, "prepare-request", G_CALLBACK (connect_authenticate),
                    &n_challenges);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "welcome");
  g_assert_cmpuint (n_challenges, ==, 1);
  g_assert_cmpuint (rec->errors->len, ==, 0);
  /* One attempt: the challenge was answered inside it. */
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  for (i = 0; i < 2; i++)
    {
      const TestRequest *request = test_server_get_request (server, i);

      g_assert_cmpstr (request->method, ==, "POST");
      g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                       "{\"q\":1}", 7);
      g_assert_cmpstr (test_request_get_header (request, "Authorization"), ==,
                       i == 0 ? NULL : authorization);
    }
}

static void
test_template_body_sent (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(SoupMessage) msg = message_new (server, "POST", "/");
  g_autoptr(GBytes) body = g_bytes_new_static ("kept", 4);
  const TestRequest *request;

  test_server_queue_stream (server, "/", "data: x\n\n");

  /* A body set on the template cannot be read back: the template message
   * itself is sent, body and all, and no warning is needed. */
  soup_message_set_request_body_from_bytes (msg, "text/plain", body);
  rec = recorder_new_for_source (sse_event_source_new_for_message (msg));
  g_assert_cmpstr (sse_event_source_get_request_content_type (rec->source), ==, "text/plain");
  expected_warning = "*";
  expected_warning_hits = 0;
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);
  g_assert_cmpuint (expected_warning_hits, ==, 0);
  expected_warning = NULL;

  request = test_server_get_request (server, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                   "kept", 4);
  g_assert_cmpstr (test_request_get_header (request, "Content-Type"), ==, "text/plain");
  sse_event_source_close (rec->source);
}

/* Large events ------------------------------------------------------------ */

static void
test_large_event (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  TestResponse *r = test_server_queue_stream (server, "/", "data: ");
  gsize size = 5 * 1024 * 1024, chunk = 100 * 1000, off;
  g_autofree char *data = g_malloc (size);
  SseEvent *event;
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = 'a' + i % 26;

  for (off = 0; off < size; off += chunk)
    test_response_write_len (r, data + off, MIN (chunk, size - off));
  test_response_write (r, "\n\ndata: after\n\n");

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);

  event = g_ptr_array_index (rec->events, 0);
  g_assert_cmpuint (sse_event_get_data_length (event), ==, size);
  g_assert_true (memcmp (sse_event_get_data (event), data, size) == 0);
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "after");
}

static void
test_max_event_size (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  TestResponse *r = test_server_queue_stream (server, "/", NULL);
  g_autofree char *big = g_strnfill (1000, 'x');

  test_response_writef (r, "data: %s\n\n", big);
  test_response_write (r, "data: small\n\n");

  sse_event_source_set_max_event_size (rec->source, 100);
  g_assert_cmpuint (sse_event_source_get_max_event_size (rec->source), ==, 100);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1 && rec->errors->len == 1);

  /* The big event is dropped, with an error; the stream goes on. */
  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "small");
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
}

/* Timeouts ---------------------------------------------------------------- */

static void
test_read_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  /* One event, then silence. */
  test_server_queue_stream (server, "/", "data: then silence\n\n");

  sse_event_source_set_read_timeout (rec->source, 100);
  sse_event_source_open (rec->source);
  test_wait_until (rec->errors->len == 1);

  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "100 ms"));
  test_wait_until (test_server_get_n_requests (server) == 2);
}

static void
test_read_timeout_heartbeat (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  TestResponse *r = test_server_queue_stream (server, "/", NULL);

  /* Comments every 20 ms keep a stream with a 1 s timeout alive for far
   * longer than 1 s. */
  test_response_heartbeat (r, 20);

  sse_event_source_set_read_timeout (rec->source, 1000);
  sse_event_source_open (rec->source);
  test_wait_until (rec->comments->len >= 75);

  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);

  /* Turning it off while open applies at once. */
  sse_event_source_set_read_timeout (rec->source, 0);
}

static void
test_connect_timeout (void)
{
  g_autoptr(TestBlackHole) hole = test_black_hole_new ();
  g_autoptr(Recorder) rec = NULL;

  rec = recorder_new_for_source (sse_event_source_new (test_black_hole_get_url (hole)));
  sse_event_source_set_connect_timeout (rec->source, 100);
  sse_event_source_set_max_reconnect_attempts (rec->source, 1);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* Two attempts timed out, then the source gave up. */
  g_assert_cmpuint (rec->errors->len, ==, 3);
  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (test_recorder_error (rec, 1), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (test_recorder_error (rec, 2), SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpstr (rec->log->str, ==,
                   "connecting prepare error attempt=1 delay reconnecting "
                   "connecting prepare error error closed");
  g_assert_cmpuint (test_black_hole_get_n_accepted (hole), ==, 2);
}

static void
test_connect_refused (void)
{
  g_autoptr(Recorder) rec = NULL;
  g_autofree char *url = NULL;

  /* A port nobody listens on (the black hole's, once it is gone). */
  {
    g_autoptr(TestBlackHole) hole = test_black_hole_new ();

    url = g_strdup (test_black_hole_get_url (hole));
  }
  rec = recorder_new_for_source (sse_event_source_new (url));
  sse_event_source_set_max_reconnect_attempts (rec->source, 2);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 4);
  g_assert_true (test_recorder_error (rec, 0)->domain == G_IO_ERROR);
  g_assert_error (test_recorder_error (rec, 3), SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==, 2);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_OPEN), ==, 0);
}

/* Giving up --------------------------------------------------------------- */

static void
test_max_attempts (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_drop (test_server_queue_stream (server, "/", "data: x"));

  sse_event_source_set_max_reconnect_attempts (rec->source, 2);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (test_server_get_n_requests (server), ==, 3);
  g_assert_cmpuint (rec->errors->len, ==, 4);
  g_assert_error (test_recorder_error (rec, 3), SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 3)->message, "max-reconnect-attempts"));
  g_assert_cmpstr (rec->log->str, ==,
                   "connecting prepare open error attempt=1 delay reconnecting "
                   "connecting prepare open error attempt=2 reconnecting "
                   "connecting prepare open error error closed");

  /* open() starts again, counting from 1. */
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 6);
}

static void
test_max_attempts_zero (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_end (test_server_queue_stream (server, "/", NULL));

  sse_event_source_set_max_reconnect_attempts (rec->source, 0);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* The stream ended (no error for that), and no reconnection is allowed. */
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static void
test_tls_bad_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(TestServer) server = NULL;
  g_autoptr(Recorder) rec = NULL;

  if (test_skip_without_tls ())
    return;

  certificate = g_tls_certificate_new_from_pem (test_certificate_pem, -1, &error);
  g_assert_no_error (error);
  server = test_server_new_https (certificate);
  test_server_queue_stream (server, "/", "data: x\n\n");

  /* Nobody trusts the certificate: that does not get better by retrying. */
  rec = recorder_new (server, "/");
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==, 0);
}

/* https:// to a server that speaks plain HTTP: the message says so. First a
 * server that waits for the end of a request the TLS client hello never
 * brings, as a plain HTTP server does. */
static void
test_tls_to_plain_silent (void)
{
  g_autoptr(TestBlackHole) hole = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autofree char *url = NULL;
  const GError *error;

  if (test_skip_without_tls ())
    return;

  hole = test_black_hole_new ();
  url = g_strdup_printf ("https%s", test_black_hole_get_url (hole) + strlen ("http"));
  rec = recorder_new_for_source (sse_event_source_new (url));
  sse_event_source_set_connect_timeout (rec->source, 300);
  sse_event_source_set_max_reconnect_attempts (rec->source, 0);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  error = test_recorder_error (rec, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "did not answer the TLS handshake within 300 ms"));
  g_assert_nonnull (strstr (error->message, "use an http:// URL"));
}

static gboolean
answer_in_plain_http (GSocketService     *service,
                      GSocketConnection  *connection,
                      GObject            *source_object,
                      gpointer            user_data)
{
  static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* Then a server that answers the client hello with an HTTP error. */
static void
test_tls_to_plain_answering (void)
{
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autofree char *url = NULL;
  const GError *error;

  if (test_skip_without_tls ())
    return;

  service = g_socket_service_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &local_error);
  g_assert_no_error (local_error);
  g_signal_connect (service, "incoming", G_CALLBACK (answer_in_plain_http), NULL);
  g_socket_service_start (service);

  url = g_strdup_printf ("https://127.0.0.1:%u/",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  rec = recorder_new_for_source (sse_event_source_new (url));
  sse_event_source_set_max_reconnect_attempts (rec->source, 0);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  error = test_recorder_error (rec, 0);
  g_assert_true (error->domain == G_TLS_ERROR);
  g_assert_nonnull (strstr (error->message, "did not answer in TLS"));
  g_assert_nonnull (strstr (error->message, "use an http:// URL"));
  g_socket_service_stop (service);
}

/* Closing ----------------------------------------------------------------- */

static void
test_close_from_handler (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  TestResponse *r;

  /* Three events in one read; the handler closes at the first. */
  r = test_server_queue_stream (server, "/", "data: 1\n\ndata: 2\n\ndata: 3\n\n");
  test_response_heartbeat (r, 10);

  rec->close_after_events = 1;
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event closed");

  /* The connection is gone: the server notices at its next heartbeat. */
  test_wait_until (test_server_get_n_open (server) == 0);
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpuint (rec->comments->len, ==, 0);
}

static void
close_on_error (SseEventSource *source,
                const GError   *error,
                gpointer        user_data)
{
  sse_event_source_close (source);
}

static void
test_close_from_error_handler (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_drop (test_server_queue_stream (server, "/", "data: 1\n\n"));

  g_signal_connect (rec->source, "error", G_CALLBACK (close_on_error), NULL);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event error closed");
  test_run_for (30);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static void
test_close_idempotent_reopen (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_server_queue_stream (server, "/", "id: 9\ndata: x\n\n");

  sse_event_source_close (rec->source);   /* closed already: nothing */
  g_assert_cmpuint (rec->statuses->len, ==, 0);

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);
  sse_event_source_close (rec->source);
  sse_event_source_close (rec->source);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_CLOSED), ==, 1);

  /* Open again: a new connection that resumes from the last ID. */
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "9");
  g_assert_cmpuint (rec->errors->len, ==, 0);
}

static void
test_close_while_connecting (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");

  test_response_hang (test_server_queue_stream (server, "/", NULL));

  sse_event_source_open (rec->source);
  test_wait_until (test_server_get_n_requests (server) == 1);
  sse_event_source_close (rec->source);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare closed");
  test_run_for (30);
  g_assert_cmpuint (rec->errors->len, ==, 0);
}

/* Lifetime ---------------------------------------------------------------- */

/* A source for @path on @server, in *@source, which is also its weak
 * pointer: NULL once the source is finalized. */
static void
weak_source_new (TestServer      *server,
                 const char      *path,
                 SseEventSource **source)
{
  g_autofree char *url = test_server_get_url_for (server, path);

  *source = sse_event_source_new (url);
  g_object_add_weak_pointer (G_OBJECT (*source), (gpointer *) source);
}

static void
test_unref_while_open (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  TestResponse *r = test_server_queue_stream (server, "/", "data: 1\n\n");
  SseEventSource *source;
  guint events = 0;

  test_response_heartbeat (r, 10);

  weak_source_new (server, "/", &source);
  g_signal_connect (source, "event", G_CALLBACK (count_event), &events);
  sse_event_source_open (source);
  test_wait_until (events == 1);

  /* Nothing under way keeps the source alive. */
  g_object_unref (source);
  g_assert_null (source);

  /* Its connection is closed, and nothing calls back into it. */
  test_wait_until (test_server_get_n_open (server) == 0);
  test_run_for (30);
  g_assert_cmpuint (events, ==, 1);
}

static void
test_unref_while_connecting (void)
{
  g_autoptr(TestBlackHole) hole = test_black_hole_new ();
  SseEventSource *source = sse_event_source_new (test_black_hole_get_url (hole));

  g_object_add_weak_pointer (G_OBJECT (source), (gpointer *) &source);
  sse_event_source_set_connect_timeout (source, 50);
  sse_event_source_open (source);
  test_wait_until (test_black_hole_get_n_accepted (hole) == 1);
  g_object_unref (source);
  g_assert_null (source);
  test_run_for (80);   /* past the connect timeout: no timer fires */
}

static void
test_unref_while_reconnecting (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  SseEventSource *source;

  test_response_end (test_server_queue_stream (server, "/", NULL));

  weak_source_new (server, "/", &source);
  sse_event_source_set_reconnection_time (source, 20);
  sse_event_source_open (source);
  test_wait_until (sse_event_source_get_status (source) == SSE_STATUS_RECONNECTING);
  g_object_unref (source);
  g_assert_null (source);
  test_run_for (60);   /* past the delay: no timer fires */
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static void
unref_in_handler (SseEventSource *source,
                  SseEvent       *event,
                  guint          *counter)
{
  /* The first event drops the last reference: no other follows, not even
   * the one that came in the same read. */
  (*counter)++;
  if (*counter == 1)
    g_object_unref (source);
}

static void
test_unref_from_handler (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  TestResponse *r = test_server_queue_stream (server, "/", "data: 1\n\ndata: 2\n\n");
  SseEventSource *source;
  guint events = 0;

  test_response_heartbeat (r, 10);

  weak_source_new (server, "/", &source);
  g_signal_connect (source, "event", G_CALLBACK (unref_in_handler), &events);
  sse_event_source_open (source);
  test_wait_until (source == NULL);
  test_wait_until (test_server_get_n_open (server) == 0);
  g_assert_cmpuint (events, ==, 1);
}

/* The application may drop its last reference from any handler, of any
 * signal or notification the source emits, or from its backoff function:
 * the source is finalized there, and nothing of it is touched afterwards
 * (valgrind and AddressSanitizer watch this test). */

typedef enum {
  DROP_IN_STREAM,     /* a stream that opens and stays open */
  DROP_IN_REFUSAL,    /* 500, not retried */
  DROP_IN_END,        /* a stream that ends: the source reconnects */
} DropScenario;

typedef struct {
  const char   *path;
  const char   *signal;      /* NULL: the backoff function */
  int           status;      /* for notify::status, the one to drop at */
  DropScenario  scenario;
} DropCase;

static const DropCase drop_cases[] = {
  { "status-connecting", "notify::status", SSE_STATUS_CONNECTING, DROP_IN_STREAM },
  { "prepare-request", "prepare-request", -1, DROP_IN_STREAM },
  { "status-open", "notify::status", SSE_STATUS_OPEN, DROP_IN_STREAM },
  { "comment", "comment", -1, DROP_IN_STREAM },
  { "reconnection-time", "notify::reconnection-time", -1, DROP_IN_STREAM },
  { "last-event-id", "notify::last-event-id", -1, DROP_IN_STREAM },
  { "event", "event", -1, DROP_IN_STREAM },
  { "error", "error", -1, DROP_IN_REFUSAL },
  { "status-closed", "notify::status", SSE_STATUS_CLOSED, DROP_IN_REFUSAL },
  { "reconnect-attempt", "notify::reconnect-attempt", -1, DROP_IN_END },
  { "reconnect-delay", "notify::reconnect-delay", -1, DROP_IN_END },
  { "status-reconnecting", "notify::status", SSE_STATUS_RECONNECTING, DROP_IN_END },
  { "backoff", NULL, -1, DROP_IN_END },
};

typedef struct {
  int      status;
  guint    drops;
} Drop;

static void
drop_last_reference (GObject  *object,
                     gpointer  arg,
                     Drop     *drop)
{
  if (drop->status >= 0 &&
      (int) sse_event_source_get_status (SSE_EVENT_SOURCE (object)) != drop->status)
    return;

  drop->drops++;
  g_object_unref (object);
}

static guint
drop_in_backoff (SseEventSource *source,
                 guint           attempt,
                 guint           reconnection_time,
                 gpointer        user_data)
{
  Drop *drop = user_data;

  drop->drops++;
  g_object_unref (source);
  return 1;
}

static void
test_unref_from_any_emission (gconstpointer data)
{
  const DropCase *c = data;
  g_autoptr(TestServer) server = test_server_new ();
  SseEventSource *source;
  Drop drop = { c->status, 0 };

  switch (c->scenario)
    {
    case DROP_IN_STREAM:
      test_response_heartbeat (test_server_queue_stream (server, "/",
                                                         ": hi\nretry: 10\nid: 5\ndata: x\n\n"
                                                         "data: y\n\n"),
                               10);
      break;
    case DROP_IN_REFUSAL:
      test_server_queue (server, "/", test_response_new_complete (500, "text/plain", "no"));
      break;
    case DROP_IN_END:
      test_response_end (test_server_queue_stream (server, "/", "data: x\n\n"));
      break;
    }

  weak_source_new (server, "/", &source);
  if (c->signal != NULL)
    {
      g_signal_connect (source, c->signal, G_CALLBACK (drop_last_reference), &drop);
      sse_event_source_set_backoff_func (source, test_fast_backoff, NULL, NULL);
    }
  else
    sse_event_source_set_backoff_func (source, drop_in_backoff, &drop, NULL);

  sse_event_source_open (source);
  test_wait_until (source == NULL);
  test_wait_until (test_server_get_n_open (server) == 0);

  /* Once, and the source went no further: no second request. */
  g_assert_cmpuint (drop.drops, ==, 1);
  g_assert_cmpuint (test_server_get_n_requests (server), ==,
                    c->path[0] == 's' && c->status == SSE_STATUS_CONNECTING ? 0 :
                    g_str_equal (c->path, "prepare-request") ? 0 : 1);
}

typedef struct {
  TestServer   *server;
  GString      *seen;
  guint         nested_iterations;
} NestedLoop;

static void
run_nested_loop (SseEventSource *source,
                 SseEvent       *event,
                 NestedLoop     *nested)
{
  g_string_append_printf (nested->seen, "%s;", sse_event_get_data (event));

  if (g_str_equal (sse_event_get_data (event), "1"))
    {
      /* A modal dialog's loop, say, while the next events arrive. */
      TestDeadline *deadline = test_deadline_new (200);

      test_server_release (nested->server);
      while (!test_deadline_expired (deadline))
        {
          g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
          nested->nested_iterations++;
        }
      test_deadline_free (deadline);

      /* Nothing is delivered from within a handler... */
      g_assert_cmpstr (nested->seen->str, ==, "1;");
    }
}

static void
test_nested_main_loop (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SseEventSource) source = NULL;
  NestedLoop nested = { 0 };

  TestResponse *response = test_server_queue_stream (server, "/", NULL);

  /* The first event comes once the stream is open and waited on. */
  test_response_wait_release (response);
  test_response_write (response, "data: 1\n\n");
  test_response_wait_release (response);
  test_response_write (response, "data: 2\n\ndata: 3\n\n");
  nested.server = server;
  nested.seen = g_string_new (NULL);

  source = sse_event_source_new (test_server_get_url (server));
  g_signal_connect (source, "event", G_CALLBACK (run_nested_loop), &nested);
  sse_event_source_open (source);
  test_wait_until (sse_event_source_get_status (source) == SSE_STATUS_OPEN);
  test_server_release (server);
  test_wait_until (g_str_equal (nested.seen->str, "1;2;3;"));

  /* ...and the readable socket did not keep waking the handler's loop up
   * (a few wakeups: the server writing, the deadline). */
  g_assert_cmpuint (nested.nested_iterations, <, 50);
  g_assert_cmpint (sse_event_source_get_status (source), ==, SSE_STATUS_OPEN);

  sse_event_source_close (source);
  g_string_free (nested.seen, TRUE);
}

/* Threads ----------------------------------------------------------------- */

typedef struct {
  char     *url;
  GThread  *thread;     /* as the worker sees itself */
  gboolean  wrong_thread;
  guint     n_events;
  gint      done;
} ThreadTest;

static void
thread_check (ThreadTest *test)
{
  if (g_thread_self () != test->thread)
    test->wrong_thread = TRUE;
}

static void
thread_on_event (SseEventSource *source,
                 SseEvent       *event,
                 ThreadTest     *test)
{
  thread_check (test);
  test->n_events++;
}

static void
thread_on_status (SseEventSource *source,
                  GParamSpec     *pspec,
                  ThreadTest     *test)
{
  thread_check (test);
}

static gpointer
thread_func (gpointer data)
{
  ThreadTest *test = data;
  GMainContext *context = g_main_context_new ();
  SseEventSource *source;

  test->thread = g_thread_self ();
  g_main_context_push_thread_default (context);

  source = sse_event_source_new (test->url);
  sse_event_source_set_backoff_func (source, test_fast_backoff, NULL, NULL);
  g_signal_connect (source, "event", G_CALLBACK (thread_on_event), test);
  g_signal_connect (source, "notify::status", G_CALLBACK (thread_on_status), test);
  sse_event_source_open (source);
  /* Two connections: the reconnection timer also runs here. */
  test_wait_until (test->n_events == 4);
  sse_event_source_close (source);
  g_object_unref (source);

  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_atomic_int_set (&test->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_thread_context (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  ThreadTest test = { NULL, };
  GThread *thread;

  test_response_drop (test_server_queue_stream (server, "/", "data: a\n\ndata: b\n\n"));

  /* The server runs in this thread's context, the source in the worker's. */
  test.url = test_server_get_url_for (server, "/");
  thread = g_thread_new ("event-source", thread_func, &test);
  test_wait_until (g_atomic_int_get (&test.done));
  g_thread_join (thread);
  g_assert_true (test.thread == thread);

  g_assert_false (test.wrong_thread);
  g_assert_cmpuint (test.n_events, ==, 4);
  g_free (test.url);
}

/* open() called while another context is the thread default: the source
 * still does its I/O and emits in the context it was made in. Without that,
 * libsoup would attach the request to the caller's context, and the events
 * would never come while the source's context runs. */
static void
on_event_check_context (SseEventSource *source,
                        SseEvent       *event,
                        GMainContext   *context)
{
  g_assert_true (g_main_context_get_thread_default () == context);
  g_assert_true (g_main_context_is_owner (context));
}

static void
test_open_from_other_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(TestServer) server = NULL;
  g_autoptr(Recorder) rec = NULL;
  g_autoptr(TestNetworkMonitor) monitor = NULL;

  /* The server and the source live in @context... */
  g_main_context_push_thread_default (context);
  server = test_server_new ();
  test_response_end (test_server_queue_stream (server, "/", "data: 1\n\n"));
  test_server_queue_stream (server, "/", "data: 2\n\n");
  rec = recorder_new (server, "/");
  g_signal_connect (rec->source, "event", G_CALLBACK (on_event_check_context), context);
  /* A monitor that stays quiet: GIO's own reports a change when it starts,
   * and the source's reconnection at once would hide a stuck attempt. */
  monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  _sse_event_source_set_network_monitor (rec->source, G_NETWORK_MONITOR (monitor));
  g_main_context_pop_thread_default (context);

  /* ...but open() is called from the default one. */
  g_assert_null (g_main_context_get_thread_default ());
  sse_event_source_open (rec->source);

  g_main_context_push_thread_default (context);
  test_wait_until (rec->events->len == 2);   /* a reconnection on the way */
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "2");
  /* Two attempts, each answered: none was stuck and replaced. */
  g_assert_cmpuint (rec->prepare_times->len, ==, 2);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  sse_event_source_close (rec->source);
  g_clear_pointer (&rec, recorder_free);
  g_clear_pointer (&server, test_server_free);
  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);
}

/* Network awareness ------------------------------------------------------- */

static void
test_network_back_reconnects_at_once (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  g_autoptr(TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);

  test_response_drop (test_server_queue_stream (server, "/", "data: 1\n\n"));
  test_server_queue_stream (server, "/", "data: 2\n\n");

  _sse_event_source_set_network_monitor (rec->source, G_NETWORK_MONITOR (monitor));
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_set_reconnection_time (rec->source, 3600 * 1000);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  /* The network goes, the connection with it; the wait is an hour. */
  monitor->available = FALSE;
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_RECONNECTING);
  test_network_monitor_set_available (monitor, FALSE);
  test_run_for (20);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_RECONNECTING);

  /* It comes back: the source reconnects without waiting the hour. */
  test_network_monitor_set_available (monitor, TRUE);
  test_wait_until (rec->events->len == 2);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
}

static void
test_network_down_attempts_not_counted (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = recorder_new (server, "/");
  g_autoptr(TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);

  test_response_drop (test_server_queue_stream (server, "/", NULL));

  _sse_event_source_set_network_monitor (rec->source, G_NETWORK_MONITOR (monitor));
  sse_event_source_set_max_reconnect_attempts (rec->source, 1);

  /* While the monitor says the network is down, failures are not counted. */
  monitor->available = FALSE;
  sse_event_source_open (rec->source);
  test_wait_until (test_server_get_n_requests (server) >= 5);
  g_assert_cmpint (test_recorder_status (rec), !=, SSE_STATUS_CLOSED);
  g_assert_cmpuint (sse_event_source_get_reconnect_attempt (rec->source), >=, 4);

  /* Once it is up, they are, and the source gives up after one. */
  monitor->available = TRUE;
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_error (test_recorder_error (rec, rec->errors->len - 1), SSE_ERROR,
                  SSE_ERROR_TOO_MANY_ATTEMPTS);
}

/* The replay test --------------------------------------------------------- */

#define REPLAY_EVENTS 1000

static void
replay_handler (TestServer        *server,
                const TestRequest *request,
                TestResponse      *response,
                gpointer           user_data)
{
  const char *last = test_request_get_header (request, "Last-Event-ID");
  guint next = last != NULL ? (guint) atoi (last) + 1 : 1;
  guint count = 1 + request->index % 7, i;

  if (next > REPLAY_EVENTS)
    {
      /* All sent: tell the client to stop. */
      test_response_set_status (response, SOUP_STATUS_NO_CONTENT);
      test_response_set_content_type (response, NULL);
      test_response_end (response);
      return;
    }

  for (i = next; i < next + count && i <= REPLAY_EVENTS; i++)
    {
      g_autofree char *event = g_strdup_printf ("id: %u\ndata: event %u\n\n", i, i);
      gsize len = strlen (event), cut = 1 + (request->index + i) % (len - 1);

      /* Each event in two pieces, cut anywhere. */
      test_response_write_len (response, event, cut);
      test_response_write_len (response, event + cut, len - cut);
      if (i % 5 == 0)
        test_response_wait (response, 1);
    }

  /* Then the connection goes away, in one of three ways. */
  switch (request->index % 3)
    {
    case 0:
      test_response_writef (response, "id: %u\ndata: partial, never to be seen", i);
      test_response_drop (response);
      break;
    case 1:
      test_response_end (response);
      break;
    default:
      test_response_drop (response);
      break;
    }
}

static void
test_replay (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = NULL;
  guint i;

  test_server_set_handler (server, "/replay", replay_handler, NULL, NULL);
  rec = recorder_new (server, "/replay");
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* Every event exactly once, in order, and then the 204. */
  g_assert_cmpuint (rec->events->len, ==, REPLAY_EVENTS);
  for (i = 0; i < REPLAY_EVENTS; i++)
    {
      SseEvent *event = g_ptr_array_index (rec->events, i);
      g_autofree char *data = g_strdup_printf ("event %u", i + 1);
      g_autofree char *id = g_strdup_printf ("%u", i + 1);

      g_assert_cmpstr (sse_event_get_data (event), ==, data);
      g_assert_cmpstr (sse_event_get_id (event), ==, id);
    }
  g_assert_error (test_recorder_error (rec, rec->errors->len - 1), SSE_ERROR,
                  SSE_ERROR_HTTP_STATUS);
  g_assert_cmpuint (test_server_get_n_requests (server), >, REPLAY_EVENTS / 7);
}

int
main (int   argc,
      char *argv[])
{
  /* The tests must not depend on the network of the machine that runs them:
   * the "base" monitor always says the network is up. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  /* The suite runs these tests a second time with --async-reads, through
   * the other way of reading a response. */
  if (argc > 1 && g_strcmp0 (argv[argc - 1], "--async-reads") == 0)
    {
      _sse_stream_reader_set_async_reads (TRUE);
      argv[--argc] = NULL;
    }

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (test_log_writer, NULL, NULL);

  g_test_add_func ("/event-source/defaults", test_defaults);
  g_test_add_func ("/event-source/session/given", test_given_session);
  g_test_add_func ("/event-source/properties", test_properties);
  g_test_add_func ("/event-source/last-event-id/refuses-newlines",
                   test_last_event_id_refuses_newlines);
  g_test_add_func ("/event-source/open/invalid-url", test_invalid_url);
  g_test_add_func ("/event-source/open/invalid-urls", test_invalid_urls);
  g_test_add_func ("/event-source/open/events", test_open_events);
  g_test_add_func ("/event-source/open/content-type-parameters",
                   test_open_content_type_parameters);
  g_test_add_func ("/event-source/open/resume-last-event-id", test_resume_last_event_id);
  g_test_add_func ("/event-source/parse/split-reads", test_split_reads);
  g_test_add_func ("/event-source/parse/nested-main-loop", test_nested_main_loop);
  g_test_add_func ("/event-source/reconnect/after-drop", test_reconnect_after_drop);
  g_test_add_func ("/event-source/reconnect/after-end", test_reconnect_after_end);
  g_test_add_func ("/event-source/reconnect/id-only-block", test_reconnect_id_only_block);
  g_test_add_func ("/event-source/reconnect/retry-field", test_retry_field);
  g_test_add_func ("/event-source/reconnect/backoff-func", test_backoff_func);
  g_test_add_func ("/event-source/reconnect/backoff-func-destroy", test_backoff_func_destroy);
  g_test_add_func ("/event-source/reconnect/healthy-reset", test_healthy_reset);
  g_test_add_func ("/event-source/reconnect/open-skips-wait", test_reopen_skips_wait);
  g_test_add_func ("/event-source/http/204", test_http_204);
  g_test_add_func ("/event-source/http/404", test_http_404);
  g_test_add_func ("/event-source/http/500", test_http_500);
  g_test_add_func ("/event-source/http/server-errors-retried", test_http_server_errors_retried);
  g_test_add_func ("/event-source/http/retry-after", test_http_retry_after);
  g_test_add_func ("/event-source/content-type/wrong", test_content_type_wrong);
  g_test_add_func ("/event-source/content-type/missing", test_content_type_missing);
  g_test_add_func ("/event-source/content-type/lookalike", test_content_type_lookalike);
  g_test_add_data_func ("/event-source/redirect/301", GUINT_TO_POINTER (301), test_redirect);
  g_test_add_data_func ("/event-source/redirect/302", GUINT_TO_POINTER (302), test_redirect);
  g_test_add_data_func ("/event-source/redirect/303", GUINT_TO_POINTER (303), test_redirect);
  g_test_add_data_func ("/event-source/redirect/307", GUINT_TO_POINTER (307), test_redirect);
  g_test_add_data_func ("/event-source/redirect/308", GUINT_TO_POINTER (308), test_redirect);
  g_test_add_func ("/event-source/redirect/cross-origin", test_redirect_cross_origin);
  g_test_add_func ("/event-source/redirect/post", test_redirect_post);
  g_test_add_func ("/event-source/redirect/loop", test_redirect_loop);
  g_test_add_func ("/event-source/redirect/no-location", test_redirect_without_location);
  g_test_add_func ("/event-source/redirect/not-followed", test_redirect_not_followed);
  g_test_add_func ("/event-source/request/prepare-request", test_prepare_request);
  g_test_add_func ("/event-source/request/post-body-resent", test_post_body_resent);
  g_test_add_func ("/event-source/request/template-body-warning", test_template_body_sent);
  g_test_add_func ("/event-source/request/template-policy", test_template_policy);
  g_test_add_func ("/event-source/request/auth-body-resent", test_auth_body_resent);
  g_test_add_func ("/event-source/size/5-mib-event", test_large_event);
  g_test_add_func ("/event-source/size/max-event-size", test_max_event_size);
  g_test_add_func ("/event-source/timeout/read", test_read_timeout);
  g_test_add_func ("/event-source/timeout/read-heartbeat", test_read_timeout_heartbeat);
  g_test_add_func ("/event-source/timeout/connect", test_connect_timeout);
  g_test_add_func ("/event-source/fail/connection-refused", test_connect_refused);
  g_test_add_func ("/event-source/fail/max-attempts", test_max_attempts);
  g_test_add_func ("/event-source/fail/max-attempts-zero", test_max_attempts_zero);
  g_test_add_func ("/event-source/fail/tls-bad-certificate", test_tls_bad_certificate);
  g_test_add_func ("/event-source/fail/tls-to-plain-http/silent", test_tls_to_plain_silent);
  g_test_add_func ("/event-source/fail/tls-to-plain-http/answering", test_tls_to_plain_answering);
  g_test_add_func ("/event-source/close/from-event-handler", test_close_from_handler);
  g_test_add_func ("/event-source/close/from-error-handler", test_close_from_error_handler);
  g_test_add_func ("/event-source/close/idempotent-and-reopen", test_close_idempotent_reopen);
  g_test_add_func ("/event-source/close/while-connecting", test_close_while_connecting);
  g_test_add_func ("/event-source/lifetime/unref-while-open", test_unref_while_open);
  g_test_add_func ("/event-source/lifetime/unref-while-connecting", test_unref_while_connecting);
  g_test_add_func ("/event-source/lifetime/unref-while-reconnecting",
                   test_unref_while_reconnecting);
  g_test_add_func ("/event-source/lifetime/unref-from-handler", test_unref_from_handler);
  for (gsize i = 0; i < G_N_ELEMENTS (drop_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/event-source/lifetime/unref-from/",
                                           drop_cases[i].path, NULL);

      g_test_add_data_func (path, &drop_cases[i], test_unref_from_any_emission);
    }
  g_test_add_func ("/event-source/thread/own-context", test_thread_context);
  g_test_add_func ("/event-source/thread/open-from-other-context", test_open_from_other_context);
  g_test_add_func ("/event-source/network/back-reconnects-at-once",
                   test_network_back_reconnects_at_once);
  g_test_add_func ("/event-source/network/down-attempts-not-counted",
                   test_network_down_attempts_not_counted);
  g_test_add_func ("/event-source/replay/1000-events", test_replay);

  return g_test_run ();
}
