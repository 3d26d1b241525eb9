/* test-faults.c: fault injection, soak and security
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Servers that misbehave on purpose (test-utils.h): connections cut at
 * every byte of an event, half-open connections, slow-loris servers, huge
 * events, hostile bytes, bursts of server errors, redirect loops, restarts;
 * clients that misbehave towards SseServerStream and SseBroadcaster; a soak
 * of thousands of reconnections with RSS and file descriptors measured; and
 * the security properties: no header injection through Last-Event-ID, and
 * TLS certificate validation. What each test asserts is said above it;
 * docs/reliability.md sums it up.
 *
 * No sleeps: the main loop runs until a condition holds (test_wait_until),
 * and fails the test when it does not in time.
 *
 * Under valgrind (and the ASan build), the soak and the big transfers are
 * scaled down, and RSS is not compared (those tools hold freed memory on
 * purpose); file descriptors are still counted. SSE_TEST_SOAK_CYCLES sets
 * the number of soak cycles by hand.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
# endif
#endif
#ifndef RUNNING_ON_VALGRIND
# define RUNNING_ON_VALGRIND 0
#endif

#include <sse-glib/sse-glib.h>

#include "sse-event-source-private.h"
#include "sse-parser-private.h"
#include "test-utils.h"

#define KiB (1024)
#define MiB (1024 * 1024)

/* Whether valgrind or AddressSanitizer runs this: they are slow, and they
 * keep freed memory (so RSS says nothing). */
static gboolean
under_memory_tool (void)
{
  return test_under_asan () || RUNNING_ON_VALGRIND != 0;
}

static char *
cert_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "certs", name, NULL);
}

/* Backoff ----------------------------------------------------------------- */

/* The delay in milliseconds given as @user_data, whatever the attempt. */
static guint
constant_backoff (SseEventSource *source,
                  guint           attempt,
                  guint           reconnection_time,
                  gpointer        user_data)
{
  return GPOINTER_TO_UINT (user_data);
}

/* A server that replays from Last-Event-ID -------------------------------- */

/* Events 1..n; event i has the id "i". Request 0 is the faulty one: it
 * sends the events up to @torn (not included), then the first @offset
 * bytes of event @torn, then drops the connection (@drop) or falls silent
 * for ever, the socket kept open (a half-open connection as the client
 * sees it). Every later request gets the events after its Last-Event-ID
 * and stays open. */
typedef struct {
  const char *const *events;
  guint              n_events;
  guint              torn;      /* index in @events */
  gsize              offset;
  gboolean           drop;
} ReplayScript;

static void
replay_handler (TestServer        *server,
                const TestRequest *request,
                TestResponse      *response,
                gpointer           user_data)
{
  const ReplayScript *script = user_data;
  const char *last_event_id = test_request_get_header (request, "Last-Event-ID");
  guint i = last_event_id != NULL ? (guint) atoi (last_event_id) : 0;

  for (; i < script->n_events; i++)
    {
      if (request->index == 0 && i == script->torn)
        {
          if (script->offset > 0)
            test_response_write_len (response, script->events[i], script->offset);
          if (script->drop)
            test_response_drop (response);
          return;
        }
      test_response_write (response, script->events[i]);
    }
}

/* The event that gets torn: a comment, CRLF and CR line ends, several data
 * lines, a type, an id and a retry, so that the cut falls in every kind of
 * place. */
static const char *const replay_events[] = {
  "id: 1\ndata: first\n\n",
  ": note\r\nevent: tick\nid: 2\rretry: 1\ndata: line one\r\ndata: line two\n\n",
  "id: 3\ndata: third\n\n",
};

static void
check_replayed (TestRecorder *rec,
                TestServer *server,
                gsize       offset)
{
  gsize torn_len = strlen (replay_events[1]);
  SseEvent *event;

  g_assert_cmpuint (rec->events->len, ==, 3);
  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "first");
  event = test_recorder_event (rec, 1);
  g_assert_cmpstr (sse_event_get_event_type (event), ==, "tick");
  g_assert_cmpstr (sse_event_get_data (event), ==, "line one\nline two");
  g_assert_cmpstr (sse_event_get_id (event), ==, "2");
  g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "third");
  g_assert_cmpstr (sse_event_get_last_event_id (test_recorder_event (rec, 2)), ==, "3");

  /* The reconnection resumed after the last whole event. */
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  g_assert_null (test_request_get_header (test_server_get_request (server, 0), "Last-Event-ID"));
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, offset == torn_len ? "2" : "1");
}

/* The connection is cut after every byte of an event, from none of it to
 * all of it: the partial event is never delivered (nor its id taken), the
 * next connection sends the right Last-Event-ID, and every event arrives
 * exactly once, in order. */
static void
test_drop_every_byte (void)
{
  gsize torn_len = strlen (replay_events[1]);
  gsize offset;

  for (offset = 0; offset <= torn_len; offset++)
    {
      g_autoptr(TestServer) server = test_server_new ();
      g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
      ReplayScript script = { replay_events, G_N_ELEMENTS (replay_events), 1, offset, TRUE };

      test_server_set_handler (server, "/", replay_handler, &script, NULL);
      sse_event_source_open (rec->source);
      test_wait_until (rec->events->len >= 3);

      check_replayed (rec, server, offset);
      /* One broken connection, one error (the torn chunk makes it a
       * broken connection, not a clean end, to libsoup). */
      g_assert_cmpuint (rec->errors->len, ==, 1);
      g_assert_true (test_recorder_error (rec, 0)->domain == G_IO_ERROR);
      g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==, 1);
      g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
    }
}

/* The server stops sending in the middle of an event and keeps the socket
 * open: read-timeout takes the connection for dead, the partial event is
 * dropped, and the next connection resumes after the last whole event. */
static void
test_half_open_read_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
  ReplayScript script = { replay_events, G_N_ELEMENTS (replay_events), 1, 20, FALSE };
  guint read_timeout = 200;
  gint64 silent_for;

  test_server_set_handler (server, "/", replay_handler, &script, NULL);
  sse_event_source_set_read_timeout (rec->source, read_timeout);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len >= 3);

  check_replayed (rec, server, 20);
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "sent nothing for 200 ms"));

  /* Not before the server had been silent for the whole timeout. */
  silent_for = rec->error_at - g_array_index (rec->prepare_times, gint64, 0);
  g_assert_cmpint (silent_for, >=, (gint64) read_timeout * 1000);
}

/* A slow-loris server sends its events one byte per write (a main loop
 * timer apart), for longer in all than the read timeout: each byte counts
 * as activity, so the stream stays open, and the events come out whole,
 * once each. */
static void
test_slow_loris_body (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
  g_autoptr(GString) stream = g_string_new (NULL);
  TestResponse *r = test_server_queue_stream (server, "/", NULL);
  guint byte_interval = 4;
  guint read_timeout = 1000;
  guint n_padding = 0;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (replay_events); i++)
    g_string_append (stream, replay_events[i]);
  /* Well over the read timeout in all. */
  for (; stream->len * byte_interval < 3 * read_timeout / 2; n_padding++)
    g_string_append (stream, ": padding, one byte at a time\n");
  test_response_write_slowly (r, stream->str, stream->len, byte_interval);

  sse_event_source_set_read_timeout (rec->source, read_timeout);
  sse_event_source_open (rec->source);
  /* The torn event's comment, and the padding. */
  test_wait_until (rec->comments->len == 1 + n_padding);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "first");
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "line one\nline two");
  g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "third");
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
  /* It did take longer than the read timeout. */
  g_assert_cmpint (g_get_monotonic_time () - rec->opened_at, >, (gint64) read_timeout * 1000);
}

