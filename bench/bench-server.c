/* bench-server.c: the local server of the latency and scale benchmarks
 *
 *   bench-server [--port N] [--root DIR]
 *
 * Listens on 127.0.0.1 (port 0: any free one, printed as "port=N" on the
 * first line of stdout) with sse_server_listen() (the system's maximum
 * backlog), with the open-file limit raised to the hard limit, until SIGINT
 * or SIGTERM.
 *
 *   /tick?n=N&interval=MS  an SseServerStream that sends N small events,
 *                          one every MS milliseconds (default 5000 and 1),
 *                          each with data "<seq> <CLOCK_MONOTONIC µs taken
 *                          just before the send>", then ends the stream
 *   /scale                 adds the client to one SseBroadcaster, without
 *                          heartbeats (bench-scale's clients)
 *   /subscribe             adds the client to the same broadcaster, with
 *                          the library's defaults (bench-subscribers)
 *   /broadcast             sends one event "<seq> <µs>" to every client of
 *                          the broadcaster (seq counts from 0), and answers
 *                          "streams=N" (how many it went to)
 *   /stats                 "fanout_ms=T": how long after that send libsoup
 *                          had written the event to the last of them (the
 *                          server's share of the broadcast time)
 *   /f/NAME                the file DIR/NAME as text/event-stream with a
 *                          Content-Length, like a static file server (for
 *                          the smoke mode, which has no nginx)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib-unix.h>

#include "bench-common.h"

#include "sse-glib/sse-glib.h"

static SseBroadcaster *broadcaster;
static char *root;

/* The broadcast under way: when it was sent, and when the last /scale
 * stream had written it to its socket (0: not yet). */
static gint64 broadcast_time;
static gint64 fanout_time;
static GPtrArray *scale_streams;

/* /tick ------------------------------------------------------------------ */

typedef struct {
  SseServerStream *stream;
  GSource         *timer;
  guint            sent;
  guint            total;
} Ticker;

static void
ticker_free (Ticker *t)
{
  if (t->timer != NULL)
    {
      g_source_destroy (t->timer);
      g_source_unref (t->timer);
    }
  g_object_unref (t->stream);
  g_free (t);
}

static gboolean
ticker_free_idle (gpointer user_data)
{
  ticker_free (user_data);
  return G_SOURCE_REMOVE;
}

static void
ticker_closed (SseServerStream *stream,
               GError          *error,
               gpointer         user_data)
{
  Ticker *t = user_data;

  g_signal_handlers_disconnect_by_data (stream, t);
  if (t->timer != NULL)
    {
      g_source_destroy (t->timer);
      g_clear_pointer (&t->timer, g_source_unref);
    }
  g_idle_add (ticker_free_idle, t);
}

