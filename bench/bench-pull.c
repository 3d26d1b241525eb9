/* bench-pull.c: the memory a slow consumer costs, with pulls and without
 *
 *   bench-pull [--mode pull|signal-queue] [--interval MS] [--seconds S]
 *              [--event-size BYTES] [--max-queued-bytes BYTES] [--cap BYTES]
 *
 * A server in a thread of this process writes events of --event-size
 * bytes (default 4096: "id: N" and "data: N xxx…", N in 10 digits; an
 * event is never shorter than those two fields, 34 bytes) to one client
 * as fast as its socket takes them: each write blocks until the kernel
 * has room, and the bytes written are counted. The client, an
 * SseEventSource in the main thread, takes 10 events, then consumes one
 * event every --interval milliseconds (0: none at all, a consumer that
 * stopped) for --seconds, while this program samples its resident set
 * size every 20 ms. Then it takes 1,000 more events as fast as it can,
 * and checks that every event it took came in order, none missing.
 *
 * --mode pull (default): the events are taken with
 * sse_event_source_next_event_async(), max-queued-bytes at its default
 * unless --max-queued-bytes says otherwise.
 *
 * --mode signal-queue: what a program that cannot pull does: a handler on
 * "event" keeps every event in the program's own queue, from which the
 * consumer takes. Nothing slows the server down; so that the run ends, the
 * program stops reading (closes the source) when its queue holds --cap
 * bytes of data (default 256 MiB), and reports that it did and when.
 *
 * Prints one line, e.g.:
 *
 *   impl=sse-glib-pull interval_ms=1 seconds=3.000 consumed=2741
 *   written_bytes=… written_during_bytes=… ahead_bytes=… rss_base_kib=…
 *   rss_max_kib=… rss_growth_kib=… capped=0 capped_after_s=0.000
 *   counted_bytes_per_event=4082.0
 *
 * written_during_bytes: what the server wrote during the --seconds;
 * ahead_bytes: what it had written that the consumer had not taken yet,
 * at the end of the --seconds (the source's queue, its read buffer and the
 * two kernel socket buffers); rss_growth_kib: the most the RSS grew, up to
 * the end of the --seconds, over what it was just before open(): the
 * stream's whole cost. Before that, a first stream was read (10 events)
 * and closed, so that the stream measured does not pay for the first one
 * of the process. The server thread's share is one event and its stack.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-common.h"

#include "sse-glib/sse-glib.h"

#define WARM_EVENTS  10
#define DRAIN_EVENTS 1000

/* The server --------------------------------------------------------------- */

typedef struct {
  GSocket *listener;
  gsize    event_size;
  gsize    written;    /* atomic, pointer-sized: of the current connection */
  gint     served;     /* atomic: connections whose writes ended */
  gint     stop;       /* atomic: the next connection ends the thread */
} Flood;

