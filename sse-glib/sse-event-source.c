/* sse-event-source.c: a reconnecting EventSource client over libsoup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-attempt-private.h"
#include "sse-enum-types.h"
#include "sse-error.h"
#include "sse-event-source.h"
#include "sse-event-source-private.h"
#include "sse-i18n-private.h"
#include "sse-parser-private.h"
#include "sse-signal-private.h"

/**
 * SseEventSource:
 *
 * A client for a `text/event-stream`: the `EventSource` of the web, on
 * libsoup and the GLib main loop.
 *
 * ```c
 * static void
 * on_update (SseEventSource *source, SseEvent *event, gpointer user_data)
 * {
 *   g_print ("update %s: %s\n", sse_event_get_id (event),
 *            sse_event_get_data (event));
 * }
 *
 * static void
 * on_error (SseEventSource *source, GError *error, gpointer user_data)
 * {
 *   g_warning ("%s", error->message);
 * }
 *
 * SseEventSource *source = sse_event_source_new ("https://example.org/feed");
 *
 * g_signal_connect (source, "event::update", G_CALLBACK (on_update), NULL);
 * g_signal_connect (source, "error", G_CALLBACK (on_error), NULL);
 * sse_event_source_open (source);
 * ```
 *
 * The source follows the WHATWG processing model: it sends
 * `Accept: text/event-stream` and, once the stream has given an event ID,
 * `Last-Event-ID`; a `200 OK` answer with the content type
 * `text/event-stream` opens the stream; when the connection is lost or the
 * stream ends, it waits and reconnects, resuming from the last event ID.
 * Any other answer (`204 No Content` included, which servers use to say
 * "stop") closes it for good, unless
 * [property@Sse.EventSource:retry-on-server-error] asks for server errors to
 * be retried. A request with another method than `GET` (an LLM's chat
 * stream, an MCP call) is sent once by default:
 * [property@Sse.EventSource:reconnect-mode] says what reconnects.
 *
 * Events come as [signal@Sse.EventSource::event], or are pulled in order
 * with [method@Sse.EventSource.next_event_async], at the consumer's pace.
 *
 * Everything is emitted in the thread-default main context of the thread
 * that created the source (see [func@GLib.MainContext.ref_thread_default]),
 * never from another thread; the source must be used from that thread.
 * [method@Sse.EventSource.close] stops everything at once, even from a
 * signal handler, and so does dropping the last reference.
 *
 * The guides tell the rest:
 *
 * - [Getting started](overview.html): reading a stream from C, Python,
 *   JavaScript and Vala.
 * - [Reconnection and Last-Event-ID](reconnecting.html): the status and the
 *   order of signals, the backoff and its reset, network awareness,
 *   timeouts, resuming after a restart.
 * - [Requests, redirects and TLS](requests.html): templates and bodies,
 *   headers per attempt, redirects and credentials, the session, TLS
 *   databases, the source's lifetime.
 * - [Recipes](recipes.html): a token per attempt, an LLM chat stream, MCP
 *   resumption, in C, Python and JavaScript.
 * - [Pulling events](pulling.html): `for await` in JavaScript, and what the
 *   bound means for memory and for the server.
 * - [Errors](errors.html) and [Limits](limits.html).
 *
 * Since: 1.0
 */

#define DEFAULT_RECONNECTION_TIME 3000
#define DEFAULT_MAX_RECONNECTION_TIME 30000
#define DEFAULT_CONNECT_TIMEOUT 30000
#define DEFAULT_READ_TIMEOUT (5 * 60 * 1000)

GParamSpec *_sse_event_source_properties[N_PROPS];
guint _sse_event_source_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SseEventSource, sse_event_source, G_TYPE_OBJECT)

/* Signals ---------------------------------------------------------------- */

void
_sse_event_source_set_status (SseEventSource *self,
                              SseStatus       status)
{
  if (self->status == status)
    return;

  self->status = status;
  if (status == SSE_STATUS_CLOSED)
    _sse_event_queue_closed (&self->queue);
  else if (status == SSE_STATUS_CONNECTING)
    _sse_event_queue_opened (&self->queue);
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_STATUS]);
}

void
_sse_event_source_emit_error (SseEventSource *self,
                              const GError   *error)
{
  g_signal_emit (self, _sse_event_source_signals[SIGNAL_ERROR], 0, error);
}

void
_sse_event_source_sync_last_event_id (SseEventSource *self,
                                      const char     *id,
                                      gsize           len)
{
  if (self->last_event_id->len == len && memcmp (self->last_event_id->str, id, len) == 0)
    return;

  g_string_truncate (self->last_event_id, 0);
  g_string_append_len (self->last_event_id, id, len);
  if (self->attempt != NULL)
    self->attempt->progress = TRUE;
  /* Cheap when nobody listens: GObject checks that itself. */
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_LAST_EVENT_ID]);
}

