/* sse-attempt-private.h: one attempt of an event source, and what follows it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-connect-private.h"
#include "sse-event-source-private.h"
#include "sse-parser-private.h"
#include "sse-stream-reader-private.h"

G_BEGIN_DECLS

/* One attempt of an event source, from CONNECTING to the wait for the next
 * one (or to CLOSED): the HTTP exchange, then the stream. See sse-attempt.c
 * for how its lifetime makes the one liveness check. */
struct _SseAttempt
{
  grefcount          ref_count;
  SseEventSource    *source;       /* NULL once detached */
  SseParser         *parser;       /* the source's, for the feeds under way */
  SseConnect        *connect;      /* until answered */
  SseStreamReader   *reader;       /* once open */
  SoupMessage       *msg;          /* once answered: the last request */
  char              *origin;       /* a GRefString: the origin of events */
  gint64             opened_at;    /* monotonic, µs; 0 until open */
  gboolean           resume;       /* a GET that resumes the stream */
  gboolean           progress;     /* it delivered an event, or set the last event ID */
  gboolean           server_error_retried;
  GSource           *failure;      /* a failure to report from the main context */
  GError            *failure_error;
};

/* Whether @attempt is still its source's current one: FALSE once a handler
 * closed the source, opened it again, or dropped it. Nothing of the source
 * may be touched then. */
static inline gboolean
_sse_attempt_still_wanted (SseAttempt *attempt)
{
  return attempt->source != NULL;
}

/* Starts an attempt: at open() (@from_open: the attempts are counted anew
 * and the network watched), after the reconnection delay, or at once. Ends
 * the attempt before it, if it was still current. */
void  _sse_attempt_start  (SseEventSource *self,
                           gboolean        from_open);

/* Stops the current attempt, if any, and the wait for the next one, without
 * a signal. */
void  _sse_attempt_cancel (SseEventSource *self);

/* The sink of the source's parser: events, comments and retry times of the
 * current attempt, emitted as the source's signals. */
extern const SseParserSink _sse_attempt_parser_sink;

/* Starts and stops watching the network monitor: from open() to close(). */
void  _sse_attempt_watch_network   (SseEventSource *self);
void  _sse_attempt_unwatch_network (SseEventSource *self);

G_END_DECLS
