/* test-real-services.c: SseEventSource against the streams real services send
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * LLM chat APIs (a POST answered with a stream that ends with [DONE], sent
 * once), MCP's streamable HTTP (a POST, then GETs that resume with
 * Last-Event-ID), servers that close after every batch (PHP loops, MCP's
 * polling with priming blocks), and APIs that explain a refusal in the body
 * of their answer. Every test drives the main loop until a condition holds;
 * none sleeps, and what must not happen (a second POST) is asserted once
 * the source is closed, when nothing can happen any more.
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-connect-private.h"
#include "sse-event-source-private.h"
#include "test-utils.h"

typedef TestRecorder Recorder;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, test_recorder_free)

static const char chat_request[] =
  "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

static const char chat_stream[] =
  "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
  "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
  "data: [DONE]\n\n";

/* A POST as a PyGObject or GJS user builds it: the body set on the message
 * itself, with the headers of an LLM API. */
static SoupMessage *
chat_message (TestServer *server,
              const char *path)
{
  g_autofree char *url = test_server_get_url_for (server, path);
  SoupMessage *msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new_static (chat_request, strlen (chat_request));

  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization",
                               "Bearer sk-test");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  return msg;
}

static void
assert_chat_request (const TestRequest *request)
{
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_nonnull (request->body);
  g_assert_cmpmem (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body),
                   chat_request, strlen (chat_request));
  g_assert_cmpstr (test_request_get_header (request, "Content-Type"), ==, "application/json");
  g_assert_cmpstr (test_request_get_header (request, "Authorization"), ==, "Bearer sk-test");
  g_assert_cmpstr (test_request_get_header (request, "Accept"), ==, "text/event-stream");
}

/* LLM chat streams: AUTO ----------------------------------------------------- */

static void
test_llm_post_once (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/v1/chat/completions");
  g_autoptr(Recorder) rec = NULL;

  test_response_end (test_server_queue_stream (server, "/v1/chat/completions", chat_stream));

  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  g_assert_cmpint (sse_event_source_get_reconnect_mode (rec->source), ==,
                   SSE_RECONNECT_MODE_AUTO);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* The whole answer, then closed without an error: the stream ended as an
   * LLM's stream does. */
  g_assert_cmpuint (rec->events->len, ==, 3);
  g_assert_cmpstr (test_recorder_event_data (rec, 2), ==, "[DONE]");
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event event event closed");

  /* One request, with its body and headers: never a second, paid, answer. */
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
  assert_chat_request (test_server_get_request (server, 0));
}

static void
test_llm_post_broken (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/chat");
  g_autoptr(Recorder) rec = NULL;

  test_response_drop (test_server_queue_stream (server, "/chat",
                                                "data: {\"delta\":\"Hel\"}\n\n"));

  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* A broken stream is an error, and the request is not sent again. */
  g_assert_cmpuint (rec->events->len, ==, 1);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event error closed");
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message, "was lost"));
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static void
test_llm_post_unreachable (void)
{
  g_autoptr(TestBlackHole) hole = test_black_hole_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", test_black_hole_get_url (hole));
  g_autoptr(Recorder) rec = test_recorder_new (sse_event_source_new_for_message (msg));

  /* No answer in time: an error, and no second POST. */
  sse_event_source_set_connect_timeout (rec->source, 50);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare error closed");
  g_assert_error (test_recorder_error (rec, 0), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (test_black_hole_get_n_accepted (hole), ==, 1);
}

static void
test_get_still_reconnects (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/feed");
  TestResponse *second;

  test_response_end (test_server_queue_stream (server, "/feed", "id: 1\ndata: a\n\n"));
  second = test_server_queue_stream (server, "/feed", "data: b\n\n");
  test_response_heartbeat (second, 10);

  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 2);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "1");
  sse_event_source_close (rec->source);
}

/* RESEND ------------------------------------------------------------------ */

static void
test_resend (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/report");
  g_autoptr(GBytes) body = g_bytes_new_static (chat_request, strlen (chat_request));
  g_autoptr(Recorder) rec = NULL;
  guint i;

  test_response_end (test_server_queue_stream (server, "/report", "id: 7\ndata: a\n\n"));
  test_response_drop (test_server_queue_stream (server, "/report", "id: 8\ndata: b\n\n"));
  test_response_heartbeat (test_server_queue_stream (server, "/report", "data: c\n\n"), 10);

  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_RESEND);
  sse_event_source_set_request_body (rec->source, "application/json", body);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 3);
  sse_event_source_close (rec->source);

  /* Each attempt sends the whole request again, with Last-Event-ID. */
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 3);
  for (i = 0; i < 3; i++)
    assert_chat_request (test_server_get_request (server, i));
  g_assert_null (test_request_get_header (test_server_get_request (server, 0), "Last-Event-ID"));
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "7");
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 2), "Last-Event-ID"),
                   ==, "8");
}