/* GObject ---------------------------------------------------------------- */

static void
sse_event_source_constructed (GObject *object)
{
  SseEventSource *self = SSE_EVENT_SOURCE (object);

  G_OBJECT_CLASS (sse_event_source_parent_class)->constructed (object);

  {
    g_autoptr(SoupMessage) template = g_steal_pointer (&self->template_msg);
    g_autofree char *url = g_steal_pointer (&self->request.url);

    _sse_request_init (&self->request, url, template);
  }

  if (self->session == NULL)
    self->session = soup_session_new_with_options ("timeout", 0,
                                                   "max-conns", G_MAXINT / 2,
                                                   "max-conns-per-host", G_MAXINT / 2,
                                                   "user-agent", "sse-glib/" PACKAGE_VERSION " ",
                                                   NULL);
}

static void
sse_event_source_dispose (GObject *object)
{
  SseEventSource *self = SSE_EVENT_SOURCE (object);

  _sse_attempt_cancel (self);
  /* The pulls under way end: there will be no more events. */
  _sse_event_queue_clear (&self->queue);
  _sse_attempt_unwatch_network (self);
  sse_event_source_set_backoff_func (self, NULL, NULL, NULL);
  g_clear_object (&self->monitor);
  g_clear_object (&self->session);
  g_clear_object (&self->template_msg);

  G_OBJECT_CLASS (sse_event_source_parent_class)->dispose (object);
}

static void
sse_event_source_finalize (GObject *object)
{
  SseEventSource *self = SSE_EVENT_SOURCE (object);

  g_clear_object (&self->parser);
  _sse_request_clear (&self->request);
  g_clear_object (&self->last_response);
  g_clear_pointer (&self->last_response_body, g_bytes_unref);
  g_string_free (self->last_event_id, TRUE);
  _sse_event_emitter_clear (&self->emitter);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sse_event_source_parent_class)->finalize (object);
}