/* A slow-loris server that sends its response headers one byte every
 * 20 ms: connect-timeout bounds the whole wait for the headers, so the
 * attempt fails in time, and never opens. */
static void
test_slow_loris_headers (void)
{
  static const char answer[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "X-Padding: to take a while, one byte at a time\r\n"
    "\r\n"
    "data: never\n\n";
  g_autoptr(TestRawServer) server = test_raw_server_new ();
  g_autoptr(TestRecorder) rec = NULL;
  guint connect_timeout = 150;

  test_raw_server_queue (server, answer, strlen (answer), 20, TRUE);
  rec = test_recorder_new (sse_event_source_new (test_raw_server_get_url (server)));
  sse_event_source_set_connect_timeout (rec->source, connect_timeout);
  sse_event_source_set_max_reconnect_attempts (rec->source, 0);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 2);
  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message,
                            "did not answer within 150 ms"));
  g_assert_error (test_recorder_error (rec, 1), SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpint (rec->error_at - g_array_index (rec->prepare_times, gint64, 0), >=,
                   (gint64) connect_timeout * 1000);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_OPEN), ==, 0);
  g_assert_cmpuint (rec->events->len, ==, 0);
  g_assert_cmpuint (test_raw_server_get_n_requests (server), ==, 1);
}

/* A huge event ------------------------------------------------------------ */

typedef struct {
  SseParser *parser;
  gsize      max_held;
  gsize      max_rss;
} MemoryProbe;

static gboolean
probe_memory (gpointer user_data)
{
  MemoryProbe *probe = user_data;

  probe->max_held = MAX (probe->max_held, _sse_parser_get_memory_held (probe->parser));
  probe->max_rss = MAX (probe->max_rss, test_get_rss ());
  return G_SOURCE_CONTINUE;
}

/* A server sends one event of 100 MB (20 MB under valgrind): the default
 * max-event-size (16 MiB) rejects it with one SSE_ERROR_EVENT_TOO_LARGE,
 * the parser never holds much more than the limit, RSS stays bounded while
 * it streams by and comes back down after, and the events that follow
 * still arrive, on the same connection. */
static void
test_huge_event (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
  g_autoptr(GBytes) chunk = NULL;
  TestResponse *r = test_server_queue_stream (server, "/", "id: 1\ndata: before\n\n");
  gsize chunk_size = 64 * KiB;
  gsize total = (under_memory_tool () ? 20 : 100) * 1000 * 1000;
  guint64 limit = SSE_PARSER_DEFAULT_MAX_EVENT_SIZE;
  MemoryProbe probe = { NULL, 0, 0 };
  GSource *timer;
  gsize rss_before, rss_after, sent;
  char *data;

  data = g_malloc (chunk_size);
  memset (data, 'x', chunk_size);
  chunk = g_bytes_new_take (data, chunk_size);

  test_response_write (r, "data: ");
  for (sent = 0; sent < total; sent += chunk_size)
    test_response_write_bytes (r, chunk);
  test_response_write (r, "\n\nid: 2\ndata: after\n\n");

  g_assert_cmpuint (sse_event_source_get_max_event_size (rec->source), ==, limit);
  probe.parser = _sse_event_source_get_parser (rec->source);

  rss_before = test_get_rss ();
  probe.max_rss = rss_before;
  timer = g_timeout_source_new (5);
  g_source_set_callback (timer, probe_memory, &probe, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);
  probe_memory (&probe);
  g_source_destroy (timer);
  g_source_unref (timer);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "before");
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "after");
  g_assert_cmpstr (sse_event_get_id (test_recorder_event (rec, 1)), ==, "2");
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);

  /* The parser never held much more than the limit (the buffer of the
   * dropped event, and the small ones of the others), and let go of it
   * once the event was dropped. */
  g_test_message ("parser held at most %" G_GSIZE_FORMAT " bytes; now %" G_GSIZE_FORMAT,
                  probe.max_held, _sse_parser_get_memory_held (probe.parser));
  g_assert_cmpuint (probe.max_held, <=, limit + 64 * KiB);
  g_assert_cmpuint (_sse_parser_get_memory_held (probe.parser), <, 64 * KiB);

  rss_after = test_get_rss ();
  g_test_message ("RSS before %" G_GSIZE_FORMAT " KiB, peak %" G_GSIZE_FORMAT
                  " KiB, after %" G_GSIZE_FORMAT " KiB",
                  rss_before / KiB, probe.max_rss / KiB, rss_after / KiB);
  if (!under_memory_tool ())
    {
      /* A hundred megabytes went through; the process never held more than
       * the parser's bound and 8 MiB for libsoup's buffers and malloc, and
       * gave it back. */
      g_assert_cmpuint (probe.max_rss, <=, rss_before + limit + 8 * MiB);
      g_assert_cmpuint (rss_after, <=, rss_before + 4 * MiB);
    }
}

/* Hostile bytes: a BOM at the start (dropped) and in the middle (an
 * ordinary character), invalid and truncated UTF-8 (U+FFFD), NUL bytes in
 * data (kept) and in an id (the field is ignored), 10,000 comment lines
 * between two events, and multi-byte characters split across writes. */
static void
test_hostile_bytes (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
  g_autoptr(GString) comments = g_string_new (NULL);
  TestResponse *r = test_server_queue_stream (server, "/", NULL);
  SseEvent *event;
  guint i;

  test_response_write (r, "\xEF\xBB");
  test_response_wait (r, 1);
  test_response_write (r, "\xBF" "data: bad \xFF\xFE end\n\n");
  test_response_write (r, "data: cut \xE2\x82");
  test_response_wait (r, 1);
  test_response_write (r, "x\n\n");
  test_response_write (r, "\xEF\xBB\xBF" "data: hidden\n\n");
  test_response_write (r, "data: mid\xEF\xBB\xBF" "bom\n\n");
  test_response_write_len (r, "id: 5\ndata: nul\0inside\n\n", 24);
  test_response_write_len (r, "id: a\0b\ndata: id ignored\n\n", 26);
  test_response_write (r, "data: split \xF0\x9F");
  test_response_wait (r, 1);
  test_response_write (r, "\x98\x80\n\n");
  for (i = 0; i < 10000; i++)
    g_string_append (comments, ":ping\n");
  test_response_write (r, comments->str);
  test_response_write (r, "id: 7\ndata: after comments\n\n");

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 7);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
  g_assert_cmpstr (test_recorder_event_data (rec, 1), ==, "cut \xEF\xBF\xBDx");
  /* "\uFEFFdata: hidden" is an unknown field: no event. */
  g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "mid\xEF\xBB\xBF" "bom");

  event = test_recorder_event (rec, 3);
  g_assert_cmpmem (sse_event_get_data (event), sse_event_get_data_length (event),
                   "nul\0inside", 10);
  g_assert_cmpstr (sse_event_get_id (event), ==, "5");

  /* An id with a NUL is ignored: the last event ID stays. */
  event = test_recorder_event (rec, 4);
  g_assert_cmpstr (sse_event_get_data (event), ==, "id ignored");
  g_assert_null (sse_event_get_id (event));
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "5");

  g_assert_cmpstr (test_recorder_event_data (rec, 5), ==, "split \xF0\x9F\x98\x80");
  g_assert_cmpstr (test_recorder_event_data (rec, 6), ==, "after comments");
  g_assert_cmpuint (rec->comments->len, ==, 10000);

  /* All valid UTF-8 (g_utf8_validate() stops at a NUL: event 3 is checked
   * in two halves). */
  for (i = 0; i < rec->events->len; i++)
    {
      const char *data;
      gsize len;

      event = test_recorder_event (rec, i);
      data = sse_event_get_data (event);
      len = sse_event_get_data_length (event);
      g_assert_true (g_utf8_validate (data, -1, NULL));
      g_assert_true (g_utf8_validate (data + strlen (data) + (strlen (data) < len), -1, NULL));
    }
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpstr (sse_event_source_get_last_event_id (rec->source), ==, "7");
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