static void
test_resend_needs_body (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/report");
  g_autoptr(Recorder) rec = NULL;

  test_server_queue_stream (server, "/report", "data: a\n\n");

  /* The body went with the template message: it cannot go on every
   * attempt. open() says so, from the main context, before any request. */
  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_RESEND);
  sse_event_source_open (rec->source);
  g_assert_cmpstr (rec->log->str, ==, "connecting");
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpstr (rec->log->str, ==, "connecting error closed");
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_FAILED);
  g_assert_nonnull (strstr (test_recorder_error (rec, 0)->message,
                            "sse_event_source_set_request_body()"));
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 0);
}

/* RESUME_GET: MCP's streamable HTTP ----------------------------------------- */

static SoupMessage *
mcp_message (TestServer *server)
{
  g_autofree char *url = test_server_get_url_for (server, "/mcp");
  SoupMessage *msg = soup_message_new ("POST", url);
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (msg);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"jsonrpc\":\"2.0\",\"id\":1}", 24);

  soup_message_headers_append (hdrs, "Accept", "application/json, text/event-stream");
  soup_message_headers_append (hdrs, "Mcp-Session-Id", "session-1");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  return msg;
}

static void
test_resume_get (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = mcp_message (server);
  g_autoptr(Recorder) rec = NULL;
  guint i;

  test_response_drop (test_server_queue_stream (server, "/mcp", "id: e1\ndata: {\"n\":1}\n\n"));
  /* A priming block, then the server closes: it is polled. */
  test_response_end (test_server_queue_stream (server, "/mcp", "id: e2\ndata:\n\n"));
  test_response_heartbeat (test_server_queue_stream (server, "/mcp", "id: e3\ndata: {}\n\n"), 10);

  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_RESUME_GET);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 3);
  sse_event_source_close (rec->source);

  g_assert_cmpuint (test_server_get_n_requests (server), ==, 3);
  g_assert_cmpstr (test_server_get_request (server, 0)->method, ==, "POST");
  g_assert_cmpuint (g_bytes_get_size (test_server_get_request (server, 0)->body), ==, 24);
  for (i = 1; i < 3; i++)
    {
      const TestRequest *request = test_server_get_request (server, i);
      g_autofree char *id = g_strdup_printf ("e%u", i);

      /* A GET with the application's headers and Last-Event-ID, no body. */
      g_assert_cmpstr (request->method, ==, "GET");
      g_assert_cmpuint (request->body != NULL ? g_bytes_get_size (request->body) : 0, ==, 0);
      g_assert_null (test_request_get_header (request, "Content-Type"));
      g_assert_cmpstr (test_request_get_header (request, "Mcp-Session-Id"), ==, "session-1");
      g_assert_cmpstr (test_request_get_header (request, "Accept"), ==,
                       "application/json, text/event-stream");
      g_assert_cmpstr (test_request_get_header (request, "Last-Event-ID"), ==, id);
      g_assert_cmpstr (request->path, ==, "/mcp");
    }
}

static void
test_resume_get_without_id (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = mcp_message (server);
  g_autoptr(Recorder) rec = NULL;

  test_response_end (test_server_queue_stream (server, "/mcp", "data: {\"result\":{}}\n\n"));

  /* No event ID: nothing to resume. */
  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_RESUME_GET);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event closed");
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

/* NEVER --------------------------------------------------------------------- */

