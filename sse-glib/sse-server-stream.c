/* sse-server-stream.c: an event stream sent to one client of a SoupServer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sse-encoder.h"
#include "sse-error.h"
#include "sse-i18n-private.h"
#include "sse-server-stream-private.h"
#include "sse-utf8-private.h"

/**
 * SseServerStream:
 *
 * The `text/event-stream` response sent to one client of a [class@Soup.Server].
 *
 * ```c
 * static void
 * handle_feed (SoupServer        *server,
 *              SoupServerMessage *msg,
 *              const char        *path,
 *              GHashTable        *query,
 *              gpointer           user_data)
 * {
 *   g_autoptr(SseServerStream) stream = sse_server_stream_new (msg);
 *
 *   // The client may be resuming: it says what it saw last.
 *   g_print ("resuming after %s\n", sse_server_stream_get_last_event_id (stream));
 *   sse_server_stream_send (stream, "greeting", "hello", "1");
 *   keep_stream_somewhere (g_steal_pointer (&stream));
 * }
 * ```
 *
 * Create it in a server handler: it answers the request with `200 OK`,
 * `Content-Type: text/event-stream`, `Cache-Control: no-cache` and
 * `X-Accel-Buffering: no` (so that nginx does not buffer the stream) and
 * `Connection: close`: the body is not chunked but runs until the
 * connection closes, as an event stream does anyway, and every event sent
 * goes out at once, in one write.
 *
 * A comment is sent as a heartbeat when nothing else was sent for
 * [property@Sse.ServerStream:heartbeat-interval], which keeps proxies from
 * closing a quiet connection and finds out that a client went away.
 *
 * A client that does not read fast enough has its events queued, up to
 * [property@Sse.ServerStream:max-queued-bytes]; past that, the client is
 * disconnected and [signal@Sse.ServerStream::closed] reports
 * %SSE_ERROR_CLIENT_TOO_SLOW, so that memory stays bounded.
 *
 * To send the same events to many clients, see [class@Sse.Broadcaster].
 * The stream lives as long as it is referenced: dropping the last
 * reference ends the response. The [Serving events](serving.html) guide
 * has more, in Python and JavaScript too.
 *
 * Since: 1.0
 */

struct _SseServerStream
{
  GObject            parent_instance;

  SoupServerMessage *msg;
  SoupMessageBody   *body;
  GMainContext      *context;
  SseEncoder        *encoder;
  char              *last_event_id;

  GSource           *heartbeat;
  guint              heartbeat_interval;
  gint64             last_send_time;

  guint64            max_queued_bytes;
  guint64            queued_bytes;

  gboolean           closed;
};

enum {
  PROP_0,
  PROP_MESSAGE,
  PROP_LAST_EVENT_ID,
  PROP_HEARTBEAT_INTERVAL,
  PROP_MAX_QUEUED_BYTES,
  PROP_QUEUED_BYTES,
  N_PROPS
};

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SseServerStream, sse_server_stream, G_TYPE_OBJECT)

static void start_heartbeat (SseServerStream *self);

static void
disconnect_message (SseServerStream *self)
{
  if (self->msg != NULL)
    g_signal_handlers_disconnect_by_data (self->msg, self);
}

static void
stop_heartbeat (SseServerStream *self)
{
  if (self->heartbeat != NULL)
    {
      g_source_destroy (self->heartbeat);
      g_clear_pointer (&self->heartbeat, g_source_unref);
    }
}

/* Marks the stream closed and tells the world, once. */
static void
set_closed (SseServerStream *self,
            const GError    *error)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  stop_heartbeat (self);
  disconnect_message (self);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
  g_object_unref (self);
}

static void
on_finished (SoupServerMessage *msg,
             SseServerStream   *self)
{
  g_autoptr(GError) error = NULL;

  /* libsoup is done with the message: the client went away (or the
   * connection broke) while the stream was still open. */
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               _("The client closed the connection"));
  set_closed (self, error);
}