/* HTTP failures ------------------------------------------------------------ */

/* A burst of 500, 503, 429 (with Retry-After: 1) and 503, then the server
 * recovers. With retry-on-server-error, each is retried: the default
 * backoff grows (reconnection-time 20 ms: 20-30, 40-60, then 1 s for the
 * Retry-After, which is really waited, then 160-240 ms), one error per
 * failure, and the stream opens in the end. */
static void
test_server_error_burst (void)
{
  static const guint statuses[] = { 500, 503, 429, 503 };
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (server, "/");
  gint64 waited;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      TestResponse *r = test_response_new_complete (statuses[i], NULL, NULL);

      if (statuses[i] == 429)
        test_response_add_header (r, "Retry-After", "1");
      test_server_queue (server, "/", r);
    }
  test_server_queue_stream (server, "/", "id: 1\ndata: up\n\n");

  /* The default backoff. */
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_set_reconnection_time (rec->source, 20);
  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "up");
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
  g_assert_cmpuint (rec->errors->len, ==, G_N_ELEMENTS (statuses));
  for (i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *code = g_strdup_printf (" %u ", statuses[i]);

      g_assert_error (test_recorder_error (rec, i), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
      g_assert_nonnull (strstr (test_recorder_error (rec, i)->message, code));
    }

  g_assert_cmpuint (rec->delays->len, ==, 4);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 0), >=, 20);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 0), <=, 30);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 1), >=, 40);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 1), <=, 60);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 2), ==, 1000);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 3), >=, 160);
  g_assert_cmpuint (g_array_index (rec->delays, guint, 3), <=, 240);

  /* Each delay was waited out, Retry-After's second included. */
  g_assert_cmpuint (rec->prepare_times->len, ==, 5);
  for (i = 0; i < 4; i++)
    {
      waited = g_array_index (rec->prepare_times, gint64, i + 1) -
               g_array_index (rec->prepare_times, gint64, i);
      g_assert_cmpint (waited, >=, (gint64) g_array_index (rec->delays, guint, i) * 1000);
    }
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 5);
}

/* Two servers redirect to each other for ever: the source stops after 20
 * redirects with a clear error, closes, and does not start over. */
static void
test_redirect_loop_two_servers (void)
{
  g_autoptr(TestServer) a = test_server_new ();
  g_autoptr(TestServer) b = test_server_new ();
  g_autoptr(TestRecorder) rec = test_recorder_new_for_path (a, "/loop");
  g_autofree char *to_a = test_server_get_url_for (a, "/loop");
  g_autofree char *to_b = test_server_get_url_for (b, "/loop");
  guint requests;

  test_server_queue (a, "/loop", test_response_new_redirect (302, to_b));
  test_server_queue (b, "/loop", test_response_new_redirect (307, to_a));

  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), SOUP_SESSION_ERROR,
                  SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "redirect loop"));
  requests = test_server_get_n_requests (a) + test_server_get_n_requests (b);
  g_assert_cmpuint (requests, ==, 21);

  /* Closed for good: nothing more happens. */
  test_run_for (100);
  g_assert_cmpuint (test_server_get_n_requests (a) + test_server_get_n_requests (b), ==, requests);
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==, 0);
}

/* The server goes away (its connections with it) and comes back on the same
 * port: the source keeps trying through the refused connections, then
 * resumes from its Last-Event-ID, every event once. */
static void
test_server_restart (void)
{
  static const char *const events[] = {
    "id: 1\ndata: 1\n\n", "id: 2\ndata: 2\n\n", "id: 3\ndata: 3\n\n",
    "id: 4\ndata: 4\n\n", "id: 5\ndata: 5\n\n",
  };
  /* The first server has only sent two events when it goes away. */
  ReplayScript before = { events, 2, G_MAXUINT, 0, FALSE };
  ReplayScript after = { events, G_N_ELEMENTS (events), G_MAXUINT, 0, FALSE };
  TestServer *server = test_server_new ();
  g_autoptr(TestServer) again = NULL;
  g_autoptr(TestRecorder) rec = NULL;
  guint port = test_server_get_port (server);
  guint i;

  test_server_set_handler (server, "/", replay_handler, &before, NULL);
  rec = test_recorder_new_for_path (server, "/");
  sse_event_source_set_backoff_func (rec->source, constant_backoff, GUINT_TO_POINTER (10), NULL);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);

  /* Down: at least two attempts are refused. */
  test_server_free (server);
  test_wait_until (test_recorder_count_errors (rec, G_IO_ERROR,
                                               G_IO_ERROR_CONNECTION_REFUSED) >= 2);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_RECONNECTING);

  /* Up again, where it was. */
  again = test_server_new_on_port (port);
  test_server_set_handler (again, "/", replay_handler, &after, NULL);
  test_wait_until (rec->events->len == 5);

  for (i = 0; i < 5; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", i + 1);

      g_assert_cmpstr (test_recorder_event_data (rec, i), ==, expected);
    }
  g_assert_cmpstr (test_request_get_header (test_server_get_request (again, 0), "Last-Event-ID"),
                   ==, "2");
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_OPEN);
}

/* Soak --------------------------------------------------------------------- */

typedef struct {
  guint    next;       /* the data expected of the next event */
  gboolean in_order;
  guint    pause_at;   /* the server holds the connection that sends this id */
} Soak;

static void
on_soak_event (SseEventSource *source,
               SseEvent       *event,
               Soak           *soak)
{
  char expected[16];

  g_snprintf (expected, sizeof expected, "%u", soak->next);
  if (strcmp (sse_event_get_data (event), expected) != 0)
    soak->in_order = FALSE;
  soak->next++;
}

/* Each connection sends the event after the client's Last-Event-ID, then
 * ends the response properly (even ids: the connection is kept alive and
 * reused) or drops the connection in the middle of a chunk (odd ids): each
 * event is one reconnection, through both paths. At the checkpoint, the
 * connection stays until test_server_release(), then drops. */
