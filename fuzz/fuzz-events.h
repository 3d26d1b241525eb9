/* fuzz-events.h: checks on events that the fuzz targets share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sse-glib/sse-glib.h>

#include "fuzz-common.h"

G_BEGIN_DECLS

static inline void
fuzz_keep_event (SseParser *parser,
                 SseEvent  *event,
                 gpointer   user_data)
{
  g_ptr_array_add (user_data, sse_event_ref (event));
}

/* decode (encode (e)) == e: @event, written by SseEncoder and read by a new
 * parser, gives back exactly one event equal to it. @who names where the
 * event came from in the message ("the parser", "the source"). */
static inline void
fuzz_check_roundtrip (SseEvent   *event,
                      const char *who)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  g_autoptr(GBytes) bytes = sse_encoder_encode_event (encoder, event);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *wire = g_bytes_get_data (bytes, &len);

  sse_parser_set_max_event_size (parser, 0);
  g_signal_connect (parser, "event", G_CALLBACK (fuzz_keep_event), events);
  FUZZ_CHECK (sse_parser_feed (parser, wire, len, &error), "reparse failed");
  FUZZ_CHECK (events->len == 1, "%u events reparsed from one", events->len);
  FUZZ_CHECK (sse_event_equal (g_ptr_array_index (events, 0), event),
              "an event %s made does not read back the same after encoding", who);
}

G_END_DECLS
