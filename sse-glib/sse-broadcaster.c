/* sse-broadcaster.c: sends every event to every connected client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-broadcaster.h"
#include "sse-encoder.h"
#include "sse-error.h"
#include "sse-i18n-private.h"
#include "sse-server-stream-private.h"

/**
 * SseBroadcaster:
 *
 * Sends each event to every client connected to it, for feeds that all
 * clients share.
 *
 * ```c
 * static void
 * handle_feed (SoupServer *server, SoupServerMessage *msg, const char *path,
 *              GHashTable *query, gpointer user_data)
 * {
 *   SseBroadcaster *broadcaster = user_data;
 *
 *   sse_broadcaster_add_message (broadcaster, msg);
 * }
 *
 * SseBroadcaster *broadcaster = sse_broadcaster_new ();
 * sse_broadcaster_set_replay_size (broadcaster, 100);
 * soup_server_add_handler (server, "/feed", handle_feed, broadcaster, NULL);
 * // later, from anywhere in the same thread:
 * sse_broadcaster_send (broadcaster, "price", "{\"eur\": 1.08}", "1234");
 * ```
 *
 * An event is encoded once and the same bytes are queued for every client.
 * Clients that go away, or read too slowly, are removed by themselves.
 *
 * With a [property@Sse.Broadcaster:replay-size], the broadcaster keeps the
 * latest events, and a client that reconnects with a `Last-Event-ID` that is
 * among them receives exactly the events it missed before the new ones, at
 * the pace it reads them (however many they are); a client whose
 * `Last-Event-ID` is no longer kept is told that it missed events.
 * [method@Sse.Broadcaster.drain_async] ends every stream cleanly, for a
 * server that shuts down. See the [Serving events](serving.html) guide.
 *
 * Since: 1.0
 */

/* A client, and where it is in the replay buffer while it catches up. */
typedef struct {
  SseServerStream *stream;     /* owned */
  SseBroadcaster  *broadcaster;
  guint64          cursor;     /* the next event to replay to it */
  gboolean         live;       /* caught up: gets every new event */
} Member;

/* A replay is fed to a client this much at a time, when it took most of
 * the previous part: a client that missed a lot catches up at the pace it
 * reads, and what waits for it stays within the slow-client limit. */
#define REPLAY_HIGH_WATER (64 * 1024)

struct _SseBroadcaster
{
  GObject      parent_instance;

  GPtrArray   *members;        /* Member, owned; NULL holes while sending */
  GHashTable  *by_stream;      /* SseServerStream → Member */
  guint        n_streams;
  guint        sending;        /* depth of fan-out loops under way */
  gboolean     has_holes;

  /* The replay buffer: a ring of the latest events, numbered from 1. */
  SseChunk   **ring;
  guint        ring_capacity;
  guint        ring_start;
  guint        ring_length;
  guint64      first_seq;      /* the number of the oldest kept event */
  guint64      next_seq;       /* the number of the next event */
  GHashTable  *ids;            /* id → the newest kept SseChunk with it */
  char        *dropped_id;     /* the id of the newest event that left the ring */
  guint        replay_size;

  char        *missed_event_type;
};

enum {
  PROP_0,
  PROP_REPLAY_SIZE,
  PROP_N_STREAMS,
  PROP_MISSED_EVENT_TYPE,
  N_PROPS
};