static void
soak_handler (TestServer        *server,
              const TestRequest *request,
              TestResponse      *response,
              gpointer           user_data)
{
  Soak *soak = user_data;
  const char *last_event_id = test_request_get_header (request, "Last-Event-ID");
  guint next = (last_event_id != NULL ? (guint) atoi (last_event_id) : 0) + 1;

  test_response_writef (response, "id: %u\ndata: %u\n\n", next, next);
  if (next == soak->pause_at)
    test_response_wait_release (response);
  if (next % 2 == 0 && next != soak->pause_at)
    test_response_end (response);
  else
    test_response_drop (response);
}

static guint
soak_cycles (void)
{
  const char *env = g_getenv ("SSE_TEST_SOAK_CYCLES");

  if (env != NULL)
    return (guint) MAX (atoi (env), 200);
  if (under_memory_tool ())
    return 500;
  return 2000;
}

/* At a checkpoint: the event @id arrived and its connection is held open
 * by the server. Once every other connection is gone on both sides (the
 * one held is two descriptors), the process is in the same state at every
 * checkpoint, and what it holds can be compared. */
static void
soak_checkpoint (Soak       *soak,
                 TestServer *server,
                 guint       id,
                 guint      *fds,
                 gsize      *rss)
{
  test_wait_until (soak->next > id);
  test_poll_until (test_count_connection_fds () == 2);
  test_server_forget (server);
  *fds = test_count_open_fds ();
  *rss = test_get_rss ();
}

/* 2,000 reconnection cycles in one process (500 under valgrind or ASan): every event exactly once, in order; and between the
 * checkpoint after the first 100 cycles and the one at the end, the same
 * file descriptors (not one more) and RSS within a small slack (below). */
static void
test_soak (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SseEventSource) source = NULL;
  g_autofree char *url = test_server_get_url_for (server, "/");
  guint cycles = soak_cycles (), warm_up = 100;
  Soak soak = { 1, TRUE, warm_up };
  guint fds_warm, fds_end, target;
  gsize rss_warm, rss_end;
  gint64 start;
  double seconds;

  test_server_set_handler (server, "/", soak_handler, &soak, NULL);
  source = sse_event_source_new (url);
  sse_event_source_set_backoff_func (source, constant_backoff, GUINT_TO_POINTER (0), NULL);
  g_signal_connect (source, "event", G_CALLBACK (on_soak_event), &soak);

  /* Warm-up: the session, libsoup's and GLib's one-time allocations (the
   * network monitor, the worker thread), malloc's caches. */
  sse_event_source_open (source);
  soak_checkpoint (&soak, server, warm_up, &fds_warm, &rss_warm);

  start = g_get_monotonic_time ();
  soak.pause_at = cycles;
  test_server_release (server);
  for (target = warm_up + 100; target < cycles; target += 100)
    {
      test_wait_until (soak.next > target);
      /* The test server's records, not the client's memory. */
      test_server_forget (server);
    }
  soak_checkpoint (&soak, server, cycles, &fds_end, &rss_end);
  seconds = (g_get_monotonic_time () - start) / 1e6;

  g_test_message ("soak: %u cycles (%u measured) in %.1f s; fds %u after warm-up, %u at the "
                  "end; RSS %" G_GSIZE_FORMAT " KiB after warm-up, %" G_GSIZE_FORMAT
                  " KiB at the end", cycles, cycles - warm_up, seconds, fds_warm, fds_end,
                  rss_warm / KiB, rss_end / KiB);

  g_assert_true (soak.in_order);
  g_assert_cmpuint (soak.next, ==, cycles + 1);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, cycles);

  g_assert_cmpuint (fds_end, ==, fds_warm);

  /* The slack: libsoup 3.2.3's server (the test server, in this process)
   * leaks the GSocket of every connection it accepts (tests/valgrind.supp),
   * about 350 bytes with malloc's overhead, and every other cycle is a new
   * connection: 256 bytes a cycle; and 512 KiB for malloc's free lists. */
  if (!under_memory_tool ())
    g_assert_cmpuint (rss_end, <=, rss_warm + 512 * KiB + 256 * (cycles - warm_up));

  sse_event_source_close (source);
}

/* The server side ------------------------------------------------------------ */

/* A client disconnects (with a reset) while the server is in the middle of
 * writing a 4 MiB event to it, alongside a client that reads: the stream
 * of the first reports the lost client, the broadcaster drops it and goes
 * on, and the reading client gets the big event and the next one whole. */
static void
test_server_client_disconnects_mid_write (void)
{
  g_autoptr(TestStreamServer) server = test_stream_server_new ();
  g_autoptr(TestRawClient) quitter = NULL;
  g_autoptr(TestRecorder) reader = test_recorder_new (sse_event_source_new (server->url));
  g_autoptr(GError) closed_error = NULL;
  g_autofree char *big = NULL;
  SseServerStream *quitting;
  gsize big_len = 4 * MiB;

  server->broadcaster = sse_broadcaster_new ();
  server->max_queued = 16 * MiB;

  sse_event_source_open (reader->source);
  test_wait_until (sse_broadcaster_get_n_streams (server->broadcaster) == 1 &&
                   test_recorder_status (reader) == SSE_STATUS_OPEN);
  quitter = test_raw_client_new (server);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 2);
  quitting = test_stream_server_get_stream (server, 1);
  g_signal_connect (quitting, "closed", G_CALLBACK (test_record_closed_error), &closed_error);

  big = g_strnfill (big_len, 'z');
  sse_broadcaster_send (server->broadcaster, NULL, big, "1");

  /* The quitter reads a little of it, then goes. */
  test_poll_until (test_raw_client_read (quitter) >= 64 * KiB);
  g_assert_cmpuint (sse_server_stream_get_queued_bytes (quitting), >, 0);
  test_raw_client_abort (quitter);
  sse_broadcaster_send (server->broadcaster, NULL, "after", "2");

  test_wait_until (closed_error != NULL);
  g_assert_true (closed_error->domain == G_IO_ERROR);
  g_assert_true (sse_server_stream_is_closed (quitting));
  g_assert_false (sse_server_stream_send (quitting, NULL, "x", NULL));
  test_wait_until (sse_broadcaster_get_n_streams (server->broadcaster) == 1);

  test_wait_until (reader->events->len == 2);
  g_assert_cmpuint (sse_event_get_data_length (test_recorder_event (reader, 0)), ==, big_len);
  g_assert_cmpstr (test_recorder_event_data (reader, 1), ==, "after");
  g_assert_cmpuint (reader->errors->len, ==, 0);
}

/* One event bigger than max-queued-bytes, sent to a client that has read
 * everything so far, goes out: the limit is on what waits for a client
 * that falls behind, not on the size of one event. */
static void
test_server_event_larger_than_queue (void)
{
  g_autoptr(TestStreamServer) server = test_stream_server_new ();
  g_autoptr(TestRecorder) reader = test_recorder_new (sse_event_source_new (server->url));
  g_autofree char *big = NULL;
  SseServerStream *stream;
  gsize big_len = 3 * SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;

  sse_event_source_open (reader->source);
  test_wait_until (server->streams->len == 1 && test_recorder_status (reader) == SSE_STATUS_OPEN);
  stream = test_stream_server_get_stream (server, 0);
  test_wait_until (sse_server_stream_get_queued_bytes (stream) == 0);

  big = g_strnfill (big_len, 'b');
  g_assert_true (sse_server_stream_send (stream, NULL, big, "1"));
  test_wait_until (reader->events->len == 1);
  g_assert_cmpuint (sse_event_get_data_length (test_recorder_event (reader, 0)), ==, big_len);

  /* The client kept up: it stays connected, with no error. (Clients that
   * do not keep up are dropped: see /faults/server/never-reads.) */
  g_assert_false (sse_server_stream_is_closed (stream));
  g_assert_cmpuint (reader->errors->len, ==, 0);
}

