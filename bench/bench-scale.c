/* bench-scale.c: many idle SseEventSources in one process, then a broadcast
 *
 *   bench-scale --url http://127.0.0.1:PORT [--n 1000]
 *
 * Against bench-server: opens one source on URL/scale and closes it again
 * (so that one-time costs — types, GIO modules, the session's first
 * connection — are not charged to the others), reads the RSS, opens N
 * sources on URL/scale through one shared SoupSession (or --sessions K, round
 * robin: libsoup 3.2's queue is superlinear in the messages per session; max-conns and
 * max-conns-per-host above N, the open-file limit raised), waits until all
 * of them are OPEN, reads the RSS again, then asks URL/broadcast to send
 * one event to every client and waits until all N sources got it.
 *
 * Prints the RSS per open source ((RSS with N open − RSS before) / N, from
 * /proc/self/statm), the time to open them all, and the broadcast's
 * receive time − send time: p50 and maximum over the N sources (the
 * maximum is the time for the broadcast to reach them all), and the
 * server's share of it (URL/stats: when libsoup had written the event to
 * the last client's socket).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-common.h"

#include "sse-glib/sse-glib.h"

typedef struct {
  GMainLoop       *loop;
  guint            n;
  guint            open;
  guint            received;
  gint64          *delays;
  gboolean         failed;
  gboolean         waiting_open;
  gint64           deadline_us;
} Scale;

static void
on_status (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Scale *s = user_data;
  SseStatus status = sse_event_source_get_status (SSE_EVENT_SOURCE (object));

  if (status == SSE_STATUS_OPEN)
    {
      if (++s->open == s->n && s->waiting_open)
        g_main_loop_quit (s->loop);
    }
  else if (g_object_get_data (object, "was-open"))
    {
      /* Idle sources must stay open. */
      fprintf (stderr, "bench-scale: a source left OPEN (status %d)\n", status);
      s->failed = TRUE;
      g_main_loop_quit (s->loop);
    }
  g_object_set_data (object, "was-open", GINT_TO_POINTER (status == SSE_STATUS_OPEN));
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Scale *s = user_data;
  gint64 now = g_get_monotonic_time ();
  const char *space = strchr (sse_event_get_data (event), ' ');

  if (space == NULL || s->received >= s->n)
    {
      fprintf (stderr, "bench-scale: unexpected event %s\n", sse_event_get_data (event));
      s->failed = TRUE;
      g_main_loop_quit (s->loop);
      return;
    }
  s->delays[s->received] = now - g_ascii_strtoll (space + 1, NULL, 10);
  if (++s->received == s->n)
    g_main_loop_quit (s->loop);
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  fprintf (stderr, "bench-scale: %s\n", error->message);
}

