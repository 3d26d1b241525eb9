/* sse-decoder.c: the text/event-stream decoder at the core of SseParser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The line and field state machine of the standard, over bytes fed in any
 * pieces: the byte order mark, line ends, fields, the hand-off to UTF-8
 * repair, dispatch, and the memory bound. What it finds goes to a sink
 * (sse-decoder-private.h); SseParser turns that into signals.
 */

#include "config.h"

#include <string.h>

#ifdef __SSE2__
# include <emmintrin.h>
#endif

#include <glib/gi18n-lib.h>

#include "sse-decoder-private.h"
#include "sse-error.h"
#include "sse-i18n-private.h"
#include "sse-utf8-private.h"

typedef enum {
  LINE_START,
  IN_NAME,
  AFTER_COLON,
  IN_VALUE,
} LineState;

typedef enum {
  FIELD_IGNORE,
  FIELD_DATA,
  FIELD_EVENT,
  FIELD_ID,
  FIELD_RETRY,
  FIELD_COMMENT,
} Field;

typedef SseDecoderBuf Buf;

/* With no limit, buffers bigger than this are given back after use, so
 * that one large event does not pin its memory for the rest of the stream.
 * (With a limit, the buffers of the event being read never hold more than
 * the limit plus SLACK in all: see buf_reserve().) */
#define KEEP_CAPACITY (1024 * 1024)
#define SLACK 256

static const char bom[3] = { '\xEF', '\xBB', '\xBF' };

/* The functions that every line goes through start on a cache line: their
 * speed then depends on their own code, not on the size of whatever the
 * linker put before them, which shifts their loops and branches (a few
 * per cent either way in bench/run). */
#if defined(__GNUC__) || defined(__clang__)
# define CACHE_LINE_ALIGNED __attribute__((__aligned__ (64)))
#else
# define CACHE_LINE_ALIGNED
#endif

/* Scanning ----------------------------------------------------------------- */

/* The first CR or LF in [p, end), or end. One pass for both, which also
 * tells whether the bytes looked at were all ASCII (*ascii); it may look at
 * a few bytes past the line end, so a FALSE is only a "maybe not". */
static inline const char *
find_eol (const char *p,
          const char *end,
          gboolean   *ascii)
{
  guchar high = 0;
#ifdef __SSE2__
  const __m128i lf = _mm_set1_epi8 ('\n');
  const __m128i cr = _mm_set1_epi8 ('\r');
  __m128i seen = _mm_setzero_si128 ();

  while (end - p >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) p);
      int mask = _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (v, lf),
                                                  _mm_cmpeq_epi8 (v, cr)));

      seen = _mm_or_si128 (seen, v);
      if (mask != 0)
        {
          *ascii = _mm_movemask_epi8 (seen) == 0;
          return p + __builtin_ctz (mask);
        }
      p += 16;
    }
  high = _mm_movemask_epi8 (seen) != 0 ? 0x80 : 0;
#endif
  while (p < end && *p != '\n' && *p != '\r')
    high |= (guchar) *p++;
  *ascii = (high & 0x80) == 0;
  return p;
}

/* The first colon of a line: field names are short, so look at a few
 * bytes by hand before calling memchr() on the rest. */
static inline const char *
find_colon (const char *s,
            const char *end)
{
  const char *stop = end - s > 8 ? s + 8 : end;

  for (; s < stop; s++)
    if (*s == ':')
      return s;
  return s < end ? memchr (s, ':', end - s) : NULL;
}

/* Buffers ------------------------------------------------------------------ */

/* The "last event ID buffer". */
static inline const Buf *
id_buffer (SseDecoder *self)
{
  return self->pending_distinct ? &self->pending_id : &self->last_event_id;
}


static void
buf_set_capacity (SseDecoder *self,
                  Buf        *b,
                  gsize       cap)
{
  if (cap == 0)
    g_clear_pointer (&b->data, g_free);
  else
    b->data = g_realloc (b->data, cap);
  self->cap_total = self->cap_total - b->cap + cap;
  b->cap = cap;
}

/* Gives back what a buffer holds beyond its contents and their NUL. An
 * empty buffer keeps its NUL: an empty pending id is a value. */
