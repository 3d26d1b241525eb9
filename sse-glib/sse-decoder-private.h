/* sse-decoder-private.h: the text/event-stream decoder at the core of SseParser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "sse-event-private.h"

G_BEGIN_DECLS

/* SseDecoder reads a text/event-stream as the standard says (byte order
 * mark, line ends, fields, UTF-8 repair, dispatch) within a memory bound,
 * and hands what it finds to a sink. Plain C: SseParser embeds one and
 * gives it GObject properties and signals.
 *
 * The sink's callbacks are called from within _sse_decoder_feed(); any may
 * be NULL. The pointers they get are valid only during the call. A callback
 * may call _sse_decoder_finish() or _sse_decoder_reset(): the feed under way
 * then stops at once.
 *
 * - event: a block ended with data in it.
 * - comment: a comment line, repaired UTF-8, without its colon and one
 *   space after it; text[len] can be read (it is a NUL or the line's end).
 * - retry: every valid retry field, as soon as it is read.
 * - retry_changed, last_event_id_changed: the stream changed
 *   _sse_decoder_get_retry() or _sse_decoder_get_last_event_id(), for an
 *   owner that tells about changes. Called after the new value is set;
 *   retry_changed after retry. */
typedef struct {
  void (*event)                 (gpointer              user_data,
                                 const SseEventFields *fields);
  void (*comment)               (gpointer              user_data,
                                 const char           *text,
                                 gsize                 len);
  void (*retry)                 (gpointer              user_data,
                                 gint64                retry);
  void (*retry_changed)         (gpointer              user_data);
  void (*last_event_id_changed) (gpointer              user_data);
} SseDecoderSink;

/* A growable byte buffer that always keeps a NUL after its contents. */
typedef struct {
  char  *data;
  gsize  len;
  gsize  cap;
} SseDecoderBuf;

/* Embedded in its owner, so that a parser is one allocation. The fields are
 * sse-decoder.c's own: use the functions below. */
typedef struct {
  /* Per stream */
  guint               bom_state;        /* BOM bytes matched; 3 when past */
  guint               line_state;       /* LineState */
  guint               field;            /* Field */
  char                name[8];          /* start of the field name */
  gsize               name_len;         /* full length, may exceed 8 */
  guint               after_cr : 1;     /* a feed ended in CR: swallow one LF */
  guint               discarding : 1;   /* event over the limit: skip to its end */
  guint               block_has_id : 1; /* this block had a (valid) id field */
  guint               in_feed : 1;
  guint               data_ascii : 1;   /* no byte >= 0x80 in data: valid UTF-8 */
  guint               type_ascii : 1;
  guint               retry_ok : 1;
  guint               retry_digits : 1;
  guint64             retry_acc;
  gint64              block_retry;

  /* The event being read. With a limit, cap_total (the capacity of these
   * four) stays within max_event_size + SLACK when any of them grows. */
  SseDecoderBuf       data;             /* raw bytes, each line + LF */
  SseDecoderBuf       type;             /* raw bytes */
  SseDecoderBuf       value;            /* a partial id or comment line */
  SseDecoderBuf       pending_id;       /* see below */
  gsize               cap_total;

  /* The stream's last event ID, valid UTF-8, never NULL. The standard's
   * "last event ID buffer" is the same value unless an id field changed it
   * in the block being read: then it is pending_id (valid UTF-8), and the
   * two buffers trade places when the block is dispatched. */
  SseDecoderBuf       last_event_id;
  guint               pending_distinct : 1;

  /* Survive the end of a stream */
  gint64              retry;
  guint64             max_event_size;
  guint               generation;       /* bumped by finish and reset */

  GError             *error;            /* first error of the feed under way */

  const SseDecoderSink *sink;
  gpointer              sink_data;
} SseDecoder;

/* A decoder with no last event ID, no retry time, @max_event_size, and a
 * sink that is not NULL. */
void         _sse_decoder_init              (SseDecoder           *self,
                                             guint64               max_event_size,
                                             const SseDecoderSink *sink,
                                             gpointer              sink_data);
void         _sse_decoder_clear             (SseDecoder           *self);
void         _sse_decoder_set_sink          (SseDecoder           *self,
                                             const SseDecoderSink *sink,
                                             gpointer              sink_data);

/* Decodes the next @len bytes of the stream. Returns FALSE with @error when
 * an event (or comment) grew past the limit and was dropped: the first such
 * error of the call, unless a callback reset the decoder. Must not be
 * called from a callback (_sse_decoder_is_feeding()). */
gboolean     _sse_decoder_feed              (SseDecoder           *self,
                                             const char           *data,
                                             gsize                 len,
                                             GError              **error);

/* The end of the stream: an unterminated event is discarded, the next
 * stream may start with a byte order mark. The last event ID and the retry
 * time stay. */
void         _sse_decoder_finish            (SseDecoder           *self);

/* _sse_decoder_finish(), and the last event ID, the retry time and the
 * error of the feed under way are forgotten too. No callback is called. */
void         _sse_decoder_reset             (SseDecoder           *self);

/* Sets the last event ID (and the stream's last event ID buffer) to
 * @last_event_id, repaired. No callback is called: returns whether it
 * changed. */
gboolean     _sse_decoder_set_last_event_id (SseDecoder           *self,
                                             const char           *last_event_id);

/* Bytes of buffer memory held for the stream (all capacities). */
gsize        _sse_decoder_get_memory_held   (SseDecoder           *self);

static inline gboolean
_sse_decoder_is_feeding (SseDecoder *self)
{
  return self->in_feed;
}

static inline const char *
_sse_decoder_get_last_event_id (SseDecoder *self)
{
  return self->last_event_id.data;
}

static inline gint64
_sse_decoder_get_retry (SseDecoder *self)
{
  return self->retry;
}

static inline guint64
_sse_decoder_get_max_event_size (SseDecoder *self)
{
  return self->max_event_size;
}

/* Applies to the event being read from the next byte on. */
static inline void
_sse_decoder_set_max_event_size (SseDecoder *self,
                                 guint64     max_event_size)
{
  self->max_event_size = max_event_size;
}

G_END_DECLS