static gboolean
on_timeout (gpointer user_data)
{
  Scale *s = user_data;

  fprintf (stderr, "bench-scale: timed out with %u open and %u events received of %u\n",
           s->open, s->received, s->n);
  s->failed = TRUE;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_idle (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_broadcast_sent (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Scale *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (body == NULL)
    {
      fprintf (stderr, "bench-scale: /broadcast: %s\n", error->message);
      s->failed = TRUE;
      g_main_loop_quit (s->loop);
    }
}

/* Runs the loop for @ms milliseconds. */
static void
settle (GMainLoop *loop,
        guint      ms)
{
  g_timeout_add (ms, quit_idle, loop);
  g_main_loop_run (loop);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;
  gint n = 1000, timeout = 120, n_sessions = 1;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "bench-server's base URL", "URL" },
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Sources", "N" },
    { "sessions", 0, 0, G_OPTION_ARG_INT, &n_sessions, "Spread the sources over K sessions (default 1)", "K" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Give up after this many seconds", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *scale_url = NULL;
  g_autofree char *broadcast_url = NULL;
  g_autofree char *stats_url = NULL;
  g_autofree char *stats = NULL;
  SoupSession **sessions, *control;
  SseEventSource *warm, **sources;
  Scale s = { 0 };
  gsize rss_before, rss_open;
  gint64 open_start, open_end;
  rlim_t nofile;
  guint i, timeout_id;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || url == NULL || n < 1 ||
      n_sessions < 1 || n_sessions > n)
    {
      fprintf (stderr, "bench-scale: %s\n", error ? error->message : "--url is required");
      return 2;
    }
  nofile = bench_raise_nofile ();
  if (nofile < (rlim_t) n + 64)
    {
      fprintf (stderr, "bench-scale: only %lu open files allowed\n", (unsigned long) nofile);
      return 1;
    }

  scale_url = g_strconcat (url, "/scale", NULL);
  broadcast_url = g_strconcat (url, "/broadcast", NULL);
  stats_url = g_strconcat (url, "/stats", NULL);
  s.loop = g_main_loop_new (NULL, FALSE);
  s.n = n;
  s.delays = g_new0 (gint64, n);
  timeout_id = g_timeout_add_seconds (timeout, on_timeout, &s);

  sessions = g_new0 (SoupSession *, n_sessions);
  for (i = 0; i < (guint) n_sessions; i++)
    sessions[i] = soup_session_new_with_options ("timeout", 0,
                                                 "max-conns", n + 16,
                                                 "max-conns-per-host", n + 16,
                                                 NULL);

  /* Warm up: one source, opened and closed. */
  s.n = 1;
  s.waiting_open = TRUE;
  warm = g_object_new (SSE_TYPE_EVENT_SOURCE, "url", scale_url, "session", sessions[0], NULL);
  g_signal_connect (warm, "notify::status", G_CALLBACK (on_status), &s);
  g_signal_connect (warm, "error", G_CALLBACK (on_error), &s);
  sse_event_source_open (warm);
  g_main_loop_run (s.loop);
  g_signal_handlers_disconnect_by_data (warm, &s);
  sse_event_source_close (warm);
  g_object_unref (warm);
  if (s.failed)
    return 1;
  settle (s.loop, 200);

  s.n = n;
  s.open = 0;
  rss_before = bench_rss_bytes ();

  open_start = g_get_monotonic_time ();
  sources = g_new0 (SseEventSource *, n);
  for (i = 0; i < (guint) n; i++)
    {
      sources[i] = g_object_new (SSE_TYPE_EVENT_SOURCE, "url", scale_url,
                                 "session", sessions[i % n_sessions], NULL);
      g_signal_connect (sources[i], "notify::status", G_CALLBACK (on_status), &s);
      g_signal_connect (sources[i], "event", G_CALLBACK (on_event), &s);
      g_signal_connect (sources[i], "error", G_CALLBACK (on_error), &s);
      sse_event_source_open (sources[i]);
    }
  g_main_loop_run (s.loop);
  open_end = g_get_monotonic_time ();
  if (s.failed)
    return 1;

  /* Let the last reads settle, then measure the idle sources. */
  s.waiting_open = FALSE;
  settle (s.loop, 200);
  rss_open = bench_rss_bytes ();
  if (s.failed)
    return 1;

  control = soup_session_new_with_options ("timeout", 0, NULL);
  {
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", broadcast_url);

    soup_session_send_and_read_async (control, msg, G_PRIORITY_DEFAULT, NULL, on_broadcast_sent, &s);
  }
  g_main_loop_run (s.loop);
  if (s.failed || s.received != s.n)
    return 1;

  {
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", stats_url);
    g_autoptr(GBytes) body = soup_session_send_and_read (control, msg, NULL, &error);

    if (body == NULL)
      {
        fprintf (stderr, "bench-scale: /stats: %s\n", error->message);
        return 1;
      }
    stats = g_strstrip (g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));
    if (!g_str_has_prefix (stats, "fanout_ms="))
      g_clear_pointer (&stats, g_free);
  }

  qsort (s.delays, n, sizeof (gint64), bench_cmp_gint64);
  printf ("impl=sse-glib n=%d open=%u rss_before_kib=%" G_GSIZE_FORMAT " rss_open_kib=%" G_GSIZE_FORMAT
          " kib_per_source=%.1f open_all_ms=%.1f broadcast_p50_ms=%.3f broadcast_max_ms=%.3f server_%s\n",
          n, s.open, rss_before / 1024, rss_open / 1024,
          ((double) rss_open - (double) rss_before) / 1024.0 / n,
          (open_end - open_start) / 1000.0,
          bench_percentile (s.delays, n, 50) / 1000.0, s.delays[n - 1] / 1000.0,
          stats ? stats : "fanout_ms=nan");

  g_source_remove (timeout_id);
  for (i = 0; i < (guint) n; i++)
    {
      g_signal_handlers_disconnect_by_data (sources[i], &s);
      sse_event_source_close (sources[i]);
      g_object_unref (sources[i]);
    }
  g_free (sources);
  g_object_unref (control);
  for (i = 0; i < (guint) n_sessions; i++)
    g_object_unref (sessions[i]);
  g_free (sessions);
  g_main_loop_unref (s.loop);
  g_free (s.delays);
  return 0;
}