static gboolean
tick (gpointer user_data)
{
  Ticker *t = user_data;
  char data[64];

  g_snprintf (data, sizeof data, "%u %" G_GINT64_FORMAT, t->sent, g_get_monotonic_time ());
  sse_server_stream_send (t->stream, NULL, data, NULL);
  if (++t->sent == t->total)
    {
      g_clear_pointer (&t->timer, g_source_unref);
      sse_server_stream_close (t->stream);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static guint
query_uint (GHashTable *query,
            const char *name,
            guint       fallback)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  return value ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static void
handle_tick (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Ticker *t = g_new0 (Ticker, 1);

  t->total = MAX (query_uint (query, "n", 5000), 1);
  t->stream = sse_server_stream_new (msg);
  sse_server_stream_set_heartbeat_interval (t->stream, 0);
  t->timer = g_timeout_source_new (MAX (query_uint (query, "interval", 1), 1));
  g_source_set_callback (t->timer, tick, t, NULL);
  g_source_attach (t->timer, NULL);
  g_signal_connect (t->stream, "closed", G_CALLBACK (ticker_closed), t);
}

/* /scale and /broadcast -------------------------------------------------- */

/* Runs at a low priority, after the streams' writes: the broadcast is
 * written when nothing waits for any stream any more. */
static gboolean
check_fanout (gpointer user_data)
{
  guint i;

  for (i = 0; i < scale_streams->len; i++)
    if (sse_server_stream_get_queued_bytes (scale_streams->pdata[i]) > 0)
      return G_SOURCE_CONTINUE;

  fanout_time = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
on_scale_closed (SseServerStream *stream,
                 GError          *error,
                 gpointer         user_data)
{
  g_ptr_array_remove_fast (scale_streams, stream);
}

static void
handle_scale (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SseServerStream *stream = sse_broadcaster_add_message (broadcaster, msg);

  if (stream == NULL)
    return;
  sse_server_stream_set_heartbeat_interval (stream, 0);
  g_ptr_array_add (scale_streams, g_object_ref (stream));
  g_signal_connect (stream, "closed", G_CALLBACK (on_scale_closed), NULL);
}

/* A subscriber with the library's defaults (heartbeats included). */
static void
handle_subscribe (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  sse_broadcaster_add_message (broadcaster, msg);
}

static guint broadcast_seq;

static void
handle_broadcast (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  guint n = sse_broadcaster_get_n_streams (broadcaster);
  char data[64], *body;

  broadcast_time = g_get_monotonic_time ();
  fanout_time = 0;
  g_snprintf (data, sizeof data, "%u %" G_GINT64_FORMAT, broadcast_seq++, broadcast_time);
  sse_broadcaster_send (broadcaster, NULL, data, NULL);
  g_idle_add_full (G_PRIORITY_LOW, check_fanout, NULL, NULL);

  body = g_strdup_printf ("streams=%u\n", n);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
handle_stats (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  char *body;

  if (fanout_time != 0)
    body = g_strdup_printf ("fanout_ms=%.3f\n", (fanout_time - broadcast_time) / 1000.0);
  else
    body = g_strdup ("fanout_pending\n");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, body, strlen (body));
}

/* /f/NAME ---------------------------------------------------------------- */

static void
handle_file (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  const char *name = path + strlen ("/f/");
  g_autofree char *file = NULL;
  char *contents;
  gsize len;

  if (root == NULL || *name == '\0' || strchr (name, '/') != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  file = g_build_filename (root, name, NULL);
  if (!g_file_get_contents (file, &contents, &len, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_TAKE, contents, len);
}

/* main ------------------------------------------------------------------- */

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  gint port = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any)", "N" },
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "Directory served under /f/", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  SoupServer *server;
  GSList *listeners;
  GMainLoop *loop;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-server: %s\n", error->message);
      return 2;
    }
  bench_raise_nofile ();

  /* SoupServer's own listen functions keep GSocket's default backlog of
   * 10: a thousand clients connecting at once would see SYNs dropped and
   * wait for retransmissions. */
  server = soup_server_new ("server-header", "bench-server", NULL);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, port);
  if (!sse_server_listen (server, address, 0, &error))
    {
      fprintf (stderr, "bench-server: cannot listen on port %d: %s\n", port, error->message);
      return 1;
    }
  listeners = soup_server_get_listeners (server);
  bound = g_socket_get_local_address (listeners->data, &error);
  g_slist_free (listeners);

  broadcaster = sse_broadcaster_new ();
  scale_streams = g_ptr_array_new_with_free_func (g_object_unref);
  soup_server_add_handler (server, "/tick", handle_tick, NULL, NULL);
  soup_server_add_handler (server, "/scale", handle_scale, NULL, NULL);
  soup_server_add_handler (server, "/subscribe", handle_subscribe, NULL, NULL);
  soup_server_add_handler (server, "/broadcast", handle_broadcast, NULL, NULL);
  soup_server_add_handler (server, "/stats", handle_stats, NULL, NULL);
  soup_server_add_handler (server, "/f/", handle_file, NULL, NULL);

  printf ("port=%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);

  /* Closing runs on_scale_closed, which takes each stream out of the
   * array: the array goes after. */
  sse_broadcaster_close_all (broadcaster);
  g_ptr_array_unref (scale_streams);
  g_object_unref (broadcaster);
  soup_server_disconnect (server);
  g_object_unref (server);
  g_main_loop_unref (loop);
  g_free (root);
  return 0;
}