/* Writes events to @socket until the client goes. */
static void
flood_serve (Flood   *flood,
             GSocket *socket)
{
  static const char head[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    "Connection: close\r\n\r\n";
  g_autoptr(GString) event = g_string_new (NULL);
  char request[4096];
  guint64 id;

  /* One read takes the request (a GET with a few headers). */
  if (g_socket_receive (socket, request, sizeof request, NULL, NULL) <= 0 ||
      g_socket_send (socket, head, strlen (head), NULL, NULL) != (gssize) strlen (head))
    return;

  for (id = 1; ; id++)
    {
      gsize sent = 0;

      /* Ids of one width: every event the same size. */
      g_string_printf (event, "id: %010" G_GUINT64_FORMAT "\ndata: %010" G_GUINT64_FORMAT " ",
                       id, id);
      while (event->len < flood->event_size - 2)
        g_string_append_c (event, 'x');
      g_string_append (event, "\n\n");
      while (sent < event->len)
        {
          /* Blocks while the kernel's buffers are full; fails once the
           * client closed (no SIGPIPE: GSocket sends with MSG_NOSIGNAL). */
          gssize n = g_socket_send (socket, event->str + sent, event->len - sent, NULL, NULL);

          if (n <= 0)
            return;
          sent += n;
          g_atomic_pointer_add (&flood->written, (gssize) n);
        }
    }
}

/* Serves one connection after the other. */
static gpointer
flood_thread (gpointer user_data)
{
  Flood *flood = user_data;

  for (;;)
    {
      g_autoptr(GSocket) socket = g_socket_accept (flood->listener, NULL, NULL);

      if (socket == NULL || g_atomic_int_get (&flood->stop))
        break;
      flood_serve (flood, socket);
      g_socket_close (socket, NULL);
      g_atomic_int_inc (&flood->served);
      g_main_context_wakeup (NULL);
    }
  return NULL;
}

/* Runs the main loop until the server is done with @n connections. */
static void
flood_wait_served (Flood *flood,
                   gint   n)
{
  while (g_atomic_int_get (&flood->served) < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
flood_stop (Flood   *flood,
            GThread *thread)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (flood->listener, NULL);

  /* A connection that wakes the thread up in accept(). */
  g_atomic_int_set (&flood->stop, 1);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (socket == NULL || !g_socket_connect (socket, address, NULL, NULL))
    g_error ("bench-pull: cannot stop the server");
  g_thread_join (thread);
}

/* One stream read and left, so that the one measured does not pay for
 * what the first stream of a process costs (the code paths of GIO and
 * libsoup read from disk, GIO modules loaded, the allocator's first
 * arenas). */
static void
pulled_one (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SseEvent **event = user_data;

  *event = sse_event_source_next_event_finish (SSE_EVENT_SOURCE (object), result, NULL);
  if (*event == NULL)
    g_error ("bench-pull: the warm-up stream ended");
}

static void
warm_up (const char *url,
         Flood      *flood)
{
  g_autoptr(SseEventSource) source = sse_event_source_new (url);
  guint i;

  /* Reading no further ahead than it must: what it read ahead would stay
   * in the allocator's heap and count in the baseline. */
  sse_event_source_set_max_queued_bytes (source, 1);
  sse_event_source_open (source);
  for (i = 0; i < WARM_EVENTS; i++)
    {
      g_autoptr(SseEvent) event = NULL;

      sse_event_source_next_event_async (source, NULL, pulled_one, &event);
      while (event == NULL)
        g_main_context_iteration (NULL, TRUE);
    }
  sse_event_source_close (source);
  flood_wait_served (flood, 1);
  g_atomic_pointer_set (&flood->written, 0);
}

/* The client --------------------------------------------------------------- */

typedef enum {
  PHASE_WARM,      /* the first WARM_EVENTS, as fast as they come */
  PHASE_SLOW,      /* one every --interval ms, for --seconds */
  PHASE_DRAIN,     /* DRAIN_EVENTS more, as fast as they come */
  PHASE_DONE,
} Phase;

typedef struct {
  GMainLoop      *loop;
  SseEventSource *source;
  Flood          *flood;
  gboolean        pull;
  Phase           phase;
  gboolean        pending;     /* a pull under way */
  gboolean        failed;

  guint64         consumed;    /* events taken, in order */
  guint64         drained;
  guint64         consumed_wire;     /* bytes of the events taken, as sent */
  guint64         consumed_counted;  /* their data and id: what the bound counts */

  /* --mode signal-queue: the program's own queue */
  GQueue          kept;
  gsize           kept_bytes;
  gsize           cap;
  gboolean        capped;
  double          capped_after;   /* s into the slow phase */

  guint           interval;
  guint           slow_ms;
  guint           tick_id;
  guint           sample_id;
  guint           end_id;

  gsize           rss_base;
  gsize           rss_max;
  gsize           written_base;
  gsize           written_end;
  gsize           ahead;
  double          seconds;
  gint64          slow_start;
} Client;

static void client_next (Client *c);

static void
fail (Client     *c,
      const char *message)
{
  fprintf (stderr, "bench-pull: %s (after %" G_GUINT64_FORMAT " events)\n", message, c->consumed);
  c->failed = TRUE;
  c->phase = PHASE_DONE;
  g_main_loop_quit (c->loop);
}

static gboolean
sample_rss (gpointer user_data)
{
  Client *c = user_data;

  c->rss_max = MAX (c->rss_max, bench_rss_bytes ());
  return G_SOURCE_CONTINUE;
}

static gboolean
on_tick (gpointer user_data)
{
  Client *c = user_data;

  client_next (c);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_slow_end (gpointer user_data)
{
  Client *c = user_data;

  c->end_id = 0;
  sample_rss (c);
  c->seconds = (g_get_monotonic_time () - c->slow_start) / 1e6;
  c->written_end = (gsize) g_atomic_pointer_get (&c->flood->written);
  c->ahead = c->written_end - (gsize) c->consumed_wire;
  g_clear_handle_id (&c->tick_id, g_source_remove);
  g_clear_handle_id (&c->sample_id, g_source_remove);
  c->phase = PHASE_DRAIN;
  client_next (c);
  return G_SOURCE_REMOVE;
}

static void
start_slow (Client *c)
{
  c->phase = PHASE_SLOW;
  c->written_base = (gsize) g_atomic_pointer_get (&c->flood->written);
  c->slow_start = g_get_monotonic_time ();
  if (c->interval > 0)
    c->tick_id = g_timeout_add (c->interval, on_tick, c);
  c->end_id = g_timeout_add (c->slow_ms, on_slow_end, c);
}

/* One event taken by the consumer: checks its place in the stream and
 * moves on to the next phase. Returns whether the consumer takes the next
 * one at once. */
static gboolean
consume (Client   *c,
         SseEvent *event)
{
  const char *id = sse_event_get_id (event);

  if (id == NULL || g_ascii_strtoull (id, NULL, 10) != c->consumed + 1)
    {
      fail (c, "an event out of order, or missing");
      return FALSE;
    }
  c->consumed++;
  /* "id: N\ndata: DATA\n\n" */
  c->consumed_wire += strlen ("id: \ndata: \n\n") + strlen (id) + sse_event_get_data_length (event);
  c->consumed_counted += strlen (id) + sse_event_get_data_length (event);

  switch (c->phase)
    {
    case PHASE_WARM:
      if (c->consumed < WARM_EVENTS)
        return TRUE;
      start_slow (c);
      return FALSE;
    case PHASE_DRAIN:
      if (++c->drained < DRAIN_EVENTS)
        return TRUE;
      c->phase = PHASE_DONE;
      g_main_loop_quit (c->loop);
      return FALSE;
    case PHASE_SLOW:    /* the next tick takes the next one */
    case PHASE_DONE:
    default:
      return FALSE;
    }
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

  c->pending = FALSE;
  if (c->phase == PHASE_DONE)
    return;
  if (event == NULL)
    {
      fail (c, error != NULL ? error->message : "the stream ended");
      return;
    }
  if (consume (c, event))
    client_next (c);
}

/* Takes the next event: a pull, or from the program's own queue (then as
 * many as the phase wants at once). */
static void
client_next (Client *c)
{
  SseEvent *event;

  if (c->pull)
    {
      if (!c->pending)
        {
          c->pending = TRUE;
          sse_event_source_next_event_async (c->source, NULL, on_pulled, c);
        }
      return;
    }

  while ((event = g_queue_pop_head (&c->kept)) != NULL)
    {
      gboolean more;

      c->kept_bytes -= sse_event_get_data_length (event);
      more = consume (c, event);
      sse_event_unref (event);
      if (!more)
        break;
    }
}

/* --mode signal-queue: every event into the program's queue. */
static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Client *c = user_data;

  g_queue_push_tail (&c->kept, sse_event_ref (event));
  c->kept_bytes += sse_event_get_data_length (event);
  if (c->kept_bytes >= c->cap && !c->capped)
    {
      /* Nothing else would stop it: stop reading. */
      c->capped = TRUE;
      if (c->phase == PHASE_SLOW)
        c->capped_after = (g_get_monotonic_time () - c->slow_start) / 1e6;
      sse_event_source_close (source);
    }
  /* A consumer that takes them as fast as they come takes it at once. */
  if (c->phase == PHASE_WARM || c->phase == PHASE_DRAIN)
    client_next (c);
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  fprintf (stderr, "bench-pull: %s\n", error->message);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *mode = NULL;
  gint64 interval = 1, event_size = 4096, max_queued = 0, cap = 256 * 1024 * 1024;
  double seconds = 3;
  GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "pull (default) or signal-queue", "MODE" },
    { "interval", 0, 0, G_OPTION_ARG_INT64, &interval, "Take one event every MS ms (0: none)", "MS" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long the consumer is slow", "S" },
    { "event-size", 0, 0, G_OPTION_ARG_INT64, &event_size, "Bytes of each event on the wire", "BYTES" },
    { "max-queued-bytes", 0, 0, G_OPTION_ARG_INT64, &max_queued, "The source's bound (0: its default)", "BYTES" },
    { "cap", 0, 0, G_OPTION_ARG_INT64, &cap, "signal-queue: stop reading past this", "BYTES" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  Flood flood = { 0 };
  Client c = { 0 };
  GThread *thread;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-pull: %s\n", error->message);
      return 2;
    }
  if (mode == NULL)
    mode = g_strdup ("pull");
  if ((strcmp (mode, "pull") != 0 && strcmp (mode, "signal-queue") != 0) || interval < 0 ||
      seconds <= 0 || event_size < 16 || max_queued < 0 || cap < 1)
    {
      fprintf (stderr, "bench-pull: bad arguments (see --help)\n");
      return 2;
    }

  flood.event_size = event_size;
  flood.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  if (flood.listener == NULL)
    g_error ("%s", error->message);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  any = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (flood.listener, any, TRUE, &error) ||
      !g_socket_listen (flood.listener, &error) ||
      (bound = g_socket_get_local_address (flood.listener, &error)) == NULL)
    g_error ("%s", error->message);
  url = g_strdup_printf ("http://127.0.0.1:%u/",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  thread = g_thread_new ("flood", flood_thread, &flood);

  c.loop = g_main_loop_new (NULL, FALSE);
  c.flood = &flood;
  c.pull = strcmp (mode, "pull") == 0;
  c.interval = interval;
  c.slow_ms = (guint) (seconds * 1000);
  c.cap = cap;
  g_queue_init (&c.kept);

  warm_up (url, &flood);

  c.source = sse_event_source_new (url);
  if (max_queued > 0)
    sse_event_source_set_max_queued_bytes (c.source, max_queued);
  if (!c.pull)
    g_signal_connect (c.source, "event", G_CALLBACK (on_event), &c);
  g_signal_connect (c.source, "error", G_CALLBACK (on_error), &c);
  c.rss_base = c.rss_max = bench_rss_bytes ();
  c.sample_id = g_timeout_add (20, sample_rss, &c);
  sse_event_source_open (c.source);
  client_next (&c);

  g_main_loop_run (c.loop);

  g_clear_handle_id (&c.tick_id, g_source_remove);
  g_clear_handle_id (&c.sample_id, g_source_remove);
  g_clear_handle_id (&c.end_id, g_source_remove);
  /* Closing ends the connection (in the main loop), then the server's
   * writes and its thread; a pull under way ends too. */
  sse_event_source_close (c.source);
  flood_wait_served (&flood, 2);
  while (c.pending)
    g_main_context_iteration (NULL, TRUE);
  flood_stop (&flood, thread);

  if (!c.failed)
    printf ("impl=sse-glib-%s interval_ms=%u seconds=%.3f consumed=%" G_GUINT64_FORMAT
            " event_bytes=%" G_GINT64_FORMAT " max_queued_bytes=%" G_GUINT64_FORMAT
            " written_bytes=%" G_GSIZE_FORMAT " written_during_bytes=%" G_GSIZE_FORMAT
            " ahead_bytes=%" G_GSIZE_FORMAT " rss_base_kib=%" G_GSIZE_FORMAT
            " rss_max_kib=%" G_GSIZE_FORMAT " rss_growth_kib=%" G_GSIZE_FORMAT
            " capped=%d capped_after_s=%.3f counted_bytes_per_event=%.1f\n",
            mode, c.interval, c.seconds, c.consumed, event_size,
            c.pull ? sse_event_source_get_max_queued_bytes (c.source) : 0,
            c.written_end, c.written_end - c.written_base, c.ahead,
            c.rss_base / 1024, c.rss_max / 1024, (c.rss_max - c.rss_base) / 1024, c.capped,
            c.capped_after, (double) c.consumed_counted / MAX (c.consumed, 1));

  g_queue_clear_full (&c.kept, (GDestroyNotify) sse_event_unref);
  g_object_unref (c.source);
  g_object_unref (flood.listener);
  g_main_loop_unref (c.loop);
  return c.failed ? 1 : 0;
}
