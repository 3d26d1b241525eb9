/* sse-cat-demo.c: an offline demo, a local feed that hangs up every few
 * events and a client that resumes where it was
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "sse-cat.h"

#define DEMO_EVENTS 12
#define DEMO_EVENTS_PER_CONNECTION 4
#define DEMO_INTERVAL_MS 200
#define DEMO_RECONNECTION_TIME_MS 500

typedef struct {
  SseServerStream *stream;
  guint64          next;
  guint            sent;
  guint            timer;
} DemoConnection;

static void
demo_connection_free (gpointer data)
{
  DemoConnection *connection = data;

  g_clear_handle_id (&connection->timer, g_source_remove);
  g_clear_object (&connection->stream);
  g_free (connection);
}

static gboolean
demo_tick (gpointer user_data)
{
  DemoConnection *connection = user_data;
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, connection->next);
  g_autofree char *data = g_strdup_printf ("tick %" G_GUINT64_FORMAT " of %d",
                                           connection->next, DEMO_EVENTS);

  sse_server_stream_send (connection->stream, "tick", data, id);
  connection->next++;
  connection->sent++;

  /* The demo feed is unreliable on purpose: it hangs up every few events. */
  if (connection->sent == DEMO_EVENTS_PER_CONNECTION || connection->next > DEMO_EVENTS)
    {
      connection->timer = 0;
      sse_server_stream_close (connection->stream);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
demo_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  GPtrArray *connections = user_data;
  DemoConnection *connection = g_new0 (DemoConnection, 1);
  const char *last_event_id;

  connection->stream = sse_server_stream_new (msg);
  last_event_id = sse_server_stream_get_last_event_id (connection->stream);
  /* Resume right after what the client saw. */
  connection->next = g_ascii_strtoull (last_event_id, NULL, 10) + 1;
  sse_server_stream_send_retry (connection->stream, DEMO_RECONNECTION_TIME_MS);
  connection->timer = g_timeout_add (DEMO_INTERVAL_MS, demo_tick, connection);
  g_ptr_array_add (connections, connection);
}

int
run_demo (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Client client = { 0, };
  GSList *uris;
  int status;

  connections = g_ptr_array_new_with_free_func (demo_connection_free);
  server = soup_server_new ("server-header", "sse-cat-demo ", NULL);
  soup_server_add_handler (server, NULL, demo_handler, connections, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("sse-cat: %s\n", error->message);
      return EXIT_FAILED;
    }
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* Loopback only: no proxy to look up. */
  session = soup_session_new_with_options ("timeout", 0, "proxy-resolver", NULL, NULL);
  source = g_object_new (SSE_TYPE_EVENT_SOURCE, "url", url, "session", session, NULL);

  client.loop = g_main_loop_new (NULL, FALSE);
  client_setup (&client, source);
  client_print_events (&client);
  client_handle_ctrl_c (&client);
  client.max_events = DEMO_EVENTS;
  client.demo = TRUE;
  client.demo_order_ok = TRUE;

  status_line (_("demo: a feed of %d events at %s that hangs up every %d events"),
               DEMO_EVENTS, url, DEMO_EVENTS_PER_CONNECTION);
  sse_event_source_open (source);
  g_main_loop_run (client.loop);
  sse_event_source_close (source);

  if (client.exit_status == EXIT_OK)
    {
      if (client.demo_order_ok && client.n_events == DEMO_EVENTS)
        status_line (_("demo: received all %" PRId64 " events in order across %u "
                       "reconnections, none lost and none repeated"),
                     client.n_events, client.reconnects);
      else
        {
          status_line (_("demo: events were lost or repeated"));
          client.exit_status = EXIT_FAILED;
        }
    }

  status = client.exit_status;
  client_clear (&client);
  g_ptr_array_set_size (connections, 0);
  soup_server_disconnect (server);
  return status;
}
