/* sse-cat-feed.c: the server side of --serve and --relay: a broadcaster
 * that listens, keeps the latest events for the clients that come, and
 * drains on SIGTERM and Ctrl-C
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client that connects without a Last-Event-ID gets every event kept,
 * then the new ones; one that resumes gets those after its ID. The
 * broadcaster replays only after an ID it keeps, so it keeps one event
 * more than --replay-size: a first event that nobody receives (a mark
 * sent before listening, until the buffer is full; then the oldest kept
 * event), whose ID a new client's request is given as its Last-Event-ID.
 * Which IDs the broadcaster keeps is mirrored here, in the order it drops
 * them.
 */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/resource.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "sse-cat.h"

struct _Feed {
  GMainLoop      *loop;
  SoupServer     *server;
  SseBroadcaster *broadcaster;
  guint           replay_size;  /* how many events a new client gets */
  GQueue          ids;          /* of the kept events, oldest first (NULL: none) */
  GHashTable     *kept;         /* id → how many kept events have it */
  FeedAcceptFunc  accept;
  gpointer        accept_data;
  guint           sigint_id;    /* 0 once either signal came */
  guint           sigterm_id;
  int             exit_status;
  gboolean        stopped;
};

static void
forget_oldest (Feed *feed)
{
  char *id = g_queue_pop_head (&feed->ids);
  guint count;

  if (id == NULL)
    return;
  count = GPOINTER_TO_UINT (g_hash_table_lookup (feed->kept, id));
  if (count > 1)
    g_hash_table_insert (feed->kept, g_strdup (id), GUINT_TO_POINTER (count - 1));
  else
    g_hash_table_remove (feed->kept, id);
  g_free (id);
}

void
feed_send (Feed     *feed,
           SseEvent *event)
{
  const char *id = sse_event_get_id (event);
  guint capacity = sse_broadcaster_get_replay_size (feed->broadcaster);

  sse_broadcaster_send_event (feed->broadcaster, event);
  if (capacity == 0)
    return;

  /* As the broadcaster does: one in, the oldest out. */
  if (feed->ids.length == capacity)
    forget_oldest (feed);
  g_queue_push_tail (&feed->ids, g_strdup (id));
  if (id != NULL)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (feed->kept, id));

      g_hash_table_insert (feed->kept, g_strdup (id), GUINT_TO_POINTER (count + 1));
    }
}

gboolean
feed_keeps (Feed       *feed,
            const char *id)
{
  return g_hash_table_contains (feed->kept, id);
}

gboolean
feed_replays (Feed *feed)
{
  return feed->replay_size > 0;
}

/* The ID after which a new client starts: the oldest kept. */
static const char *
feed_start_id (Feed *feed)
{
  GList *l;

  for (l = feed->ids.head; l != NULL; l = l->next)
    if (l->data != NULL)
      return l->data;
  return NULL;
}

void
feed_add (Feed            *feed,
          SseServerStream *stream)
{
  sse_broadcaster_add_stream (feed->broadcaster, stream);
}

static void
feed_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Feed *feed = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *last_event_id = soup_message_headers_get_one (headers, "Last-Event-ID");
  const char *start_id = feed_start_id (feed);
  g_autoptr(SseServerStream) stream = NULL;

  if (opt_verbose)
    status_line (_("client %s connected (Last-Event-ID: “%s”)"),
                 soup_server_message_get_remote_host (msg), last_event_id ? last_event_id : "");

  /* A new client: everything kept. */
  if ((last_event_id == NULL || *last_event_id == '\0') && start_id != NULL)
    soup_message_headers_replace (headers, "Last-Event-ID", start_id);

  stream = sse_server_stream_new (msg);
  if (opt_retry >= 0)
    sse_server_stream_send_retry (stream, opt_retry);

  /* Draining: no new client (one that was accepted just before the
   * listener closed) stays; it reconnects after its retry time. */
  if (feed->stopped)
    {
      sse_server_stream_close (stream);
      return;
    }

  if (feed->accept != NULL && feed->accept (stream, feed->accept_data))
    return;
  sse_broadcaster_add_stream (feed->broadcaster, stream);
}

/* SIGTERM (a service manager stopping the server) and Ctrl-C: both
 * handlers go once either ran (feed_stop() removes them), so that a
 * second signal ends the process at once. */
static gboolean
on_sigint (gpointer user_data)
{
  Feed *feed = user_data;

  feed->sigint_id = 0;
  report_interrupted ();
  feed_stop (feed, EXIT_INTERRUPTED);
  return G_SOURCE_REMOVE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  Feed *feed = user_data;

  feed->sigterm_id = 0;
  status_line (_("terminated; ending every stream"));
  feed_stop (feed, EXIT_OK);
  return G_SOURCE_REMOVE;
}

