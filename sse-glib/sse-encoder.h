/* sse-encoder.h: writes events in the text/event-stream format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "sse-event.h"
#include "sse-version-macros.h"

G_BEGIN_DECLS

/**
 * SseLineEnding:
 * @SSE_LINE_ENDING_LF: lines end with a line feed (`\n`), the usual choice
 * @SSE_LINE_ENDING_CRLF: lines end with a carriage return and a line feed
 *   (`\r\n`)
 *
 * How [class@Sse.Encoder] ends the lines it writes. Both are valid
 * `text/event-stream`; every conforming parser reads either.
 *
 * Since: 1.0
 */
typedef enum {
  SSE_LINE_ENDING_LF,
  SSE_LINE_ENDING_CRLF,
} SseLineEnding;

#define SSE_TYPE_ENCODER (sse_encoder_get_type ())

SSE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (SseEncoder, sse_encoder, SSE, ENCODER, GObject)

SSE_AVAILABLE_IN_1_0
SseEncoder    *sse_encoder_new                (void);

SSE_AVAILABLE_IN_1_0
SseLineEnding  sse_encoder_get_line_ending    (SseEncoder    *self);
SSE_AVAILABLE_IN_1_0
void           sse_encoder_set_line_ending    (SseEncoder    *self,
                                               SseLineEnding  line_ending);

SSE_AVAILABLE_IN_1_0
GBytes        *sse_encoder_encode_event       (SseEncoder    *self,
                                               SseEvent      *event);
SSE_AVAILABLE_IN_1_0
GBytes        *sse_encoder_encode_comment     (SseEncoder    *self,
                                               const char    *text);
SSE_AVAILABLE_IN_1_0
GBytes        *sse_encoder_encode_retry       (SseEncoder    *self,
                                               guint          milliseconds);

G_END_DECLS