enum {
  SIGNAL_STREAM_ADDED,
  SIGNAL_STREAM_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Encoders keep no state: one serves every broadcaster. */
static SseEncoder *encoder;

G_DEFINE_FINAL_TYPE (SseBroadcaster, sse_broadcaster, G_TYPE_OBJECT)

/* The replay buffer ---------------------------------------------------------- */

static SseChunk *
ring_at (SseBroadcaster *self,
         guint64         seq)
{
  g_assert (seq >= self->first_seq && seq < self->first_seq + self->ring_length);
  return self->ring[(self->ring_start + (seq - self->first_seq)) % self->ring_capacity];
}

/* The newest kept event with an id, or NULL. */
static const char *
newest_id (SseBroadcaster *self)
{
  guint64 seq;

  for (seq = self->first_seq + self->ring_length; seq > self->first_seq; seq--)
    {
      SseChunk *chunk = ring_at (self, seq - 1);

      if (chunk->id != NULL)
        return chunk->id;
    }
  return self->dropped_id;
}

static void
ring_drop_oldest (SseBroadcaster *self)
{
  SseChunk *chunk = self->ring[self->ring_start];

  if (chunk->id != NULL)
    {
      if (g_hash_table_lookup (self->ids, chunk->id) == chunk)
        g_hash_table_remove (self->ids, chunk->id);
      g_free (self->dropped_id);
      self->dropped_id = g_strdup (chunk->id);
    }
  self->ring[self->ring_start] = NULL;
  self->ring_start = (self->ring_start + 1) % self->ring_capacity;
  self->ring_length--;
  self->first_seq++;
  _sse_chunk_unref (chunk);
}

/* Makes room for @capacity events, in order from index 0. */
static void
ring_resize (SseBroadcaster *self,
             guint           capacity)
{
  SseChunk **ring = g_new0 (SseChunk *, capacity);
  guint i;

  g_assert (capacity >= self->ring_length);
  for (i = 0; i < self->ring_length; i++)
    ring[i] = self->ring[(self->ring_start + i) % self->ring_capacity];
  g_free (self->ring);
  self->ring = ring;
  self->ring_capacity = capacity;
  self->ring_start = 0;
}

static void ring_clear (SseBroadcaster *self);

static void
trim_replay (SseBroadcaster *self)
{
  if (self->replay_size == 0)
    {
      ring_clear (self);
      return;
    }
  while (self->ring_length > self->replay_size)
    ring_drop_oldest (self);
  if (self->ring_capacity > 2 * MAX (self->replay_size, 16))
    ring_resize (self, MAX (self->replay_size, 16));
}

/* Keeps @chunk, numbered, if the buffer keeps anything. */
static void
ring_push (SseBroadcaster *self,
           SseChunk       *chunk)
{
  chunk->seq = self->next_seq++;
  if (self->replay_size == 0)
    {
      self->first_seq = self->next_seq;
      return;
    }

  if (self->ring_length == self->replay_size)
    ring_drop_oldest (self);
  if (self->ring_length == self->ring_capacity)
    ring_resize (self, MIN (MAX (self->ring_capacity * 2, 16), self->replay_size));

  self->ring[(self->ring_start + self->ring_length) % self->ring_capacity] = _sse_chunk_ref (chunk);
  self->ring_length++;
  if (chunk->id != NULL)
    g_hash_table_replace (self->ids, chunk->id, chunk);
}

static void
ring_clear (SseBroadcaster *self)
{
  while (self->ring_length > 0)
    ring_drop_oldest (self);
  g_clear_pointer (&self->ring, g_free);
  self->ring_capacity = 0;
  self->ring_start = 0;
}

/* Members ------------------------------------------------------------------- */

static void on_stream_closed (SseServerStream *stream,
                              const GError    *error,
                              SseBroadcaster  *self);

/* Removes the member at @index_, keeping the array compact unless a fan-out
 * loop is walking it. */
static void
remove_at (SseBroadcaster *self,
           guint           index_,
           const GError   *error)
{
  Member *member = g_ptr_array_index (self->members, index_);
  SseServerStream *stream = member->stream;

  g_signal_handlers_disconnect_by_func (stream, on_stream_closed, self);
  _sse_server_stream_set_feeder (stream, NULL, NULL);
  g_hash_table_remove (self->by_stream, stream);

  if (self->sending > 0)
    {
      self->members->pdata[index_] = NULL;
      self->has_holes = TRUE;
    }
  else
    g_ptr_array_remove_index_fast (self->members, index_);

  self->n_streams--;
  g_free (member);
  g_signal_emit (self, signals[SIGNAL_STREAM_REMOVED], 0, stream, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STREAMS]);
  g_object_unref (stream);
}

static gboolean
find_member (SseBroadcaster  *self,
             SseServerStream *stream,
             guint           *index_)
{
  Member *member = g_hash_table_lookup (self->by_stream, stream);

  if (member == NULL)
    return FALSE;
  return index_ == NULL || g_ptr_array_find (self->members, member, index_);
}

static void
on_stream_closed (SseServerStream *stream,
                  const GError    *error,
                  SseBroadcaster  *self)
{
  guint index_;

  if (find_member (self, stream, &index_))
    remove_at (self, index_, error);
}

