/* sse-encoder.c: writes events in the text/event-stream format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "sse-enum-types.h"
#include "sse-encoder.h"
#include "sse-i18n-private.h"

/**
 * SseEncoder:
 *
 * Writes events, comments and retry times in the `text/event-stream`
 * format, ready to be sent to a client.
 *
 * ```c
 * g_autoptr(SseEncoder) encoder = sse_encoder_new ();
 * g_autoptr(SseEvent) event = sse_event_new_full ("tick", "one\ntwo", -1, "7", -1);
 * g_autoptr(GBytes) bytes = sse_encoder_encode_event (encoder, event);
 * // "event: tick\nid: 7\ndata: one\ndata: two\n\n"
 * ```
 *
 * What the encoder writes reads back unchanged: for any event `e`, feeding
 * the output of [method@Sse.Encoder.encode_event] to a new [class@Sse.Parser]
 * gives exactly one event equal to `e` (see [method@Sse.Event.equal]).
 *
 * The fields come in a fixed order: `event:` (left out for `message`),
 * `id:`, `retry:`, then one `data:` line for each line of the data (split
 * at CR, LF and CRLF), then a blank line. Each field name is followed by a
 * colon and a space, so a value that starts with a space keeps it
 * (`data:  x` carries ` x`).
 *
 * Since: 1.0
 */

struct _SseEncoder
{
  GObject       parent_instance;

  SseLineEnding line_ending;
};

enum {
  PROP_0,
  PROP_LINE_ENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SseEncoder, sse_encoder, G_TYPE_OBJECT)

static inline void
append_eol (SseEncoder *self,
            GString    *out)
{
  if (self->line_ending == SSE_LINE_ENDING_CRLF)
    g_string_append_len (out, "\r\n", 2);
  else
    g_string_append_c (out, '\n');
}

/* Appends "name: value" and a line end. CR, LF and NUL are left out of the
 * value when @clean is TRUE (event types, ids and comments cannot hold
 * them); an empty value gives "name:". */
static void
append_field (SseEncoder *self,
              GString    *out,
              const char *name,
              const char *value,
              gsize       len,
              gboolean    clean)
{
  g_string_append (out, name);
  g_string_append_c (out, ':');
  if (len > 0)
    {
      g_string_append_c (out, ' ');
      if (clean)
        {
          gsize i;

          for (i = 0; i < len; i++)
            if (value[i] != '\r' && value[i] != '\n' && value[i] != '\0')
              g_string_append_c (out, value[i]);
        }
      else
        g_string_append_len (out, value, len);
    }
  append_eol (self, out);
}

