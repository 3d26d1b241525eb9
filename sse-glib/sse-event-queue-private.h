/* sse-event-queue-private.h: the events an event source keeps for pulls
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sse-event.h"

G_BEGIN_DECLS

#define SSE_EVENT_QUEUE_DEFAULT_MAX_BYTES (4 * 1024 * 1024)

/* Embedded in the source; empty and inactive (no cost) until the first
 * call of sse_event_source_next_event_async(). */
typedef struct {
  gboolean  active;       /* pulled at least once: events are queued */
  GQueue    events;       /* SseEvent, oldest first */
  gsize     bytes;        /* of the events queued */
  gsize     max_bytes;
  GQueue    pulls;        /* GTask, oldest first */
  gboolean  paused;       /* full: the stream is not read */
  gboolean  closed;       /* the source is closed: pulls past the queue end */
  GError   *error;        /* why it closed, when it failed */
} SseEventQueue;

typedef struct _SseEventSource SseEventSource;

void     _sse_event_queue_init    (SseEventQueue  *queue);
/* Completes the pulls under way (with no event) and drops the events. */
void     _sse_event_queue_clear   (SseEventQueue  *queue);

/* An event the source emitted (taken): to the oldest pull waiting, or into
 * the queue, when the source is pulled. Pauses the reading of the stream
 * when the queue is full. */
void     _sse_event_queue_push    (SseEventSource *self,
                                   SseEvent       *event);

/* The source opened: pulls wait for events again. */
void     _sse_event_queue_opened  (SseEventQueue  *queue);
/* The source will close because of @error: the pulls past the queue get
 * it. Call before the status changes. */
void     _sse_event_queue_failed  (SseEventQueue  *queue,
                                   const GError   *error);
/* The source closed: pulls past the queue get no event (or the error). */
void     _sse_event_queue_closed  (SseEventQueue  *queue);

/* Whether the stream's reading waits for the consumer: a new reader starts
 * paused then. */
gboolean _sse_event_queue_is_full (SseEventQueue  *queue);

G_END_DECLS