/* Clients that join and leave while a broadcast runs -------------------- */

typedef struct {
  SseEventSource *source;
  guint           first;      /* id of the first event received */
  guint           last;       /* id of the last one */
  guint           received;
  gboolean        in_order;   /* no gap, no repeat */
  gboolean        left;
} Member;

typedef struct {
  Member         *members;
  guint           n_left;
  guint           n_errors;
  guint           stay_for;   /* events a member gets before it leaves */
} Crowd;

typedef struct {
  Crowd  *crowd;
  Member *member;
} MemberRef;

static void
on_member_event (SseEventSource *source,
                 SseEvent       *event,
                 MemberRef      *ref)
{
  Member *member = ref->member;
  guint id = (guint) atoi (sse_event_get_id (event));

  if (member->received == 0)
    member->first = id;
  else if (id != member->last + 1)
    member->in_order = FALSE;
  member->last = id;
  member->received++;

  /* Leaves from the event handler: nothing more may come. */
  if (member->received == ref->crowd->stay_for)
    {
      sse_event_source_close (source);
      member->left = TRUE;
      ref->crowd->n_left++;
    }
  else if (member->left)
    member->in_order = FALSE;
}

static void
on_member_error (SseEventSource *source,
                 const GError   *error,
                 MemberRef      *ref)
{
  g_test_message ("member error: %s", error->message);
  ref->crowd->n_errors++;
}

static void
on_stream_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  (*(guint *) data)++;
}

static void
on_stream_added (SseBroadcaster  *broadcaster,
                 SseServerStream *stream,
                 guint           *n_finalized)
{
  g_object_weak_ref (G_OBJECT (stream), on_stream_finalized, n_finalized);
}

static gboolean
broadcast_tick (gpointer user_data)
{
  SseBroadcaster *broadcaster = user_data;
  static guint next_id;
  char id[16];

  g_snprintf (id, sizeof id, "%u", ++next_id);
  sse_broadcaster_send (broadcaster, "tick", id, id);
  return G_SOURCE_CONTINUE;
}

/* Makes room for @wanted more file descriptors; returns how many there is
 * room for. */
static guint
raise_fd_limit (guint wanted)
{
  struct rlimit limit;
  guint open = test_count_open_fds ();

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_cur < open + wanted && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = MIN (limit.rlim_max, (rlim_t) (open + wanted));
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
    }
  return limit.rlim_cur > open ? (guint) (limit.rlim_cur - open) : 0;
}

/* 1,000 clients (100 under valgrind) join, in waves, while a broadcast
 * sends an event every 2 ms; each leaves (closing from its event handler)
 * after 3 events. Every client receives consecutive events, none repeated
 * or skipped, none after it left; the broadcaster sees every client come
 * and go, frees every stream, and the file descriptors are back where they
 * were. The clients share one SoupSession whose max-conns allows them all. */
static void
test_server_crowd (void)
{
  g_autoptr(TestStreamServer) server = test_stream_server_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree MemberRef *refs = NULL;
  Crowd crowd = { NULL, };
  guint n_members = RUNNING_ON_VALGRIND ? 100 : 1000;
  guint wave = 20, n_finalized = 0, n_removed = 0, room, i;
  GSource *ticker;

  /* Each member takes two descriptors (both ends), and waves overlap. */
  room = raise_fd_limit (4 * wave + 64);
  g_assert_cmpuint (room, >=, 4 * wave + 64);

  server->forget = TRUE;
  server->broadcaster = sse_broadcaster_new ();
  g_signal_connect (server->broadcaster, "stream-added", G_CALLBACK (on_stream_added),
                    &n_finalized);
  g_signal_connect_swapped (server->broadcaster, "stream-removed",
                            G_CALLBACK (g_atomic_int_inc), &n_removed);
  session = soup_session_new_with_options ("timeout", 0,
                                           "max-conns", n_members + 10,
                                           "max-conns-per-host", n_members + 10,
                                           NULL);
  crowd.stay_for = 3;
  crowd.members = g_new0 (Member, n_members);
  refs = g_new0 (MemberRef, n_members);

  ticker = g_timeout_source_new (2);
  g_source_set_callback (ticker, broadcast_tick, server->broadcaster, NULL);
  g_source_attach (ticker, g_main_context_get_thread_default ());

  for (i = 0; i < n_members; i++)
    {
      Member *member = &crowd.members[i];

      member->in_order = TRUE;
      refs[i] = (MemberRef) { &crowd, member };
      member->source = g_object_new (SSE_TYPE_EVENT_SOURCE,
                                     "url", server->url, "session", session, NULL);
      sse_event_source_set_max_reconnect_attempts (member->source, 0);
      g_signal_connect (member->source, "event", G_CALLBACK (on_member_event), &refs[i]);
      g_signal_connect (member->source, "error", G_CALLBACK (on_member_error), &refs[i]);
      sse_event_source_open (member->source);

      /* A wave joins while the one before leaves. */
      if ((i + 1) % wave == 0)
        test_wait_until (crowd.n_left + wave >= i + 1);
    }
  test_wait_until (crowd.n_left == n_members);

  /* The broadcast finds out that the last ones left. */
  test_wait_until (sse_broadcaster_get_n_streams (server->broadcaster) == 0);
  g_source_destroy (ticker);
  g_source_unref (ticker);

  for (i = 0; i < n_members; i++)
    {
      Member *member = &crowd.members[i];

      g_assert_true (member->in_order);
      g_assert_cmpuint (member->received, ==, crowd.stay_for);
      g_assert_cmpuint (member->last - member->first + 1, ==, crowd.stay_for);
      g_assert_cmpint (sse_event_source_get_status (member->source), ==, SSE_STATUS_CLOSED);
      g_object_unref (member->source);
    }
  g_assert_cmpuint (crowd.n_errors, ==, 0);
  g_assert_cmpuint (server->n_made, ==, n_members);
  g_assert_cmpuint (n_removed, ==, n_members);
  g_assert_cmpuint (n_finalized, ==, n_members);

  /* Every connection is closed, on both sides. */
  soup_session_abort (session);
  test_poll_until (test_count_connection_fds () == 0);

  g_free (crowd.members);
}

/* A client that never reads: once the kernel's buffers are full, its
 * stream queues past max-queued-bytes (1 MiB by default) only by what is
 * sent to it, and once it took nothing for slow-client-timeout the client
 * is dropped with SSE_ERROR_CLIENT_TOO_SLOW and its connection closed. Ten
 * of them in a row leave the memory and the descriptors as they were after
 * the first. */
