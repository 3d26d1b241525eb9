/* sse-cat-relay.c: subscribe to a stream and serve it again, with the
 * origin's event IDs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Many relays behind a load balancer, all subscribed to one origin, serve
 * more clients than one server can. Each relay sends its clients the
 * origin's events with the origin's IDs and keeps the latest ones
 * (sse-cat-feed.c), so a client that fails over from one relay to another
 * resumes with a Last-Event-ID that the other one knows too, and gets
 * every event once.
 *
 * Unless the other relay is behind: the client may have received an event
 * that has not reached this relay yet (its connection to the origin is
 * slower, or was lost and is catching up). Such a client waits, its
 * stream open, until the event arrives, then resumes right after it; when
 * it has not come after --wait-for-origin seconds of an open connection to
 * the origin, the ID is not one the origin will send (it is older than
 * what this relay keeps, or from elsewhere), and the broadcaster tells the
 * client that it missed events.
 *
 * The relay's own connection to the origin is an SseEventSource: it
 * reconnects with its Last-Event-ID, and the origin's replay fills the
 * gap, so the relay's clients notice nothing.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sse-cat.h"

#define DEFAULT_WAIT_FOR_ORIGIN_MS 5000

typedef struct {
  Feed           *feed;
  SseEventSource *source;
  Client          client;      /* says what happens to the origin's stream */
  GHashTable     *waiting;     /* Last-Event-ID → GPtrArray of Waiter */
  guint           wait_ms;
  gint64          open_since;  /* when the origin's stream opened; 0: not open */
} Relay;

/* A client whose Last-Event-ID this relay has not received (yet). */
typedef struct {
  Relay           *relay;
  SseServerStream *stream;
  char            *id;
  gint64           since;
  guint            timer;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  g_clear_handle_id (&waiter->timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (waiter->stream, waiter);
  g_object_unref (waiter->stream);
  g_free (waiter->id);
  g_free (waiter);
}

/* Takes @waiter out of the table, to the caller. */
static void
waiter_steal (Waiter *waiter)
{
  GPtrArray *waiters = g_hash_table_lookup (waiter->relay->waiting, waiter->id);

  g_ptr_array_remove_fast (waiters, waiter);
  if (waiters->len == 0)
    g_hash_table_remove (waiter->relay->waiting, waiter->id);
}

/* Adds the client to the broadcaster: it resumes after its event if that
 * came, and is told that it missed events otherwise. */
static void
waiter_release (Waiter *waiter)
{
  g_autoptr(SseServerStream) stream = g_object_ref (waiter->stream);
  Relay *relay = waiter->relay;

  if (opt_verbose && !feed_keeps (relay->feed, waiter->id))
    status_line (_("event “%s” did not come from the origin within %g s; the client that "
                   "waited for it is told that it missed events"),
                 waiter->id, relay->wait_ms / 1000.);
  waiter_free (waiter);
  feed_add (relay->feed, stream);
}

static void
on_waiter_closed (SseServerStream *stream,
                  const GError    *error,
                  Waiter          *waiter)
{
  waiter_steal (waiter);
  waiter_free (waiter);
}

static gboolean waiter_timeout (gpointer user_data);

static void
waiter_arm (Waiter *waiter,
            gint64  delay_us)
{
  g_clear_handle_id (&waiter->timer, g_source_remove);
  waiter->timer = g_timeout_add (MAX (delay_us, 0) / 1000 + 1, waiter_timeout, waiter);
}

/* The time is counted while the origin's stream is open: a relay that is
 * reconnecting to it is behind, and gets the event once it is back. */
static gboolean
waiter_timeout (gpointer user_data)
{
  Waiter *waiter = user_data;
  Relay *relay = waiter->relay;
  gint64 due;

  waiter->timer = 0;
  if (relay->open_since == 0)
    return G_SOURCE_REMOVE;   /* armed again when it opens */

  due = MAX (waiter->since, relay->open_since) + (gint64) relay->wait_ms * 1000;
  if (g_get_monotonic_time () < due)
    waiter_arm (waiter, due - g_get_monotonic_time ());
  else
    {
      waiter_steal (waiter);
      waiter_release (waiter);
    }
  return G_SOURCE_REMOVE;
}

/* FeedAcceptFunc: a client that resumes from an event this relay does not
 * keep waits for it. */
static gboolean
relay_accept (SseServerStream *stream,
              gpointer         user_data)
{
  Relay *relay = user_data;
  const char *id = sse_server_stream_get_last_event_id (stream);
  GPtrArray *waiters;
  Waiter *waiter;

  if (*id == '\0' || !feed_replays (relay->feed) || feed_keeps (relay->feed, id) ||
      sse_server_stream_is_closed (stream))
    return FALSE;

  if (opt_verbose)
    status_line (_("a client waits for event “%s”, which has not come from the origin yet"),
                 id);

  waiter = g_new0 (Waiter, 1);
  waiter->relay = relay;
  waiter->stream = g_object_ref (stream);
  waiter->id = g_strdup (id);
  waiter->since = g_get_monotonic_time ();
  g_signal_connect (stream, "closed", G_CALLBACK (on_waiter_closed), waiter);

  waiters = g_hash_table_lookup (relay->waiting, id);
  if (waiters == NULL)
    {
      waiters = g_ptr_array_new ();
      g_hash_table_insert (relay->waiting, g_strdup (id), waiters);
    }
  g_ptr_array_add (waiters, waiter);

  if (relay->open_since != 0)
    waiter_arm (waiter, (gint64) relay->wait_ms * 1000);
  return TRUE;
}

static void
on_origin_event (SseEventSource *source,
                 SseEvent       *event,
                 Relay          *relay)
{
  const char *id = sse_event_get_id (event);
  g_autoptr(GPtrArray) waiters = NULL;
  g_autofree char *key = NULL;
  guint i;

  feed_send (relay->feed, event);

  /* The clients that were ahead resume from here. */
  if (id == NULL ||
      !g_hash_table_steal_extended (relay->waiting, id, (gpointer *) &key, (gpointer *) &waiters))
    return;
  for (i = 0; i < waiters->len; i++)
    waiter_release (g_ptr_array_index (waiters, i));
}

static void
on_origin_status (SseEventSource *source,
                  GParamSpec     *pspec,
                  Relay          *relay)
{
  GHashTableIter iter;
  GPtrArray *waiters;
  guint i;

  if (sse_event_source_get_status (source) != SSE_STATUS_OPEN)
    {
      relay->open_since = 0;
      return;
    }

  relay->open_since = g_get_monotonic_time ();
  g_hash_table_iter_init (&iter, relay->waiting);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &waiters))
    for (i = 0; i < waiters->len; i++)
      {
        Waiter *waiter = g_ptr_array_index (waiters, i);

        if (waiter->timer == 0)
          waiter_arm (waiter, (gint64) relay->wait_ms * 1000);
      }
}

