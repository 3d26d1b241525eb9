/* sse-event.c: one server-sent event
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-error.h"
#include "sse-event-private.h"
#include "sse-i18n-private.h"
#include "sse-utf8-private.h"

/**
 * SseEvent:
 *
 * One event of a `text/event-stream`: its type, its data, the id it carried
 * and the stream's last event ID when it was dispatched.
 *
 * ```c
 * g_autoptr(SseEvent) event = sse_event_new_full ("update", "{\"n\": 1}", -1,
 *                                                 "42", -1);
 * g_autoptr(SseEncoder) encoder = sse_encoder_new ();
 * g_autoptr(GBytes) wire = sse_encoder_encode_event (encoder, event);
 * // "event: update\nid: 42\ndata: {\"n\": 1}\n\n"
 * ```
 *
 * An `SseEvent` is an immutable, reference-counted boxed type: events handed
 * to signal handlers can be kept with [method@Sse.Event.ref] and passed to
 * other threads.
 *
 * The constructors clean what they are given so that any event can be
 * written on the wire and read back unchanged: CR, LF and NUL are removed
 * from the event type and the id, line breaks in the data (CRLF, CR) become
 * LF, and bytes that are not UTF-8 are replaced by U+FFFD exactly as a
 * parser would. Use [ctor@Sse.Event.new_checked] to be told instead.
 *
 * Since: 1.0
 */

struct _SseEvent
{
  gatomicrefcount ref_count;
  gsize           capacity;     /* bytes of storage */
  const char     *event_type;
  const char     *data;
  gsize           data_len;
  const char     *id;
  const char     *last_event_id;
  char           *origin;       /* GRefString */
  gint64          retry;
  char            storage[];
};

/* A parser recycles the event it dispatched when nobody kept it, if it is
 * at most this big: small events then cost no allocation at all. */
#define RECYCLE_MAX_CAPACITY 4096

static const char message_type[] = "message";

G_DEFINE_BOXED_TYPE (SseEvent, sse_event, sse_event_ref, sse_event_unref)

static inline char *
store (char       *dest,
       const char *src,
       gsize       len)
{
  if (len > 0)
    memcpy (dest, src, len);
  dest[len] = '\0';
  return dest + len + 1;
}

static inline gboolean
is_message_type (const SseEventFields *f)
{
  return f->event_type_len == 0 ||
         (f->event_type_len == 7 && memcmp (f->event_type, message_type, 7) == 0);
}

/* The storage an event made of @f needs. */
static inline gsize
storage_size (const SseEventFields *f)
{
  return (is_message_type (f) ? 0 : f->event_type_len + 1) +
         f->data_len + 1 +
         (f->id != NULL ? f->id_len + 1 : 0) +
         f->last_event_id_len + 1;
}

static SseEvent *
event_alloc (gsize capacity)
{
  SseEvent *event = g_malloc (sizeof (SseEvent) + capacity);

  g_atomic_ref_count_init (&event->ref_count);
  event->capacity = capacity;
  event->origin = NULL;
  return event;
}

/* Writes @f into @event, which has room for it. */
static SseEvent *
event_fill (SseEvent             *event,
            const SseEventFields *f)
{
  char *p = event->storage;

  if (is_message_type (f))
    event->event_type = message_type;
  else
    {
      event->event_type = p;
      p = store (p, f->event_type, f->event_type_len);
    }

  event->data = p;
  event->data_len = f->data_len;
  p = store (p, f->data, f->data_len);

  if (f->id != NULL)
    {
      event->id = p;
      p = store (p, f->id, f->id_len);
    }
  else
    event->id = NULL;

  event->last_event_id = p;
  store (p, f->last_event_id, f->last_event_id_len);

  if (event->origin != f->origin)
    {
      g_clear_pointer (&event->origin, g_ref_string_release);
      if (f->origin != NULL)
        event->origin = g_ref_string_acquire ((char *) f->origin);
    }
  event->retry = f->retry;

  return event;
}

SseEvent *
_sse_event_new_from_fields (const SseEventFields *f)
{
  return event_fill (event_alloc (storage_size (f)), f);
}

