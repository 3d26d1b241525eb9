/* sse-event-source-private.h: test hooks of SseEventSource
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sse-event-source.h"
#include "sse-parser.h"

G_BEGIN_DECLS

/* Replaces the network monitor the source listens to (the default one
 * otherwise), so that tests can say when the network goes and comes back.
 * Call it before sse_event_source_open(). */
void  _sse_event_source_set_network_monitor (SseEventSource  *self,
                                             GNetworkMonitor *monitor);

/* Replaces SSE_EVENT_SOURCE_HEALTHY_TIME for this source, so that tests of
 * the counter reset need not wait 5 s. */
void  _sse_event_source_set_healthy_time    (SseEventSource  *self,
                                             guint            milliseconds);

/* The source's parser, for tests of the memory it holds
 * (_sse_parser_get_memory_held()). */
SseParser *_sse_event_source_get_parser   (SseEventSource  *self);

G_END_DECLS
