/* sse-broadcaster.h: sends every event to every connected client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "sse-event.h"
#include "sse-server-stream.h"
#include "sse-version-macros.h"

G_BEGIN_DECLS

#define SSE_TYPE_BROADCASTER (sse_broadcaster_get_type ())

SSE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (SseBroadcaster, sse_broadcaster, SSE, BROADCASTER, GObject)

SSE_AVAILABLE_IN_1_0
SseBroadcaster  *sse_broadcaster_new             (void);

SSE_AVAILABLE_IN_1_0
guint            sse_broadcaster_get_replay_size (SseBroadcaster    *self);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_set_replay_size (SseBroadcaster    *self,
                                                  guint              replay_size);
SSE_AVAILABLE_IN_1_0
const char      *sse_broadcaster_get_missed_event_type (SseBroadcaster *self);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_set_missed_event_type (SseBroadcaster *self,
                                                        const char     *event_type);
SSE_AVAILABLE_IN_1_0
guint            sse_broadcaster_get_n_streams   (SseBroadcaster    *self);

SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_add_stream      (SseBroadcaster    *self,
                                                  SseServerStream   *stream);
SSE_AVAILABLE_IN_1_0
SseServerStream *sse_broadcaster_add_message     (SseBroadcaster    *self,
                                                  SoupServerMessage *msg);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_remove_stream   (SseBroadcaster    *self,
                                                  SseServerStream   *stream);

SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_send_event      (SseBroadcaster    *self,
                                                  SseEvent          *event);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_send            (SseBroadcaster    *self,
                                                  const char        *event_type,
                                                  const char        *data,
                                                  const char        *id);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_send_comment    (SseBroadcaster    *self,
                                                  const char        *text);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_close_all       (SseBroadcaster    *self);
SSE_AVAILABLE_IN_1_0
void             sse_broadcaster_drain_async     (SseBroadcaster      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
SSE_AVAILABLE_IN_1_0
gboolean         sse_broadcaster_drain_finish    (SseBroadcaster      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