static void
sse_event_source_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SseEventSource *self = SSE_EVENT_SOURCE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_URL:
      g_value_set_string (value, self->request.url);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_LAST_EVENT_ID:
      g_value_set_string (value, sse_event_source_get_last_event_id (self));
      break;

    case PROP_RECONNECTION_TIME:
      g_value_set_uint (value, self->reconnection_time);
      break;

    case PROP_MAX_RECONNECTION_TIME:
      g_value_set_uint (value, self->max_reconnection_time);
      break;

    case PROP_RECONNECT_ATTEMPT:
      g_value_set_uint (value, self->count.attempt);
      break;

    case PROP_RECONNECT_DELAY:
      g_value_set_uint (value, self->reconnect_delay);
      break;

    case PROP_MAX_RECONNECT_ATTEMPTS:
      g_value_set_int (value, self->max_reconnect_attempts);
      break;

    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;

    case PROP_READ_TIMEOUT:
      g_value_set_uint (value, self->read_timeout);
      break;

    case PROP_MAX_EVENT_SIZE:
      g_value_set_uint64 (value, sse_parser_get_max_event_size (self->parser));
      break;

    case PROP_RETRY_ON_SERVER_ERROR:
      g_value_set_boolean (value, self->retry_on_server_error);
      break;

    case PROP_RECONNECT_MODE:
      g_value_set_enum (value, self->reconnect_mode);
      break;

    case PROP_MAX_QUEUED_BYTES:
      g_value_set_uint64 (value, self->queue.max_bytes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_event_source_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SseEventSource *self = SSE_EVENT_SOURCE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_URL:
      self->request.url = g_value_dup_string (value);
      break;

    case PROP_MESSAGE:
      self->template_msg = g_value_dup_object (value);
      break;

    case PROP_LAST_EVENT_ID:
      sse_event_source_set_last_event_id (self, g_value_get_string (value));
      break;

    case PROP_RECONNECTION_TIME:
      sse_event_source_set_reconnection_time (self, g_value_get_uint (value));
      break;

    case PROP_MAX_RECONNECTION_TIME:
      sse_event_source_set_max_reconnection_time (self, g_value_get_uint (value));
      break;

    case PROP_MAX_RECONNECT_ATTEMPTS:
      sse_event_source_set_max_reconnect_attempts (self, g_value_get_int (value));
      break;

    case PROP_CONNECT_TIMEOUT:
      sse_event_source_set_connect_timeout (self, g_value_get_uint (value));
      break;

    case PROP_READ_TIMEOUT:
      sse_event_source_set_read_timeout (self, g_value_get_uint (value));
      break;

    case PROP_MAX_EVENT_SIZE:
      sse_event_source_set_max_event_size (self, g_value_get_uint64 (value));
      break;

    case PROP_RETRY_ON_SERVER_ERROR:
      sse_event_source_set_retry_on_server_error (self, g_value_get_boolean (value));
      break;

    case PROP_RECONNECT_MODE:
      sse_event_source_set_reconnect_mode (self, g_value_get_enum (value));
      break;

    case PROP_MAX_QUEUED_BYTES:
      sse_event_source_set_max_queued_bytes (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_event_source_class_init (SseEventSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _sse_ensure_i18n ();

  object_class->constructed = sse_event_source_constructed;
  object_class->dispose = sse_event_source_dispose;
  object_class->finalize = sse_event_source_finalize;
  object_class->get_property = sse_event_source_get_property;
  object_class->set_property = sse_event_source_set_property;

  /**
   * SseEventSource:session:
   *
   * The [class@Soup.Session] that sends the requests. When none is given at
   * construction, the source makes its own, with no I/O timeout and no small
   * limit of connections per host, as event streams need.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         SOUP_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:url:
   *
   * The URL the source was asked to connect to, as given (or the URI of the
   * message given to [ctor@Sse.EventSource.new_for_message]). Redirects do
   * not change it: every reconnection starts from it again, as the standard
   * says. Events tell the origin that finally answered.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:message:
   *
   * The template of the requests, as [ctor@Sse.EventSource.new_for_message]
   * takes it: its method, URI and headers (read once, at construction) are
   * sent on every attempt. Its body cannot be read back; give it with
   * [method@Sse.EventSource.set_request_body]. When set, it takes the place
   * of [property@Sse.EventSource:url].
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         SOUP_TYPE_MESSAGE,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:status:
   *
   * Where the source stands. It starts as %SSE_STATUS_CLOSED, becomes
   * %SSE_STATUS_CONNECTING at [method@Sse.EventSource.open] and before every
   * reconnection attempt, %SSE_STATUS_OPEN when the server accepted the
   * stream, %SSE_STATUS_RECONNECTING while the source waits to reconnect,
   * and %SSE_STATUS_CLOSED again when it gave up or was closed.
   *
   * Notified on every change, after the other properties of the change
   * ([property@Sse.EventSource:reconnect-attempt] and
   * [property@Sse.EventSource:reconnect-delay]) and after
   * [signal@Sse.EventSource::error] when a failure caused it.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       SSE_TYPE_STATUS,
                       SSE_STATUS_CLOSED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:last-event-id:
   *
   * The stream's last event ID, sent as `Last-Event-ID` when the source
   * reconnects (only when it is not empty). The server sets it with `id:`
   * fields; it changes when the block that carried the field ends, even if
   * that block fires no event, and it is kept across reconnections and
   * across [method@Sse.EventSource.close] and [method@Sse.EventSource.open].
   *
   * Set it before opening the source to resume a stream after an
   * application restart. A value with a carriage return or a line feed
   * could not be sent as a header and is refused (the property keeps its
   * value). Notified when it changes, before the event that carries the new
   * value.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_LAST_EVENT_ID] =
    g_param_spec_string ("last-event-id", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:reconnection-time:
   *
   * The reconnection time in milliseconds: the least time to wait before a
   * reconnection attempt, from which the backoff grows. The server changes
   * it with a `retry:` field, as soon as the field is read. Notified when it
   * changes.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_RECONNECTION_TIME] =
    g_param_spec_uint ("reconnection-time", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_RECONNECTION_TIME,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:max-reconnection-time:
   *
   * The longest delay in milliseconds the default backoff waits before a
   * reconnection attempt, unless the reconnection time itself is longer (it
   * is never waited less), or the server asks for more with `Retry-After`.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_MAX_RECONNECTION_TIME] =
    g_param_spec_uint ("max-reconnection-time", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_MAX_RECONNECTION_TIME,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:reconnect-attempt:
   *
   * While the status is %SSE_STATUS_RECONNECTING, the number of the
   * reconnection attempt the source waits to make, from 1; it keeps its
   * value through that attempt. It starts from 1 again after
   * [method@Sse.EventSource.open], after a connection that delivered an
   * event or changed the last event ID, and after one that stayed open for
   * %SSE_EVENT_SOURCE_HEALTHY_TIME milliseconds. Set and notified just
   * before the status becomes %SSE_STATUS_RECONNECTING.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_RECONNECT_ATTEMPT] =
    g_param_spec_uint ("reconnect-attempt", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:reconnect-delay:
   *
   * While the status is %SSE_STATUS_RECONNECTING, how long in milliseconds
   * the source waits before its next attempt. Set and notified just before
   * the status becomes %SSE_STATUS_RECONNECTING, after
   * [property@Sse.EventSource:reconnect-attempt].
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_RECONNECT_DELAY] =
    g_param_spec_uint ("reconnect-delay", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:max-reconnect-attempts:
   *
   * How many reconnection attempts in a row the source makes before it
   * gives up with %SSE_ERROR_TOO_MANY_ATTEMPTS, or -1 (the default) to try
   * for ever. 0 means never to reconnect. Attempts made while the network
   * is down do not count, and a connection that delivered an event (or
   * changed the last event ID), or stayed open for
   * %SSE_EVENT_SOURCE_HEALTHY_TIME milliseconds, starts the count again.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_MAX_RECONNECT_ATTEMPTS] =
    g_param_spec_int ("max-reconnect-attempts", NULL, NULL,
                      -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:connect-timeout:
   *
   * How long in milliseconds an attempt may wait for the response headers
   * (redirects included), or 0 to wait for ever. When it runs out, the
   * attempt fails with %G_IO_ERROR_TIMED_OUT, like a network error, and
   * the source reconnects.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:read-timeout:
   *
   * How long in milliseconds an open stream may stay silent, or 0 for no
   * limit; 5 minutes by default. Any byte counts, comments included, so a
   * server that sends a heartbeat comment more often than this keeps the
   * stream alive. When it runs out, the connection is taken for dead (as a
   * half-open TCP connection would be): the attempt fails with
   * %G_IO_ERROR_TIMED_OUT and the source reconnects.
   *
   * The default is there for what cannot be seen otherwise: a connection a
   * NAT forgot, and an HTTP/2 stream that a proxy reset when its origin
   * died, which libsoup 3.2 does not report to the reader (see "Behind a
   * proxy" in the [Reconnection](reconnecting.html#behind-a-proxy) guide).
   * Set it to two or three times the server's heartbeat interval.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_READ_TIMEOUT] =
    g_param_spec_uint ("read-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_READ_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:max-event-size:
   *
   * The most bytes one event may take, as [property@Sse.Parser:max-event-size]
   * says; 0 means no limit. An event that grows past it is dropped, and
   * [signal@Sse.EventSource::error] is emitted with
   * %SSE_ERROR_EVENT_TOO_LARGE once the read that carried it is parsed
   * (events after it in that read come first); the stream goes on.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_MAX_EVENT_SIZE] =
    g_param_spec_uint64 ("max-event-size", NULL, NULL,
                         0, G_MAXUINT64, SSE_PARSER_DEFAULT_MAX_EVENT_SIZE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:retry-on-server-error:
   *
   * Whether server errors (5xx), `408 Request Timeout` and
   * `429 Too Many Requests` are retried like network errors instead of
   * closing the source. The delay is then at least what the server asks for
   * with `Retry-After` (in seconds or as a date), even beyond
   * [property@Sse.EventSource:max-reconnection-time]. Browsers do not retry
   * these; a service that restarts behind a proxy answers 502 or 503 for a
   * while, which is what this is for.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_RETRY_ON_SERVER_ERROR] =
    g_param_spec_boolean ("retry-on-server-error", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:reconnect-mode:
   *
   * What the source sends to reconnect, and whether it reconnects at all;
   * see [enum@Sse.ReconnectMode]. With the default,
   * %SSE_RECONNECT_MODE_AUTO, a `GET` stream reconnects as in a browser,
   * and a `POST` (an LLM chat completion, say) is sent once: the source
   * closes when its stream ends. The [Reconnection and
   * Last-Event-ID](reconnecting.html#reconnect-modes) guide compares the
   * modes.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_RECONNECT_MODE] =
    g_param_spec_enum ("reconnect-mode", NULL, NULL,
                       SSE_TYPE_RECONNECT_MODE,
                       SSE_RECONNECT_MODE_AUTO,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseEventSource:max-queued-bytes:
   *
   * How many bytes of events the source keeps for
   * [method@Sse.EventSource.next_event_async] before it stops reading from
   * the network, 4 MiB by default: their data, type and ID, and 192 bytes
   * for each event, about what keeping one costs besides. It reads again when half of that was
   * taken. A source that is never pulled keeps nothing. The read under way
   * when the bound is reached is delivered whole, so the source may keep up
   * to one read (64 KiB) more, or one event, however large, more.
   *
   * Since: 1.0
   */
  _sse_event_source_properties[PROP_MAX_QUEUED_BYTES] =
    g_param_spec_uint64 ("max-queued-bytes", NULL, NULL,
                         1, G_MAXUINT64, SSE_EVENT_QUEUE_DEFAULT_MAX_BYTES,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, _sse_event_source_properties);

  /**
   * SseEventSource::event:
   * @self: the event source
   * @event: the event
   *
   * Emitted for every event of the stream, in stream order, while the
   * status is %SSE_STATUS_OPEN. The signal is detailed by the event type:
   * a handler connected to `event::update` sees only the events of type
   * `update` (what `addEventListener ("update", …)` does on the web), and
   * one connected to `event` sees them all; events without an `event:` field
   * have the type `message`.
   *
   * The event carries its data, its id, the stream's last event ID and the
   * origin of the URL that answered. It is only borrowed: take a reference
   * to keep it. A handler may call [method@Sse.EventSource.close]: no event
   * follows then, not even one that came in the same read.
   *
   * Since: 1.0
   */
  _sse_event_source_signals[SIGNAL_EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, SSE_TYPE_EVENT);
  g_signal_set_va_marshaller (_sse_event_source_signals[SIGNAL_EVENT],
                              G_TYPE_FROM_CLASS (klass),
                              _sse_marshal_VOID__BOXED_BORROWEDv);

  /**
   * SseEventSource::comment:
   * @self: the event source
   * @text: the comment, without its leading colon and one space after it
   *
   * Emitted for every comment line of the stream, in stream order with the
   * events. Servers send comments as heartbeats; they are not part of any
   * event, and they count as activity for
   * [property@Sse.EventSource:read-timeout].
   *
   * Since: 1.0
   */
  _sse_event_source_signals[SIGNAL_COMMENT] =
    g_signal_new ("comment",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (_sse_event_source_signals[SIGNAL_COMMENT],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__STRINGv);

  /**
   * SseEventSource::error:
   * @self: the event source
   * @error: what went wrong
   *
   * Emitted once for every failed attempt, and once more for the final
   * failure when the reconnection attempts run out
   * (%SSE_ERROR_TOO_MANY_ATTEMPTS). It comes before the status changes:
   * while it is emitted, the status is still the one of the failed attempt,
   * and the change to %SSE_STATUS_RECONNECTING or %SSE_STATUS_CLOSED follows.
   * A stream that ends normally is not an error and emits nothing here (nor
   * does a connection that breaks exactly between two chunks of the body,
   * which libsoup 3.2 cannot tell from a normal end); the source reconnects
   * all the same.
   *
   * The errors: %SSE_ERROR_HTTP_STATUS (with the status and reason in the
   * message) and %SSE_ERROR_CONTENT_TYPE (with the content type) when the
   * answer is not an event stream, which closes the source; errors of the
   * %G_IO_ERROR, %G_TLS_ERROR, %G_RESOLVER_ERROR or %SOUP_SESSION_ERROR
   * domains when the connection failed or was lost (%G_IO_ERROR_TIMED_OUT
   * for [property@Sse.EventSource:connect-timeout] and
   * [property@Sse.EventSource:read-timeout]), after which the source
   * reconnects, except for TLS certificate errors and redirect errors; and
   * %SSE_ERROR_EVENT_TOO_LARGE when an event was dropped, after which the
   * stream goes on with no change of status.
   *
   * Since: 1.0
   */
  _sse_event_source_signals[SIGNAL_ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (_sse_event_source_signals[SIGNAL_ERROR],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);

  /**
   * SseEventSource::prepare-request:
   * @self: the event source
   * @msg: the request about to be sent
   *
   * Emitted before every attempt, reconnections included, right after the
   * status became %SSE_STATUS_CONNECTING, with a new request that already
   * carries the template's method, headers and body, `Accept:
   * text/event-stream` and `Cache-Control: no-cache` (unless the template
   * has its own) and `Last-Event-ID` (when the last event ID is not empty;
   * the template's is never sent). Change its headers here to send
   * fresh ones on each attempt, such as a rotated `Authorization` token.
   * The request is sent when the handlers return. It is not emitted again
   * for the requests that follow redirects: they carry the headers this
   * request has then (without `Authorization` and `Cookie` when the
   * redirect leads to another origin).
   *
   * Since: 1.0
   */
  _sse_event_source_signals[SIGNAL_PREPARE_REQUEST] =
    g_signal_new ("prepare-request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, SOUP_TYPE_MESSAGE);
  g_signal_set_va_marshaller (_sse_event_source_signals[SIGNAL_PREPARE_REQUEST],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);

  /* A static string: interning it leaks nothing. */
}

static void
sse_event_source_init (SseEventSource *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->parser = sse_parser_new ();
  _sse_event_emitter_init (&self->emitter);
  _sse_event_queue_init (&self->queue);
  _sse_parser_set_sink (self->parser, &_sse_attempt_parser_sink, self);
  self->status = SSE_STATUS_CLOSED;
  self->last_event_id = g_string_new (NULL);
  self->reconnection_time = DEFAULT_RECONNECTION_TIME;
  self->max_reconnection_time = DEFAULT_MAX_RECONNECTION_TIME;
  self->max_reconnect_attempts = -1;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->read_timeout = DEFAULT_READ_TIMEOUT;
  self->healthy_time = SSE_EVENT_SOURCE_HEALTHY_TIME;
  self->network_available = TRUE;
}

/* Public API ------------------------------------------------------------- */

/**
 * sse_event_source_new:
 * @url: the URL of the event stream, `http` or `https`
 *
 * Creates an event source that will send GET requests to @url with a
 * session of its own. It does not connect until
 * [method@Sse.EventSource.open]. If @url is not an http or https URL,
 * opening it fails with %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full): a new event source
 *
 * Since: 1.0
 */
SseEventSource *
sse_event_source_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (SSE_TYPE_EVENT_SOURCE, "url", url, NULL);
}

/**
 * sse_event_source_new_for_message:
 * @msg: the template of the requests
 *
 * Creates an event source whose requests copy @msg: its method, URI,
 * headers, flags and priority, read now (later changes to @msg have no
 * effect). This is how streams that need a POST or particular headers are
 * read, such as the streaming APIs of language models.
 *
 * A body set on @msg is sent with the first request, but libsoup 3 cannot
 * give it back to send it again: to send the request again (see
 * [property@Sse.EventSource:reconnect-mode]), give the body with
 * [method@Sse.EventSource.set_request_body], which keeps it and sends it
 * with every request.
 *
 * ```c
 * g_autoptr(SoupMessage) msg = soup_message_new ("POST", "https://example.org/v1/stream");
 * g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));
 *
 * soup_message_headers_append (soup_message_get_request_headers (msg),
 *                              "Authorization", "Bearer …");
 * source = sse_event_source_new_for_message (msg);
 * sse_event_source_set_request_body (source, "application/json", body);
 * ```
 *
 * Returns: (transfer full): a new event source
 *
 * Since: 1.0
 */
SseEventSource *
sse_event_source_new_for_message (SoupMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);

  return g_object_new (SSE_TYPE_EVENT_SOURCE, "message", msg, NULL);
}

/**
 * sse_event_source_open:
 * @self: an event source
 *
 * Starts connecting: the status becomes %SSE_STATUS_CONNECTING and
 * [signal@Sse.EventSource::prepare-request] is emitted before this returns;
 * the rest happens in the main context.
 *
 * A closed source starts again from the beginning (the reconnection
 * attempts are counted from 1; the last event ID is kept, so the stream
 * resumes where it was). A source that waits to reconnect does so at once.
 * An open or connecting source is left alone.
 *
 * Since: 1.0
 */
void
sse_event_source_open (SseEventSource *self)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (self->session != NULL);

  switch (self->status)
    {
    case SSE_STATUS_CLOSED:
      _sse_attempt_start (self, TRUE);
      break;

    case SSE_STATUS_RECONNECTING:
      _sse_attempt_start (self, FALSE);
      break;

    case SSE_STATUS_CONNECTING:
    case SSE_STATUS_OPEN:
    default:
      break;
    }
}

/**
 * sse_event_source_close:
 * @self: an event source
 *
 * Closes the connection, or stops waiting to reconnect, and sets the status
 * to %SSE_STATUS_CLOSED. From within a signal handler, it takes effect at
 * once: no event follows, not even one from the same read. Closing a closed
 * source does nothing. [signal@Sse.EventSource::error] is not emitted.
 *
 * Since: 1.0
 */
void
sse_event_source_close (SseEventSource *self)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (self->status == SSE_STATUS_CLOSED)
    return;

  _sse_attempt_cancel (self);
  _sse_attempt_unwatch_network (self);
  _sse_event_source_set_status (self, SSE_STATUS_CLOSED);
}

/**
 * sse_event_source_get_session:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:session].
 *
 * Returns: (transfer none): the session that sends the requests
 *
 * Since: 1.0
 */
SoupSession *
sse_event_source_get_session (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->session;
}

/**
 * sse_event_source_get_url:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:url].
 *
 * Returns: the URL the source was asked to connect to
 *
 * Since: 1.0
 */
const char *
sse_event_source_get_url (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->request.url;
}

/**
 * sse_event_source_get_status:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:status].
 *
 * Returns: the status
 *
 * Since: 1.0
 */
SseStatus
sse_event_source_get_status (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), SSE_STATUS_CLOSED);

  return self->status;
}

