/* sse-server-stream.c: an event stream sent to one client of a SoupServer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>


#include "sse-encoder.h"
#include "sse-enum-types.h"
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
 * connection closes, as an event stream does anyway.
 *
 * Once libsoup has written the headers, the stream takes the connection
 * over, as libsoup's WebSocket server does, and lets go of the message
 * ([property@Sse.ServerStream:message]: read what you need of the request
 * in the handler): an idle client then costs its socket and about 2 KiB,
 * and no main loop source. What is sent in one main loop iteration goes out
 * together, in one write, in the next one. (The message's body signals are
 * therefore not emitted, nor [signal@Soup.Server::request-finished].)
 *
 * A comment is sent as a heartbeat when nothing else was sent for
 * [property@Sse.ServerStream:heartbeat-interval], which keeps proxies from
 * closing a quiet connection and finds out that a client went away.
 *
 * A client that does not read as fast as events come has them queued. One
 * that had more than [property@Sse.ServerStream:max-queued-bytes] waiting
 * for [property@Sse.ServerStream:slow-client-timeout] without catching up
 * is too slow: it is disconnected, or the oldest events waiting for it are
 * dropped ([property@Sse.ServerStream:slow-client-policy]), so that memory
 * stays bounded and the other clients are not held up.
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
  GObject                parent_instance;

  SoupServerMessage     *msg;
  SseServerOutput       *output;          /* NULL for HEAD and HTTP/2 */
  char                  *last_event_id;
  char                  *missed_event_type;

  guint                  heartbeat_interval;
  guint64                max_queued_bytes;
  guint                  slow_client_timeout;
  SseSlowClientPolicy    slow_client_policy;

  SseServerStreamFeeder  feeder;
  gpointer               feeder_data;

  gboolean               closed;
};

enum {
  PROP_0,
  PROP_MESSAGE,
  PROP_LAST_EVENT_ID,
  PROP_HEARTBEAT_INTERVAL,
  PROP_MAX_QUEUED_BYTES,
  PROP_QUEUED_BYTES,
  PROP_SLOW_CLIENT_TIMEOUT,
  PROP_SLOW_CLIENT_POLICY,
  PROP_MISSED_EVENT_TYPE,
  N_PROPS
};

enum {
  SIGNAL_CLOSED,
  SIGNAL_TOO_SLOW,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Encoders keep no state: one serves every stream. */
static SseEncoder *encoder;

G_DEFINE_FINAL_TYPE (SseServerStream, sse_server_stream, G_TYPE_OBJECT)

/* Marks the stream closed and tells the world, once. */
static void
set_closed (SseServerStream *self,
            const GError    *error)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  self->feeder = NULL;
  self->feeder_data = NULL;
  if (self->output != NULL)
    _sse_server_output_want_more (self->output, FALSE);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
  g_object_unref (self);
}

gboolean
_sse_server_stream_send_chunk (SseServerStream *self,
                               SseChunk        *chunk)
{
  if (self->closed)
    return FALSE;

  _sse_server_output_push (self->output, chunk);
  /* A client found too slow right now is closed already. */
  return !self->closed;
}

/* Takes @bytes. */
static gboolean
send_bytes (SseServerStream *self,
            GBytes          *bytes,
            const char      *id,
            SseChunkFlags    flags)
{
  g_autoptr(SseChunk) chunk = _sse_chunk_new (bytes, id, flags);

  return _sse_server_stream_send_chunk (self, chunk);
}

static SseChunk *
missed_chunk (SseServerStream *self,
              const char      *reason,
              const char      *id)
{
  g_autoptr(SseEvent) event = NULL;

  if (self->missed_event_type == NULL)
    return NULL;

  event = sse_event_new_full (self->missed_event_type, reason, -1, id, -1);
  return _sse_chunk_new (sse_encoder_encode_event (encoder, event), id, SSE_CHUNK_KEEP);
}

void
_sse_server_stream_send_missed (SseServerStream *self,
                                const char      *reason,
                                const char      *id)
{
  g_autoptr(SseChunk) chunk = NULL;

  if (self->closed)
    return;

  chunk = missed_chunk (self, reason, id);
  if (chunk != NULL)
    _sse_server_stream_send_chunk (self, chunk);
}

