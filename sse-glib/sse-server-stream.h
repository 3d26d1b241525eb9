/* sse-server-stream.h: an event stream sent to one client of a SoupServer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "sse-event.h"
#include "sse-version-macros.h"

G_BEGIN_DECLS

/**
 * SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL:
 *
 * The default of [property@Sse.ServerStream:heartbeat-interval]: 15 seconds,
 * in milliseconds. Common proxies close connections that stay silent for 30
 * to 60 seconds.
 *
 * Since: 1.0
 */
#define SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL 15000

/**
 * SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES:
 *
 * The default of [property@Sse.ServerStream:max-queued-bytes]: 1 MiB.
 *
 * Since: 1.0
 */
#define SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES (1024 * 1024)

/**
 * SSE_SERVER_STREAM_DEFAULT_SLOW_CLIENT_TIMEOUT:
 *
 * The default of [property@Sse.ServerStream:slow-client-timeout]: 1 second,
 * in milliseconds.
 *
 * Since: 1.0
 */
#define SSE_SERVER_STREAM_DEFAULT_SLOW_CLIENT_TIMEOUT 1000

/**
 * SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE:
 *
 * The default of [property@Sse.ServerStream:missed-event-type] and
 * [property@Sse.Broadcaster:missed-event-type]: `missed`.
 *
 * Since: 1.0
 */
#define SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE "missed"

/**
 * SseSlowClientPolicy:
 * @SSE_SLOW_CLIENT_DISCONNECT: disconnect the client; it reconnects with its
 *   `Last-Event-ID`, and a [class@Sse.Broadcaster] with replay sends it what
 *   it missed, at the pace it reads
 * @SSE_SLOW_CLIENT_DROP_OLDEST: keep the client, drop the oldest events
 *   waiting for it (until no more than half of
 *   [property@Sse.ServerStream:max-queued-bytes] waits) and send it a
 *   [property@Sse.ServerStream:missed-event-type] event in their place
 *
 * What an [class@Sse.ServerStream] does with a client that is too slow: one
 * that had more than [property@Sse.ServerStream:max-queued-bytes] waiting
 * for [property@Sse.ServerStream:slow-client-timeout] without the backlog
 * going down.
 *
 * Since: 1.0
 */
typedef enum {
  SSE_SLOW_CLIENT_DISCONNECT,
  SSE_SLOW_CLIENT_DROP_OLDEST,
} SseSlowClientPolicy;

#define SSE_TYPE_SERVER_STREAM (sse_server_stream_get_type ())

SSE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (SseServerStream, sse_server_stream, SSE, SERVER_STREAM, GObject)

SSE_AVAILABLE_IN_1_0
SseServerStream   *sse_server_stream_new                    (SoupServerMessage *msg);

SSE_AVAILABLE_IN_1_0
SoupServerMessage *sse_server_stream_get_message            (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
const char        *sse_server_stream_get_last_event_id      (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
gboolean           sse_server_stream_is_closed              (SseServerStream   *self);

SSE_AVAILABLE_IN_1_0
guint              sse_server_stream_get_heartbeat_interval (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_set_heartbeat_interval (SseServerStream   *self,
                                                             guint              milliseconds);
SSE_AVAILABLE_IN_1_0
guint64            sse_server_stream_get_max_queued_bytes   (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_set_max_queued_bytes   (SseServerStream   *self,
                                                             guint64            max_queued_bytes);
SSE_AVAILABLE_IN_1_0
guint64            sse_server_stream_get_queued_bytes       (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
guint              sse_server_stream_get_slow_client_timeout (SseServerStream  *self);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_set_slow_client_timeout (SseServerStream  *self,
                                                              guint             milliseconds);
SSE_AVAILABLE_IN_1_0
SseSlowClientPolicy sse_server_stream_get_slow_client_policy (SseServerStream  *self);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_set_slow_client_policy (SseServerStream   *self,
                                                             SseSlowClientPolicy policy);
SSE_AVAILABLE_IN_1_0
const char        *sse_server_stream_get_missed_event_type  (SseServerStream   *self);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_set_missed_event_type  (SseServerStream   *self,
                                                             const char        *event_type);

SSE_AVAILABLE_IN_1_0
gboolean           sse_server_stream_send_event             (SseServerStream   *self,
                                                             SseEvent          *event);
SSE_AVAILABLE_IN_1_0
gboolean           sse_server_stream_send                   (SseServerStream   *self,
                                                             const char        *event_type,
                                                             const char        *data,
                                                             const char        *id);
SSE_AVAILABLE_IN_1_0
gboolean           sse_server_stream_send_comment           (SseServerStream   *self,
                                                             const char        *text);
SSE_AVAILABLE_IN_1_0
gboolean           sse_server_stream_send_retry             (SseServerStream   *self,
                                                             guint              milliseconds);
SSE_AVAILABLE_IN_1_0
void               sse_server_stream_close                  (SseServerStream   *self);

G_END_DECLS