static void
compact (SseBroadcaster *self)
{
  guint i = 0;

  if (!self->has_holes || self->sending > 0)
    return;

  while (i < self->members->len)
    {
      if (g_ptr_array_index (self->members, i) == NULL)
        g_ptr_array_remove_index_fast (self->members, i);
      else
        i++;
    }
  self->has_holes = FALSE;
}

/* The replay of a member that is catching up: the next part, when its
 * client took most of the previous one. Returns FALSE when it caught up
 * (or closed: @member may then be gone). */
static gboolean
feed_member (SseServerStream *stream,
             gpointer         user_data)
{
  Member *member = user_data;
  SseBroadcaster *self = member->broadcaster;

  if (member->cursor < self->first_seq)
    {
      /* New events pushed what it still had to get out of the buffer. */
      if (sse_server_stream_get_slow_client_policy (stream) == SSE_SLOW_CLIENT_DISCONNECT)
        {
          g_autoptr(GError) error = NULL;
          const char *host = _sse_server_stream_get_remote_host (stream);

          error = g_error_new (SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW,
                               _("The client %s did not read the events it missed fast enough to "
                                 "catch up before they were dropped from the replay buffer, and "
                                 "was disconnected"),
                               host);
          _sse_server_stream_fail (stream, error);
          return FALSE;
        }
      _sse_server_stream_send_missed (stream, "too-slow", self->dropped_id);
      member->cursor = self->first_seq;
    }

  while (member->cursor < self->next_seq &&
         sse_server_stream_get_queued_bytes (stream) < REPLAY_HIGH_WATER)
    {
      SseChunk *chunk = ring_at (self, member->cursor);

      member->cursor++;
      if (!_sse_server_stream_send_chunk (stream, chunk))
        return FALSE;
    }

  if (member->cursor < self->next_seq)
    return TRUE;

  member->live = TRUE;
  return FALSE;
}

/* Queues @chunk for every client that caught up; the others get it from
 * the replay buffer. */
static void
fan_out (SseBroadcaster *self,
         SseChunk       *chunk)
{
  guint i;

  g_object_ref (self);
  self->sending++;

  /* Streams that close during the loop leave a hole instead of moving the
   * others around; streams added during the loop are appended and get
   * the chunk too. */
  for (i = 0; i < self->members->len; i++)
    {
      Member *member = g_ptr_array_index (self->members, i);

      if (member != NULL && member->live)
        _sse_server_stream_send_chunk (member->stream, chunk);
    }

  self->sending--;
  compact (self);
  g_object_unref (self);
}

static void
sse_broadcaster_dispose (GObject *object)
{
  SseBroadcaster *self = SSE_BROADCASTER (object);

  sse_broadcaster_close_all (self);
  ring_clear (self);

  G_OBJECT_CLASS (sse_broadcaster_parent_class)->dispose (object);
}

static void
sse_broadcaster_finalize (GObject *object)
{
  SseBroadcaster *self = SSE_BROADCASTER (object);

  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->by_stream, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_hash_table_unref);
  g_clear_pointer (&self->dropped_id, g_free);
  g_clear_pointer (&self->missed_event_type, g_free);

  G_OBJECT_CLASS (sse_broadcaster_parent_class)->finalize (object);
}

