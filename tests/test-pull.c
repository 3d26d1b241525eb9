/* test-pull.c: sse_event_source_next_event_async(), at the consumer's pace
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Events pulled in order, across a reconnection; the end and the failures;
 * cancelling, closing and dropping the source with a pull under way; and
 * backpressure: a consumer that stops pulling makes the source stop
 * reading, so that the server can write only what the buffers hold.
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "test-utils.h"

/* One pull of @source: done when its callback ran. */
typedef struct {
  SseEventSource *source;
  gboolean        done;
  SseEvent       *event;
  GError         *error;
} Pull;

static void
pulled (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Pull *pull = user_data;

  g_assert_true (object == (GObject *) pull->source);
  g_assert_false (pull->done);
  pull->event = sse_event_source_next_event_finish (pull->source, result, &pull->error);
  pull->done = TRUE;
}

static Pull *
pull_start (SseEventSource *source,
            GCancellable   *cancellable)
{
  Pull *pull = g_new0 (Pull, 1);

  pull->source = source;
  sse_event_source_next_event_async (source, cancellable, pulled, pull);
  return pull;
}

static void
pull_free (Pull *pull)
{
  g_clear_pointer (&pull->event, sse_event_unref);
  g_clear_error (&pull->error);
  g_free (pull);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pull, pull_free)

/* Pulls once and waits for the answer. */
static Pull *
pull_wait (SseEventSource *source)
{
  Pull *pull = pull_start (source, NULL);

  test_wait_until (pull->done);
  return pull;
}

static void
assert_next (SseEventSource *source,
             const char     *data)
{
  g_autoptr(Pull) pull = pull_wait (source);

  g_assert_no_error (pull->error);
  g_assert_nonnull (pull->event);
  g_assert_cmpstr (sse_event_get_data (pull->event), ==, data);
}

static void
assert_end (SseEventSource *source)
{
  g_autoptr(Pull) pull = pull_wait (source);

  g_assert_no_error (pull->error);
  g_assert_null (pull->event);
}

static GString *
numbered_events (guint first,
                 guint last)
{
  GString *text = g_string_new (NULL);
  guint i;

  for (i = first; i <= last; i++)
    g_string_append_printf (text, "id: %u\ndata: %u\n\n", i, i);
  return text;
}

static void
test_one_shot (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(GString) events = numbered_events (1, 50);
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  guint i;

  test_response_end (test_server_queue_stream (server, "/", events->str));

  /* Pulled before open(): every event is kept. */
  sse_event_source_set_reconnect_mode (source, SSE_RECONNECT_MODE_NEVER);
  {
    g_autoptr(Pull) first = pull_start (source, NULL);

    sse_event_source_open (source);
    test_wait_until (first->done);
    g_assert_cmpstr (sse_event_get_data (first->event), ==, "1");
  }
  for (i = 2; i <= 50; i++)
    {
      g_autofree char *data = g_strdup_printf ("%u", i);

      assert_next (source, data);
    }
  assert_end (source);
  /* And again: the end stays the end. */
  assert_end (source);
  g_assert_cmpint (sse_event_source_get_status (source), ==, SSE_STATUS_CLOSED);
}

static void
count_event (SseEventSource *source,
             SseEvent       *event,
             guint          *n)
{
  (*n)++;
}

static void
test_through_reconnect (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(GString) first = numbered_events (1, 25);
  g_autoptr(GString) second = numbered_events (26, 50);
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  guint signalled = 0;
  guint i;

  test_response_end (test_server_queue_stream (server, "/", first->str));
  test_response_heartbeat (test_server_queue_stream (server, "/", second->str), 10);

  /* Signals go on as before, beside the pulls. */
  g_signal_connect (source, "event", G_CALLBACK (count_event), &signalled);
  sse_event_source_set_reconnection_time (source, 1);
  sse_event_source_open (source);
  for (i = 1; i <= 50; i++)
    {
      g_autofree char *data = g_strdup_printf ("%u", i);

      assert_next (source, data);
    }
  g_assert_cmpuint (signalled, ==, 50);
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 2);
  g_assert_cmpstr (test_request_get_header (test_server_get_request (server, 1), "Last-Event-ID"),
                   ==, "25");

  /* close() with a pull under way: it ends, with no error. */
  {
    g_autoptr(Pull) pending = pull_start (source, NULL);

    g_assert_false (pending->done);
    sse_event_source_close (source);
    test_wait_until (pending->done);
    g_assert_no_error (pending->error);
    g_assert_null (pending->event);
  }
}