static void
test_never_get (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/once");

  test_response_end (test_server_queue_stream (server, "/once", "id: 1\ndata: a\n\ndata: b\n\n"));

  sse_event_source_set_reconnect_mode (rec->source, SSE_RECONNECT_MODE_NEVER);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_cmpstr (rec->log->str, ==, "connecting prepare open event event closed");
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

/* Server errors, retried whatever the mode ---------------------------------- */

static void
test_server_error_retried (gconstpointer data)
{
  SseReconnectMode mode = GPOINTER_TO_INT (data);
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/chat");
  g_autoptr(GBytes) body = g_bytes_new_static (chat_request, strlen (chat_request));
  g_autoptr(Recorder) rec = NULL;
  TestResponse *busy = test_response_new_complete (429, "application/json",
                                                   "{\"error\":{\"message\":\"slow down\"}}");

  test_response_add_header (busy, "Retry-After", "0");
  test_server_queue (server, "/chat", busy);
  test_response_end (test_server_queue_stream (server, "/chat", chat_stream));

  /* Refused before anything was generated: sent again, once, with its
   * body. Then the stream ends, and no third request follows. */
  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_reconnect_mode (rec->source, mode);
  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_set_request_body (rec->source, "application/json", body);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpstr (rec->log->str, ==,
                   "connecting prepare error attempt=1 delay reconnecting connecting prepare "
                   "open event event event closed");
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  assert_chat_request (test_server_get_request (server, 0));
  assert_chat_request (test_server_get_request (server, 1));
}

static void
test_server_error_body_gone (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/chat");
  g_autoptr(Recorder) rec = NULL;

  test_server_queue (server, "/chat", test_response_new_complete (503, "text/plain", "busy"));

  /* The body went with the template message: the retry cannot send it,
   * and says how to make it possible. */
  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->errors->len, ==, 2);
  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_error (test_recorder_error (rec, 1), SSE_ERROR, SSE_ERROR_FAILED);
  g_assert_nonnull (strstr (test_recorder_error (rec, 1)->message, "cannot be sent again"));
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

/* Servers that close after every batch ------------------------------------- */

typedef enum {
  BATCH_EVENT,          /* retry, id, one event */
  BATCH_PRIMING,        /* retry and an id alone: nothing is dispatched */
  BATCH_PRIMING_EMPTY,  /* retry, an id and an empty data field */
} BatchKind;

typedef struct {
  guint     n;
  BatchKind kind;
} Batches;

/* Each request gets one block with the next id, then the end. */
static void
batch_handler (TestServer        *server,
               const TestRequest *request,
               TestResponse      *response,
               gpointer           user_data)
{
  Batches *batches = user_data;

  batches->n++;
  switch (batches->kind)
    {
    case BATCH_EVENT:
      test_response_writef (response, "retry: 10\nid: %u\ndata: event %u\n\n", batches->n,
                            batches->n);
      break;
    case BATCH_PRIMING:
      test_response_writef (response, "retry: 10\nid: %u\n\n", batches->n);
      break;
    case BATCH_PRIMING_EMPTY:
      test_response_writef (response, "retry: 10\nid: %u\ndata:\n\n", batches->n);
      break;
    }
  test_response_end (response);
}

static void
assert_all_delays (Recorder *rec,
                   guint     delay)
{
  guint i;

  g_assert_cmpuint (rec->delays->len, >, 0);
  for (i = 0; i < rec->delays->len; i++)
    g_assert_cmpuint (g_array_index (rec->delays, guint, i), ==, delay);
}

static void
test_batch_per_connection (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  Batches batches = { 0, BATCH_EVENT };
  g_autoptr(Recorder) rec = NULL;
  guint i;

  test_server_set_handler (server, "/", batch_handler, &batches, NULL);

  /* The classic PHP loop: one event per response, retry: 10. A browser
   * reconnects after 10 ms every time; so does the source, with neither
   * escalation nor jitter, and every event arrives in turn. */
  rec = test_recorder_new_for_path (server, "/");
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 150);
  sse_event_source_close (rec->source);

  for (i = 0; i < 150; i++)
    {
      g_autofree char *data = g_strdup_printf ("event %u", i + 1);

      g_assert_cmpstr (test_recorder_event_data (rec, i), ==, data);
    }
  assert_all_delays (rec, 10);
  g_assert_cmpuint (rec->errors->len, ==, 0);
  g_assert_null (strstr (rec->log->str, "attempt=2"));
}

static void
test_mcp_priming_polling (gconstpointer data)
{
  g_autoptr(TestServer) server = test_server_new ();
  Batches batches = { 0, GPOINTER_TO_INT (data) };
  g_autoptr(Recorder) rec = NULL;
  guint i;

  test_server_set_handler (server, "/", batch_handler, &batches, NULL);

  /* A priming block (an id, and no data or empty data), then the end: the
   * last event ID changes, which is progress; the gaps stay at retry. */
  rec = test_recorder_new_for_path (server, "/");
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_open (rec->source);
  test_wait_until (test_server_get_n_requests (server) == 20);
  sse_event_source_close (rec->source);

  assert_all_delays (rec, 10);
  g_assert_null (strstr (rec->log->str, "attempt=2"));
  for (i = 1; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      g_assert_cmpstr (test_request_get_header (test_server_get_request (server, i),
                                                "Last-Event-ID"), ==, id);
    }
}