/* Ends the streams of the clients still waiting: they reconnect, to
 * another relay perhaps. */
static void
close_waiters (Relay *relay)
{
  GHashTableIter iter;
  GPtrArray *waiters;
  guint i;

  g_hash_table_iter_init (&iter, relay->waiting);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &waiters))
    {
      for (i = 0; i < waiters->len; i++)
        {
          Waiter *waiter = g_ptr_array_index (waiters, i);

          g_signal_handlers_disconnect_by_data (waiter->stream, waiter);
          sse_server_stream_close (waiter->stream);
          waiter_free (waiter);
        }
      g_hash_table_iter_remove (&iter);
    }
}

/* The client options that make no sense for a relay, which subscribes with
 * a GET and resumes with Last-Event-ID; FALSE after a usage error. */
static gboolean
check_relay_options (void)
{
  const struct {
    gboolean    given;
    const char *name;
  } refused[] = {
    { opt_method != NULL, "-X" },
    { opt_data != NULL, "-d" },
    { opt_reconnect_mode != NULL, "--reconnect-mode" },
    { opt_no_reconnect, "--no-reconnect" },
    { opt_max_events >= 0, "--max-events" },
    { opt_json, "--json" },
    { opt_raw, "--raw" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    if (refused[i].given)
      {
        usage_error (_("%s cannot be used with --relay"), refused[i].name);
        return FALSE;
      }
  return feed_check_options ();
}

int
run_relay (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *start_id = NULL;
  Relay relay = { 0, };
  int status;

  relay.wait_ms = DEFAULT_WAIT_FOR_ORIGIN_MS;
  if (!check_relay_options ())
    return EXIT_USAGE;
  if (!timeout_option ("--wait-for-origin", opt_wait_for_origin, &relay.wait_ms, &error))
    {
      usage_error ("%s", error->message);
      return EXIT_USAGE;
    }

  relay.source = client_source_new (url);
  if (relay.source == NULL)
    {
      client_options_clear ();
      return EXIT_USAGE;
    }
  /* An origin behind a proxy answers 502 while it restarts: a relay
   * waits for it rather than giving up. */
  sse_event_source_set_retry_on_server_error (relay.source, TRUE);

  /* The ID of the first kept event, after which new clients start: the
   * origin's IDs are anything, so one of ours that none of them is. */
  start_id = g_strconcat ("sse-cat-relay-", uuid, NULL);
  relay.feed = feed_new (start_id);
  relay.waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  feed_set_accept_func (relay.feed, relay_accept, &relay);

  relay.client.loop = g_main_loop_ref (feed_get_loop (relay.feed));
  client_setup (&relay.client, relay.source);
  g_signal_connect (relay.source, "event", G_CALLBACK (on_origin_event), &relay);
  g_signal_connect (relay.source, "notify::status", G_CALLBACK (on_origin_status), &relay);

  if (!feed_listen (relay.feed))
    status = EXIT_FAILED;
  else
    {
      sse_event_source_open (relay.source);
      status = feed_run (relay.feed);
      /* Not a signal: the source closed by itself (the origin refused the
       * stream, say), and said why. */
      if (!feed_is_stopped (relay.feed))
        {
          status = relay.client.exit_status;
          feed_stop (relay.feed, status);
        }

      g_signal_handlers_disconnect_by_data (relay.source, &relay);
      sse_event_source_close (relay.source);
      close_waiters (&relay);
      feed_drain (relay.feed);
    }

  g_signal_handlers_disconnect_by_data (relay.source, &relay);
  client_clear (&relay.client);
  g_clear_object (&relay.source);
  close_waiters (&relay);
  g_hash_table_unref (relay.waiting);
  feed_free (relay.feed);
  client_options_clear ();
  return status;
}