/**
 * sse_event_source_get_last_event_id:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:last-event-id].
 *
 * Returns: (not nullable): the last event ID, or the empty string
 *
 * Since: 1.0
 */
const char *
sse_event_source_get_last_event_id (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return sse_parser_get_last_event_id (self->parser);
}

/**
 * sse_event_source_set_last_event_id:
 * @self: an event source
 * @last_event_id: (nullable): the last event ID; %NULL is the empty string
 *
 * Sets [property@Sse.EventSource:last-event-id], to resume a stream: the
 * next request sends it as `Last-Event-ID`, and events that follow without
 * an `id:` field carry it. A value containing a carriage return or a line
 * feed is refused with a critical warning, and the ID is left as it was.
 * Invalid UTF-8 is replaced.
 *
 * Since: 1.0
 */
void
sse_event_source_set_last_event_id (SseEventSource *self,
                                    const char     *last_event_id)
{
  const char *id;

  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (last_event_id == NULL || strpbrk (last_event_id, "\r\n") == NULL);

  sse_parser_set_last_event_id (self->parser, last_event_id);
  id = sse_parser_get_last_event_id (self->parser);
  if (strcmp (id, self->last_event_id->str) != 0)
    {
      g_string_assign (self->last_event_id, id);
      g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_LAST_EVENT_ID]);
    }
}