static void
test_server_never_reads (void)
{
  g_autoptr(TestStreamServer) server = test_stream_server_new ();
  g_autofree char *payload = NULL;
  gsize payload_len = 60 * KiB;
  guint64 limit = SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;
  gsize rss_first = 0, rss_last;
  guint fds_first = 0, fds_last;
  guint rounds = RUNNING_ON_VALGRIND ? 3 : 10, round;

  payload = g_strnfill (payload_len, 'q');

  for (round = 0; round < rounds; round++)
    {
      g_autoptr(GError) closed_error = NULL;
      TestRawClient *client = test_raw_client_new (server);
      SseServerStream *stream = test_stream_server_get_stream (server, round);
      guint sent = 0;

      g_assert_cmpuint (sse_server_stream_get_max_queued_bytes (stream), ==, limit);
      sse_server_stream_set_slow_client_timeout (stream, 50);
      g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);

      /* Distinct bytes per event (no sharing between events), with the
       * main loop run between sends so that the stream writes what the
       * kernel takes, until more than the limit waits in the process. */
      while (sse_server_stream_get_queued_bytes (stream) <= limit)
        {
          g_assert_true (sse_server_stream_send (stream, NULL, payload, NULL));
          g_assert_cmpuint (++sent, <, 10000);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      /* That is not too slow yet (a burst is not); not taking any of it
       * for slow-client-timeout is. */
      g_assert_false (sse_server_stream_is_closed (stream));
      g_assert_cmpuint (sse_server_stream_get_queued_bytes (stream), <=, limit + payload_len + 100);
      test_wait_until (closed_error != NULL);
      g_assert_error (closed_error, SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW);
      g_assert_true (sse_server_stream_is_closed (stream));
      g_test_message ("round %u: dropped after %u events", round, sent);

      /* The server let go of its end at once (the client's end is the one
       * descriptor left), and nothing is left once the client goes. */
      test_poll_until (test_count_connection_fds () == 1);
      test_raw_client_free (client);
      test_poll_until (test_count_connection_fds () == 0);

      /* The stream is done with; the test keeps nothing of it. */
      g_ptr_array_index (server->streams, round) = NULL;
      g_object_unref (stream);

      if (round == 0)
        {
          rss_first = test_get_rss ();
          fds_first = test_count_open_fds ();
        }
    }
  rss_last = test_get_rss ();
  fds_last = test_count_open_fds ();
  g_assert_cmpuint (fds_last, ==, fds_first);
  g_test_message ("RSS after the first slow client %" G_GSIZE_FORMAT " KiB, after the last %"
                  G_GSIZE_FORMAT " KiB", rss_first / KiB, rss_last / KiB);
  if (!under_memory_tool ())
    g_assert_cmpuint (rss_last, <=, rss_first + 1 * MiB);

  g_ptr_array_set_free_func (server->streams, NULL);
}

/* Readers among clients that never read -------------------------------- */

/* A raw client of a broadcast: reads everything (or, @reads FALSE,
 * nothing), and checks that the ids come in order. */
typedef struct {
  GSocket   *socket;
  GSource   *source;
  SseParser *parser;
  gsize      body_at;       /* bytes of the response head left to skip */
  GString   *head;
  guint      received;
  guint      last_id;
  gboolean   in_order;
  gboolean   missed;
} Subscriber;

static void
on_subscriber_event (SseParser  *parser,
                     SseEvent   *event,
                     Subscriber *sub)
{
  guint id = (guint) atoi (sse_event_get_id (event) ? sse_event_get_id (event) : "0");

  if (g_strcmp0 (sse_event_get_event_type (event), "message") != 0)
    {
      sub->missed = TRUE;
      return;
    }
  if (id != sub->last_id + 1)
    sub->in_order = FALSE;
  sub->last_id = id;
  sub->received++;
}

static gboolean
on_subscriber_readable (GSocket      *socket,
                        GIOCondition  condition,
                        gpointer      user_data)
{
  Subscriber *sub = user_data;
  char buffer[16 * 1024];
  gssize n;

  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      const char *body = buffer;

      if (sub->head != NULL)
        {
          const char *end;

          g_string_append_len (sub->head, buffer, n);
          end = strstr (sub->head->str, "\r\n\r\n");
          if (end == NULL)
            continue;
          g_assert_true (sse_parser_feed (sub->parser, (const guint8 *) end + 4,
                                          sub->head->len - (end + 4 - sub->head->str), NULL));
          g_string_free (g_steal_pointer (&sub->head), TRUE);
          continue;
        }
      g_assert_true (sse_parser_feed (sub->parser, (const guint8 *) body, n, NULL));
    }
  return G_SOURCE_CONTINUE;
}