SseEvent *
_sse_event_recycle (SseEvent             *spare,
                    const SseEventFields *f)
{
  gsize needed = storage_size (f);

  /* An event nobody else holds can be rewritten: it is immutable only for
   * those who can see it. */
  if (spare != NULL &&
      g_atomic_ref_count_compare (&spare->ref_count, 1) &&
      spare->capacity >= needed)
    return event_fill (spare, f);

  if (spare != NULL)
    sse_event_unref (spare);

  /* Round up, so that the next event of about the same size fits. */
  if (needed <= RECYCLE_MAX_CAPACITY)
    needed = MIN ((needed + 127) & ~(gsize) 63, RECYCLE_MAX_CAPACITY);

  return event_fill (event_alloc (needed), f);
}

SseEvent *
_sse_event_keep_spare (SseEvent *event)
{
  if (event != NULL && event->capacity > RECYCLE_MAX_CAPACITY)
    {
      sse_event_unref (event);
      return NULL;
    }
  return event;
}

gsize
_sse_event_get_capacity (SseEvent *event)
{
  return event != NULL ? event->capacity : 0;
}

char *
_sse_clean_field (const char *value,
                  gssize      len)
{
  gsize n = len < 0 ? strlen (value) : (gsize) len;
  g_autofree char *valid = _sse_utf8_make_valid (value, n, &n);
  char *out = g_malloc (n + 1);
  gsize i, j = 0;

  for (i = 0; i < n; i++)
    if (valid[i] != '\r' && valid[i] != '\n' && valid[i] != '\0')
      out[j++] = valid[i];
  out[j] = '\0';
  return out;
}

/* CRLF and lone CR become LF, as a parser gives them back. */
static char *
normalize_data (const char *data,
                gsize       len,
                gsize      *out_len)
{
  g_autofree char *valid = _sse_utf8_make_valid (data, len, &len);
  char *out = g_malloc (len + 1);
  gsize i, j = 0;

  for (i = 0; i < len; i++)
    {
      if (valid[i] == '\r')
        {
          out[j++] = '\n';
          if (i + 1 < len && valid[i + 1] == '\n')
            i++;
        }
      else
        out[j++] = valid[i];
    }
  out[j] = '\0';
  *out_len = j;
  return out;
}

static SseEvent *
new_event (const char *event_type,
           const char *data,
           gsize       data_len,
           const char *id,
           gint64      retry)
{
  SseEventFields f = { 0, };

  f.event_type = event_type;
  f.event_type_len = event_type != NULL ? strlen (event_type) : 0;
  f.data = data;
  f.data_len = data_len;
  f.id = id;
  f.id_len = id != NULL ? strlen (id) : 0;
  f.last_event_id = id != NULL ? id : "";
  f.last_event_id_len = f.id_len;
  f.retry = retry;

  return _sse_event_new_from_fields (&f);
}

/**
 * sse_event_new:
 * @data: (nullable): the event's data, UTF-8; %NULL is the empty string
 *
 * Creates an event of type `message` with @data, no id and no retry.
 *
 * Line breaks in @data (CRLF and lone CR) become LF, and invalid UTF-8 is
 * replaced, so that the event reads back the same after encoding.
 *
 * Returns: (transfer full): a new event
 *
 * Since: 1.0
 */
SseEvent *
sse_event_new (const char *data)
{
  return sse_event_new_full (NULL, data, -1, NULL, -1);
}

/**
 * sse_event_new_full:
 * @event_type: (nullable): the event type; %NULL or empty means `message`
 * @data: (nullable): the event's data; %NULL is the empty string
 * @data_len: the length of @data in bytes, or -1 if it is NUL-terminated
 * @id: (nullable): the event's id, or %NULL for an event without an id
 * @retry: the reconnection time in milliseconds to send with the event, or
 *   -1 for none
 *
 * Creates an event.
 *
 * Everything is cleaned so that it can be written on the wire and read back
 * unchanged: CR, LF and NUL are removed from @event_type and @id, CRLF and
 * lone CR in @data become LF, and invalid UTF-8 anywhere is replaced by
 * U+FFFD. @data may contain NUL bytes when @data_len is given. Use
 * [ctor@Sse.Event.new_checked] to refuse such input instead.
 *
 * Returns: (transfer full): a new event
 *
 * Since: 1.0
 */