/**
 * sse_event_source_get_reconnection_time:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:reconnection-time].
 *
 * Returns: the reconnection time in milliseconds
 *
 * Since: 1.0
 */
guint
sse_event_source_get_reconnection_time (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->reconnection_time;
}

/**
 * sse_event_source_set_reconnection_time:
 * @self: an event source
 * @milliseconds: the reconnection time in milliseconds
 *
 * Sets [property@Sse.EventSource:reconnection-time]. The server may change
 * it later with `retry:`. A wait under way is not shortened.
 *
 * Since: 1.0
 */
void
sse_event_source_set_reconnection_time (SseEventSource *self,
                                        guint           milliseconds)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (self->reconnection_time == milliseconds)
    return;

  self->reconnection_time = milliseconds;
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RECONNECTION_TIME]);
}

/**
 * sse_event_source_get_max_reconnection_time:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:max-reconnection-time].
 *
 * Returns: the cap of the backoff in milliseconds
 *
 * Since: 1.0
 */
guint
sse_event_source_get_max_reconnection_time (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->max_reconnection_time;
}

/**
 * sse_event_source_set_max_reconnection_time:
 * @self: an event source
 * @milliseconds: the cap of the backoff in milliseconds
 *
 * Sets [property@Sse.EventSource:max-reconnection-time].
 *
 * Since: 1.0
 */