static void
subscriber_init (Subscriber       *sub,
                 TestStreamServer *server,
                 gboolean          reads)
{
  static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  g_autoptr(GError) error = NULL;

  sub->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              &error);
  g_assert_no_error (error);
  /* A client that does not read has a small window from the start. */
  if (!reads)
    g_socket_set_option (sub->socket, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_connect (sub->socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (sub->socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (sub->socket, FALSE);
  sub->in_order = TRUE;
  if (!reads)
    return;

  sub->head = g_string_new (NULL);
  sub->parser = sse_parser_new ();
  g_signal_connect (sub->parser, "event", G_CALLBACK (on_subscriber_event), sub);
  sub->source = g_socket_create_source (sub->socket, G_IO_IN, NULL);
  g_source_set_callback (sub->source, G_SOURCE_FUNC (on_subscriber_readable), sub, NULL);
  g_source_attach (sub->source, NULL);
}

static void
subscriber_clear (Subscriber *sub)
{
  if (sub->source != NULL)
    {
      g_source_destroy (sub->source);
      g_source_unref (sub->source);
    }
  g_clear_object (&sub->parser);
  if (sub->head != NULL)
    g_string_free (sub->head, TRUE);
  g_socket_close (sub->socket, NULL);
  g_object_unref (sub->socket);
}

typedef struct {
  GPtrArray      *streams;          /* SseServerStream, in the order they came */
  guint           n_too_slow;
  guint           n_other_removed;
  SseBroadcaster *broadcaster;
  guint           sent;
  guint           total;
  char           *data;
  guint64         max_queued_slow;  /* the most that waited for a non-reader */
  guint64         max_queued_read;  /* the most that waited for a reader */
  guint           n_slow;
} Mixed;

static void
on_mixed_added (SseBroadcaster  *broadcaster,
                SseServerStream *stream,
                Mixed           *mixed)
{
  sse_server_stream_set_slow_client_timeout (stream, 100);
  /* The kernel would take megabytes for a client that does not read
   * before anything waits in the process: a small send buffer makes that
   * a few kilobytes. */
  if (mixed->streams->len < mixed->n_slow)
    g_socket_set_option (soup_server_message_get_socket (sse_server_stream_get_message (stream)),
                         SOL_SOCKET, SO_SNDBUF, 4096, NULL);
  g_ptr_array_add (mixed->streams, g_object_ref (stream));
}

static void
on_mixed_removed (SseBroadcaster  *broadcaster,
                  SseServerStream *stream,
                  const GError    *error,
                  Mixed           *mixed)
{
  if (g_error_matches (error, SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW))
    mixed->n_too_slow++;
  else
    mixed->n_other_removed++;
}

static gboolean
mixed_send (gpointer user_data)
{
  Mixed *mixed = user_data;
  char id[16];
  guint i;

  for (i = 0; i < mixed->streams->len; i++)
    {
      guint64 queued = sse_server_stream_get_queued_bytes (g_ptr_array_index (mixed->streams, i));

      if (i < mixed->n_slow)
        mixed->max_queued_slow = MAX (mixed->max_queued_slow, queued);
      else
        mixed->max_queued_read = MAX (mixed->max_queued_read, queued);
    }
  if (mixed->sent == mixed->total)
    return G_SOURCE_REMOVE;

  g_snprintf (id, sizeof id, "%u", ++mixed->sent);
  sse_broadcaster_send (mixed->broadcaster, NULL, mixed->data, id);
  return G_SOURCE_CONTINUE;
}

static gboolean
readers_done (Subscriber *readers,
              guint       n,
              guint       total)
{
  guint i;

  for (i = 0; i < n; i++)
    if (readers[i].received < total)
      return FALSE;
  return TRUE;
}

/* 100 clients that never read among 1,000 that do (10 among 100 under
 * valgrind), one event of 1 KiB a millisecond: every reader gets every
 * event, in order, with nothing ever waiting for it beyond a few events;
 * every non-reader is disconnected as too slow, and what waited for it
 * never exceeded max-queued-bytes plus what was sent during its
 * slow-client-timeout. Nothing else is removed. */
static void
test_server_readers_among_non_readers (void)
{
  g_autoptr(TestStreamServer) server = test_stream_server_new ();
  guint n_slow = RUNNING_ON_VALGRIND ? 10 : 100;
  guint n_readers = RUNNING_ON_VALGRIND ? 100 : 1000;
  guint64 max_queued = 16 * KiB, grace_bytes;
  g_autofree Subscriber *subs = NULL;
  Mixed mixed = { NULL, };
  guint i;
  GSource *sender;

  g_assert_cmpuint (raise_fd_limit (2 * (n_slow + n_readers) + 64), >=,
                    2 * (n_slow + n_readers) + 64);

  server->broadcaster = sse_broadcaster_new ();
  server->forget = TRUE;
  server->heartbeat = 0;
  server->max_queued = max_queued;
  mixed.streams = g_ptr_array_new_with_free_func (g_object_unref);
  mixed.broadcaster = server->broadcaster;
  mixed.total = RUNNING_ON_VALGRIND ? 200 : 500;
  mixed.data = g_strnfill (1000, 'm');
  mixed.n_slow = n_slow;
  g_signal_connect (server->broadcaster, "stream-added", G_CALLBACK (on_mixed_added), &mixed);
  g_signal_connect (server->broadcaster, "stream-removed", G_CALLBACK (on_mixed_removed), &mixed);

  /* The non-readers first: their streams are the first ones. */
  subs = g_new0 (Subscriber, n_slow + n_readers);
  for (i = 0; i < n_slow + n_readers; i++)
    {
      subscriber_init (&subs[i], server, i >= n_slow);
      test_wait_until (mixed.streams->len == i + 1);
    }

  sender = g_timeout_source_new (1);
  g_source_set_callback (sender, mixed_send, &mixed, NULL);
  g_source_attach (sender, NULL);

  test_wait_until (readers_done (subs + n_slow, n_readers, mixed.total) &&
                   mixed.n_too_slow == n_slow);
  g_source_destroy (sender);
  g_source_unref (sender);

  for (i = n_slow; i < n_slow + n_readers; i++)
    {
      g_assert_true (subs[i].in_order);
      g_assert_false (subs[i].missed);
      g_assert_cmpuint (subs[i].received, ==, mixed.total);
    }
  g_assert_cmpuint (mixed.n_other_removed, ==, 0);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, n_readers);

  /* One event a millisecond for 100 ms: the grace of a non-reader, plus
   * the timer's slack. */
  grace_bytes = 200 * (strlen (mixed.data) + 20);
  g_test_message ("most bytes waiting: %" G_GUINT64_FORMAT " for a non-reader, %" G_GUINT64_FORMAT
                  " for a reader", mixed.max_queued_slow, mixed.max_queued_read);
  g_assert_cmpuint (mixed.max_queued_slow, <=, max_queued + grace_bytes);
  g_assert_cmpuint (mixed.max_queued_read, <, max_queued);

  for (i = 0; i < n_slow + n_readers; i++)
    subscriber_clear (&subs[i]);
  g_ptr_array_unref (mixed.streams);
  g_free (mixed.data);
}

/* Security ------------------------------------------------------------------- */

/* How many lines of @head start with "Last-Event-ID:" (any case), and the
 * value of the last one. */
static guint
count_last_event_id_lines (GBytes  *head,
                           char   **value)
{
  gsize len;
  const char *data = g_bytes_get_data (head, &len);
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) lines = NULL;
  guint i, n = 0;

  /* The head has no NUL in it: the raw bytes and the string are one. */
  g_assert_cmpuint (strlen (text), ==, len);
  lines = g_strsplit (text, "\r\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_assert_null (strchr (lines[i], '\r'));
      g_assert_null (strchr (lines[i], '\n'));
      if (g_ascii_strncasecmp (lines[i], "Last-Event-ID:", 14) == 0)
        {
          n++;
          g_free (*value);
          *value = g_strstrip (g_strdup (lines[i] + 14));
        }
    }
  return n;
}

/* No header can be injected through the last event ID, from any path: the
 * property refuses CR and LF (a NUL cannot be in a C string), and what a
 * server sends in "id:" fields cannot carry a CR or LF (they end the line)
 * nor a NUL (the field is ignored). The requests, as bytes on the wire, have
 * exactly one Last-Event-ID line, with the expected value, and nothing
 * else that the server tried to slip in. */