SseEvent *
sse_event_new_full (const char *event_type,
                    const char *data,
                    gssize      data_len,
                    const char *id,
                    gint64      retry)
{
  g_autofree char *clean_type = NULL;
  g_autofree char *clean_id = NULL;
  g_autofree char *clean_data = NULL;
  gsize len;

  g_return_val_if_fail (retry >= -1, NULL);
  g_return_val_if_fail (data != NULL || data_len <= 0, NULL);

  if (data == NULL)
    data = "";
  len = data_len < 0 ? strlen (data) : (gsize) data_len;

  if (event_type != NULL)
    clean_type = _sse_clean_field (event_type, -1);
  if (id != NULL)
    clean_id = _sse_clean_field (id, -1);
  clean_data = normalize_data (data, len, &len);

  return new_event (clean_type, clean_data, len, clean_id, retry);
}

/* Whether @value (NUL-terminated) can go on the wire as an event type or id
 * without being changed. */
static gboolean
field_is_clean (const char *value)
{
  return value == NULL ||
         (_sse_utf8_is_valid (value, strlen (value)) && strpbrk (value, "\r\n") == NULL);
}

/**
 * sse_event_new_checked:
 * @event_type: (nullable): the event type; %NULL or empty means `message`
 * @data: (nullable): the event's data; %NULL is the empty string
 * @data_len: the length of @data in bytes, or -1 if it is NUL-terminated
 * @id: (nullable): the event's id, or %NULL for an event without an id
 * @retry: the reconnection time in milliseconds, or -1 for none
 * @error: return location for a #GError
 *
 * Creates an event like [ctor@Sse.Event.new_full], but refuses input that
 * would have to be changed to fit on the wire instead of cleaning it: an
 * event type or id with a line break, any field that is not valid UTF-8, or
 * a retry below -1. The error is %SSE_ERROR_INVALID_EVENT.
 *
 * Line breaks inside @data are allowed: they become several `data:` lines.
 *
 * Returns: (transfer full) (nullable): a new event, or %NULL with @error set
 *
 * Since: 1.0
 */
SseEvent *
sse_event_new_checked (const char  *event_type,
                       const char  *data,
                       gssize       data_len,
                       const char  *id,
                       gint64       retry,
                       GError     **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (data != NULL || data_len <= 0, NULL);

  _sse_ensure_i18n ();

  if (data == NULL)
    data = "";
  len = data_len < 0 ? strlen (data) : (gsize) data_len;

  if (!field_is_clean (event_type))
    {
      g_set_error_literal (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT,
                           _("The event type contains a line break or invalid UTF-8; "
                             "it cannot be sent in a text/event-stream"));
      return NULL;
    }

  if (!field_is_clean (id))
    {
      g_set_error_literal (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT,
                           _("The event id contains a line break or invalid UTF-8; "
                             "it cannot be sent in a text/event-stream"));
      return NULL;
    }

  if (!_sse_utf8_is_valid (data, len))
    {
      g_set_error_literal (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT,
                           _("The event’s data is not valid UTF-8"));
      return NULL;
    }

  if (retry < -1)
    {
      g_set_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT,
                   _("The retry time %" PRId64 " is negative; use -1 for none"),
                   retry);
      return NULL;
    }

  return sse_event_new_full (event_type, data, len, id, retry);
}

/**
 * sse_event_ref:
 * @event: an event
 *
 * Takes a reference on @event.
 *
 * Returns: (transfer full): @event
 *
 * Since: 1.0
 */
SseEvent *
sse_event_ref (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  g_atomic_ref_count_inc (&event->ref_count);
  return event;
}

/**
 * sse_event_unref:
 * @event: (transfer full): an event
 *
 * Drops a reference on @event, freeing it when it was the last one.
 *
 * Since: 1.0
 */
void
sse_event_unref (SseEvent *event)
{
  g_return_if_fail (event != NULL);

  if (g_atomic_ref_count_dec (&event->ref_count))
    {
      g_clear_pointer (&event->origin, g_ref_string_release);
      g_free (event);
    }
}

/**
 * sse_event_get_event_type:
 * @event: an event
 *
 * Gets the event's type: the value of its `event:` field, or `message` when
 * it had none (or an empty one).
 *
 * Returns: (not nullable): the event type
 *
 * Since: 1.0
 */
const char *
sse_event_get_event_type (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->event_type;
}