static void
on_wrote_body_data (SoupServerMessage *msg,
                    guint              chunk_size,
                    SseServerStream   *self)
{
  self->queued_bytes -= MIN (self->queued_bytes, chunk_size);
}

static void
drop_slow_client (SseServerStream *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *limit = g_format_size_full (self->max_queued_bytes, G_FORMAT_SIZE_IEC_UNITS);
  GSocket *socket;

  error = g_error_new (SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW,
                       _("The client %s did not read its events fast enough (more than %s "
                         "were waiting) and was disconnected"),
                       soup_server_message_get_remote_host (self->msg) ?: "?", limit);

  /* Shutting the socket down makes libsoup's pending write fail, so it
   * finishes the message and frees what was queued. */
  socket = soup_server_message_get_socket (self->msg);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  soup_server_message_unpause (self->msg);

  set_closed (self, error);
}

gboolean
_sse_server_stream_send_encoded (SseServerStream *self,
                                 GBytes          *bytes)
{
  gsize len = g_bytes_get_size (bytes);

  if (self->closed)
    return FALSE;

  /* Only a client that has fallen behind is dropped: one event larger than
   * the limit still goes to a client that has nothing waiting. */
  if (self->max_queued_bytes != 0 && self->queued_bytes > 0 &&
      self->queued_bytes + len > self->max_queued_bytes)
    {
      drop_slow_client (self);
      return FALSE;
    }

  soup_message_body_append_bytes (self->body, bytes);
  self->queued_bytes += len;
  self->last_send_time = g_get_monotonic_time ();
  soup_server_message_unpause (self->msg);

  return TRUE;
}

static gboolean
send_and_free (SseServerStream *self,
               GBytes          *bytes)
{
  gboolean ret = _sse_server_stream_send_encoded (self, bytes);

  g_bytes_unref (bytes);
  return ret;
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  SseServerStream *self = user_data;
  gint64 quiet = g_get_monotonic_time () - self->last_send_time;

  /* Only a stream that was quiet for a whole interval needs a heartbeat. */
  if (quiet >= (gint64) self->heartbeat_interval * 1000 - 1000)
    send_and_free (self, sse_encoder_encode_comment (self->encoder, NULL));

  return G_SOURCE_CONTINUE;
}

static void
start_heartbeat (SseServerStream *self)
{
  stop_heartbeat (self);

  if (self->closed || self->heartbeat_interval == 0)
    return;

  self->heartbeat = g_timeout_source_new (self->heartbeat_interval);
  g_source_set_callback (self->heartbeat, heartbeat_cb, self, NULL);
  g_source_set_static_name (self->heartbeat, "[sse-glib] heartbeat");
  g_source_attach (self->heartbeat, self->context);
}

static void
start_response (SseServerStream *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->msg);
  const char *last_event_id;

  last_event_id = soup_message_headers_get_one (soup_server_message_get_request_headers (self->msg),
                                                "Last-Event-ID");
  self->last_event_id = _sse_utf8_make_valid (last_event_id ? last_event_id : "", -1, NULL);

  soup_server_message_set_status (self->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  /* The body runs until the connection closes, as an event stream does
   * anyway, rather than in chunks: libsoup writes a chunk's size line, its
   * data and its CRLF separately, three TCP segments an event, and three
   * times the work for a broadcast (see bench/README.md). */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  soup_message_headers_replace (headers, "Connection", "close");

  /* Sent chunks are dropped once written: a stream can run forever. */
  self->body = soup_server_message_get_response_body (self->msg);
  soup_message_body_set_accumulate (self->body, FALSE);

  g_signal_connect (self->msg, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect (self->msg, "disconnected", G_CALLBACK (on_finished), self);
  g_signal_connect (self->msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), self);

  /* A first line gets the headers out at once, so that the client knows
   * that the stream is open before the first event. It is not counted in
   * queued-bytes: it does not keep a first event larger than the limit
   * (a snapshot of the state, say) from going out. */
  soup_message_body_append (self->body, SOUP_MEMORY_STATIC, ":\n", 2);
  self->last_send_time = g_get_monotonic_time ();
  soup_server_message_unpause (self->msg);

  start_heartbeat (self);
}