void
_sse_server_stream_set_feeder (SseServerStream       *self,
                               SseServerStreamFeeder  feeder,
                               gpointer               user_data)
{
  if (self->closed || self->output == NULL)
    return;

  self->feeder = feeder;
  self->feeder_data = user_data;
  _sse_server_output_want_more (self->output, feeder != NULL);
}

void
_sse_server_stream_fail (SseServerStream *self,
                         const GError    *error)
{
  if (self->closed)
    return;

  if (self->output != NULL)
    _sse_server_output_abort (self->output);
  set_closed (self, error);
}

void
_sse_server_stream_close_and_wait (SseServerStream     *self,
                                   SseServerOutputDone  done,
                                   gpointer             user_data)
{
  g_object_ref (self);
  if (self->output != NULL)
    _sse_server_output_close (self->output, done, user_data);
  else
    done (user_data);
  sse_server_stream_close (self);
  g_object_unref (self);
}

const char *
_sse_server_stream_get_remote_host (SseServerStream *self)
{
  const char *host = self->output != NULL ? _sse_server_output_get_remote_host (self->output) : NULL;

  if (host == NULL && self->msg != NULL)
    host = soup_server_message_get_remote_host (self->msg);
  return host != NULL ? host : "?";
}

void
_sse_server_stream_output_took_over (SseServerStream *self)
{
  g_clear_object (&self->msg);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

void
_sse_server_stream_output_failed (SseServerStream *self,
                                  const GError    *error)
{
  set_closed (self, error);
}

void
_sse_server_stream_output_too_slow (SseServerStream *self,
                                    guint64          queued)
{
  g_signal_emit (self, signals[SIGNAL_TOO_SLOW], 0, queued);
}

gboolean
_sse_server_stream_output_need_more (SseServerStream *self)
{
  SseServerStreamFeeder feeder = self->feeder;

  if (feeder == NULL || self->closed)
    return FALSE;

  if (!feeder (self, self->feeder_data))
    {
      /* Unless the feeder installed another one meanwhile. */
      if (self->feeder == feeder)
        {
          self->feeder = NULL;
          self->feeder_data = NULL;
        }
      return self->feeder != NULL;
    }
  return TRUE;
}

SseChunk *
_sse_server_stream_output_dropped (SseServerStream *self,
                                   guint            n_events,
                                   const char      *last_id)
{
  return missed_chunk (self, "too-slow", last_id);
}

static void
update_limits (SseServerStream *self)
{
  if (self->output != NULL)
    _sse_server_output_set_limits (self->output, self->max_queued_bytes,
                                   self->slow_client_timeout, self->slow_client_policy);
}

static void
start_response (SseServerStream *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (self->msg);
  SoupMessageBody *body = soup_server_message_get_response_body (self->msg);
  const char *last_event_id;

  last_event_id = soup_message_headers_get_one (soup_server_message_get_request_headers (self->msg),
                                                "Last-Event-ID");
  self->last_event_id = _sse_utf8_make_valid (last_event_id ? last_event_id : "", -1, NULL);

  /* libsoup 3.2 speaks HTTP/2 only when SOUP_SERVER_HTTP2 is set, and
   * then ends every response with what its body held when the headers
   * went out: no event stream can go that way. Refuse it plainly; the
   * client can come back over HTTP/1.1. */
  if (soup_server_message_get_http_version (self->msg) == SOUP_HTTP_2_0)
    {
      static const char text[] = "Event streams need HTTP/1.1 with this server\n";

      g_debug ("An event stream was asked for over HTTP/2, which libsoup 3.2 cannot "
               "stream: it is answered 505 (unset SOUP_SERVER_HTTP2)");
      soup_server_message_set_status (self->msg, SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED, NULL);
      soup_server_message_set_response (self->msg, "text/plain", SOUP_MEMORY_STATIC,
                                        text, strlen (text));
      self->closed = TRUE;
      return;
    }

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
  soup_message_body_set_accumulate (body, FALSE);

  /* A HEAD request gets the headers, and that is all. */
  if (soup_server_message_get_method (self->msg) == SOUP_METHOD_HEAD)
    {
      soup_message_body_complete (body);
      self->closed = TRUE;
      return;
    }

  /* libsoup writes the headers once the handler returns; the output then
   * takes the connection over. */
  self->output = _sse_server_output_new (self->msg, self);
  update_limits (self);
  _sse_server_output_set_heartbeat (self->output, self->heartbeat_interval);

  /* A first line gets the body started at once, so that the client knows
   * that the stream is open before the first event. */
  send_bytes (self, g_bytes_new_static (":\n", 2), NULL, 0);
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
   * response properly. What is queued still goes out, after the stream
   * is gone. */
  if (!self->closed && self->output != NULL)
    sse_server_stream_close (self);

  if (self->output != NULL)
    {
      _sse_server_output_detach (self->output);
      g_clear_pointer (&self->output, _sse_server_output_unref);
    }
  g_clear_object (&self->msg);

  G_OBJECT_CLASS (sse_server_stream_parent_class)->dispose (object);
}

static void
sse_server_stream_finalize (GObject *object)
{
  SseServerStream *self = SSE_SERVER_STREAM (object);

  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->missed_event_type, g_free);

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
      g_value_set_uint64 (value, sse_server_stream_get_queued_bytes (self));
      break;

    case PROP_SLOW_CLIENT_TIMEOUT:
      g_value_set_uint (value, self->slow_client_timeout);
      break;

    case PROP_SLOW_CLIENT_POLICY:
      g_value_set_enum (value, self->slow_client_policy);
      break;

    case PROP_MISSED_EVENT_TYPE:
      g_value_set_string (value, self->missed_event_type);
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

    case PROP_SLOW_CLIENT_TIMEOUT:
      sse_server_stream_set_slow_client_timeout (self, g_value_get_uint (value));
      break;

    case PROP_SLOW_CLIENT_POLICY:
      sse_server_stream_set_slow_client_policy (self, g_value_get_enum (value));
      break;

    case PROP_MISSED_EVENT_TYPE:
      sse_server_stream_set_missed_event_type (self, g_value_get_string (value));
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
   * The server message that the stream answers, until the stream takes
   * the connection over: once the handler returned and libsoup wrote the
   * response headers, the stream lets go of it (libsoup's objects for a
   * message are most of what an idle client would cost), and this is
   * %NULL. Read what the application needs of the request (its headers,
   * its query, the client's address) in the handler. It stays for a stream
   * that never opened (a `HEAD` request, or HTTP/2, which is refused with
   * `505`).
   *
   * Notified when the stream lets go of it.
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
   * The most bytes that may wait for a client that does not read fast
   * enough, past the kernel's socket buffers. A client that has had more
   * waiting for [property@Sse.ServerStream:slow-client-timeout], without
   * the backlog going down meanwhile, is too slow:
   * [signal@Sse.ServerStream::too-slow] is emitted and
   * [property@Sse.ServerStream:slow-client-policy] applies. 0 means no
   * limit (memory then grows as long as the client does not read).
   *
   * A burst sent from one main loop iteration does not make a client that
   * reads too slow, however large: it only has to be taking it. Nor does
   * an event larger than the limit.
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
   * The bytes sent with this stream that the connection did not take yet:
   * what waits in the process, not in the kernel's socket buffers. Not
   * notified: read it when needed.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUED_BYTES] =
    g_param_spec_uint64 ("queued-bytes", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:slow-client-timeout:
   *
   * How long, in milliseconds, more than
   * [property@Sse.ServerStream:max-queued-bytes] may wait for the client
   * without the backlog going down before the client is too slow. A client
   * that reads, even more slowly than events come, gets this long again
   * whenever its backlog went down; a client that does not read at all is
   * too slow after this long. 0 makes a client too slow as soon as more
   * than the limit waits (a large burst then counts against fast clients
   * too).
   *
   * What a client that stopped reading can cost is the limit, plus what is
   * sent to it during this time.
   *
   * Since: 1.0
   */
  properties[PROP_SLOW_CLIENT_TIMEOUT] =
    g_param_spec_uint ("slow-client-timeout", NULL, NULL,
                       0, G_MAXUINT, SSE_SERVER_STREAM_DEFAULT_SLOW_CLIENT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:slow-client-policy:
   *
   * What happens to a client that is too slow (see
   * [property@Sse.ServerStream:max-queued-bytes]): it is disconnected, the
   * default (%SSE_SLOW_CLIENT_DISCONNECT: the stream closes with
   * %SSE_ERROR_CLIENT_TOO_SLOW), or the oldest events waiting for it are
   * dropped and a [property@Sse.ServerStream:missed-event-type] event takes
   * their place (%SSE_SLOW_CLIENT_DROP_OLDEST).
   *
   * Since: 1.0
   */
  properties[PROP_SLOW_CLIENT_POLICY] =
    g_param_spec_enum ("slow-client-policy", NULL, NULL,
                       SSE_TYPE_SLOW_CLIENT_POLICY, SSE_SLOW_CLIENT_DISCONNECT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseServerStream:missed-event-type:
   *
   * The type of the event that tells the client that it missed events, or
   * %NULL to tell it nothing.
   *
   * The event is sent in place of the events that
   * %SSE_SLOW_CLIENT_DROP_OLDEST dropped, with the data `too-slow`, and by
   * a [class@Sse.Broadcaster] to a client whose `Last-Event-ID` it does not
   * keep, with the data `unknown-last-event-id`. Its id is the id of the
   * last event the client missed (when there is one), so that it resumes
   * after them if it reconnects. A browser's `EventSource` receives it with
   * `addEventListener ('missed', …)`: fetch the state afresh.
   *
   * Since: 1.0
   */
  properties[PROP_MISSED_EVENT_TYPE] =
    g_param_spec_string ("missed-event-type", NULL, NULL,
                         SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

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
   * slowly (%SSE_ERROR_CLIENT_TOO_SLOW, see
   * [property@Sse.ServerStream:slow-client-policy]). Nothing can be sent
   * afterwards; what was sent before still goes out to a client that reads
   * (see [method@Sse.ServerStream.close]).
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

  /**
   * SseServerStream::too-slow:
   * @self: the stream
   * @queued_bytes: the bytes waiting for the client
   *
   * Emitted when the client is found too slow: more than
   * [property@Sse.ServerStream:max-queued-bytes] waited for it for
   * [property@Sse.ServerStream:slow-client-timeout] without the backlog
   * going down. [property@Sse.ServerStream:slow-client-policy] applies
   * right after the handlers ran: the stream closes (and
   * [signal@Sse.ServerStream::closed] reports %SSE_ERROR_CLIENT_TOO_SLOW),
   * or the oldest events are dropped. A handler may change the policy
   * first, or close the stream itself.
   *
   * Since: 1.0
   */
  signals[SIGNAL_TOO_SLOW] =
    g_signal_new ("too-slow",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT64);

  encoder = sse_encoder_new ();
}

static void
sse_server_stream_init (SseServerStream *self)
{
  self->heartbeat_interval = SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL;
  self->max_queued_bytes = SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;
  self->slow_client_timeout = SSE_SERVER_STREAM_DEFAULT_SLOW_CLIENT_TIMEOUT;
  self->slow_client_policy = SSE_SLOW_CLIENT_DISCONNECT;
  self->missed_event_type = g_strdup (SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE);
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
 * Gets [property@Sse.ServerStream:message]: the message the stream
 * answers, until the stream took the connection over (in the handler that
 * made the stream, it is always there).
 *
 * Returns: (transfer none) (nullable): the server message, or %NULL once
 *   the stream let go of it
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
  if (self->output != NULL)
    _sse_server_output_set_heartbeat (self->output, milliseconds);
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
  update_limits (self);
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

  return self->output != NULL ? _sse_server_output_get_queued (self->output) : 0;
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

  return send_bytes (self, sse_encoder_encode_event (encoder, event), sse_event_get_id (event),
                     SSE_CHUNK_EVENT);
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

  return send_bytes (self, sse_encoder_encode_comment (encoder, text), NULL, 0);
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

  return send_bytes (self, sse_encoder_encode_retry (encoder, milliseconds), NULL, SSE_CHUNK_KEEP);
}

/**
 * sse_server_stream_close:
 * @self: a stream
 *
 * Ends the response: nothing more can be sent, what was queued is still
 * written, then the connection is closed (the body of an event stream runs
 * until the connection closes; it is not chunked). A client that does not
 * take what is left for [property@Sse.ServerStream:slow-client-timeout]
 * (at least 100 ms) is disconnected without it. This goes on after the
 * last reference to the stream is dropped.
 *
 * A browser's `EventSource` (or an [class@Sse.EventSource]) will reconnect
 * after its reconnection time; to tell it to stop for good, answer its
 * next request with `204 No Content`.
 *
 * [signal@Sse.ServerStream::closed] is emitted at once, with no error.
 * Closing a closed stream does nothing.
 *
 * Since: 1.0
 */
void
sse_server_stream_close (SseServerStream *self)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (self->closed)
    return;

  if (self->output != NULL)
    _sse_server_output_close (self->output, NULL, NULL);
  set_closed (self, NULL);
}

/**
 * sse_server_stream_get_slow_client_timeout:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:slow-client-timeout].
 *
 * Returns: the time in milliseconds
 *
 * Since: 1.0
 */
guint
sse_server_stream_get_slow_client_timeout (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), 0);

  return self->slow_client_timeout;
}

/**
 * sse_server_stream_set_slow_client_timeout:
 * @self: a stream
 * @milliseconds: the time, or 0 to disconnect as soon as the limit is passed
 *
 * Sets [property@Sse.ServerStream:slow-client-timeout].
 *
 * Since: 1.0
 */
void
sse_server_stream_set_slow_client_timeout (SseServerStream *self,
                                           guint            milliseconds)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (self->slow_client_timeout == milliseconds)
    return;

  self->slow_client_timeout = milliseconds;
  update_limits (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SLOW_CLIENT_TIMEOUT]);
}

