/* serve.c: serve a feed of events to browsers and other clients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GET /        a page that shows the feed with the browser's own EventSource
 * GET /events  the feed: a "tick" event every --interval milliseconds, with
 *              ids, and replay of missed events for clients that reconnect
 * POST /report the page posts what it received here (with ?expect=N); it is
 *              printed on standard output as "report: <json>"
 *
 * With --drop-every N, every client is disconnected after every N events,
 * to show that browsers reconnect with Last-Event-ID and miss nothing.
 *
 *   ./serve --port 8000     then open http://127.0.0.1:8000/
 */

#include <stdio.h>

#include <sse-glib/sse-glib.h>

static int opt_port = 8000;
static int opt_interval = 1000;
static int opt_drop_every = 0;

static const GOptionEntry entries[] = {
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "Port (0 picks a free one)", "PORT" },
  { "interval", 'i', 0, G_OPTION_ARG_INT, &opt_interval, "Milliseconds between events", "MS" },
  { "drop-every", 0, 0, G_OPTION_ARG_INT, &opt_drop_every,
    "Disconnect every client after every N events", "N" },
  { NULL }
};

typedef struct {
  SseBroadcaster *broadcaster;
  guint64         n;
} Feed;

static gboolean
tick (gpointer user_data)
{
  Feed *feed = user_data;
  g_autofree char *id = NULL;
  g_autofree char *data = NULL;

  feed->n++;
  id = g_strdup_printf ("%" G_GUINT64_FORMAT, feed->n);
  data = g_strdup_printf ("{\"n\": %" G_GUINT64_FORMAT ", \"time\": %" G_GINT64_FORMAT "}",
                          feed->n, g_get_real_time () / 1000);
  sse_broadcaster_send (feed->broadcaster, "tick", data, id);

  if (opt_drop_every > 0 && feed->n % opt_drop_every == 0)
    sse_broadcaster_close_all (feed->broadcaster);

  return G_SOURCE_CONTINUE;
}

static void
handle_events (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Feed *feed = user_data;
  SseServerStream *stream;

  stream = sse_broadcaster_add_message (feed->broadcaster, msg);
  /* Browsers wait 3 s by default before reconnecting; ask for less. (No
   * stream: it closed at once, and the client is gone.) */
  if (stream != NULL)
    sse_server_stream_send_retry (stream, 250);
}

static void
handle_page (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  g_autoptr(GBytes) page = NULL;

  if (g_strcmp0 (path, "/") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  page = g_resources_lookup_data ("/org/gnome/SseGlib/examples/index.html", 0, NULL);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8",
                                    SOUP_MEMORY_COPY,
                                    g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

static void
handle_report (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  printf ("report: %.*s\n", (int) g_bytes_get_size (bytes),
          (const char *) g_bytes_get_data (bytes, NULL));
  fflush (stdout);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- serve a feed of events");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  Feed feed = { 0, };
  GSList *uris;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  feed.broadcaster = sse_broadcaster_new ();
  sse_broadcaster_set_replay_size (feed.broadcaster, 1000);

  soup_server_add_handler (server, "/", handle_page, NULL, NULL);
  soup_server_add_handler (server, "/events", handle_events, &feed, NULL);
  soup_server_add_handler (server, "/report", handle_report, NULL, NULL);

  /* Like soup_server_listen_local(), with a backlog that takes every
   * browser reconnecting at once after a restart. */
  if (!sse_server_listen_local (server, opt_port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("Cannot listen on port %d: %s\n", opt_port, error->message);
      return 1;
    }

  uris = soup_server_get_uris (server);
  {
    g_autofree char *url = g_uri_to_string (uris->data);

    printf ("listening: %s\n", url);
    fflush (stdout);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_timeout_add (opt_interval, tick, &feed);
  g_main_loop_run (loop);

  g_object_unref (feed.broadcaster);
  return 0;
}
