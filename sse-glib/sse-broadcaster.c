/* sse-broadcaster.c: sends every event to every connected client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "sse-broadcaster.h"
#include "sse-encoder.h"
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
 * among them receives exactly the events it missed before the new ones.
 * See the [Serving events](serving.html) guide.
 *
 * Since: 1.0
 */

typedef struct {
  char     *id;      /* nullable */
  SseChunk *chunk;   /* the encoded event */
} ReplayItem;

struct _SseBroadcaster
{
  GObject     parent_instance;

  GPtrArray  *streams;       /* SseServerStream, owned; NULL holes while sending */
  guint       n_streams;
  guint       sending;       /* depth of fan-out loops under way */
  gboolean    has_holes;

  SseEncoder *encoder;
  GQueue      replay;        /* ReplayItem, oldest first */
  guint       replay_size;
};

enum {
  PROP_0,
  PROP_REPLAY_SIZE,
  PROP_N_STREAMS,
  N_PROPS
};

enum {
  SIGNAL_STREAM_ADDED,
  SIGNAL_STREAM_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SseBroadcaster, sse_broadcaster, G_TYPE_OBJECT)

static void
replay_item_free (gpointer data)
{
  ReplayItem *item = data;

  g_free (item->id);
  _sse_chunk_unref (item->chunk);
  g_free (item);
}

static void
trim_replay (SseBroadcaster *self)
{
  while (self->replay.length > self->replay_size)
    replay_item_free (g_queue_pop_head (&self->replay));
}

static void on_stream_closed (SseServerStream *stream,
                              const GError    *error,
                              SseBroadcaster  *self);

/* Removes the stream at @index_, keeping the array compact unless a fan-out
 * loop is walking it. */
static void
remove_at (SseBroadcaster *self,
           guint           index_,
           const GError   *error)
{
  SseServerStream *stream = g_ptr_array_index (self->streams, index_);

  g_signal_handlers_disconnect_by_func (stream, on_stream_closed, self);

  if (self->sending > 0)
    {
      self->streams->pdata[index_] = NULL;
      self->has_holes = TRUE;
    }
  else
    g_ptr_array_remove_index_fast (self->streams, index_);

  self->n_streams--;
  g_signal_emit (self, signals[SIGNAL_STREAM_REMOVED], 0, stream, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STREAMS]);
  g_object_unref (stream);
}

static gboolean
find_stream (SseBroadcaster  *self,
             SseServerStream *stream,
             guint           *index_)
{
  return g_ptr_array_find (self->streams, stream, index_);
}

static void
on_stream_closed (SseServerStream *stream,
                  const GError    *error,
                  SseBroadcaster  *self)
{
  guint index_;

  if (find_stream (self, stream, &index_))
    remove_at (self, index_, error);
}

static void
compact (SseBroadcaster *self)
{
  guint i = 0;

  if (!self->has_holes || self->sending > 0)
    return;

  while (i < self->streams->len)
    {
      if (g_ptr_array_index (self->streams, i) == NULL)
        g_ptr_array_remove_index_fast (self->streams, i);
      else
        i++;
    }
  self->has_holes = FALSE;
}

