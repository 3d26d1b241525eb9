/* sse-backlog.c: when a client that has bytes waiting is too slow
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-backlog-private.h"

/* Looks at a client's backlog of @queued bytes at @now. @backlog remembers
 * when it went over @max_queued (0: no limit) and how large it was then.
 *
 * Over the limit for the first time: SSE_BACKLOG_WATCH, look again in
 * @timeout_us. When that time has passed, a backlog that went down in the
 * meantime (the client reads faster than it is sent to) is watched afresh
 * from its new size; one that did not is SSE_BACKLOG_TOO_SLOW. Within the
 * limit: SSE_BACKLOG_FINE, and @backlog forgets. A @timeout_us of 0 makes
 * any backlog over the limit too slow at once. */
SseBacklogVerdict
_sse_backlog_check (SseBacklog *backlog,
                    guint64     queued,
                    guint64     max_queued,
                    gint64      timeout_us,
                    gint64      now,
                    gint64     *recheck)
{
  *recheck = 0;

  if (max_queued == 0 || queued <= max_queued)
    {
      backlog->since = 0;
      backlog->level = 0;
      return SSE_BACKLOG_FINE;
    }

  if (timeout_us <= 0)
    return SSE_BACKLOG_TOO_SLOW;

  if (backlog->since == 0)
    {
      backlog->since = now;
      backlog->level = queued;
    }
  else if (now - backlog->since >= timeout_us)
    {
      if (queued >= backlog->level)
        return SSE_BACKLOG_TOO_SLOW;
      backlog->since = now;
      backlog->level = queued;
    }

  *recheck = backlog->since + timeout_us;
  return SSE_BACKLOG_WATCH;
}

/* What may still wait for a client once the oldest events waiting for it
 * were dropped: half the limit, so that a client that stays slow is not
 * told of a loss at every event. */
guint64
_sse_backlog_drop_target (guint64 max_queued)
{
  return max_queued / 2;
}
