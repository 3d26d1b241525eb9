/* sse-parser.h: incremental parser for the text/event-stream format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "sse-version-macros.h"

G_BEGIN_DECLS

/**
 * SSE_PARSER_DEFAULT_MAX_EVENT_SIZE:
 *
 * The default value of [property@Sse.Parser:max-event-size]: 16 MiB.
 *
 * Since: 1.0
 */
#define SSE_PARSER_DEFAULT_MAX_EVENT_SIZE (16 * 1024 * 1024)

#define SSE_TYPE_PARSER (sse_parser_get_type ())

SSE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (SseParser, sse_parser, SSE, PARSER, GObject)

SSE_AVAILABLE_IN_1_0
SseParser   *sse_parser_new                (void);

SSE_AVAILABLE_IN_1_0
gboolean     sse_parser_feed               (SseParser     *self,
                                            const guint8  *data,
                                            gsize          len,
                                            GError       **error);
SSE_AVAILABLE_IN_1_0
void         sse_parser_finish             (SseParser     *self);
SSE_AVAILABLE_IN_1_0
void         sse_parser_reset              (SseParser     *self);

SSE_AVAILABLE_IN_1_0
const char  *sse_parser_get_last_event_id  (SseParser     *self);
SSE_AVAILABLE_IN_1_0
void         sse_parser_set_last_event_id  (SseParser     *self,
                                            const char    *last_event_id);
SSE_AVAILABLE_IN_1_0
gint64       sse_parser_get_retry          (SseParser     *self);
SSE_AVAILABLE_IN_1_0
guint64      sse_parser_get_max_event_size (SseParser     *self);
SSE_AVAILABLE_IN_1_0
void         sse_parser_set_max_event_size (SseParser     *self,
                                            guint64        max_event_size);

G_END_DECLS