static void
sse_server_stream_constructed (GObject *object)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  G_OBJECT_CLASS (sse_server_stream_parent_class)->constructed (object);

  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (self->msg));

  start_response (self);
}

static void
sse_server_stream_dispose (GObject *object)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  /* Whoever dropped the last reference is done with the client: end the
   * response properly. */
  if (!self->closed && self->msg != NULL)
    sse_server_stream_close (self);

  stop_heartbeat (self);
  disconnect_message (self);
  g_clear_object (&self->msg);
  g_clear_object (&self->encoder);

  G_OBJECT_CLASS (sse_server_stream_parent_class)->dispose (object);
}

static void
sse_server_stream_finalize (GObject *object)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->last_event_id, g_free);

  G_OBJECT_CLASS (sse_server_stream_parent_class)->finalize (object);
}

static void
sse_server_stream_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->msg);
      break;

    case PROP_LAST_EVENT_ID:
      g_value_set_string (value, self->last_event_id);
      break;

    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat_interval);
      break;

    case PROP_MAX_QUEUED_BYTES:
      g_value_set_uint64 (value, self->max_queued_bytes);
      break;

    case PROP_QUEUED_BYTES:
      g_value_set_uint64 (value, self->queued_bytes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_server_stream_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      self->msg = g_value_dup_object (value);
      break;

    case PROP_HEARTBEAT_INTERVAL:
      sse_server_stream_set_heartbeat_interval (self, g_value_get_uint (value));
      break;

    case PROP_MAX_QUEUED_BYTES:
      sse_server_stream_set_max_queued_bytes (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_server_stream_class_init (SseServerStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _sse_ensure_i18n ();

  object_class->constructed = sse_server_stream_constructed;
  object_class->dispose = sse_server_stream_dispose;
  object_class->finalize = sse_server_stream_finalize;
  object_class->get_property = sse_server_stream_get_property;
  object_class->set_property = sse_server_stream_set_property;

  /**
   * SseServerStream:message:
   *
   * The server message that the stream answers.
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         SOUP_TYPE_SERVER_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:last-event-id:
   *
   * The `Last-Event-ID` header of the client's request: the id of the last
   * event it received before it reconnected, or the empty string for a new
   * client. Send it what came after.
   *
   * Since: 1.0
   */
  properties[PROP_LAST_EVENT_ID] =
    g_param_spec_string ("last-event-id", NULL, NULL,
                         "",
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:heartbeat-interval:
   *
   * After this many milliseconds without anything sent, an empty comment
   * is sent. Clients ignore it, proxies see traffic, and a client that went
   * away is noticed. 0 turns heartbeats off.
   *
   * Since: 1.0
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL,
                       0, G_MAXUINT, SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:max-queued-bytes:
   *
   * The most bytes that may wait to be written to a client that does not
   * read fast enough. Sending more disconnects the client: the send
   * returns %FALSE and [signal@Sse.ServerStream::closed] reports
   * %SSE_ERROR_CLIENT_TOO_SLOW. 0 means no limit (memory then grows as long
   * as the client does not read).
   *
   * It bounds what waits for a client that falls behind, not the size of
   * an event: an event larger than the limit is still queued when nothing
   * else waits for the client (so at most one such event waits at a time).
   *
   * Since: 1.0
   */
  properties[PROP_MAX_QUEUED_BYTES] =
    g_param_spec_uint64 ("max-queued-bytes", NULL, NULL,
                         0, G_MAXUINT64, SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:queued-bytes:
   *
   * The bytes sent with this stream that were not written to the network
   * yet. Not notified: read it when needed.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUED_BYTES] =
    g_param_spec_uint64 ("queued-bytes", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SseServerStream::closed:
   * @self: the stream
   * @error: (nullable): why the stream closed, or %NULL if
   *   [method@Sse.ServerStream.close] closed it
   *
   * Emitted once, when the stream closes: because the application called
   * [method@Sse.ServerStream.close] (@error is %NULL), because the client
   * went away (%G_IO_ERROR_CONNECTION_CLOSED; noticed when something is
   * written, a heartbeat at the latest), or because the client read too
   * slowly (%SSE_ERROR_CLIENT_TOO_SLOW). Nothing can be sent afterwards.
   *
   * Since: 1.0
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (signals[SIGNAL_CLOSED],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
}

static void
sse_server_stream_init (SseServerStream *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->encoder = sse_encoder_new ();
  self->heartbeat_interval = SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL;
  self->max_queued_bytes = SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;
}

/**
 * sse_server_stream_new:
 * @msg: a message received by a [class@Soup.Server] handler
 *
 * Answers @msg with an event stream. Call it from the handler, which then
 * returns without pausing the message: the stream takes care of that.
 *
 * The response headers go out at once with a first empty comment, so that
 * the client sees the stream open before the first event.
 *
 * Returns: (transfer full): a new stream
 *
 * Since: 1.0
 */
SseServerStream *
sse_server_stream_new (SoupServerMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  return g_object_new (SSE_TYPE_SERVER_STREAM, "message", msg, NULL);
}

/**
 * sse_server_stream_get_message:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:message].
 *
 * Returns: (transfer none): the server message
 *
 * Since: 1.0
 */
SoupServerMessage *
sse_server_stream_get_message (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), NULL);

  return self->msg;
}

/**
 * sse_server_stream_get_last_event_id:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:last-event-id].
 *
 * Returns: (not nullable): the client's `Last-Event-ID`, or the empty string
 *
 * Since: 1.0
 */
const char *
sse_server_stream_get_last_event_id (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), NULL);

  return self->last_event_id;
}

/**
 * sse_server_stream_is_closed:
 * @self: a stream
 *
 * Whether the stream is closed: nothing more can be sent. It becomes
 * %TRUE right before [signal@Sse.ServerStream::closed] is emitted.
 *
 * Returns: %TRUE if nothing can be sent any more
 *
 * Since: 1.0
 */
gboolean
sse_server_stream_is_closed (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), TRUE);

  return self->closed;
}

