/* sse-parser-private.h: the parser's C-level sink, for sse-glib's own types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-event-private.h"
#include "sse-parser.h"

G_BEGIN_DECLS

/* When a sink is set, the parser calls it instead of emitting its signals and
 * notifications: this is how SseEventSource consumes a stream without paying
 * for a second signal emission per event. The pointers passed to the sink
 * are valid only during the call. Any callback may be NULL. A callback may
 * call sse_parser_finish() or sse_parser_reset(): the feed under way then
 * stops at once. */
typedef struct {
  void (*event)   (gpointer              user_data,
                   const SseEventFields *fields);
  void (*comment) (gpointer              user_data,
                   const char           *text,
                   gsize                 len);
  void (*retry)   (gpointer              user_data,
                   gint64                retry);
} SseParserSink;

void _sse_parser_set_sink (SseParser           *self,
                           const SseParserSink *sink,
                           gpointer             user_data);

G_END_DECLS

G_BEGIN_DECLS

/* Bytes of buffer memory the parser holds for the stream under way (all
 * capacities), for the tests that check the limits. */
gsize _sse_parser_get_memory_held (SseParser *self);

G_END_DECLS