static void
test_no_progress_escalates (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/");
  guint i;

  /* Accepted and ended without a thing, every time: that is no progress,
   * so the delays escalate (with their jitter) up to the limit. */
  test_response_end (test_server_queue_stream (server, "/", "retry: 4\n\n"));
  sse_event_source_set_backoff_func (rec->source, NULL, NULL, NULL);
  sse_event_source_set_max_reconnect_attempts (rec->source, 4);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_cmpuint (rec->delays->len, ==, 4);
  for (i = 0; i < 4; i++)
    {
      guint base = 4u << i;
      guint delay = g_array_index (rec->delays, guint, i);

      g_assert_cmpuint (delay, >=, base);
      g_assert_cmpuint (delay, <=, base + base / 2);
    }
  g_assert_nonnull (strstr (rec->log->str, "attempt=4"));
  g_assert_cmpuint (test_recorder_count_errors (rec, SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS),
                    ==, 1);
}

/* The body of a refused answer ---------------------------------------------- */

typedef struct {
  guint    status;
  char    *body;
  gboolean had_response;
} Seen;

static void
look_at_answer (SseEventSource *source,
                const GError   *error,
                Seen           *seen)
{
  SoupMessage *response = sse_event_source_get_last_response (source);
  GBytes *body = sse_event_source_get_last_response_body (source);

  seen->had_response = response != NULL;
  seen->status = response != NULL ? soup_message_get_status (response) : 0;
  g_clear_pointer (&seen->body, g_free);
  if (body != NULL)
    seen->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static const char api_error[] =
  "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\","
  "\"code\":\"invalid_api_key\"}}";

static void
test_refused_body_401 (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(SoupMessage) msg = chat_message (server, "/chat");
  g_autoptr(Recorder) rec = NULL;
  TestResponse *refused = test_response_new_complete (401, "application/json", api_error);
  Seen seen = { 0 };
  GBytes *body;

  test_response_add_header (refused, "WWW-Authenticate", "Bearer");
  test_server_queue (server, "/chat", refused);

  rec = test_recorder_new (sse_event_source_new_for_message (msg));
  g_signal_connect (rec->source, "error", G_CALLBACK (look_at_answer), &seen);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* In the error handler, the API's own message. */
  g_assert_true (seen.had_response);
  g_assert_cmpuint (seen.status, ==, 401);
  g_assert_cmpstr (seen.body, ==, api_error);
  g_free (seen.body);

  /* And after, until the next attempt. */
  g_assert_cmpuint (soup_message_get_status (sse_event_source_get_last_response (rec->source)),
                    ==, 401);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (
                     sse_event_source_get_last_response (rec->source)), "WWW-Authenticate"),
                   ==, "Bearer");
  body = sse_event_source_get_last_response_body (rec->source);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   api_error, strlen (api_error));
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

static void
test_refused_body_limit (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/");
  gsize size = 1024 * 1024;
  g_autofree char *big = g_malloc (size + 1);
  GBytes *body;
  gsize i;

  for (i = 0; i < size; i++)
    big[i] = 'a' + i % 26;
  big[size] = '\0';
  test_server_queue (server, "/", test_response_new_complete (500, "text/plain", big));

  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  /* A 1 MiB answer: its first 64 KiB. */
  body = sse_event_source_get_last_response_body (rec->source);
  g_assert_nonnull (body);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 64 * 1024);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), 64 * 1024, big, 64 * 1024);
  test_wait_until (test_server_get_n_open (server) == 0);
}

static void
test_refused_body_never_ends (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/");
  TestResponse *refused = test_response_new (503);
  GBytes *body;

  /* A server that sends part of its answer and then nothing: the source
   * takes what came within the deadline, and closes the connection. */
  test_response_set_content_type (refused, "text/plain");
  test_response_write (refused, "partial");
  /* Its next write, after the deadline, finds the connection closed. */
  test_response_heartbeat (refused, 500);
  test_server_queue (server, "/", refused);

  _sse_connect_set_error_body_time (200);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  _sse_connect_set_error_body_time (SSE_CONNECT_ERROR_BODY_TIME);

  body = sse_event_source_get_last_response_body (rec->source);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "partial", 7);
  test_wait_until (test_server_get_n_open (server) == 0);
}

static void
test_refused_content_type_body (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/");
  GBytes *body;

  test_server_queue (server, "/", test_response_new_complete (200, "text/html",
                                                              "<h1>Log in</h1>"));
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);

  g_assert_error (test_recorder_error (rec, 0), SSE_ERROR, SSE_ERROR_CONTENT_TYPE);
  g_assert_cmpuint (soup_message_get_status (sse_event_source_get_last_response (rec->source)),
                    ==, 200);
  body = sse_event_source_get_last_response_body (rec->source);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "<h1>Log in</h1>", 15);
}