/**
 * sse_server_stream_get_heartbeat_interval:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:heartbeat-interval].
 *
 * Returns: the interval in milliseconds, or 0 when heartbeats are off
 *
 * Since: 1.0
 */
guint
sse_server_stream_get_heartbeat_interval (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), 0);

  return self->heartbeat_interval;
}

/**
 * sse_server_stream_set_heartbeat_interval:
 * @self: a stream
 * @milliseconds: the interval, or 0 to turn heartbeats off
 *
 * Sets [property@Sse.ServerStream:heartbeat-interval].
 *
 * Since: 1.0
 */
void
sse_server_stream_set_heartbeat_interval (SseServerStream *self,
                                          guint            milliseconds)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (self->heartbeat_interval == milliseconds)
    return;

  self->heartbeat_interval = milliseconds;
  if (self->body != NULL)
    start_heartbeat (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL]);
}

/**
 * sse_server_stream_get_max_queued_bytes:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:max-queued-bytes].
 *
 * Returns: the limit in bytes, or 0 for none
 *
 * Since: 1.0
 */
guint64
sse_server_stream_get_max_queued_bytes (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), 0);

  return self->max_queued_bytes;
}

/**
 * sse_server_stream_set_max_queued_bytes:
 * @self: a stream
 * @max_queued_bytes: the limit in bytes, or 0 for none
 *
 * Sets [property@Sse.ServerStream:max-queued-bytes]. The new limit applies
 * from the next send on.
 *
 * Since: 1.0
 */