Feed *
feed_new (const char *start_id)
{
  Feed *feed = g_new0 (Feed, 1);

  feed->loop = g_main_loop_new (NULL, FALSE);
  feed->broadcaster = sse_broadcaster_new ();
  feed->kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&feed->ids);
  feed->exit_status = EXIT_OK;
  feed->replay_size = opt_replay_size;

  if (feed->replay_size > 0)
    {
      g_autoptr(SseEvent) mark = sse_event_new_full (NULL, "", 0, start_id, -1);

      sse_broadcaster_set_replay_size (feed->broadcaster, feed->replay_size + 1);
      feed_send (feed, mark);
    }

  /* Before anything is printed: whoever saw "serving on" may press Ctrl-C. */
  feed->sigint_id = g_unix_signal_add (SIGINT, on_sigint, feed);
  feed->sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, feed);
  return feed;
}

void
feed_set_accept_func (Feed           *feed,
                      FeedAcceptFunc  accept,
                      gpointer        user_data)
{
  feed->accept = accept;
  feed->accept_data = user_data;
}

GMainLoop *
feed_get_loop (Feed *feed)
{
  return feed->loop;
}

gboolean
feed_check_options (void)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (opt_port < 0 || opt_port > 65535)
    {
      usage_error (_("The port must be between 0 and 65535"));
      return FALSE;
    }
  if (opt_replay_size < 0 || opt_replay_size == G_MAXINT)
    {
      usage_error (_("--replay-size must be between 0 and %d"), G_MAXINT - 1);
      return FALSE;
    }
  if (opt_retry < -1)
    {
      usage_error (_("--retry must be a number of milliseconds, 0 or more"));
      return FALSE;
    }
  inet = g_inet_address_new_from_string (opt_listen ? opt_listen : "127.0.0.1");
  if (inet == NULL)
    {
      usage_error (_("“%s” is not an IP address"), opt_listen);
      return FALSE;
    }
  return TRUE;
}

/* A server for thousands of clients needs a descriptor for each: the
 * soft limit (often 1024) goes up to the hard one, which only root can
 * raise. */
static void
raise_open_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    status_line (_("cannot raise the open-file limit to %ju: %s"),
                 (uintmax_t) limit.rlim_max, g_strerror (errno));
}

gboolean
feed_listen (Feed *feed)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (opt_listen ? opt_listen
                                                                            : "127.0.0.1");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, opt_port);
  g_autoptr(GError) error = NULL;
  GSList *uris, *l;

  raise_open_file_limit ();

  feed->server = soup_server_new ("server-header", "sse-cat ", NULL);
  soup_server_add_handler (feed->server, NULL, feed_handler, feed, NULL);
  if (!sse_server_listen (feed->server, address, 0, &error))
    {
      g_printerr ("sse-cat: %s\n", error->message);
      return FALSE;
    }

  uris = soup_server_get_uris (feed->server);
  for (l = uris; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_uri_to_string (l->data);

      status_line (_("serving on %s"), uri);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

int
feed_run (Feed *feed)
{
  if (!feed->stopped)
    g_main_loop_run (feed->loop);
  return feed->exit_status;
}

void
feed_stop (Feed *feed,
           int   exit_status)
{
  g_clear_handle_id (&feed->sigint_id, g_source_remove);
  g_clear_handle_id (&feed->sigterm_id, g_source_remove);
  if (feed->stopped)
    return;
  feed->stopped = TRUE;
  feed->exit_status = exit_status;
  g_main_loop_quit (feed->loop);
}

gboolean
feed_is_stopped (Feed *feed)
{
  return feed->stopped;
}

static void
drained_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Feed *feed = user_data;

  sse_broadcaster_drain_finish (SSE_BROADCASTER (object), result, NULL);
  g_main_loop_quit (feed->loop);
}

void
feed_drain (Feed *feed)
{
  feed->stopped = TRUE;
  if (feed->server != NULL)
    soup_server_disconnect (feed->server);   /* no new clients */
  sse_broadcaster_drain_async (feed->broadcaster, NULL, drained_cb, feed);
  g_main_loop_run (feed->loop);
}

void
feed_free (Feed *feed)
{
  g_clear_handle_id (&feed->sigint_id, g_source_remove);
  g_clear_handle_id (&feed->sigterm_id, g_source_remove);
  g_clear_object (&feed->server);
  g_clear_object (&feed->broadcaster);
  g_queue_clear_full (&feed->ids, g_free);
  g_clear_pointer (&feed->kept, g_hash_table_unref);
  g_clear_pointer (&feed->loop, g_main_loop_unref);
  g_free (feed);
}