void
sse_event_source_set_max_reconnection_time (SseEventSource *self,
                                            guint           milliseconds)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (self->max_reconnection_time == milliseconds)
    return;

  self->max_reconnection_time = milliseconds;
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_MAX_RECONNECTION_TIME]);
}

/**
 * sse_event_source_get_reconnect_attempt:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:reconnect-attempt].
 *
 * Returns: the number of the reconnection attempt, from 1, or 0
 *
 * Since: 1.0
 */
guint
sse_event_source_get_reconnect_attempt (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->count.attempt;
}

/**
 * sse_event_source_get_reconnect_delay:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:reconnect-delay].
 *
 * Returns: the delay before the next attempt in milliseconds
 *
 * Since: 1.0
 */
guint
sse_event_source_get_reconnect_delay (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->reconnect_delay;
}

/**
 * sse_event_source_get_max_reconnect_attempts:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:max-reconnect-attempts].
 *
 * Returns: the most reconnection attempts in a row, or -1 for no limit
 *
 * Since: 1.0
 */
gint
sse_event_source_get_max_reconnect_attempts (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), -1);

  return self->max_reconnect_attempts;
}

/**
 * sse_event_source_set_max_reconnect_attempts:
 * @self: an event source
 * @max_attempts: the most reconnection attempts in a row, or -1 for no limit
 *
 * Sets [property@Sse.EventSource:max-reconnect-attempts].
 *
 * Since: 1.0
 */
