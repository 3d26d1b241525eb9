/* sse-reconnect.c: when and how soon an event source reconnects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-reconnect-private.h"

gboolean
_sse_reconnect_was_healthy (gint64 opened_at,
                            gint64 now,
                            guint  healthy_time)
{
  return opened_at != 0 && now - opened_at >= (gint64) healthy_time * 1000;
}

void
_sse_reconnect_ended (SseReconnectCount   *count,
                      SseReconnectOutcome  outcome)
{
  if (outcome != SSE_RECONNECT_NOTHING)
    *count = (SseReconnectCount) { 0, 0 };
}

guint
_sse_reconnect_delay (SseReconnectOutcome outcome,
                      guint               attempt,
                      guint               reconnection_time,
                      guint               max_reconnection_time,
                      guint32             random)
{
  if (outcome == SSE_RECONNECT_PROGRESS)
    return reconnection_time;

  return _sse_reconnect_backoff (attempt, reconnection_time, max_reconnection_time, random);
}

gboolean
_sse_reconnect_next (const SseReconnectCount *count,
                     gboolean                 network_available,
                     gint                     max_attempts,
                     SseReconnectCount       *next)
{
  guint counted = count->counted + (network_available ? 1 : 0);

  if (max_attempts >= 0 && counted > (guint) max_attempts)
    return FALSE;

  next->attempt = count->attempt + 1;
  next->counted = counted;
  return TRUE;
}

guint
_sse_reconnect_backoff (guint   attempt,
                        guint   reconnection_time,
                        guint   max_reconnection_time,
                        guint32 random)
{
  guint64 cap = MAX (max_reconnection_time, reconnection_time);
  guint64 base = reconnection_time;
  guint64 half, delay;
  guint shift = attempt > 1 ? attempt - 1 : 0;

  /* Even after "retry: 0", later attempts back off (from 1 ms), so that a
   * server that ends every stream at once is not hammered at full speed. */
  if (shift > 0 && base == 0)
    base = 1;

  if (shift >= 32 || (base << shift) > cap)
    base = cap;
  else
    base <<= shift;

  /* A jitter in [0, base / 2], so that the clients of a server that went
   * away do not all come back at the same moment. */
  half = base / 2;
  delay = base + (((guint64) random * (half + 1)) >> 32);

  return (guint) MIN (delay, cap);
}

SseReconnectRequest
_sse_reconnect_next_request (SseReconnectMode  mode,
                             const char       *method,
                             gboolean          server_error_retried,
                             gboolean          was_resume,
                             gboolean          has_last_event_id)
{
  if (server_error_retried)
    return was_resume ? SSE_RECONNECT_RESUME : SSE_RECONNECT_TEMPLATE;

  switch (mode)
    {
    case SSE_RECONNECT_MODE_RESEND:
      return SSE_RECONNECT_TEMPLATE;

    case SSE_RECONNECT_MODE_RESUME_GET:
      return has_last_event_id ? SSE_RECONNECT_RESUME : SSE_RECONNECT_CLOSE;

    case SSE_RECONNECT_MODE_NEVER:
      return SSE_RECONNECT_CLOSE;

    case SSE_RECONNECT_MODE_AUTO:
    default:
      return g_ascii_strcasecmp (method, "GET") == 0 || g_ascii_strcasecmp (method, "HEAD") == 0 ?
             SSE_RECONNECT_TEMPLATE : SSE_RECONNECT_CLOSE;
    }
}