static void
test_last_event_id_injection (void)
{
  static const char answer[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Connection: close\r\n"
    "\r\n"
    "id: 1\rX-Injected: cr\n\n"
    "id: 2\0\r\nX-Injected: nul\r\n\r\n"
    "id: 3\0X-Injected: nul-then-text\n\n"
    "data: one\n\n";
  g_autoptr(TestRawServer) server = test_raw_server_new ();
  g_autoptr(TestRecorder) rec = NULL;
  guint i;

  test_raw_server_queue (server, answer, sizeof answer - 1, 0, TRUE);
  rec = test_recorder_new (sse_event_source_new (test_raw_server_get_url (server)));

  sse_event_source_set_last_event_id (rec->source, "start");
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  sse_event_source_set_last_event_id (rec->source, "x\r\nX-Injected: setter");
  g_test_assert_expected_messages ();
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  g_object_set (rec->source, "last-event-id", "y\nX-Injected: property", NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*strpbrk*");
  g_object_set (rec->source, "last-event-id", "z\rX-Injected: property-cr", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (sse_event_source_get_last_event_id (rec->source), ==, "start");

  sse_event_source_open (rec->source);
  test_wait_until (test_raw_server_get_n_requests (server) >= 3);
  sse_event_source_close (rec->source);

  for (i = 0; i < 3; i++)
    {
      GBytes *head = test_raw_server_get_request (server, i);
      g_autofree char *value = NULL;
      gsize len;
      const char *data = g_bytes_get_data (head, &len);

      g_assert_cmpuint (count_last_event_id_lines (head, &value), ==, 1);
      g_assert_cmpstr (value, ==, i == 0 ? "start" : "1");
      g_assert_null (g_strstr_len (data, len, "X-Injected"));
    }

  /* The event after the ignored ids carries the one id that counted. */
  g_assert_cmpuint (rec->events->len, >=, 1);
  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "one");
  g_assert_cmpstr (sse_event_get_last_event_id (test_recorder_event (rec, 0)), ==, "1");
}

/* TLS ------------------------------------------------------------------------ */

/* An HTTPS TestServer with tests/certs/@name.pem and @name-key.pem. */
static TestServer *
tls_server_new_empty (const char *name)
{
  g_autofree char *cert_name = g_strconcat (name, ".pem", NULL);
  g_autofree char *key_name = g_strconcat (name, "-key.pem", NULL);
  g_autofree char *cert_file = cert_path (cert_name);
  g_autofree char *key_file = cert_path (key_name);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  return test_server_new_https (certificate);
}

/* The same, sending one event. */
static TestServer *
tls_server_new (const char *name)
{
  TestServer *server = tls_server_new_empty (name);

  test_server_queue_stream (server, "/", "id: 1\ndata: secure\n\n");
  return server;
}

/* Trusts the certificates in tests/certs/@name for @source's session only,
 * as docs/limits.md tells applications to do. */
static void
trust (SseEventSource *source,
       const char     *name)
{
  g_autofree char *file = cert_path (name);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  database = g_tls_file_database_new (file, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (sse_event_source_get_session (source), database);
}

/* Opens a source for an HTTPS server with tests/certs/@name.pem (made in
 * *@server, with tls_server_new()), whose session trusts the certificates
 * in tests/certs/@trusted (unless NULL: the system's only); returns its
 * recorder. */
static TestRecorder *
tls_open (const char  *name,
          const char  *trusted,
          TestServer **server)
{
  TestRecorder *rec;

  *server = tls_server_new (name);
  rec = test_recorder_new_for_path (*server, "/");
  if (trusted != NULL)
    trust (rec->source, trusted);
  sse_event_source_open (rec->source);
  return rec;
}

/* Validation is on by default: a self-signed certificate that nobody
 * trusts fails the connection with a clear G_TLS_ERROR_BAD_CERTIFICATE,
 * once: the source closes and does not try again. */
static void
test_tls_untrusted (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestRecorder) rec = NULL;

  if (test_skip_without_tls ())
    return;

  rec = tls_open ("self-signed", NULL, &server);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  /* It says where, why, and what to do about it. */
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "https://127.0.0.1:"));
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message,
                            "not signed by a trusted certificate authority"));
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "TLS database"));

  /* No loop: one attempt, and it stays that way. */
  test_run_for (200);
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);
  g_assert_cmpuint (test_recorder_count_status (rec, SSE_STATUS_RECONNECTING), ==, 0);
  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 0);
  g_assert_cmpint (test_recorder_status (rec), ==, SSE_STATUS_CLOSED);
}

/* The development way: a session whose TLS database trusts a given CA. A
 * server certificate it signed is accepted. */
static void
test_tls_trusted_ca (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestRecorder) rec = NULL;

  if (test_skip_without_tls ())
    return;

  rec = tls_open ("server", "ca.pem", &server);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "secure");
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_true (g_str_has_prefix (sse_event_get_origin (test_recorder_event (rec, 0)),
                                   "https://"));
}

/* A stream over TLS goes on after its first read: each event below comes
 * in a TLS record of its own, once the client waits for more. */
static void
test_tls_later_events (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestRecorder) rec = NULL;
  TestResponse *r;
  guint i;

  if (test_skip_without_tls ())
    return;

  server = tls_server_new_empty ("server");
  r = test_server_queue_stream (server, "/", "data: 1\n\n");
  for (i = 2; i <= 4; i++)
    {
      test_response_wait_release (r);
      test_response_writef (r, "data: %u\n\n", i);
    }

  rec = test_recorder_new_for_path (server, "/");
  trust (rec->source, "ca.pem");
  sse_event_source_open (rec->source);

  for (i = 1; i <= 4; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", i);

      test_wait_until (rec->events->len == i);
      g_assert_cmpstr (test_recorder_event_data (rec, i - 1), ==, expected);
      test_server_release (server);
    }
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpint (sse_event_source_get_status (rec->source), ==, SSE_STATUS_OPEN);
}

/* A self-signed certificate can be trusted by itself, the same way. */
static void
test_tls_trusted_self_signed (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestRecorder) rec = NULL;

  if (test_skip_without_tls ())
    return;

  rec = tls_open ("self-signed", "self-signed.pem", &server);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpstr (test_recorder_event_data (rec, 0), ==, "secure");
  g_assert_cmpuint (rec->errors->len, ==, 0);
}

/* Trusting a CA does not turn the rest of the validation off: a
 * certificate it signed for another host is still refused, once. */
static void
test_tls_trusted_ca_wrong_host (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(TestRecorder) rec = NULL;

  if (test_skip_without_tls ())
    return;

  rec = tls_open ("wrong-host", "ca.pem", &server);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 1);
  g_assert_error (test_recorder_error (rec, 0), G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "not for this host name"));
  g_assert_null (strstr (test_recorder_error (rec, 0)->message, "certificate authority"));
  g_assert_cmpuint (rec->prepare_times->len, ==, 1);
  g_assert_cmpuint (rec->events->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults/drop/every-byte", test_drop_every_byte);
  g_test_add_func ("/faults/half-open/read-timeout", test_half_open_read_timeout);
  g_test_add_func ("/faults/slow-loris/body", test_slow_loris_body);
  g_test_add_func ("/faults/slow-loris/headers", test_slow_loris_headers);
  g_test_add_func ("/faults/size/huge-event", test_huge_event);
  g_test_add_func ("/faults/bytes/hostile", test_hostile_bytes);
  g_test_add_func ("/faults/http/server-error-burst", test_server_error_burst);
  g_test_add_func ("/faults/http/redirect-loop", test_redirect_loop_two_servers);
  g_test_add_func ("/faults/restart/same-port", test_server_restart);
  g_test_add_func ("/faults/soak/reconnect-cycles", test_soak);
  g_test_add_func ("/faults/server/client-disconnects-mid-write",
                   test_server_client_disconnects_mid_write);
  g_test_add_func ("/faults/server/event-larger-than-queue", test_server_event_larger_than_queue);
  g_test_add_func ("/faults/server/crowd", test_server_crowd);
  g_test_add_func ("/faults/server/never-reads", test_server_never_reads);
  g_test_add_func ("/faults/server/readers-among-non-readers", test_server_readers_among_non_readers);
  g_test_add_func ("/faults/security/last-event-id-injection", test_last_event_id_injection);
  g_test_add_func ("/faults/security/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/faults/security/tls/trusted-ca", test_tls_trusted_ca);
  g_test_add_func ("/faults/security/tls/later-events", test_tls_later_events);
  g_test_add_func ("/faults/security/tls/trusted-self-signed", test_tls_trusted_self_signed);
  g_test_add_func ("/faults/security/tls/trusted-ca-wrong-host", test_tls_trusted_ca_wrong_host);

  return g_test_run ();
}