void
sse_server_stream_set_max_queued_bytes (SseServerStream *self,
                                        guint64          max_queued_bytes)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (self->max_queued_bytes == max_queued_bytes)
    return;

  self->max_queued_bytes = max_queued_bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_QUEUED_BYTES]);
}

/**
 * sse_server_stream_get_queued_bytes:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:queued-bytes].
 *
 * Returns: the bytes waiting to be written
 *
 * Since: 1.0
 */
guint64
sse_server_stream_get_queued_bytes (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), 0);

  return self->queued_bytes;
}

/**
 * sse_server_stream_send_event:
 * @self: a stream
 * @event: the event
 *
 * Sends @event to the client, encoded by [class@Sse.Encoder]. It is
 * queued and written as soon as the connection allows, without waiting for
 * more.
 *
 * Returns: %TRUE if the event was queued, %FALSE if the stream is closed
 *   (or closed now because the client reads too slowly)
 *
 * Since: 1.0
 */
gboolean
sse_server_stream_send_event (SseServerStream *self,
                              SseEvent        *event)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (self->closed)
    return FALSE;

  return send_and_free (self, sse_encoder_encode_event (self->encoder, event));
}

/**
 * sse_server_stream_send:
 * @self: a stream
 * @event_type: (nullable): the event type, or %NULL for `message`
 * @data: the data; line breaks in it become several `data:` lines
 * @id: (nullable): the event id, or %NULL for none
 *
 * Sends an event made of these fields: a shortcut for
 * [ctor@Sse.Event.new_full] and [method@Sse.ServerStream.send_event].
 *
 * Returns: %TRUE if the event was queued, %FALSE if the stream is closed
 *
 * Since: 1.0
 */
gboolean
sse_server_stream_send (SseServerStream *self,
                        const char      *event_type,
                        const char      *data,
                        const char      *id)
{
  g_autoptr(SseEvent) event = NULL;

  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  event = sse_event_new_full (event_type, data, -1, id, -1);
  return sse_server_stream_send_event (self, event);
}

/**
 * sse_server_stream_send_comment:
 * @self: a stream
 * @text: (nullable): the comment
 *
 * Sends a comment line. Clients ignore comments (an [class@Sse.EventSource]
 * emits [signal@Sse.EventSource::comment]).
 *
 * Returns: %TRUE if the comment was queued, %FALSE if the stream is closed
 *
 * Since: 1.0
 */
gboolean
sse_server_stream_send_comment (SseServerStream *self,
                                const char      *text)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), FALSE);

  if (self->closed)
    return FALSE;

  return send_and_free (self, sse_encoder_encode_comment (self->encoder, text));
}

/**
 * sse_server_stream_send_retry:
 * @self: a stream
 * @milliseconds: the reconnection time
 *
 * Tells the client how long to wait before reconnecting after the
 * connection is lost.
 *
 * Returns: %TRUE if it was queued, %FALSE if the stream is closed
 *
 * Since: 1.0
 */
gboolean
sse_server_stream_send_retry (SseServerStream *self,
                              guint            milliseconds)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), FALSE);

  if (self->closed)
    return FALSE;

  return send_and_free (self, sse_encoder_encode_retry (self->encoder, milliseconds));
}

/**
 * sse_server_stream_close:
 * @self: a stream
 *
 * Ends the response: what was queued is still written, then the
 * connection is closed (the body of an event stream runs until the
 * connection closes; it is not chunked). A browser's `EventSource` (or an
 * [class@Sse.EventSource]) will reconnect after its reconnection time; to
 * tell it to stop for good, answer its next request with `204 No Content`.
 *
 * [signal@Sse.ServerStream::closed] is emitted with no error. Closing a
 * closed stream does nothing.
 *
 * Since: 1.0
 */
void
sse_server_stream_close (SseServerStream *self)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (self->closed)
    return;

  soup_message_body_complete (self->body);
  soup_server_message_unpause (self->msg);
  set_closed (self, NULL);
}