/**
 * sse_event_get_data:
 * @event: an event
 *
 * Gets the event's data: its `data:` lines joined with LF. The string is
 * always NUL-terminated; when the data itself contains NUL bytes use
 * [method@Sse.Event.get_data_bytes] or [method@Sse.Event.get_data_length].
 *
 * Returns: (not nullable): the data, valid UTF-8
 *
 * Since: 1.0
 */
const char *
sse_event_get_data (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->data;
}

/**
 * sse_event_get_data_length:
 * @event: an event
 *
 * Gets the length of the event's data in bytes, NUL bytes included.
 *
 * Returns: the length of [method@Sse.Event.get_data]
 *
 * Since: 1.0
 */
gsize
sse_event_get_data_length (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, 0);

  return event->data_len;
}

/**
 * sse_event_get_data_bytes:
 * @event: an event
 *
 * Gets the event's data as bytes, embedded NUL bytes included. The bytes
 * share the event's memory: nothing is copied.
 *
 * Returns: (transfer full): the data
 *
 * Since: 1.0
 */
GBytes *
sse_event_get_data_bytes (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return g_bytes_new_with_free_func (event->data, event->data_len,
                                     (GDestroyNotify) sse_event_unref,
                                     sse_event_ref (event));
}

/**
 * sse_event_get_id:
 * @event: an event
 *
 * Gets the value of the `id:` field of this event's own block, if it had
 * one. An event without an id of its own still has the stream's last event
 * ID: see [method@Sse.Event.get_last_event_id].
 *
 * Returns: (nullable): the event's id, or %NULL
 *
 * Since: 1.0
 */
const char *
sse_event_get_id (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->id;
}

/**
 * sse_event_get_last_event_id:
 * @event: an event
 *
 * Gets the stream's last event ID at the time the event was dispatched, like
 * `MessageEvent.lastEventId` in a browser: the most recent `id:` field seen
 * on the stream, in this event's block or an earlier one.
 *
 * Returns: (not nullable): the last event ID, or the empty string if none
 *
 * Since: 1.0
 */
const char *
sse_event_get_last_event_id (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->last_event_id;
}

/**
 * sse_event_get_retry:
 * @event: an event
 *
 * Gets the reconnection time sent in this event's block with a `retry:`
 * field.
 *
 * Returns: the retry time in milliseconds, or -1 if the block had none
 *
 * Since: 1.0
 */
gint64
sse_event_get_retry (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, -1);

  return event->retry;
}

/**
 * sse_event_get_origin:
 * @event: an event
 *
 * Gets the origin (scheme, host and port, such as `https://example.com`) of
 * the URL the event was received from, after redirects, like
 * `MessageEvent.origin` in a browser. Events that were not received by an
 * [class@Sse.EventSource] have no origin.
 *
 * Returns: (nullable): the origin, or %NULL
 *
 * Since: 1.0
 */
const char *
sse_event_get_origin (SseEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  return event->origin;
}

/**
 * sse_event_equal:
 * @a: an event
 * @b: another event
 *
 * Compares two events by what they carry on the wire: type, data, id and
 * retry. The stream context (last event ID, origin) is not compared, so an
 * event equals itself written by [class@Sse.Encoder] and read back by
 * [class@Sse.Parser].
 *
 * Returns: %TRUE if the events are equal
 *
 * Since: 1.0
 */
gboolean
sse_event_equal (SseEvent *a,
                 SseEvent *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;

  return a->data_len == b->data_len &&
         a->retry == b->retry &&
         memcmp (a->data, b->data, a->data_len) == 0 &&
         g_str_equal (a->event_type, b->event_type) &&
         g_strcmp0 (a->id, b->id) == 0 &&
         (a->id == NULL) == (b->id == NULL);
}

/**
 * sse_event_hash:
 * @event: an event
 *
 * Hashes an event consistently with [method@Sse.Event.equal], so that events
 * can be keys of a [struct@GLib.HashTable].
 *
 * Returns: a hash value
 *
 * Since: 1.0
 */
guint
sse_event_hash (SseEvent *event)
{
  guint h;
  gsize i;

  g_return_val_if_fail (event != NULL, 0);

  h = g_str_hash (event->event_type);
  for (i = 0; i < event->data_len; i++)
    h = (h << 5) + h + (guchar) event->data[i];
  if (event->id != NULL)
    h ^= g_str_hash (event->id) * 31;
  return h ^ (guint) event->retry;
}
