/* sse-reconnect-private.h: when and how soon an event source reconnects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure policy: the source asks, and does what the answer says. Times are
 * monotonic microseconds, delays milliseconds.
 */

#pragma once

#include <glib.h>

#include "sse-event-source.h"

G_BEGIN_DECLS

/* The reconnection attempts since the last healthy connection (or open()). */
typedef struct {
  guint attempt;   /* the number of the last attempt; 0 before the first */
  guint counted;   /* of those, the ones that count towards the maximum */
} SseReconnectCount;

/* What the attempt that ended achieved. */
typedef enum {
  SSE_RECONNECT_NOTHING,    /* it failed, or its stream ended without an event */
  SSE_RECONNECT_HEALTHY,    /* its stream stayed open for the healthy time */
  SSE_RECONNECT_PROGRESS,   /* it delivered an event, or set the last event ID */
} SseReconnectOutcome;

/* Whether a connection opened at @opened_at (0: it never opened) and lost
 * at @now stayed open for @healthy_time. */
gboolean _sse_reconnect_was_healthy (gint64                   opened_at,
                                     gint64                   now,
                                     guint                    healthy_time);

/* The count after an attempt with @outcome: what failed before an attempt
 * that made progress or stayed healthy does not count any more. */
void     _sse_reconnect_ended       (SseReconnectCount       *count,
                                     SseReconnectOutcome      outcome);

/* The default delay before attempt @attempt after an attempt with
 * @outcome: after progress, the reconnection time, exactly (as browsers
 * wait); otherwise the backoff, which escalates and has a jitter. */
guint    _sse_reconnect_delay       (SseReconnectOutcome      outcome,
                                     guint                    attempt,
                                     guint                    reconnection_time,
                                     guint                    max_reconnection_time,
                                     guint32                  random);

/* The next attempt after @count, in @next: its number, and one more
 * counted attempt unless the network is down (attempts made then say
 * nothing of the server). Returns FALSE, leaving @next alone, when that
 * would be more than @max_attempts counted attempts (-1: no limit): the
 * source gives up. */
gboolean _sse_reconnect_next        (const SseReconnectCount *count,
                                     gboolean                 network_available,
                                     gint                     max_attempts,
                                     SseReconnectCount       *next);

/* The default backoff for attempt @attempt (from 1): the reconnection time
 * doubled for each attempt after the first, at most @cap, where @cap is the
 * larger of @max_reconnection_time and @reconnection_time, plus a jitter of
 * up to half of that, scaled from @random over [0, G_MAXUINT32], and never
 * more than @cap. After a reconnection time of 0, attempts after the first
 * grow from 1 ms. */
guint    _sse_reconnect_backoff     (guint                    attempt,
                                     guint                    reconnection_time,
                                     guint                    max_reconnection_time,
                                     guint32                  random);


/* The request that follows an attempt. */
typedef enum {
  SSE_RECONNECT_CLOSE,      /* none: the source closes */
  SSE_RECONNECT_TEMPLATE,   /* the template's request, again */
  SSE_RECONNECT_RESUME,     /* a GET that resumes with Last-Event-ID */
} SseReconnectRequest;

/* What follows an attempt that did not fail for good, in @mode, for a
 * template of @method. @server_error_retried: the attempt was refused with
 * a server error that retry-on-server-error retries, before any stream
 * opened: the same request goes again, whatever the mode. @was_resume:
 * the attempt was a resuming GET. @has_last_event_id: there is something
 * to resume from. */
SseReconnectRequest _sse_reconnect_next_request (SseReconnectMode  mode,
                                                 const char       *method,
                                                 gboolean          server_error_retried,
                                                 gboolean          was_resume,
                                                 gboolean          has_last_event_id);

G_END_DECLS
