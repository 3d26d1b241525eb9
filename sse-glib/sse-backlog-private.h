/* sse-backlog-private.h: when a client that has bytes waiting is too slow
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure functions, tested without a server (tests/test-server.c).
 *
 * What waits for a client is not a measure of its speed at one instant: an
 * application that sends a megabyte from one main loop iteration has a
 * megabyte waiting for every client, the fastest included, until the
 * sockets take it. A client is too slow when more than the limit has been
 * waiting for a whole timeout and the backlog did not go down meanwhile:
 * it reads less than is sent to it, or nothing at all.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64  since;   /* monotonic µs when the backlog was seen over the limit; 0: it is not */
  guint64 level;   /* the backlog then */
} SseBacklog;

typedef enum {
  SSE_BACKLOG_FINE,       /* within the limit (or no limit) */
  SSE_BACKLOG_WATCH,      /* over the limit: look again at *recheck */
  SSE_BACKLOG_TOO_SLOW,   /* over the limit for the whole timeout, not going down */
} SseBacklogVerdict;

SseBacklogVerdict _sse_backlog_check       (SseBacklog *backlog,
                                            guint64     queued,
                                            guint64     max_queued,
                                            gint64      timeout_us,
                                            gint64      now,
                                            gint64     *recheck);

guint64           _sse_backlog_drop_target (guint64     max_queued);

G_END_DECLS
