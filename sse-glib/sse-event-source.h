/* sse-event-source.h: a reconnecting EventSource client over libsoup
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
 * SseStatus:
 * @SSE_STATUS_CONNECTING: a connection attempt is under way (the request
 *   was sent, or is about to be, and no response has arrived yet)
 * @SSE_STATUS_OPEN: the server accepted the stream; events are arriving
 * @SSE_STATUS_RECONNECTING: the connection was lost; the source waits for
 *   [property@Sse.EventSource:reconnect-delay] milliseconds before attempt
 *   number [property@Sse.EventSource:reconnect-attempt]
 * @SSE_STATUS_CLOSED: the source is not connected and will not connect again
 *   until [method@Sse.EventSource.open] is called
 *
 * The state of an [class@Sse.EventSource], as seen by its user.
 *
 * Since: 1.0
 */
typedef enum {
  SSE_STATUS_CONNECTING,
  SSE_STATUS_OPEN,
  SSE_STATUS_RECONNECTING,
  SSE_STATUS_CLOSED,
} SseStatus;

/**
 * SseReconnectMode:
 * @SSE_RECONNECT_MODE_AUTO: a `GET` (or `HEAD`) request is sent again to
 *   reconnect, as a browser's `EventSource` does; a request with any other
 *   method is never sent again: when its stream ends, the source closes
 *   (with an error when the stream broke). This is what LLM chat APIs want,
 *   where sending a request again pays for a new answer.
 * @SSE_RECONNECT_MODE_RESEND: the whole request, body included, is sent
 *   again on every attempt (the body given with
 *   [method@Sse.EventSource.set_request_body]).
 * @SSE_RECONNECT_MODE_RESUME_GET: after the first attempt, the source
 *   reconnects with a `GET` to the same URL, with the application's headers
 *   and `Last-Event-ID` but no body, as MCP's streamable HTTP transport
 *   resumes a stream. Without an event ID there is nothing to resume: the
 *   source closes.
 * @SSE_RECONNECT_MODE_NEVER: the stream is read to its end, then the source
 *   closes, whatever the method.
 *
 * What an [class@Sse.EventSource] sends to reconnect, set with
 * [property@Sse.EventSource:reconnect-mode]. Whatever the mode,
 * [property@Sse.EventSource:retry-on-server-error] sends a request again
 * that a server refused with a server error before any stream opened
 * (nothing was generated then).
 *
 * Since: 1.0
 */
typedef enum {
  SSE_RECONNECT_MODE_AUTO,
  SSE_RECONNECT_MODE_RESEND,
  SSE_RECONNECT_MODE_RESUME_GET,
  SSE_RECONNECT_MODE_NEVER,
} SseReconnectMode;

/**
 * SSE_EVENT_SOURCE_HEALTHY_TIME:
 *
 * How long, in milliseconds, a connection must have stayed open for the
 * source to call it healthy even though it delivered no event (a quiet
 * stream with heartbeats, say): when such a connection is lost, the
 * reconnection attempts are counted from 1 again (both for the backoff and
 * for [property@Sse.EventSource:max-reconnect-attempts]), as they are after
 * any connection that delivered an event. 5 seconds.
 *
 * Since: 1.0
 */
#define SSE_EVENT_SOURCE_HEALTHY_TIME 5000

#define SSE_TYPE_EVENT_SOURCE (sse_event_source_get_type ())

SSE_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (SseEventSource, sse_event_source, SSE, EVENT_SOURCE, GObject)

/**
 * SseBackoffFunc:
 * @source: the event source that is about to wait
 * @attempt: the number of the reconnection attempt that will follow the
 *   wait, starting at 1 for the first attempt after a connection was lost
 * @reconnection_time: the current reconnection time in milliseconds:
 *   [property@Sse.EventSource:reconnection-time], which the server may
 *   have changed with a `retry:` field
 * @user_data: the data passed to [method@Sse.EventSource.set_backoff_func]
 *
 * Computes how long to wait before a reconnection attempt.
 *
 * Returns: the delay in milliseconds
 *
 * Since: 1.0
 */
typedef guint (*SseBackoffFunc) (SseEventSource *source,
                                 guint           attempt,
                                 guint           reconnection_time,
                                 gpointer        user_data);

SSE_AVAILABLE_IN_1_0
SseEventSource *sse_event_source_new                        (const char     *url);
SSE_AVAILABLE_IN_1_0
SseEventSource *sse_event_source_new_for_message            (SoupMessage    *msg);

SSE_AVAILABLE_IN_1_0
void            sse_event_source_open                       (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_close                      (SseEventSource *self);

SSE_AVAILABLE_IN_1_0
SoupSession    *sse_event_source_get_session                (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
const char     *sse_event_source_get_url                    (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
SseStatus       sse_event_source_get_status                 (SseEventSource *self);

SSE_AVAILABLE_IN_1_0
const char     *sse_event_source_get_last_event_id          (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_last_event_id          (SseEventSource *self,
                                                             const char     *last_event_id);

SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_reconnection_time      (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_reconnection_time      (SseEventSource *self,
                                                             guint           milliseconds);
SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_max_reconnection_time  (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_max_reconnection_time  (SseEventSource *self,
                                                             guint           milliseconds);
SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_reconnect_attempt      (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_reconnect_delay        (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
gint            sse_event_source_get_max_reconnect_attempts (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_max_reconnect_attempts (SseEventSource *self,
                                                             gint            max_attempts);
SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_connect_timeout        (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_connect_timeout        (SseEventSource *self,
                                                             guint           milliseconds);
SSE_AVAILABLE_IN_1_0
guint           sse_event_source_get_read_timeout           (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_read_timeout           (SseEventSource *self,
                                                             guint           milliseconds);
SSE_AVAILABLE_IN_1_0
guint64         sse_event_source_get_max_event_size         (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_max_event_size         (SseEventSource *self,
                                                             guint64         max_event_size);
SSE_AVAILABLE_IN_1_0
gboolean        sse_event_source_get_retry_on_server_error  (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_retry_on_server_error  (SseEventSource *self,
                                                             gboolean        retry);

SSE_AVAILABLE_IN_1_0
SseReconnectMode sse_event_source_get_reconnect_mode        (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_reconnect_mode         (SseEventSource *self,
                                                             SseReconnectMode mode);

SSE_AVAILABLE_IN_1_0
GBytes         *sse_event_source_get_request_body           (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
const char     *sse_event_source_get_request_content_type   (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_request_body           (SseEventSource *self,
                                                             const char     *content_type,
                                                             GBytes         *body);

SSE_AVAILABLE_IN_1_0
SoupMessage    *sse_event_source_get_last_response          (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
GBytes         *sse_event_source_get_last_response_body     (SseEventSource *self);

SSE_AVAILABLE_IN_1_0
guint64         sse_event_source_get_max_queued_bytes       (SseEventSource *self);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_max_queued_bytes       (SseEventSource *self,
                                                             guint64         max_bytes);
SSE_AVAILABLE_IN_1_0
void            sse_event_source_next_event_async           (SseEventSource      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
SSE_AVAILABLE_IN_1_0
SseEvent       *sse_event_source_next_event_finish          (SseEventSource      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

SSE_AVAILABLE_IN_1_0
void            sse_event_source_set_backoff_func           (SseEventSource *self,
                                                             SseBackoffFunc  func,
                                                             gpointer        user_data,
                                                             GDestroyNotify  destroy);

G_END_DECLS