/* Queues @chunk for every client. */
static void
fan_out (SseBroadcaster *self,
         SseChunk       *chunk)
{
  guint i;

  g_object_ref (self);
  self->sending++;

  /* Streams that close during the loop leave a hole instead of moving the
   * others around; streams added during the loop are appended and get
   * the bytes too. */
  for (i = 0; i < self->streams->len; i++)
    {
      SseServerStream *stream = g_ptr_array_index (self->streams, i);

      if (stream != NULL)
        _sse_server_stream_send_chunk (stream, chunk);
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
  g_queue_clear_full (&self->replay, replay_item_free);
  g_clear_object (&self->encoder);

  G_OBJECT_CLASS (sse_broadcaster_parent_class)->dispose (object);
}

static void
sse_broadcaster_finalize (GObject *object)
{
  SseBroadcaster *self = SSE_BROADCASTER (object);

  g_clear_pointer (&self->streams, g_ptr_array_unref);

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
   * events sent after it as soon as it is added. A client whose
   * `Last-Event-ID` is unknown (too old, or from another server) receives
   * nothing from the past. 0, the default, keeps nothing.
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

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SseBroadcaster::stream-added:
   * @self: the broadcaster
   * @stream: the client's stream
   *
   * Emitted when a client is added, after the events it missed (if any)
   * were queued for it.
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
}

static void
sse_broadcaster_init (SseBroadcaster *self)
{
  self->streams = g_ptr_array_new ();
  self->encoder = sse_encoder_new ();
  g_queue_init (&self->replay);
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

/* Queues the kept events that came after the client's Last-Event-ID. */
static void
replay (SseBroadcaster  *self,
        SseServerStream *stream)
{
  const char *last_event_id = sse_server_stream_get_last_event_id (stream);
  GList *l;

  if (*last_event_id == '\0')
    return;

  for (l = self->replay.tail; l != NULL; l = l->prev)
    {
      ReplayItem *item = l->data;

      if (item->id != NULL && strcmp (item->id, last_event_id) == 0)
        break;
    }

  if (l == NULL)
    return;

  for (l = l->next; l != NULL; l = l->next)
    {
      ReplayItem *item = l->data;

      if (!_sse_server_stream_send_chunk (stream, item->chunk))
        break;
    }
}

/**
 * sse_broadcaster_add_stream:
 * @self: a broadcaster
 * @stream: a client's stream
 *
 * Adds a client. If its `Last-Event-ID` names a kept event, the events sent
 * after that one are queued for it first. The broadcaster holds a reference
 * on @stream until the stream closes or is removed. Adding a closed stream,
 * or one already added, does nothing.
 *
 * Since: 1.0
 */
void
sse_broadcaster_add_stream (SseBroadcaster  *self,
                            SseServerStream *stream)
{
  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (SSE_IS_SERVER_STREAM (stream));

  if (sse_server_stream_is_closed (stream) || find_stream (self, stream, NULL))
    return;

  replay (self, stream);
  if (sse_server_stream_is_closed (stream))
    return;

  g_ptr_array_add (self->streams, g_object_ref (stream));
  self->n_streams++;
  g_signal_connect (stream, "closed", G_CALLBACK (on_stream_closed), self);

  g_signal_emit (self, signals[SIGNAL_STREAM_ADDED], 0, stream);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STREAMS]);
}

/**
 * sse_broadcaster_add_message:
 * @self: a broadcaster
 * @msg: a message received by a [class@Soup.Server] handler
 *
 * Answers @msg with a new [class@Sse.ServerStream] and adds it: the whole
 * body of a typical SSE handler.
 *
 * Returns: (transfer none) (nullable): the client's stream, owned by the
 *   broadcaster, or %NULL if it closed while it was added (the client was
 *   too slow for its replay, or a handler of
 *   [signal@Sse.Broadcaster::stream-added] closed it) and is gone
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
  sse_broadcaster_add_stream (self, stream);

  /* The broadcaster keeps it alive while the client is connected; a
   * stream that closed meanwhile goes with our reference. */
  if (!find_stream (self, stream, NULL))
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

  if (find_stream (self, stream, &index_))
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
 * Since: 1.0
 */
void
sse_broadcaster_send_event (SseBroadcaster *self,
                            SseEvent       *event)
{
  g_autoptr(SseChunk) chunk = NULL;

  g_return_if_fail (SSE_IS_BROADCASTER (self));
  g_return_if_fail (event != NULL);

  chunk = _sse_chunk_new (sse_encoder_encode_event (self->encoder, event), sse_event_get_id (event),
                          SSE_CHUNK_EVENT);

  if (self->replay_size > 0)
    {
      ReplayItem *item = g_new (ReplayItem, 1);

      item->id = g_strdup (sse_event_get_id (event));
      item->chunk = _sse_chunk_ref (chunk);
      g_queue_push_tail (&self->replay, item);
      trim_replay (self);
    }

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
 * Sends a comment line to every client. Comments are not kept for replay.
 *
 * Since: 1.0
 */
void
sse_broadcaster_send_comment (SseBroadcaster *self,
                              const char     *text)
{
  g_autoptr(SseChunk) chunk = NULL;

  g_return_if_fail (SSE_IS_BROADCASTER (self));

  chunk = _sse_chunk_new (sse_encoder_encode_comment (self->encoder, text), NULL, 0);
  fan_out (self, chunk);
}

/**
 * sse_broadcaster_close_all:
 * @self: a broadcaster
 *
 * Closes the stream of every client (see [method@Sse.ServerStream.close])
 * and removes them all. The kept events stay for clients that reconnect.
 *
 * Since: 1.0
 */
void
sse_broadcaster_close_all (SseBroadcaster *self)
{
  g_return_if_fail (SSE_IS_BROADCASTER (self));

  g_object_ref (self);
  while (self->n_streams > 0)
    {
      guint i;

      for (i = 0; i < self->streams->len; i++)
        {
          SseServerStream *stream = g_ptr_array_index (self->streams, i);

          if (stream != NULL)
            {
              /* Closing emits "closed", which removes it. */
              g_object_ref (stream);
              sse_server_stream_close (stream);
              if (find_stream (self, stream, &i))
                remove_at (self, i, NULL);
              g_object_unref (stream);
              break;
            }
        }
    }
  compact (self);
  g_object_unref (self);
}