void
sse_event_source_set_max_reconnect_attempts (SseEventSource *self,
                                             gint            max_attempts)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (max_attempts >= -1);

  if (self->max_reconnect_attempts == max_attempts)
    return;

  self->max_reconnect_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_MAX_RECONNECT_ATTEMPTS]);
}

/**
 * sse_event_source_get_connect_timeout:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:connect-timeout].
 *
 * Returns: the timeout in milliseconds, or 0 for none
 *
 * Since: 1.0
 */
guint
sse_event_source_get_connect_timeout (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->connect_timeout;
}

/**
 * sse_event_source_set_connect_timeout:
 * @self: an event source
 * @milliseconds: the timeout in milliseconds, or 0 for none
 *
 * Sets [property@Sse.EventSource:connect-timeout]. It applies to the
 * attempt under way too, counted from its start.
 *
 * Since: 1.0
 */
void
sse_event_source_set_connect_timeout (SseEventSource *self,
                                      guint           milliseconds)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (self->connect_timeout == milliseconds)
    return;

  self->connect_timeout = milliseconds;
  if (self->attempt != NULL && self->attempt->connect != NULL)
    _sse_connect_set_timeout (self->attempt->connect, milliseconds);
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * sse_event_source_get_read_timeout:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:read-timeout].
 *
 * Returns: the timeout in milliseconds, or 0 for none
 *
 * Since: 1.0
 */
