/* sse-parser.c: incremental parser for the text/event-stream format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-decoder-private.h"
#include "sse-i18n-private.h"
#include "sse-parser-private.h"
#include "sse-signal-private.h"

/**
 * SseParser:
 *
 * An incremental parser for the `text/event-stream` format of the WHATWG
 * "Server-sent events" standard.
 *
 * ```c
 * static void
 * on_event (SseParser *parser, SseEvent *event, gpointer user_data)
 * {
 *   g_print ("%s: %s\n", sse_event_get_event_type (event),
 *            sse_event_get_data (event));
 * }
 *
 * g_autoptr(SseParser) parser = sse_parser_new ();
 * g_autoptr(GError) error = NULL;
 *
 * g_signal_connect (parser, "event", G_CALLBACK (on_event), NULL);
 * if (!sse_parser_feed (parser, (const guint8 *) "data: hel", 9, &error) ||
 *     !sse_parser_feed (parser, (const guint8 *) "lo\n\n", 4, &error))
 *   g_warning ("%s", error->message);
 * // prints "message: hello"
 * ```
 *
 * Feed it bytes as they arrive, split anywhere; it emits
 * [signal@Sse.Parser::event] for every complete event and
 * [signal@Sse.Parser::comment] for every comment line.
 *
 * The parser follows every rule of the standard: a leading byte order mark
 * is dropped once; lines end at CRLF, LF or CR (a CR at the end of a feed
 * ends the line at once); bytes that are not UTF-8 become U+FFFD exactly as
 * a browser decodes them, even when a character is split between feeds;
 * `id` fields containing NUL are ignored; `retry` takes only digits; an
 * event is dispatched at a blank line, and an unterminated event at the end
 * of the stream is discarded ([method@Sse.Parser.finish]).
 *
 * Memory is bounded by [property@Sse.Parser:max-event-size]: an event that
 * grows past it is dropped with %SSE_ERROR_EVENT_TOO_LARGE and parsing goes
 * on with the next one. Each byte is looked at a constant number of times,
 * however the input is split.
 *
 * Since: 1.0
 */

struct _SseParser
{
  GObject             parent_instance;

  SseDecoder          decoder;          /* the stream, and where it goes */
  SseEventEmitter     emitter;          /* the "event" signal */
};

enum {
  PROP_0,
  PROP_LAST_EVENT_ID,
  PROP_RETRY,
  PROP_MAX_EVENT_SIZE,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_COMMENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SseParser, sse_parser, G_TYPE_OBJECT)

/* Signals and notifications ---------------------------------------------- */

/* What the decoder finds becomes signals and notifications, unless a C-level
 * sink was set (_sse_parser_set_sink()): then this is not used. */

static void
signal_event (gpointer              user_data,
              const SseEventFields *fields)
{
  SseParser *self = user_data;

  _sse_event_emitter_emit (&self->emitter, self, signals[SIGNAL_EVENT], fields, NULL, NULL);
}

static void
signal_comment (gpointer    user_data,
                const char *text,
                gsize       len)
{
  SseParser *self = user_data;

  if (g_signal_has_handler_pending (self, signals[SIGNAL_COMMENT], 0, FALSE))
    {
      /* The signal passes a C string: make one if the line did not end
       * with a NUL already (a comment read in one piece from the input). */
      g_autofree char *copy = text[len] == '\0' ? NULL : g_strndup (text, len);

      g_signal_emit (self, signals[SIGNAL_COMMENT], 0, copy != NULL ? copy : text);
    }
}

static void
notify_retry (gpointer user_data)
{
  g_object_notify_by_pspec (user_data, properties[PROP_RETRY]);
}

static void
notify_last_event_id (gpointer user_data)
{
  g_object_notify_by_pspec (user_data, properties[PROP_LAST_EVENT_ID]);
}

static const SseDecoderSink signal_sink = {
  .event = signal_event,
  .comment = signal_comment,
  .retry_changed = notify_retry,
  .last_event_id_changed = notify_last_event_id,
};