/**
 * sse_server_stream_get_slow_client_policy:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:slow-client-policy].
 *
 * Returns: what happens to a client that is too slow
 *
 * Since: 1.0
 */
SseSlowClientPolicy
sse_server_stream_get_slow_client_policy (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), SSE_SLOW_CLIENT_DISCONNECT);

  return self->slow_client_policy;
}

/**
 * sse_server_stream_set_slow_client_policy:
 * @self: a stream
 * @policy: what happens to a client that is too slow
 *
 * Sets [property@Sse.ServerStream:slow-client-policy].
 *
 * Since: 1.0
 */
void
sse_server_stream_set_slow_client_policy (SseServerStream     *self,
                                          SseSlowClientPolicy  policy)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));
  g_return_if_fail (policy == SSE_SLOW_CLIENT_DISCONNECT || policy == SSE_SLOW_CLIENT_DROP_OLDEST);

  if (self->slow_client_policy == policy)
    return;

  self->slow_client_policy = policy;
  update_limits (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SLOW_CLIENT_POLICY]);
}

/**
 * sse_server_stream_get_missed_event_type:
 * @self: a stream
 *
 * Gets [property@Sse.ServerStream:missed-event-type].
 *
 * Returns: (nullable): the event type, or %NULL when the client is not told
 *
 * Since: 1.0
 */
const char *
sse_server_stream_get_missed_event_type (SseServerStream *self)
{
  g_return_val_if_fail (SSE_IS_SERVER_STREAM (self), NULL);

  return self->missed_event_type;
}

/**
 * sse_server_stream_set_missed_event_type:
 * @self: a stream
 * @event_type: (nullable): the event type, or %NULL not to tell the client
 *
 * Sets [property@Sse.ServerStream:missed-event-type].
 *
 * Since: 1.0
 */
void
sse_server_stream_set_missed_event_type (SseServerStream *self,
                                         const char      *event_type)
{
  g_return_if_fail (SSE_IS_SERVER_STREAM (self));

  if (g_strcmp0 (self->missed_event_type, event_type) == 0)
    return;

  g_free (self->missed_event_type);
  self->missed_event_type = g_strdup (event_type);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MISSED_EVENT_TYPE]);
}
