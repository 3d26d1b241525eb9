/* sse-parser-private.h: the parser's C-level sink, for sse-glib's own types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-decoder-private.h"
#include "sse-parser.h"

G_BEGIN_DECLS

/* When a sink is set, the parser calls it instead of emitting its signals and
 * notifications: this is how SseEventSource consumes a stream without paying
 * for a second signal emission per event. The sink is the decoder's (see
 * sse-decoder-private.h): the pointers passed to it are valid only during
 * the call, any callback may be NULL, and a callback may call
 * sse_parser_finish() or sse_parser_reset(): the feed under way then stops
 * at once. A NULL sink brings the signals back. */
typedef SseDecoderSink SseParserSink;

void _sse_parser_set_sink (SseParser           *self,
                           const SseParserSink *sink,
                           gpointer             user_data);

G_END_DECLS

G_BEGIN_DECLS

/* Bytes of buffer memory the parser holds for the stream under way (all
 * capacities), for the tests that check the limits. */
gsize _sse_parser_get_memory_held (SseParser *self);

G_END_DECLS