/* GObject ---------------------------------------------------------------- */

static void
sse_parser_finalize (GObject *object)
{
  SseParser *self = (SseParser *)object;

  _sse_decoder_clear (&self->decoder);
  _sse_event_emitter_clear (&self->emitter);

  G_OBJECT_CLASS (sse_parser_parent_class)->finalize (object);
}

static void
sse_parser_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SseParser *self = SSE_PARSER (object);

  switch (prop_id)
    {
    case PROP_LAST_EVENT_ID:
      g_value_set_string (value, _sse_decoder_get_last_event_id (&self->decoder));
      break;

    case PROP_RETRY:
      g_value_set_int64 (value, _sse_decoder_get_retry (&self->decoder));
      break;

    case PROP_MAX_EVENT_SIZE:
      g_value_set_uint64 (value, _sse_decoder_get_max_event_size (&self->decoder));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_parser_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SseParser *self = SSE_PARSER (object);

  switch (prop_id)
    {
    case PROP_LAST_EVENT_ID:
      sse_parser_set_last_event_id (self, g_value_get_string (value));
      break;

    case PROP_MAX_EVENT_SIZE:
      sse_parser_set_max_event_size (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_parser_class_init (SseParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _sse_ensure_i18n ();

  object_class->finalize = sse_parser_finalize;
  object_class->get_property = sse_parser_get_property;
  object_class->set_property = sse_parser_set_property;

  /**
   * SseParser:last-event-id:
   *
   * The stream's last event ID: the value of the most recent `id:` field,
   * taken when the block that carried it was dispatched (at its blank line),
   * even if that block fired no event. It starts as the empty string.
   *
   * A client that reconnects sets it to the ID it sent in `Last-Event-ID`,
   * so that events of the new stream without an `id:` field of their own
   * carry it. Notified when it changes.
   *
   * Since: 1.0
   */
  properties[PROP_LAST_EVENT_ID] =
    g_param_spec_string ("last-event-id", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseParser:retry:
   *
   * The reconnection time in milliseconds that the stream asked for with its
   * most recent valid `retry:` field (ASCII digits only), or -1 if it has not
   * sent one. It changes as soon as the field is read, not when its event is
   * dispatched. Notified when it changes.
   *
   * Since: 1.0
   */
  properties[PROP_RETRY] =
    g_param_spec_int64 ("retry", NULL, NULL,
                        -1, G_MAXINT64, -1,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SseParser:max-event-size:
   *
   * The most bytes one event may hold while it is read: its data (with the
   * line feeds between its lines), its event type and its id (as repaired
   * UTF-8); a comment line counts with the event it appears in, and one
   * that does not fit is dropped alone. 0 means no limit. Lines of unknown
   * fields are skipped without being stored and do not count.
   *
   * The memory the parser holds for the event being read stays within this
   * limit plus 256 bytes, however the input is split; the stream's last
   * event ID is kept besides.
   *
   * When an event grows past the limit, [method@Sse.Parser.feed] returns
   * %SSE_ERROR_EVENT_TOO_LARGE, the event is dropped (its `id:` and `retry:`
   * fields still take effect) and parsing goes on with the next event.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_EVENT_SIZE] =
    g_param_spec_uint64 ("max-event-size", NULL, NULL,
                         0, G_MAXUINT64, SSE_PARSER_DEFAULT_MAX_EVENT_SIZE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SseParser::event:
   * @self: the parser
   * @event: the event
   *
   * Emitted for every complete event, from within [method@Sse.Parser.feed],
   * in stream order. The signal is detailed by the event type, so a handler
   * connected to `event::update` sees only events of type `update`, and
   * one connected to `event` sees them all.
   *
   * Events whose blocks carry no data (only an id, say) are not emitted.
   * The event is only borrowed: take a reference to keep it.
   *
   * Since: 1.0
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, SSE_TYPE_EVENT);
  g_signal_set_va_marshaller (signals[SIGNAL_EVENT],
                              G_TYPE_FROM_CLASS (klass),
                              _sse_marshal_VOID__BOXED_BORROWEDv);

  /**
   * SseParser::comment:
   * @self: the parser
   * @text: the comment, without its leading colon and one space after it
   *
   * Emitted for every comment line (a line that starts with a colon), from
   * within [method@Sse.Parser.feed], in stream order with the events.
   * Servers send comments as heartbeats; they are not part of any event.
   *
   * Since: 1.0
   */
  signals[SIGNAL_COMMENT] =
    g_signal_new ("comment",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__STRING,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[SIGNAL_COMMENT],
                              G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__STRINGv);
}

static void
sse_parser_init (SseParser *self)
{
  _sse_decoder_init (&self->decoder, SSE_PARSER_DEFAULT_MAX_EVENT_SIZE, &signal_sink, self);
  _sse_event_emitter_init (&self->emitter);
}

/**
 * sse_parser_new:
 *
 * Creates a parser for one `text/event-stream` at a time.
 *
 * Returns: (transfer full): a new parser
 *
 * Since: 1.0
 */
SseParser *
sse_parser_new (void)
{
  return g_object_new (SSE_TYPE_PARSER, NULL);
}

/**
 * sse_parser_feed:
 * @self: a parser
 * @data: (array length=len) (element-type guint8): the next bytes of the stream
 * @len: the length of @data
 * @error: return location for a #GError
 *
 * Parses the next bytes of the stream. They may be split anywhere, even in
 * the middle of a line or of a UTF-8 character: the parser keeps what it
 * needs for the next call. Complete events are emitted with
 * [signal@Sse.Parser::event] before this returns.
 *
 * An error does not stop the parser: when an event grows past
 * [property@Sse.Parser:max-event-size] that event is dropped, the rest of
 * @data is still parsed (events after it are emitted), and then the error
 * %SSE_ERROR_EVENT_TOO_LARGE is returned. Only the first error of a call
 * is reported.
 *
 * If a handler calls [method@Sse.Parser.finish] or [method@Sse.Parser.reset],
 * the rest of @data is dropped and this returns at once: %TRUE, unless an
 * event was dropped earlier in this call and the handler only finished the
 * stream (a reset forgets that error too).
 *
 * Returns: %TRUE if all went well, %FALSE if an event was dropped
 *
 * Since: 1.0
 */
gboolean
sse_parser_feed (SseParser     *self,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (SSE_IS_PARSER (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!_sse_decoder_is_feeding (&self->decoder), FALSE);

  if (len == 0)
    return TRUE;

  /* A handler may drop the last reference to the parser. */
  g_object_ref (self);
  ok = _sse_decoder_feed (&self->decoder, (const char *) data, len, error);
  g_object_unref (self);

  return ok;
}

/**
 * sse_parser_finish:
 * @self: a parser
 *
 * Tells the parser that the stream ended. As the standard says, an event
 * that was not terminated by a blank line is discarded, never dispatched,
 * and an `id:` field in its block does not change
 * [property@Sse.Parser:last-event-id].
 *
 * The parser is then ready for a new stream (a new connection): a byte
 * order mark is allowed again at its start. The last event ID and the retry
 * time are kept, as a reconnecting client needs them.
 *
 * Since: 1.0
 */
void
sse_parser_finish (SseParser *self)
{
  g_return_if_fail (SSE_IS_PARSER (self));

  _sse_decoder_finish (&self->decoder);
}

/**
 * sse_parser_reset:
 * @self: a parser
 *
 * Returns the parser to the state of a new one: the stream under way is
 * dropped as with [method@Sse.Parser.finish], and the last event ID and the
 * retry time are cleared too. [property@Sse.Parser:max-event-size] is kept.
 *
 * Since: 1.0
 */
void
sse_parser_reset (SseParser *self)
{
  gboolean had_id, had_retry;

  g_return_if_fail (SSE_IS_PARSER (self));

  had_id = *_sse_decoder_get_last_event_id (&self->decoder) != '\0';
  had_retry = _sse_decoder_get_retry (&self->decoder) != -1;
  _sse_decoder_reset (&self->decoder);

  g_object_freeze_notify (G_OBJECT (self));
  if (had_id)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_ID]);
  if (had_retry)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * sse_parser_get_last_event_id:
 * @self: a parser
 *
 * Gets [property@Sse.Parser:last-event-id].
 *
 * Returns: (not nullable): the last event ID, or the empty string
 *
 * Since: 1.0
 */
const char *
sse_parser_get_last_event_id (SseParser *self)
{
  g_return_val_if_fail (SSE_IS_PARSER (self), NULL);

  return _sse_decoder_get_last_event_id (&self->decoder);
}

/**
 * sse_parser_set_last_event_id:
 * @self: a parser
 * @last_event_id: (nullable): the last event ID; %NULL is the empty string
 *
 * Sets [property@Sse.Parser:last-event-id], and the last event ID buffer of
 * the stream with it: events that follow without an `id:` field of their
 * own carry this ID. A client sets it when it reconnects with a
 * `Last-Event-ID` header. Invalid UTF-8 is replaced.
 *
 * Since: 1.0
 */
void
sse_parser_set_last_event_id (SseParser  *self,
                              const char *last_event_id)
{
  g_return_if_fail (SSE_IS_PARSER (self));

  if (_sse_decoder_set_last_event_id (&self->decoder, last_event_id != NULL ? last_event_id : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_ID]);
}

/**
 * sse_parser_get_retry:
 * @self: a parser
 *
 * Gets [property@Sse.Parser:retry].
 *
 * Returns: the reconnection time the stream asked for in milliseconds, or -1
 *
 * Since: 1.0
 */
gint64
sse_parser_get_retry (SseParser *self)
{
  g_return_val_if_fail (SSE_IS_PARSER (self), -1);

  return _sse_decoder_get_retry (&self->decoder);
}

/**
 * sse_parser_get_max_event_size:
 * @self: a parser
 *
 * Gets [property@Sse.Parser:max-event-size].
 *
 * Returns: the limit in bytes, or 0 for none
 *
 * Since: 1.0
 */
guint64
sse_parser_get_max_event_size (SseParser *self)
{
  g_return_val_if_fail (SSE_IS_PARSER (self), 0);

  return _sse_decoder_get_max_event_size (&self->decoder);
}

/**
 * sse_parser_set_max_event_size:
 * @self: a parser
 * @max_event_size: the limit in bytes, or 0 for none
 *
 * Sets [property@Sse.Parser:max-event-size]. A smaller limit applies to the
 * event being read from the next byte on.
 *
 * Since: 1.0
 */
void
sse_parser_set_max_event_size (SseParser *self,
                               guint64    max_event_size)
{
  g_return_if_fail (SSE_IS_PARSER (self));

  if (_sse_decoder_get_max_event_size (&self->decoder) == max_event_size)
    return;

  _sse_decoder_set_max_event_size (&self->decoder, max_event_size);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_EVENT_SIZE]);
}

void
_sse_parser_set_sink (SseParser           *self,
                      const SseParserSink *sink,
                      gpointer             user_data)
{
  g_return_if_fail (SSE_IS_PARSER (self));

  if (sink != NULL)
    _sse_decoder_set_sink (&self->decoder, sink, user_data);
  else
    _sse_decoder_set_sink (&self->decoder, &signal_sink, self);
}

gsize
_sse_parser_get_memory_held (SseParser *self)
{
  g_return_val_if_fail (SSE_IS_PARSER (self), 0);

  return _sse_decoder_get_memory_held (&self->decoder) +
         _sse_event_emitter_get_capacity (&self->emitter);
}