static void
check_cleared (SseEventSource *source,
               GParamSpec     *pspec,
               guint          *cleared)
{
  if (sse_event_source_get_status (source) != SSE_STATUS_CONNECTING)
    return;
  g_assert_null (sse_event_source_get_last_response (source));
  g_assert_null (sse_event_source_get_last_response_body (source));
  (*cleared)++;
}

static void
test_last_response_lifetime (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(Recorder) rec = test_recorder_new_for_path (server, "/");
  guint cleared = 0;

  test_server_queue (server, "/", test_response_new_complete (503, "text/plain", "busy"));
  test_response_heartbeat (test_server_queue_stream (server, "/", "data: a\n\n"), 10);

  /* None before an answer; cleared when each attempt starts; the answer
   * that opened the stream has no body to keep. */
  g_assert_null (sse_event_source_get_last_response (rec->source));
  g_signal_connect (rec->source, "notify::status", G_CALLBACK (check_cleared), &cleared);
  sse_event_source_set_retry_on_server_error (rec->source, TRUE);
  sse_event_source_open (rec->source);
  test_wait_until (rec->events->len == 1);

  g_assert_cmpuint (cleared, ==, 2);
  g_assert_cmpuint (soup_message_get_status (sse_event_source_get_last_response (rec->source)),
                    ==, 200);
  g_assert_null (sse_event_source_get_last_response_body (rec->source));
  sse_event_source_close (rec->source);
}

static void
test_last_response_none (void)
{
  g_autoptr(TestBlackHole) hole = test_black_hole_new ();
  g_autoptr(Recorder) rec = test_recorder_new (sse_event_source_new (
                                                 test_black_hole_get_url (hole)));

  /* No answer at all: nothing to show. */
  sse_event_source_set_connect_timeout (rec->source, 50);
  sse_event_source_set_max_reconnect_attempts (rec->source, 0);
  sse_event_source_open (rec->source);
  test_wait_until (test_recorder_status (rec) == SSE_STATUS_CLOSED);
  g_assert_null (sse_event_source_get_last_response (rec->source));
  g_assert_null (sse_event_source_get_last_response_body (rec->source));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/real-services/llm/post-once", test_llm_post_once);
  g_test_add_func ("/real-services/llm/post-broken", test_llm_post_broken);
  g_test_add_func ("/real-services/llm/post-unreachable", test_llm_post_unreachable);
  g_test_add_func ("/real-services/llm/get-still-reconnects", test_get_still_reconnects);
  g_test_add_data_func ("/real-services/llm/server-error-retried/auto",
                        GINT_TO_POINTER (SSE_RECONNECT_MODE_AUTO), test_server_error_retried);
  g_test_add_data_func ("/real-services/llm/server-error-retried/never",
                        GINT_TO_POINTER (SSE_RECONNECT_MODE_NEVER), test_server_error_retried);
  g_test_add_func ("/real-services/llm/server-error-body-gone", test_server_error_body_gone);
  g_test_add_func ("/real-services/resend", test_resend);
  g_test_add_func ("/real-services/resend/needs-body", test_resend_needs_body);
  g_test_add_func ("/real-services/mcp/resume-get", test_resume_get);
  g_test_add_func ("/real-services/mcp/resume-get-without-id", test_resume_get_without_id);
  g_test_add_data_func ("/real-services/mcp/priming/id-only",
                        GINT_TO_POINTER (BATCH_PRIMING), test_mcp_priming_polling);
  g_test_add_data_func ("/real-services/mcp/priming/empty-data",
                        GINT_TO_POINTER (BATCH_PRIMING_EMPTY), test_mcp_priming_polling);
  g_test_add_func ("/real-services/never/get", test_never_get);
  g_test_add_func ("/real-services/batches/one-per-connection", test_batch_per_connection);
  g_test_add_func ("/real-services/batches/no-progress-escalates", test_no_progress_escalates);
  g_test_add_func ("/real-services/refused/401-json", test_refused_body_401);
  g_test_add_func ("/real-services/refused/body-limit", test_refused_body_limit);
  g_test_add_func ("/real-services/refused/body-never-ends", test_refused_body_never_ends);
  g_test_add_func ("/real-services/refused/content-type", test_refused_content_type_body);
  g_test_add_func ("/real-services/last-response/lifetime", test_last_response_lifetime);
  g_test_add_func ("/real-services/last-response/none", test_last_response_none);

  return g_test_run ();
}