static void
buf_shrink (SseDecoder *self,
            Buf        *b)
{
  if (b->cap > b->len + 1)
    buf_set_capacity (self, b, b->len + 1);
}

/* Makes room for @extra more bytes (and the NUL). With a limit, the three
 * buffers of the event (and an id read in it) never hold more than the
 * limit plus SLACK together: growth is capped to that, and spare room in
 * the other buffers is given back first when needed. The caller has
 * checked with fits() that the event stays within the limit. */
static void G_GNUC_NO_INLINE
buf_grow (SseDecoder *self,
          Buf        *b,
          gsize       extra)
{
  gsize needed, cap;

  needed = b->len + extra + 1;
  cap = MAX (needed, MAX (b->cap * 2, 64));

  if (self->max_event_size != 0)
    {
      gsize allowed = self->max_event_size + SLACK;
      gsize others = self->cap_total - b->cap;

      if (needed + others > allowed)
        {
          Buf *bufs[] = { &self->data, &self->type, &self->value, &self->pending_id };

          for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
            if (bufs[i] != b)
              buf_shrink (self, bufs[i]);
          others = self->cap_total - b->cap;
        }
      if (cap + others > allowed)
        cap = MAX (needed, allowed > others ? allowed - others : 0);
    }

  buf_set_capacity (self, b, cap);
}

static inline void
buf_reserve (SseDecoder *self,
             Buf        *b,
             gsize       extra)
{
  if (G_UNLIKELY (extra >= b->cap - b->len))
    buf_grow (self, b, extra);
}