static void
test_failure (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/missing");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  g_autoptr(Pull) pull = NULL;

  sse_event_source_open (source);
  pull = pull_wait (source);
  g_assert_error (pull->error, SSE_ERROR, SSE_ERROR_HTTP_STATUS);
  g_assert_null (pull->event);
}

static void
test_too_many_attempts (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  g_autoptr(Pull) pull = NULL;

  /* Each connection ends with nothing: no progress, so the attempts run
   * out. */
  test_response_end (test_server_queue_stream (server, "/", "retry: 1\n\n"));
  sse_event_source_set_max_reconnect_attempts (source, 2);
  sse_event_source_open (source);
  pull = pull_wait (source);
  g_assert_error (pull->error, SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_null (pull->event);
}

static void
test_cancel_waiting (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Pull) cancelled = NULL;
  TestResponse *r = test_server_queue_stream (server, "/", NULL);

  test_response_wait_release (r);
  test_response_write (r, "data: kept\n\n");
  test_response_heartbeat (r, 10);

  sse_event_source_open (source);
  cancelled = pull_start (source, cancellable);
  test_wait_until (sse_event_source_get_status (source) == SSE_STATUS_OPEN);
  g_cancellable_cancel (cancellable);
  test_wait_until (cancelled->done);
  g_assert_error (cancelled->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled->event);

  /* The event that came after is the next pull's. */
  test_server_release (server);
  assert_next (source, "kept");
}

static void
cancel_on_event (SseEventSource *source,
                 SseEvent       *event,
                 GCancellable   *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
test_cancel_after_event (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Pull) pull = NULL;

  test_response_heartbeat (test_server_queue_stream (server, "/", "data: given\n\ndata: next\n\n"),
                           10);

  /* Cancelled once its event was given (from the event's own handler,
   * before the pull's callback ran): it keeps the event. */
  pull = pull_start (source, cancellable);
  g_signal_connect (source, "event", G_CALLBACK (cancel_on_event), cancellable);
  sse_event_source_open (source);
  test_wait_until (pull->done);
  g_assert_no_error (pull->error);
  g_assert_cmpstr (sse_event_get_data (pull->event), ==, "given");
  assert_next (source, "next");
}

static void
test_cancelled_already (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Pull) refused = NULL;

  test_response_heartbeat (test_server_queue_stream (server, "/", "data: 1\n\ndata: 2\n\n"),
                           10);
  sse_event_source_open (source);
  assert_next (source, "1");
  /* "2" came in the same read, and waits. */
  test_wait_until (sse_event_source_get_status (source) == SSE_STATUS_OPEN);

  /* As any GIO call, a pull cancelled already fails; the event waiting
   * stays for the next one. */
  g_cancellable_cancel (cancellable);
  refused = pull_start (source, cancellable);
  test_wait_until (refused->done);
  g_assert_error (refused->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (refused->event);
  assert_next (source, "2");
}

static void
test_dispose_pending (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autofree char *url = test_server_get_url_for (server, "/");
  SseEventSource *source = sse_event_source_new (url);
  g_autoptr(Pull) pull = NULL;

  test_response_heartbeat (test_server_queue_stream (server, "/", NULL), 10);
  g_object_add_weak_pointer (G_OBJECT (source), (gpointer *) &source);
  sse_event_source_open (source);
  pull = pull_start (source, NULL);
  test_wait_until (sse_event_source_get_status (source) == SSE_STATUS_OPEN);

  /* The pull keeps the source alive, as a GIO call does, until disposed
   * of (as a binding may do): the pull ends with no event and no error,
   * its callback runs before the source is finalized, and the connection
   * closes. */
  g_object_unref (source);
  g_assert_nonnull (source);
  g_object_run_dispose (G_OBJECT (source));
  test_wait_until (pull->done);
  g_assert_no_error (pull->error);
  g_assert_null (pull->event);
  g_assert_null (source);
  test_wait_until (test_server_get_n_open (server) == 0);
}

/* Backpressure ------------------------------------------------------------
 *
 * A server in a thread of its own that writes 4 KiB events as fast as its
 * socket takes them (a blocking write waits when the kernel's buffers are
 * full), and counts what it wrote. */

typedef struct {
  GSocketService *service;
  guint           port;
  gsize           written;   /* atomic, pointer-sized */
  gint            finished;  /* atomic: the thread is done with this */
} Flood;

