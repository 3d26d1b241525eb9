/* sse-reconnect-private.h: when and how soon an event source reconnects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure policy: the source asks, and does what the answer says. Times are
 * monotonic microseconds, delays milliseconds.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The reconnection attempts since the last healthy connection (or open()). */
typedef struct {
  guint attempt;   /* the number of the last attempt; 0 before the first */
  guint counted;   /* of those, the ones that count towards the maximum */
} SseReconnectCount;

/* Whether a connection opened at @opened_at (0: it never opened) and lost
 * at @now stayed open for @healthy_time: what failed before it does not
 * count any more then. */
gboolean _sse_reconnect_was_healthy (gint64                   opened_at,
                                     gint64                   now,
                                     guint                    healthy_time);

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

/* The same with a random jitter (g_random_int()). */
guint    _sse_reconnect_default_backoff (guint                attempt,
                                         guint                reconnection_time,
                                         guint                max_reconnection_time);

G_END_DECLS