static inline void
buf_append (SseDecoder *self,
            Buf        *b,
            const char *s,
            gsize       n)
{
  buf_reserve (self, b, n);
  memcpy (b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static inline void
buf_truncate (Buf *b)
{
  b->len = 0;
  if (b->data != NULL)
    b->data[0] = '\0';
}

/* Empties @b, and gives its memory back if it grew large. */
static void
buf_trim (SseDecoder *self,
          Buf        *b)
{
  b->len = 0;
  if (b->cap > KEEP_CAPACITY)
    buf_set_capacity (self, b, 0);
  else if (b->data != NULL)
    b->data[0] = '\0';
}

/* Repairs invalid UTF-8 in @s, using @scratch when needed. */
static const char *
valid_utf8 (const char  *s,
            gsize       *len,
            GString    **scratch)
{
  if (G_LIKELY (_sse_utf8_is_valid (s, *len)))
    return s;

  *scratch = g_string_sized_new (*len + 8);
  _sse_utf8_append_repaired (*scratch, s, *len);
  *len = (*scratch)->len;
  return (*scratch)->str;
}

/* Repairs an event type like valid_utf8(), and replaces the NULs in it
 * (the standard allows them) with U+FFFD: a type is a C string and a
 * signal detail, which must be neither cut short nor empty. */
static const char *
valid_event_type (const char  *s,
                  gsize       *len,
                  gboolean     ascii,
                  GString    **scratch)
{
  GString *out;
  gsize i;

  if (!ascii)
    s = valid_utf8 (s, len, scratch);
  if (G_LIKELY (memchr (s, '\0', *len) == NULL))
    return s;

  out = g_string_sized_new (*len + 8);
  for (i = 0; i < *len; i++)
    {
      if (s[i] == '\0')
        g_string_append (out, "\xEF\xBF\xBD");
      else
        g_string_append_c (out, s[i]);
    }

  if (*scratch != NULL)
    g_string_free (*scratch, TRUE);
  *scratch = out;
  *len = out->len;
  return out->str;
}

/* Ids ---------------------------------------------------------------------- */

/* Sets the stream's last event ID (outside the event's accounting). */
static void
set_last_event_id (SseDecoder *self,
                   const char *value,
                   gsize       len)
{
  Buf *b = &self->last_event_id;

  if (len + 1 > b->cap || (b->cap > KEEP_CAPACITY && len + 1 < b->cap / 2))
    {
      b->data = g_realloc (b->data, len + 1);
      b->cap = len + 1;
    }
  memcpy (b->data, value, len);
  b->len = len;
  b->data[len] = '\0';
}

/* The pending id's room stays for the next one, unless it is large. */
static void
trim_pending_id (SseDecoder *self)
{
  self->pending_distinct = FALSE;
  if (self->pending_id.cap > 256)
    buf_set_capacity (self, &self->pending_id, 0);
}

/* Dispatch ----------------------------------------------------------------- */

static void
commit_last_event_id (SseDecoder *self)
{
  Buf old;

  if (!self->pending_distinct)
    return;

  /* The buffers trade places: no copy. The room of the old value stays
   * with the pending id for the next one. */
  old = self->last_event_id;
  self->last_event_id = self->pending_id;
  self->cap_total -= self->pending_id.cap;
  self->pending_id = old;
  self->cap_total += old.cap;
  trim_pending_id (self);

  if (self->sink->last_event_id_changed != NULL)
    self->sink->last_event_id_changed (self->sink_data);
}

static void
reset_block (SseDecoder *self)
{
  buf_truncate (&self->data);
  buf_trim (self, &self->type);
  self->data_ascii = TRUE;
  self->type_ascii = TRUE;
  self->block_has_id = FALSE;
  self->block_retry = -1;
}

static void G_GNUC_NO_INLINE CACHE_LINE_ALIGNED
dispatch (SseDecoder *self)
{
  g_autoptr(GString) data_scratch = NULL;
  g_autoptr(GString) type_scratch = NULL;
  SseEventFields fields;

  self->discarding = FALSE;
  commit_last_event_id (self);

  if (self->data.len == 0)
    {
      reset_block (self);
      return;
    }

  /* Every data line appended a LF: the last one is not part of the data. */
  self->data.len--;
  self->data.data[self->data.len] = '\0';

  /* Data that was all ASCII as it was scanned needs no UTF-8 check. */
  fields.data_len = self->data.len;
  fields.data = self->data_ascii ? self->data.data
                                 : valid_utf8 (self->data.data, &fields.data_len, &data_scratch);
  fields.event_type_len = self->type.len;
  fields.event_type = self->type.len > 0 ? valid_event_type (self->type.data,
                                                             &fields.event_type_len,
                                                             self->type_ascii,
                                                             &type_scratch)
                                         : NULL;
  fields.id = self->block_has_id ? self->last_event_id.data : NULL;
  fields.id_len = self->block_has_id ? self->last_event_id.len : 0;
  fields.last_event_id = self->last_event_id.data;
  fields.last_event_id_len = self->last_event_id.len;
  fields.retry = self->block_retry;
  fields.origin = NULL;

  if (self->sink->event != NULL)
    self->sink->event (self->sink_data, &fields);

  /* The sink copied what it needed; it may have reset the decoder
   * already, which is harmless here. */
  buf_trim (self, &self->data);
  reset_block (self);
}

static void
emit_comment (SseDecoder *self,
              const char *text,
              gsize       len,
              gboolean    ascii)
{
  g_autoptr(GString) scratch = NULL;

  if (!ascii)
    text = valid_utf8 (text, &len, &scratch);

  if (self->sink->comment != NULL)
    self->sink->comment (self->sink_data, text, len);
}

static void
set_retry (SseDecoder *self,
           gint64      retry)
{
  gboolean changed = self->retry != retry;

  self->block_retry = retry;
  self->retry = retry;

  if (self->sink->retry != NULL)
    self->sink->retry (self->sink_data, retry);
  if (changed && self->sink->retry_changed != NULL)
    self->sink->retry_changed (self->sink_data);
}

/* Limits ------------------------------------------------------------------- */

/* The size of the event being read, as max-event-size counts it: its data
 * with the line feeds between its lines, its type, its id, and the line
 * being read into the value buffer. */
static inline gsize
held_bytes (SseDecoder *self)
{
  gsize data_len = self->data.len;

  /* Outside a data line, the data ends with the line feed of its last
   * line, which is not part of the event (dispatch removes it). */
  if (data_len > 0 && self->field != FIELD_DATA)
    data_len--;

  return data_len + self->type.len + self->value.len +
         (self->block_has_id ? id_buffer (self)->len : 0);
}

static void
over_limit (SseDecoder *self,
            gboolean    comment)
{
  if (self->error == NULL)
    {
      g_autofree char *limit = g_format_size_full (self->max_event_size, G_FORMAT_SIZE_IEC_UNITS);

      if (comment)
        self->error = g_error_new (SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE,
                                   _("A comment longer than the limit of %s was dropped; "
                                     "raise “max-event-size” to accept it"),
                                   limit);
      else
        self->error = g_error_new (SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE,
                                   _("An event larger than the limit of %s was dropped; "
                                     "raise “max-event-size” to accept it"),
                                   limit);
    }

  if (!comment)
    {
      /* Drop the whole event: skip its data and event lines up to the
       * blank line that ends it. Its id and retry fields still count. */
      buf_trim (self, &self->data);
      buf_trim (self, &self->type);
      self->discarding = TRUE;
    }
  buf_trim (self, &self->value);
  self->field = FIELD_IGNORE;
}

/* Whether @n more bytes keep the event within the limit (@held being what
 * it holds now); drops what it must when not. */
static inline gboolean
fits_with (SseDecoder *self,
           gsize       held,
           gsize       n,
           gboolean    comment)
{
  if (G_LIKELY (self->max_event_size == 0 || held + n <= self->max_event_size))
    return TRUE;

  over_limit (self, comment);
  return FALSE;
}

static inline gboolean
fits (SseDecoder *self,
      gsize       n)
{
  return fits_with (self, held_bytes (self), n, self->field == FIELD_COMMENT);
}

/* Fields ------------------------------------------------------------------- */

/* An id field with this value (not repaired yet) ends. */
static void
set_id (SseDecoder *self,
        const char *value,
        gsize       len,
        gboolean    ascii)
{
  g_autoptr(GString) scratch = NULL;
  gsize held;

  /* An id containing NUL is ignored; an empty one resets the buffer. */
  if (len > 0 && memchr (value, '\0', len) != NULL)
    return;

  if (!ascii)
    value = valid_utf8 (value, &len, &scratch);

  /* Repair can make it longer; it must still fit the event. */
  held = held_bytes (self) - (self->block_has_id ? id_buffer (self)->len : 0);
  if (scratch != NULL && !fits_with (self, held, len, FALSE))
    return;

  if (len == self->last_event_id.len && memcmp (value, self->last_event_id.data, len) == 0)
    self->pending_distinct = FALSE;
  else
    {
      /* Not counted twice while it is copied in. */
      self->block_has_id = FALSE;
      self->pending_id.len = 0;
      buf_append (self, &self->pending_id, value, len);
      self->pending_distinct = TRUE;
    }
  self->block_has_id = TRUE;
}

static void
parse_retry (SseDecoder *self,
             const char *s,
             gsize       n)
{
  gsize i;

  for (i = 0; i < n && self->retry_ok; i++)
    {
      guint d = (guchar) s[i] - '0';

      if (d > 9 || self->retry_acc > (guint64) (G_MAXINT64 - d) / 10)
        self->retry_ok = FALSE;
      else
        {
          self->retry_acc = self->retry_acc * 10 + d;
          self->retry_digits = TRUE;
        }
    }
}

static Field
field_for_name (const char *name,
                gsize       len)
{
  switch (len)
    {
    case 2:
      if (memcmp (name, "id", 2) == 0)
        return FIELD_ID;
      break;
    case 4:
      if (memcmp (name, "data", 4) == 0)
        return FIELD_DATA;
      break;
    case 5:
      if (memcmp (name, "event", 5) == 0)
        return FIELD_EVENT;
      if (memcmp (name, "retry", 5) == 0)
        return FIELD_RETRY;
      break;
    default:
      break;
    }
  return FIELD_IGNORE;
}

/* A complete line, at the start of a line: the usual case, read straight
 * from the input without copying it anywhere but where it belongs. */
static inline void CACHE_LINE_ALIGNED
process_line (SseDecoder *self,
              const char *s,
              gsize       n,
              gboolean    ascii)
{
  const char *end = s + n;
  const char *v;
  Field field;

  if (n == 0)
    {
      dispatch (self);
      return;
    }

  if (n >= 5 && memcmp (s, "data:", 5) == 0)
    {
      field = FIELD_DATA;
      v = s + 5;
    }
  else if (*s == ':')
    {
      field = FIELD_COMMENT;
      v = s + 1;
    }
  else
    {
      const char *colon = find_colon (s, end);

      field = field_for_name (s, (colon != NULL ? colon : end) - s);
      v = colon != NULL ? colon + 1 : end;
    }

  if (v < end && *v == ' ')
    v++;
  n = end - v;

  switch (field)
    {
    case FIELD_DATA:
      if (self->discarding)
        break;
      /* This line makes the line feed of the previous one part of the
       * event; its own counts once another line follows. */
      if (fits_with (self, held_bytes (self), n + (self->data.len > 0), FALSE))
        {
          Buf *b = &self->data;

          self->data_ascii &= ascii;
          buf_reserve (self, b, n + 1);
          memcpy (b->data + b->len, v, n);
          b->len += n;
          b->data[b->len++] = '\n';
          b->data[b->len] = '\0';
        }
      break;

    case FIELD_EVENT:
      if (self->discarding)
        break;
      buf_truncate (&self->type);
      self->type_ascii = ascii;
      if (fits_with (self, held_bytes (self), n, FALSE))
        buf_append (self, &self->type, v, n);
      break;

    case FIELD_ID:
      if (fits_with (self, held_bytes (self), n, FALSE))
        set_id (self, v, n, ascii);
      break;

    case FIELD_RETRY:
      self->retry_acc = 0;
      self->retry_ok = TRUE;
      self->retry_digits = FALSE;
      parse_retry (self, v, n);
      if (self->retry_ok && self->retry_digits)
        set_retry (self, (gint64) self->retry_acc);
      break;

    case FIELD_COMMENT:
      if (fits_with (self, held_bytes (self), n, TRUE))
        emit_comment (self, v, n, ascii);
      break;

    case FIELD_IGNORE:
    default:
      break;
    }

  self->field = FIELD_IGNORE;
}

/* The slow path: a line that arrives in pieces. */

static void
begin_field (SseDecoder *self)
{
  Field field = field_for_name (self->name, self->name_len);

  if (self->discarding && (field == FIELD_DATA || field == FIELD_EVENT))
    field = FIELD_IGNORE;

  switch (field)
    {
    case FIELD_EVENT:
      buf_truncate (&self->type);
      self->type_ascii = TRUE;    /* until a piece of it is not ASCII */
      break;
    case FIELD_ID:
      buf_truncate (&self->value);
      break;
    case FIELD_RETRY:
      self->retry_acc = 0;
      self->retry_ok = TRUE;
      self->retry_digits = FALSE;
      break;
    case FIELD_DATA:
    case FIELD_COMMENT:
    case FIELD_IGNORE:
    default:
      break;
    }

  self->field = field;
}

/* @ascii: no byte of the piece is >= 0x80 (FALSE when unknown). */
static void
append_value (SseDecoder *self,
              const char *s,
              gsize       n,
              gboolean    ascii)
{
  switch (self->field)
    {
    case FIELD_DATA:
      self->data_ascii &= ascii;
      if (fits (self, n))
        buf_append (self, &self->data, s, n);
      break;

    case FIELD_EVENT:
      self->type_ascii &= ascii;
      if (fits (self, n))
        buf_append (self, &self->type, s, n);
      break;

    case FIELD_ID:
    case FIELD_COMMENT:
      if (fits (self, n))
        buf_append (self, &self->value, s, n);
      break;

    case FIELD_RETRY:
      parse_retry (self, s, n);
      break;

    case FIELD_IGNORE:
    default:
      break;
    }
}

static void
end_line (SseDecoder *self)
{
  switch (self->field)
    {
    case FIELD_DATA:
      /* The line feed only counts once another data line follows it. */
      if (fits (self, 0))
        buf_append (self, &self->data, "\n", 1);
      break;

    case FIELD_ID:
      {
        /* Out of the event's size before set_id() counts the id itself. */
        Buf raw = self->value;

        self->value = (Buf) { NULL, 0, 0 };
        self->cap_total -= raw.cap;
        set_id (self, raw.data ? raw.data : "", raw.len, FALSE);
        g_free (raw.data);
      }
      break;

    case FIELD_RETRY:
      if (self->retry_ok && self->retry_digits)
        set_retry (self, (gint64) self->retry_acc);
      break;

    case FIELD_COMMENT:
      {
        /* The value buffer is free again before a handler runs. */
        Buf comment = self->value;

        self->value = (Buf) { NULL, 0, 0 };
        self->cap_total -= comment.cap;
        self->field = FIELD_IGNORE;
        self->line_state = LINE_START;
        emit_comment (self, comment.data ? comment.data : "", comment.len, FALSE);
        if (self->value.data == NULL && comment.cap <= KEEP_CAPACITY)
          {
            self->value = comment;
            self->cap_total += comment.cap;
            buf_truncate (&self->value);
          }
        else
          g_free (comment.data);
        return;
      }

    case FIELD_EVENT:
    case FIELD_IGNORE:
    default:
      break;
    }

  self->field = FIELD_IGNORE;
  self->line_state = LINE_START;
}

/* Processes @n bytes of one line. When @line_ends is TRUE, the line ends
 * after them (its terminator is not included); otherwise the line goes on in
 * a later feed. @ascii: none of the @n bytes is >= 0x80, as find_eol() saw
 * while it scanned them, so that a long data line fed in pieces needs no
 * second pass for its UTF-8 at dispatch. */
static void
process_segment (SseDecoder *self,
                 const char *s,
                 gsize       n,
                 gboolean    line_ends,
                 gboolean    ascii)
{
  const char *end = s + n;

  switch (self->line_state)
    {
    case LINE_START:
      if (line_ends)
        {
          process_line (self, s, n, ascii);
          return;
        }
      if (n == 0)
        return;
      if (*s == ':')
        {
          self->field = FIELD_COMMENT;
          buf_truncate (&self->value);
          self->line_state = AFTER_COLON;
          s++;
          goto after_colon;
        }
      self->line_state = IN_NAME;
      self->name_len = 0;
      G_GNUC_FALLTHROUGH;

    case IN_NAME:
      {
        const char *colon = find_colon (s, end);
        const char *name_end = colon != NULL ? colon : end;
        gsize name_part = name_end - s;

        if (self->name_len < sizeof self->name)
          memcpy (self->name + self->name_len, s,
                  MIN (name_part, sizeof self->name - self->name_len));
        self->name_len += name_part;

        if (colon == NULL && !line_ends)
          return;

        begin_field (self);
        if (colon == NULL)
          {
            /* A line without a colon: the whole line is the name and the
             * value is empty. */
            end_line (self);
            return;
          }
        s = colon + 1;
        self->line_state = AFTER_COLON;
      }
      G_GNUC_FALLTHROUGH;

    case AFTER_COLON:
    after_colon:
      if (s == end)
        {
          if (line_ends)
            end_line (self);
          return;
        }
      if (*s == ' ')
        s++;
      self->line_state = IN_VALUE;
      G_GNUC_FALLTHROUGH;

    case IN_VALUE:
      if (s < end)
        append_value (self, s, end - s, ascii);
      if (line_ends)
        end_line (self);
      return;

    default:
      g_assert_not_reached ();
    }
}

/* Splits @data into lines. Returns FALSE if the parser was finished or
 * reset from a handler, in which case the rest of the input is dropped. */
static gboolean
process (SseDecoder *self,
         const char *data,
         gsize       len)
{
  const char *p = data;
  const char *end = data + len;
  guint generation = self->generation;

  if (len == 0)
    return TRUE;

  if (self->after_cr)
    {
      self->after_cr = FALSE;
      if (*p == '\n')
        p++;
    }

  while (p < end)
    {
      /* One pass over each byte, whatever the length of the lines. */
      gboolean ascii;
      const char *eol = find_eol (p, end, &ascii);

      if (eol == end)
        {
          process_segment (self, p, end - p, FALSE, ascii);
          break;
        }

      if (G_LIKELY (self->line_state == LINE_START))
        process_line (self, p, eol - p, ascii);
      else
        process_segment (self, p, eol - p, TRUE, ascii);

      if (G_UNLIKELY (self->generation != generation))
        return FALSE;

      p = eol + 1;
      if (*eol == '\r')
        {
          if (p == end)
            self->after_cr = TRUE;   /* the line has ended already */
          else if (*p == '\n')
            p++;
        }
    }

  return TRUE;
}

/* Forgets everything of the stream under way but the last event ID and the
 * retry time. */
static void
end_stream (SseDecoder *self)
{
  self->generation++;
  self->bom_state = 0;
  self->line_state = LINE_START;
  self->field = FIELD_IGNORE;
  self->name_len = 0;
  self->after_cr = FALSE;
  self->discarding = FALSE;
  buf_trim (self, &self->data);
  buf_trim (self, &self->type);
  buf_trim (self, &self->value);
  self->data_ascii = TRUE;
  self->type_ascii = TRUE;
  self->block_has_id = FALSE;
  self->block_retry = -1;

  /* An id whose block never ended was never committed. */
  trim_pending_id (self);
}

/* Entry points ----------------------------------------------------------- */

void
_sse_decoder_init (SseDecoder           *self,
                   guint64               max_event_size,
                   const SseDecoderSink *sink,
                   gpointer              sink_data)
{
  g_return_if_fail (sink != NULL);

  /* For the messages of its errors. */
  _sse_ensure_i18n ();

  memset (self, 0, sizeof *self);
  self->line_state = LINE_START;
  self->field = FIELD_IGNORE;
  self->retry = -1;
  self->block_retry = -1;
  self->max_event_size = max_event_size;
  self->data_ascii = TRUE;
  self->type_ascii = TRUE;
  self->sink = sink;
  self->sink_data = sink_data;
  set_last_event_id (self, "", 0);
}

void
_sse_decoder_clear (SseDecoder *self)
{
  g_clear_pointer (&self->data.data, g_free);
  g_clear_pointer (&self->type.data, g_free);
  g_clear_pointer (&self->value.data, g_free);
  g_clear_pointer (&self->pending_id.data, g_free);
  g_clear_pointer (&self->last_event_id.data, g_free);
  g_clear_error (&self->error);
}

void
_sse_decoder_set_sink (SseDecoder           *self,
                       const SseDecoderSink *sink,
                       gpointer              sink_data)
{
  g_return_if_fail (sink != NULL);

  self->sink = sink;
  self->sink_data = sink_data;
}

gboolean CACHE_LINE_ALIGNED
_sse_decoder_feed (SseDecoder  *self,
                   const char  *data,
                   gsize        len,
                   GError     **error)
{
  const char *p = data;
  guint generation;

  g_return_val_if_fail (!self->in_feed, FALSE);

  if (len == 0)
    return TRUE;

  self->in_feed = TRUE;
  generation = self->generation;

  /* The byte order mark, possibly split over feeds, only at the very start
   * of the stream. */
  while (self->bom_state < G_N_ELEMENTS (bom) && len > 0)
    {
      if (*p == bom[self->bom_state])
        {
          self->bom_state++;
          p++;
          len--;
        }
      else
        {
          /* Not a BOM after all: the bytes held back are ordinary input,
           * the start of the first line (they hold no line end). */
          guint held = self->bom_state;

          self->bom_state = G_N_ELEMENTS (bom);
          if (held > 0)
            process_segment (self, bom, held, FALSE, FALSE);
        }
    }

  if (len > 0 && self->generation == generation)
    process (self, p, len);

  self->in_feed = FALSE;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  return TRUE;
}

void
_sse_decoder_finish (SseDecoder *self)
{
  end_stream (self);
}

void
_sse_decoder_reset (SseDecoder *self)
{
  end_stream (self);
  g_clear_error (&self->error);
  if (self->last_event_id.len > 0)
    set_last_event_id (self, "", 0);
  self->retry = -1;
}

gboolean
_sse_decoder_set_last_event_id (SseDecoder *self,
                                const char *last_event_id)
{
  g_autofree char *valid = NULL;
  gsize len = strlen (last_event_id);

  if (!_sse_utf8_is_valid (last_event_id, len))
    {
      valid = _sse_utf8_make_valid (last_event_id, len, &len);
      last_event_id = valid;
    }

  /* It seeds the last event ID buffer too. */
  trim_pending_id (self);

  if (len == self->last_event_id.len && memcmp (self->last_event_id.data, last_event_id, len) == 0)
    return FALSE;

  set_last_event_id (self, last_event_id, len);
  return TRUE;
}

gsize
_sse_decoder_get_memory_held (SseDecoder *self)
{
  return self->cap_total + self->last_event_id.cap;
}