static gboolean
flood_run (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source_object,
           Flood                  *flood)
{
  static const char head[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GString *event = g_string_new (NULL);
  char request[4096];
  guint id;

  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), request,
                       sizeof request, NULL, NULL);
  if (!g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
    goto out;

  for (id = 1; ; id++)
    {
      gsize written = 0;

      g_string_printf (event, "id: %u\ndata: %u ", id, id);
      while (event->len < 4096 - 2)
        g_string_append_c (event, 'x');
      g_string_append (event, "\n\n");
      if (!g_output_stream_write_all (out, event->str, event->len, &written, NULL, NULL))
        break;
      g_atomic_pointer_add (&flood->written, (gssize) written);
    }

out:
  g_string_free (event, TRUE);
  g_atomic_int_set (&flood->finished, 1);
  return TRUE;
}

static void
test_backpressure (void)
{
  Flood flood = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autofree char *url = NULL;
  gsize rss_before, rss_after;
  gsize written_before, written_after;
  guint i;

  flood.service = g_threaded_socket_service_new (1);
  flood.port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (flood.service), NULL,
                                                    &error);
  g_assert_no_error (error);
  g_signal_connect (flood.service, "run", G_CALLBACK (flood_run), &flood);
  g_socket_service_start (flood.service);

  url = g_strdup_printf ("http://127.0.0.1:%u/", flood.port);
  source = sse_event_source_new (url);
  sse_event_source_open (source);

  /* Ten events, then a consumer that stops for 2 s. */
  for (i = 1; i <= 10; i++)
    {
      g_autoptr(Pull) pull = pull_wait (source);

      g_assert_cmpuint (strtoul (sse_event_get_id (pull->event), NULL, 10), ==, i);
    }
  rss_before = test_get_rss ();
  written_before = (gsize) g_atomic_pointer_get (&flood.written);
  test_run_for (2000);
  written_after = (gsize) g_atomic_pointer_get (&flood.written);
  rss_after = test_get_rss ();

  /* Loopback could carry hundreds of MiB in 2 s: the server wrote what the
   * queue (4 MiB) and the kernel's buffers took, and the process grew by
   * no more than that. */
  g_test_message ("written during the pause: %" G_GSIZE_FORMAT " bytes; RSS %"
                  G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT " KiB",
                  written_after - written_before, rss_before / 1024, rss_after / 1024);
  g_assert_cmpuint (written_after - written_before, <, 24 * 1024 * 1024);
  g_assert_cmpuint (rss_after, <, rss_before + 16 * 1024 * 1024);

  /* Then 2,000 more, contiguous and in order. */
  for (i = 11; i <= 2010; i++)
    {
      g_autoptr(Pull) pull = pull_wait (source);

      g_assert_cmpuint (strtoul (sse_event_get_id (pull->event), NULL, 10), ==, i);
    }

  /* Closing ends the server's writes, and its thread. */
  sse_event_source_close (source);
  test_wait_until (g_atomic_int_get (&flood.finished));
  g_socket_service_stop (flood.service);
  g_object_unref (flood.service);
}

/* A paused source does not time itself out: the consumer is slow, not the
 * server. */
static void
test_paused_no_read_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new ();
  g_autoptr(GString) events = numbered_events (1, 20);
  g_autofree char *url = test_server_get_url_for (server, "/");
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  guint i;

  /* Twenty events at once, then silence: the queue (a few bytes) is full
   * after the first, and the read timeout would fire in the silence. */
  test_server_queue_stream (server, "/", events->str);
  sse_event_source_set_max_queued_bytes (source, 4);
  sse_event_source_set_read_timeout (source, 100);
  sse_event_source_open (source);
  assert_next (source, "1");
  test_run_for (300);
  for (i = 2; i <= 20; i++)
    {
      g_autofree char *data = g_strdup_printf ("%u", i);

      assert_next (source, data);
    }
  g_assert_cmpuint (test_server_get_n_requests (server), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pull/one-shot", test_one_shot);
  g_test_add_func ("/pull/through-reconnect", test_through_reconnect);
  g_test_add_func ("/pull/failure", test_failure);
  g_test_add_func ("/pull/too-many-attempts", test_too_many_attempts);
  g_test_add_func ("/pull/cancel/waiting", test_cancel_waiting);
  g_test_add_func ("/pull/cancel/after-event", test_cancel_after_event);
  g_test_add_func ("/pull/cancel/already", test_cancelled_already);
  g_test_add_func ("/pull/dispose-pending", test_dispose_pending);
  g_test_add_func ("/pull/backpressure", test_backpressure);
  g_test_add_func ("/pull/paused-no-read-timeout", test_paused_no_read_timeout);

  return g_test_run ();
}