static void
sse_broadcaster_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SseBroadcaster *self = SSE_BROADCASTER (object);

  switch (prop_id)
    {
    case PROP_REPLAY_SIZE:
      g_value_set_uint (value, self->replay_size);
      break;

    case PROP_N_STREAMS:
      g_value_set_uint (value, self->n_streams);
      break;

    case PROP_MISSED_EVENT_TYPE:
      g_value_set_string (value, self->missed_event_type);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_broadcaster_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SseBroadcaster *self = SSE_BROADCASTER (object);

  switch (prop_id)
    {
    case PROP_REPLAY_SIZE:
      sse_broadcaster_set_replay_size (self, g_value_get_uint (value));
      break;

    case PROP_MISSED_EVENT_TYPE:
      sse_broadcaster_set_missed_event_type (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_broadcaster_class_init (SseBroadcasterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _sse_ensure_i18n ();

  object_class->dispose = sse_broadcaster_dispose;
  object_class->finalize = sse_broadcaster_finalize;
  object_class->get_property = sse_broadcaster_get_property;
  object_class->set_property = sse_broadcaster_set_property;

  /**
   * SseBroadcaster:replay-size:
   *
   * How many of the latest events are kept for clients that reconnect. A
   * client whose `Last-Event-ID` is the id of a kept event receives the
   * events sent after it, at the pace it reads them, and then the new
   * ones. A client whose `Last-Event-ID` is not kept (too old, or from
   * another server) is told that it missed events (see
   * [property@Sse.Broadcaster:missed-event-type]) and receives the new
   * ones. 0, the default, keeps nothing: then a client's `Last-Event-ID`
   * is the application's business.
   *
   * Since: 1.0
   */
  properties[PROP_REPLAY_SIZE] =
    g_param_spec_uint ("replay-size", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseBroadcaster:n-streams:
   *
   * How many clients are connected. Notified after every
   * [signal@Sse.Broadcaster::stream-added] and
   * [signal@Sse.Broadcaster::stream-removed].
   *
   * Since: 1.0
   */
  properties[PROP_N_STREAMS] =
    g_param_spec_uint ("n-streams", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseBroadcaster:missed-event-type:
   *
   * The [property@Sse.ServerStream:missed-event-type] of the streams that
   * [method@Sse.Broadcaster.add_message] makes. With a
   * [property@Sse.Broadcaster:replay-size], a client whose `Last-Event-ID`
   * is not among the kept events gets such an event first, with the data
   * `unknown-last-event-id` and the id of the newest kept event (or the
   * empty id, which makes the client forget its own, when none is kept):
   * it missed events, and resumes from the newest if it reconnects. %NULL
   * tells clients nothing.
   *
   * Since: 1.0
   */
  properties[PROP_MISSED_EVENT_TYPE] =
    g_param_spec_string ("missed-event-type", NULL, NULL,
                         SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SseBroadcaster::stream-added:
   * @self: the broadcaster
   * @stream: the client's stream
   *
   * Emitted when a client is added, after the replay of the events it
   * missed (if any) started, or it was told that it missed events.
   *
   * Since: 1.0
   */
  signals[SIGNAL_STREAM_ADDED] =
    g_signal_new ("stream-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, SSE_TYPE_SERVER_STREAM);
  g_signal_set_va_marshaller (signals[SIGNAL_STREAM_ADDED],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /**
   * SseBroadcaster::stream-removed:
   * @self: the broadcaster
   * @stream: the client's stream
   * @error: (nullable): why the stream closed, as in
   *   [signal@Sse.ServerStream::closed], or %NULL when it was removed with
   *   [method@Sse.Broadcaster.remove_stream] or closed by the application
   *
   * Emitted when a client is removed: it went away, it read too slowly
   * (%SSE_ERROR_CLIENT_TOO_SLOW), its stream was closed, or it was removed.
   *
   * Since: 1.0
   */
  signals[SIGNAL_STREAM_REMOVED] =
    g_signal_new ("stream-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, SSE_TYPE_SERVER_STREAM, G_TYPE_ERROR);

  encoder = sse_encoder_new ();
}

static void
sse_broadcaster_init (SseBroadcaster *self)
{
  self->members = g_ptr_array_new ();
  self->by_stream = g_hash_table_new (NULL, NULL);
  self->ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->first_seq = 1;
  self->next_seq = 1;
  self->missed_event_type = g_strdup (SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE);
}

/**
 * sse_broadcaster_new:
 *
 * Creates a broadcaster with no clients, keeping no events for replay.
 *
 * Returns: (transfer full): a new broadcaster
 *
 * Since: 1.0
 */
SseBroadcaster *
sse_broadcaster_new (void)
{
  return g_object_new (SSE_TYPE_BROADCASTER, NULL);
}

/**
 * sse_broadcaster_get_replay_size:
 * @self: a broadcaster
 *
 * Gets [property@Sse.Broadcaster:replay-size].
 *
 * Returns: how many events are kept for replay
 *
 * Since: 1.0
 */
guint
sse_broadcaster_get_replay_size (SseBroadcaster *self)
{
  g_return_val_if_fail (SSE_IS_BROADCASTER (self), 0);

  return self->replay_size;
}

/**
 * sse_broadcaster_set_replay_size:
 * @self: a broadcaster
 * @replay_size: how many events to keep
 *
 * Sets [property@Sse.Broadcaster:replay-size]. Making it smaller forgets
 * the oldest events at once.
 *
 * Since: 1.0
 */
void
sse_broadcaster_set_replay_size (SseBroadcaster *self,
                                 guint           replay_size)
{
  g_return_if_fail (SSE_IS_BROADCASTER (self));

  if (self->replay_size == replay_size)
    return;

  self->replay_size = replay_size;
  trim_replay (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLAY_SIZE]);
}

/**
 * sse_broadcaster_get_missed_event_type:
 * @self: a broadcaster
 *
 * Gets [property@Sse.Broadcaster:missed-event-type].
 *
 * Returns: (nullable): the event type, or %NULL when clients are not told
 *
 * Since: 1.0
 */
const char *
sse_broadcaster_get_missed_event_type (SseBroadcaster *self)
{
  g_return_val_if_fail (SSE_IS_BROADCASTER (self), NULL);

  return self->missed_event_type;
}

/**
 * sse_broadcaster_set_missed_event_type:
 * @self: a broadcaster
 * @event_type: (nullable): the event type, or %NULL not to tell clients
 *
 * Sets [property@Sse.Broadcaster:missed-event-type], for the streams made
 * from now on.
 *
 * Since: 1.0
 */
void
sse_broadcaster_set_missed_event_type (SseBroadcaster *self,
                                       const char     *event_type)
{
  g_return_if_fail (SSE_IS_BROADCASTER (self));

  if (g_strcmp0 (self->missed_event_type, event_type) == 0)
    return;

  g_free (self->missed_event_type);
  self->missed_event_type = g_strdup (event_type);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MISSED_EVENT_TYPE]);
}

/**
 * sse_broadcaster_get_n_streams:
 * @self: a broadcaster
 *
 * Gets [property@Sse.Broadcaster:n-streams].
 *
 * Returns: the number of connected clients
 *
 * Since: 1.0
 */
guint
sse_broadcaster_get_n_streams (SseBroadcaster *self)
{
  g_return_val_if_fail (SSE_IS_BROADCASTER (self), 0);

  return self->n_streams;
}

/* Where a new member starts: caught up, or replaying from an event. */
static void
place_member (SseBroadcaster *self,
              Member         *member)
{
  const char *last_event_id = sse_server_stream_get_last_event_id (member->stream);
  SseChunk *seen;

  member->live = TRUE;
  if (*last_event_id == '\0' || self->replay_size == 0)
    return;

  seen = g_hash_table_lookup (self->ids, last_event_id);
  if (seen == NULL)
    {
      const char *id = newest_id (self);

      /* It missed what we cannot tell: say so, and give it the newest id
       * (or make it forget its own) so that it resumes from here. */
      _sse_server_stream_send_missed (member->stream, "unknown-last-event-id", id ? id : "");
      return;
    }

  member->cursor = seen->seq + 1;
  member->live = member->cursor == self->next_seq;
}

/**
 * sse_broadcaster_add_stream:
 * @self: a broadcaster
 * @stream: a client's stream
 *
 * Adds a client. If its `Last-Event-ID` names a kept event, the events sent
 * after that one are sent to it first, at the pace it reads them; if it
 * names an event that is not kept, it is told that it missed events (see
 * [property@Sse.Broadcaster:missed-event-type]). The broadcaster holds a
 * reference on @stream until the stream closes or is removed. Adding a
 * closed stream, or one already added, does nothing.
 *
 * Since: 1.0
 */
void
sse_broadcaster_add_stream (SseBroadcaster  *self,
                            SseServerStream *stream)
{
  Member *member;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (SSE_IS_SERVER_STREAM (stream));

  if (sse_server_stream_is_closed (stream) || find_member (self, stream, NULL))
    return;

  member = g_new0 (Member, 1);
  member->stream = g_object_ref (stream);
  member->broadcaster = self;
  g_ptr_array_add (self->members, member);
  g_hash_table_insert (self->by_stream, stream, member);
  self->n_streams++;
  g_signal_connect (stream, "closed", G_CALLBACK (on_stream_closed), self);

  g_object_ref (self);
  place_member (self, member);
  /* It may have closed right away (too slow with a timeout of 0). */
  if (find_member (self, stream, NULL))
    {
      if (!member->live)
        _sse_server_stream_set_feeder (stream, feed_member, member);
      g_signal_emit (self, signals[SIGNAL_STREAM_ADDED], 0, stream);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STREAMS]);
    }
  g_object_unref (self);
}

/**
 * sse_broadcaster_add_message:
 * @self: a broadcaster
 * @msg: a message received by a [class@Soup.Server] handler
 *
 * Answers @msg with a new [class@Sse.ServerStream] (whose
 * [property@Sse.ServerStream:missed-event-type] is the broadcaster's) and
 * adds it: the whole body of a typical SSE handler.
 *
 * Returns: (transfer none) (nullable): the client's stream, owned by the
 *   broadcaster, or %NULL if it closed while it was added (a handler of
 *   [signal@Sse.Broadcaster::stream-added] closed it, say) and is gone
 *
 * Since: 1.0
 */
SseServerStream *
sse_broadcaster_add_message (SseBroadcaster    *self,
                             SoupServerMessage *msg)
{
  g_autoptr(SseServerStream) stream = NULL;

  g_return_val_if_fail (SSE_IS_BROADCASTER (self), NULL);
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  stream = sse_server_stream_new (msg);
  sse_server_stream_set_missed_event_type (stream, self->missed_event_type);
  sse_broadcaster_add_stream (self, stream);

  /* The broadcaster keeps it alive while the client is connected; a
   * stream that closed meanwhile goes with our reference. */
  if (!find_member (self, stream, NULL))
    return NULL;
  return stream;
}

/**
 * sse_broadcaster_remove_stream:
 * @self: a broadcaster
 * @stream: a client's stream
 *
 * Stops sending events to @stream, without closing it.
 *
 * Since: 1.0
 */
void
sse_broadcaster_remove_stream (SseBroadcaster  *self,
                               SseServerStream *stream)
{
  guint index_;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (SSE_IS_SERVER_STREAM (stream));

  if (find_member (self, stream, &index_))
    remove_at (self, index_, NULL);
}

/**
 * sse_broadcaster_send_event:
 * @self: a broadcaster
 * @event: the event
 *
 * Sends @event to every client, and keeps it for replay if
 * [property@Sse.Broadcaster:replay-size] allows. Give events ids when
 * replay is on: only an event with an id can be found again.
 *
 * The event is encoded once; the clients' connections take it in the next
 * main loop iteration, together with whatever else was sent meanwhile.
 *
 * Since: 1.0
 */
void
sse_broadcaster_send_event (SseBroadcaster *self,
                            SseEvent       *event)
{
  g_autoptr(SseChunk) chunk = NULL;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (event != NULL);

  chunk = _sse_chunk_new (sse_encoder_encode_event (encoder, event), sse_event_get_id (event),
                          SSE_CHUNK_EVENT);
  ring_push (self, chunk);
  fan_out (self, chunk);
}

/**
 * sse_broadcaster_send:
 * @self: a broadcaster
 * @event_type: (nullable): the event type, or %NULL for `message`
 * @data: the data
 * @id: (nullable): the event id, or %NULL for none
 *
 * Sends an event made of these fields to every client: a shortcut for
 * [ctor@Sse.Event.new_full] and [method@Sse.Broadcaster.send_event].
 *
 * Since: 1.0
 */
void
sse_broadcaster_send (SseBroadcaster *self,
                      const char     *event_type,
                      const char     *data,
                      const char     *id)
{
  g_autoptr(SseEvent) event = NULL;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (data != NULL);

  event = sse_event_new_full (event_type, data, -1, id, -1);
  sse_broadcaster_send_event (self, event);
}

/**
 * sse_broadcaster_send_comment:
 * @self: a broadcaster
 * @text: (nullable): the comment
 *
 * Sends a comment line to every client that caught up. Comments are not
 * kept for replay.
 *
 * Since: 1.0
 */
void
sse_broadcaster_send_comment (SseBroadcaster *self,
                              const char     *text)
{
  g_autoptr(SseChunk) chunk = NULL;

  g_return_if_fail (SSE_IS_BROADCASTER (self));

  chunk = _sse_chunk_new (sse_encoder_encode_comment (encoder, text), NULL, 0);
  fan_out (self, chunk);
}

/* The members' streams, referenced: closing them changes the array. */
static GPtrArray *
list_streams (SseBroadcaster *self)
{
  GPtrArray *streams = g_ptr_array_new_full (self->n_streams, g_object_unref);
  guint i;

  for (i = 0; i < self->members->len; i++)
    {
      Member *member = g_ptr_array_index (self->members, i);

      if (member != NULL)
        g_ptr_array_add (streams, g_object_ref (member->stream));
    }
  return streams;
}

/**
 * sse_broadcaster_close_all:
 * @self: a broadcaster
 *
 * Closes the stream of every client (see [method@Sse.ServerStream.close])
 * and removes them all: each client still gets what was queued for it,
 * then its connection ends, and it reconnects after its reconnection time.
 * The kept events stay for clients that reconnect.
 *
 * Disposing of the broadcaster does the same. To know when every
 * connection is closed, see [method@Sse.Broadcaster.drain_async].
 *
 * Since: 1.0
 */
void
sse_broadcaster_close_all (SseBroadcaster *self)
{
  g_autoptr(GPtrArray) streams = NULL;
  guint i;

  g_return_if_fail (SSE_IS_BROADCASTER (self));

  g_object_ref (self);
  streams = list_streams (self);
  for (i = 0; i < streams->len; i++)
    {
      SseServerStream *stream = g_ptr_array_index (streams, i);
      guint index_;

      /* Closing emits "closed", which removes it. */
      sse_server_stream_close (stream);
      if (find_member (self, stream, &index_))
        remove_at (self, index_, NULL);
    }
  compact (self);
  g_object_unref (self);
}

typedef struct {
  GTask   *task;
  guint    pending;
  GSource *cancelled;
} Drain;

static void
drain_return (Drain  *drain,
              GError *error)
{
  if (drain->task == NULL)
    return;
  if (drain->cancelled != NULL)
    {
      g_source_destroy (drain->cancelled);
      g_clear_pointer (&drain->cancelled, g_source_unref);
    }
  if (error != NULL)
    g_task_return_error (drain->task, error);
  else
    g_task_return_boolean (drain->task, TRUE);
  g_clear_object (&drain->task);
}

static void
drain_done (gpointer user_data)
{
  Drain *drain = user_data;

  if (--drain->pending > 0)
    return;
  drain_return (drain, NULL);
  g_free (drain);
}

static gboolean
drain_cancelled (GCancellable *cancellable,
                 gpointer      user_data)
{
  Drain *drain = user_data;
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  drain_return (drain, error);
  return G_SOURCE_REMOVE;
}

/**
 * sse_broadcaster_drain_async:
 * @self: a broadcaster
 * @cancellable: (nullable): stops waiting (not the draining)
 * @callback: (scope async): called when every connection is closed
 * @user_data: data for @callback
 *
 * Closes every client's stream, as [method@Sse.Broadcaster.close_all]
 * does, and completes when each of their connections is closed: once the
 * client got everything that was queued for it, or went away, or took
 * nothing for its [property@Sse.ServerStream:slow-client-timeout] (at
 * least 100 ms). A server that shuts down waits for this before it exits,
 * so that every client reconnects (to another server, say) without
 * having lost what was sent to it.
 *
 * Since: 1.0
 */
void
sse_broadcaster_drain_async (SseBroadcaster      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GPtrArray) streams = NULL;
  Drain *drain;
  guint i;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  drain = g_new0 (Drain, 1);
  drain->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (drain->task, sse_broadcaster_drain_async);
  drain->pending = 1;
  if (cancellable != NULL)
    {
      drain->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (drain->cancelled, G_SOURCE_FUNC (drain_cancelled), drain, NULL);
      g_source_attach (drain->cancelled, g_task_get_context (drain->task));
    }

  g_object_ref (self);
  streams = list_streams (self);
  for (i = 0; i < streams->len; i++)
    {
      SseServerStream *stream = g_ptr_array_index (streams, i);
      guint index_;

      drain->pending++;
      _sse_server_stream_close_and_wait (stream, drain_done, drain);
      if (find_member (self, stream, &index_))
        remove_at (self, index_, NULL);
    }
  compact (self);
  g_object_unref (self);

  drain_done (drain);
}

/**
 * sse_broadcaster_drain_finish:
 * @self: a broadcaster
 * @result: the result given to the callback
 * @error: return location for an error (%G_IO_ERROR_CANCELLED only)
 *
 * Finishes [method@Sse.Broadcaster.drain_async].
 *
 * Returns: %TRUE once every connection was closed, %FALSE if the wait was
 *   cancelled
 *
 * Since: 1.0
 */
gboolean
sse_broadcaster_drain_finish (SseBroadcaster  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (SSE_IS_BROADCASTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sse_broadcaster_drain_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