guint
sse_event_source_get_read_timeout (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->read_timeout;
}

/**
 * sse_event_source_set_read_timeout:
 * @self: an event source
 * @milliseconds: the timeout in milliseconds, or 0 for none
 *
 * Sets [property@Sse.EventSource:read-timeout]. It applies to the stream
 * under way too, counted from the last bytes read.
 *
 * Since: 1.0
 */
void
sse_event_source_set_read_timeout (SseEventSource *self,
                                   guint           milliseconds)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (self->read_timeout == milliseconds)
    return;

  self->read_timeout = milliseconds;
  if (self->attempt != NULL && self->attempt->reader != NULL)
    _sse_stream_reader_set_read_timeout (self->attempt->reader, milliseconds);
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_READ_TIMEOUT]);
}

/**
 * sse_event_source_get_max_event_size:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:max-event-size].
 *
 * Returns: the limit in bytes, or 0 for none
 *
 * Since: 1.0
 */
guint64
sse_event_source_get_max_event_size (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return sse_parser_get_max_event_size (self->parser);
}

/**
 * sse_event_source_set_max_event_size:
 * @self: an event source
 * @max_event_size: the limit in bytes, or 0 for none
 *
 * Sets [property@Sse.EventSource:max-event-size].
 *
 * Since: 1.0
 */
void
sse_event_source_set_max_event_size (SseEventSource *self,
                                     guint64         max_event_size)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  if (sse_parser_get_max_event_size (self->parser) == max_event_size)
    return;

  sse_parser_set_max_event_size (self->parser, max_event_size);
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_MAX_EVENT_SIZE]);
}

/**
 * sse_event_source_get_retry_on_server_error:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:retry-on-server-error].
 *
 * Returns: whether server errors are retried
 *
 * Since: 1.0
 */
gboolean
sse_event_source_get_retry_on_server_error (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), FALSE);

  return self->retry_on_server_error;
}

/**
 * sse_event_source_set_retry_on_server_error:
 * @self: an event source
 * @retry: whether to retry server errors
 *
 * Sets [property@Sse.EventSource:retry-on-server-error].
 *
 * Since: 1.0
 */
void
sse_event_source_set_retry_on_server_error (SseEventSource *self,
                                            gboolean        retry)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  retry = !!retry;
  if (self->retry_on_server_error == retry)
    return;

  self->retry_on_server_error = retry;
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RETRY_ON_SERVER_ERROR]);
}

/**
 * sse_event_source_get_reconnect_mode:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:reconnect-mode].
 *
 * Returns: the reconnect mode
 *
 * Since: 1.0
 */
SseReconnectMode
sse_event_source_get_reconnect_mode (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), SSE_RECONNECT_MODE_AUTO);

  return self->reconnect_mode;
}

/**
 * sse_event_source_set_reconnect_mode:
 * @self: an event source
 * @mode: the reconnect mode
 *
 * Sets [property@Sse.EventSource:reconnect-mode]. It applies from the end
 * of the attempt under way.
 *
 * Since: 1.0
 */
void
sse_event_source_set_reconnect_mode (SseEventSource   *self,
                                     SseReconnectMode  mode)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (mode <= SSE_RECONNECT_MODE_NEVER);

  if (self->reconnect_mode == mode)
    return;

  self->reconnect_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RECONNECT_MODE]);
}

/**
 * sse_event_source_set_backoff_func:
 * @self: an event source
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): the
 *   function that computes the delay before a reconnection attempt, or %NULL
 *   for the default backoff
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data when it is no longer needed
 *
 * Replaces the default backoff (see [class@Sse.EventSource]). @func is
 * called once per failed attempt that will be retried, after
 * [signal@Sse.EventSource::error] and before
 * [property@Sse.EventSource:reconnect-delay] is set to what it returns. A
 * `Retry-After` the server sent with a retried server error is still a
 * lower bound of the delay.
 *
 * Since: 1.0
 */
void
sse_event_source_set_backoff_func (SseEventSource *self,
                                   SseBackoffFunc  func,
                                   gpointer        user_data,
                                   GDestroyNotify  destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  old_destroy = self->backoff_destroy;
  old_data = self->backoff_data;

  self->backoff_func = func;
  self->backoff_data = user_data;
  self->backoff_destroy = destroy;

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* Private API ------------------------------------------------------------ */

void
_sse_event_source_set_network_monitor (SseEventSource  *self,
                                       GNetworkMonitor *monitor)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));
  g_return_if_fail (self->watch == NULL);

  g_set_object (&self->monitor, monitor);
}

void
_sse_event_source_set_healthy_time (SseEventSource *self,
                                    guint           milliseconds)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));

  self->healthy_time = milliseconds;
}

SseParser *
_sse_event_source_get_parser (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->parser;
}
