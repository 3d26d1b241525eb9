/* sse-event.h: one server-sent event
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

#define SSE_TYPE_EVENT (sse_event_get_type ())

typedef struct _SseEvent SseEvent;

SSE_AVAILABLE_IN_1_0
GType        sse_event_get_type            (void) G_GNUC_CONST;

SSE_AVAILABLE_IN_1_0
SseEvent    *sse_event_new                 (const char  *data);
SSE_AVAILABLE_IN_1_0
SseEvent    *sse_event_new_full            (const char  *event_type,
                                            const char  *data,
                                            gssize       data_len,
                                            const char  *id,
                                            gint64       retry);
SSE_AVAILABLE_IN_1_0
SseEvent    *sse_event_new_checked         (const char  *event_type,
                                            const char  *data,
                                            gssize       data_len,
                                            const char  *id,
                                            gint64       retry,
                                            GError     **error);

SSE_AVAILABLE_IN_1_0
SseEvent    *sse_event_ref                 (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
void         sse_event_unref               (SseEvent    *event);

SSE_AVAILABLE_IN_1_0
const char  *sse_event_get_event_type      (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
const char  *sse_event_get_data            (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
gsize        sse_event_get_data_length     (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
GBytes      *sse_event_get_data_bytes      (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
const char  *sse_event_get_id              (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
const char  *sse_event_get_last_event_id   (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
gint64       sse_event_get_retry           (SseEvent    *event);
SSE_AVAILABLE_IN_1_0
const char  *sse_event_get_origin          (SseEvent    *event);

SSE_AVAILABLE_IN_1_0
gboolean     sse_event_equal               (SseEvent    *a,
                                            SseEvent    *b);
SSE_AVAILABLE_IN_1_0
guint        sse_event_hash                (SseEvent    *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SseEvent, sse_event_unref)

G_END_DECLS
