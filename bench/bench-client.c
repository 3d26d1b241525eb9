/* bench-client.c: one SseEventSource, end to end
 *
 *   bench-client --url URL --count N [--latency] [--pull] [--expect-data BYTES]
 *
 * Opens an SseEventSource on URL (its own session, the GLib main loop),
 * counts the events its "event" signal delivers, and closes it at the N-th
 * (a server that ends the stream would make it reconnect otherwise).
 *
 * --pull: no handler on "event"; the events are taken with
 * sse_event_source_next_event_async() instead, one pull at a time, the
 * next one asked for from the callback of the previous one (the first
 * before open()), as a program that pulls does. The source then keeps what
 * it read ahead, up to max-queued-bytes (the default).
 *
 * Throughput (default): prints the time from just before the source is
 * created to the N-th event, and events/s.
 *
 * --latency: every event's data is "<seq> <send time>", the send time in
 * microseconds of CLOCK_MONOTONIC (bench-server's /tick); prints the p50,
 * p99 and maximum of receive time − send time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-common.h"

#include "sse-glib/sse-glib.h"

typedef struct {
  GMainLoop      *loop;
  SseEventSource *source;
  guint64         expected;
  guint64         events;
  guint64         data_bytes;
  gint64          start_ns;
  gint64          end_ns;
  gboolean        latency;
  gboolean        pull;
  gint64         *delays;   /* µs, one per event, with --latency */
  gboolean        failed;
} Client;

/* Returns whether more events are wanted. */
static gboolean
count_event (Client   *c,
             SseEvent *event)
{
  if (c->latency)
    {
      gint64 now = g_get_monotonic_time ();
      const char *data = sse_event_get_data (event);
      const char *space = strchr (data, ' ');

      if (space == NULL)
        {
          fprintf (stderr, "bench-client: unexpected data %s\n", data);
          c->failed = TRUE;
          g_main_loop_quit (c->loop);
          return FALSE;
        }
      c->delays[c->events] = now - g_ascii_strtoll (space + 1, NULL, 10);
    }

  c->events++;
  c->data_bytes += sse_event_get_data_length (event);
  if (c->events == c->expected)
    {
      c->end_ns = bench_now_ns ();
      sse_event_source_close (c->source);
      g_main_loop_quit (c->loop);
      return FALSE;
    }
  return TRUE;
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  count_event (user_data, event);
}

static void
on_pulled (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Client *c = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = sse_event_source_next_event_finish (SSE_EVENT_SOURCE (object),
                                                                  result, &error);

  if (event == NULL)
    {
      /* The end of the pulls: the source closed (and every event it kept
       * was taken) before the N-th event. */
      if (c->events < c->expected)
        {
          fprintf (stderr, "bench-client: the pulls ended after %" G_GUINT64_FORMAT " events%s%s\n",
                   c->events, error ? ": " : "", error ? error->message : "");
          c->failed = TRUE;
          g_main_loop_quit (c->loop);
        }
      return;
    }
  if (count_event (c, event))
    sse_event_source_next_event_async (c->source, NULL, on_pulled, c);
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  fprintf (stderr, "bench-client: %s\n", error->message);
}

static void
on_status (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Client *c = user_data;

  /* A pulling client learns it from its pull, after the events kept. */
  if (sse_event_source_get_status (c->source) == SSE_STATUS_CLOSED && c->events < c->expected &&
      !c->pull)
    {
      fprintf (stderr, "bench-client: the source closed after %" G_GUINT64_FORMAT " events\n", c->events);
      c->failed = TRUE;
      g_main_loop_quit (c->loop);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  Client *c = user_data;

  fprintf (stderr, "bench-client: timed out after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " events\n",
           c->events, c->expected);
  c->failed = TRUE;
  g_main_loop_quit (c->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;
  gint64 count = 0, expect_data = -1, timeout = 300;
  gboolean latency = FALSE, pull = FALSE;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "The stream", "URL" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, "Events to wait for", "N" },
    { "latency", 0, 0, G_OPTION_ARG_NONE, &latency, "Measure latency from /tick", NULL },
    { "pull", 0, 0, G_OPTION_ARG_NONE, &pull, "Pull the events instead of a signal handler", NULL },
    { "expect-data", 0, 0, G_OPTION_ARG_INT64, &expect_data, "Check the data bytes", "BYTES" },
    { "timeout", 0, 0, G_OPTION_ARG_INT64, &timeout, "Give up after this many seconds", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Client c = { 0 };
  double seconds;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || url == NULL || count < 1)
    {
      fprintf (stderr, "bench-client: %s\n", error ? error->message : "--url and --count are required");
      return 2;
    }

  c.loop = g_main_loop_new (NULL, FALSE);
  c.expected = count;
  c.latency = latency;
  c.pull = pull;
  if (latency)
    c.delays = g_new0 (gint64, count);
  g_timeout_add_seconds (timeout, on_timeout, &c);

  c.start_ns = bench_now_ns ();
  c.source = sse_event_source_new (url);
  if (pull)
    sse_event_source_next_event_async (c.source, NULL, on_pulled, &c);
  else
    g_signal_connect (c.source, "event", G_CALLBACK (on_event), &c);
  g_signal_connect (c.source, "error", G_CALLBACK (on_error), &c);
  g_signal_connect (c.source, "notify::status", G_CALLBACK (on_status), &c);
  sse_event_source_open (c.source);

  g_main_loop_run (c.loop);
  sse_event_source_close (c.source);
  if (c.failed)
    return 1;

  seconds = (c.end_ns - c.start_ns) / 1e9;
  if (latency)
    {
      qsort (c.delays, c.events, sizeof (gint64), bench_cmp_gint64);
      printf ("impl=sse-glib%s events=%" G_GUINT64_FORMAT " p50_us=%" G_GINT64_FORMAT
              " p99_us=%" G_GINT64_FORMAT " max_us=%" G_GINT64_FORMAT "\n",
              pull ? "-pull" : "", c.events, bench_percentile (c.delays, c.events, 50),
              bench_percentile (c.delays, c.events, 99), c.delays[c.events - 1]);
    }
  else
    printf ("impl=sse-glib%s events=%" G_GUINT64_FORMAT " data_bytes=%" G_GUINT64_FORMAT
            " seconds=%.6f events_per_s=%.0f ns_per_event=%.1f\n",
            pull ? "-pull" : "", c.events, c.data_bytes, seconds, c.events / seconds,
            seconds * 1e9 / c.events);

  if (expect_data >= 0 && (guint64) expect_data != c.data_bytes)
    {
      fprintf (stderr, "bench-client: expected %" G_GINT64_FORMAT " data bytes, got %" G_GUINT64_FORMAT "\n",
               expect_data, c.data_bytes);
      return 1;
    }

  g_object_unref (c.source);
  g_main_loop_unref (c.loop);
  g_free (c.delays);
  return 0;
}