static void
sse_encoder_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SseEncoder *self = SSE_ENCODER (object);

  switch (prop_id)
    {
    case PROP_LINE_ENDING:
      g_value_set_enum (value, self->line_ending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_encoder_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SseEncoder *self = SSE_ENCODER (object);

  switch (prop_id)
    {
    case PROP_LINE_ENDING:
      sse_encoder_set_line_ending (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sse_encoder_class_init (SseEncoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _sse_ensure_i18n ();

  object_class->get_property = sse_encoder_get_property;
  object_class->set_property = sse_encoder_set_property;

  /**
   * SseEncoder:line-ending:
   *
   * How the lines the encoder writes end: LF (the default) or CRLF.
   *
   * Since: 1.0
   */
  properties[PROP_LINE_ENDING] =
    g_param_spec_enum ("line-ending", NULL, NULL,
                       SSE_TYPE_LINE_ENDING,
                       SSE_LINE_ENDING_LF,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sse_encoder_init (SseEncoder *self)
{
  self->line_ending = SSE_LINE_ENDING_LF;
}

/**
 * sse_encoder_new:
 *
 * Creates an encoder that ends lines with LF.
 *
 * Returns: (transfer full): a new encoder
 *
 * Since: 1.0
 */
SseEncoder *
sse_encoder_new (void)
{
  return g_object_new (SSE_TYPE_ENCODER, NULL);
}

/**
 * sse_encoder_get_line_ending:
 * @self: an encoder
 *
 * Gets [property@Sse.Encoder:line-ending].
 *
 * Returns: the line ending
 *
 * Since: 1.0
 */
SseLineEnding
sse_encoder_get_line_ending (SseEncoder *self)
{
  g_return_val_if_fail (SSE_IS_ENCODER (self), SSE_LINE_ENDING_LF);

  return self->line_ending;
}

/**
 * sse_encoder_set_line_ending:
 * @self: an encoder
 * @line_ending: the line ending
 *
 * Sets [property@Sse.Encoder:line-ending].
 *
 * Since: 1.0
 */
void
sse_encoder_set_line_ending (SseEncoder    *self,
                             SseLineEnding  line_ending)
{
  g_return_if_fail (SSE_IS_ENCODER (self));
  g_return_if_fail (line_ending == SSE_LINE_ENDING_LF || line_ending == SSE_LINE_ENDING_CRLF);

  if (self->line_ending == line_ending)
    return;

  self->line_ending = line_ending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINE_ENDING]);
}

/**
 * sse_encoder_encode_event:
 * @self: an encoder
 * @event: the event
 *
 * Writes @event: its `event:` field (unless the type is `message`), its
 * `id:` field (if it has an id; an empty id is written `id:` and resets the
 * client's last event ID), its `retry:` field (if it has one), one `data:`
 * line per line of its data, and the blank line that dispatches it.
 *
 * Returns: (transfer full): the encoded event
 *
 * Since: 1.0
 */
GBytes *
sse_encoder_encode_event (SseEncoder *self,
                          SseEvent   *event)
{
  const char *type, *id, *data, *end, *line;
  gint64 retry;
  GString *out;

  g_return_val_if_fail (SSE_IS_ENCODER (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);

  type = sse_event_get_event_type (event);
  id = sse_event_get_id (event);
  retry = sse_event_get_retry (event);
  data = sse_event_get_data (event);
  end = data + sse_event_get_data_length (event);

  out = g_string_sized_new ((end - data) + 64);

  if (strcmp (type, "message") != 0)
    append_field (self, out, "event", type, strlen (type), TRUE);
  if (id != NULL)
    append_field (self, out, "id", id, strlen (id), TRUE);
  if (retry >= 0)
    {
      g_string_append_printf (out, "retry: %" G_GINT64_FORMAT, retry);
      append_eol (self, out);
    }

  /* One data line per line of the data: split at CRLF, LF and CR. */
  line = data;
  for (;;)
    {
      const char *p = line;

      while (p < end && *p != '\n' && *p != '\r')
        p++;
      append_field (self, out, "data", line, p - line, FALSE);
      if (p == end)
        break;
      if (*p == '\r' && p + 1 < end && p[1] == '\n')
        p++;
      line = p + 1;
    }

  append_eol (self, out);

  return g_string_free_to_bytes (out);
}

/**
 * sse_encoder_encode_comment:
 * @self: an encoder
 * @text: (nullable): the comment; %NULL is the empty comment
 *
 * Writes a comment line: a colon, a space and @text, without CR, LF or NUL
 * (they are left out). Clients ignore comments; servers send them as
 * heartbeats, to keep connections and proxies from timing out.
 *
 * Returns: (transfer full): the encoded comment
 *
 * Since: 1.0
 */
GBytes *
sse_encoder_encode_comment (SseEncoder *self,
                            const char *text)
{
  GString *out;

  g_return_val_if_fail (SSE_IS_ENCODER (self), NULL);

  if (text == NULL)
    text = "";

  out = g_string_sized_new (strlen (text) + 4);
  append_field (self, out, "", text, strlen (text), TRUE);

  return g_string_free_to_bytes (out);
}

/**
 * sse_encoder_encode_retry:
 * @self: an encoder
 * @milliseconds: the reconnection time
 *
 * Writes a `retry:` field, which tells the client how long to wait before
 * reconnecting when the connection is lost, in a block of its own (followed
 * by a blank line) so that it is not attached to the next event.
 *
 * Returns: (transfer full): the encoded retry field
 *
 * Since: 1.0
 */
GBytes *
sse_encoder_encode_retry (SseEncoder *self,
                          guint       milliseconds)
{
  GString *out;

  g_return_val_if_fail (SSE_IS_ENCODER (self), NULL);

  out = g_string_sized_new (24);
  g_string_append_printf (out, "retry: %u", milliseconds);
  append_eol (self, out);
  append_eol (self, out);

  return g_string_free_to_bytes (out);
}
