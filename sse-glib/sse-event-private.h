/* sse-event-private.h: building events from trusted pieces
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-event.h"

G_BEGIN_DECLS

/* The pieces of an event as a parser dispatches them. Every string is valid
 * UTF-8 already (the parser repaired it). Only @event_type must be a C
 * string, NUL-terminated and without NUL inside, when @event_type_len is
 * not 0 (the event emitter looks its quark up in place); the others need no
 * terminator. @event_type_len 0 means "message"; @id NULL means the event's
 * block had no id field; @origin, when not NULL, is a GRefString that the
 * event acquires. */
typedef struct {
  const char *event_type;
  gsize       event_type_len;
  const char *data;
  gsize       data_len;
  const char *id;
  gsize       id_len;
  const char *last_event_id;
  gsize       last_event_id_len;
  gint64      retry;
  const char *origin;
} SseEventFields;

/* Builds an event in one allocation, copying every piece as it is: no
 * cleaning, no repair. */
SseEvent *_sse_event_new_from_fields (const SseEventFields *fields);

/* Like _sse_event_new_from_fields(), but rewrites @spare (transfer full,
 * nullable) in place when nobody else holds it and it is big enough;
 * otherwise @spare is released and a new event is made. Emitters keep the
 * event they dispatched as the spare for the next one, which makes small
 * events free of allocations when handlers do not keep them. */
SseEvent *_sse_event_recycle         (SseEvent             *spare,
                                      const SseEventFields *fields);

/* Returns @event (transfer full) if it is small enough to keep as a spare,
 * or releases it and returns NULL. */
SseEvent *_sse_event_keep_spare      (SseEvent             *event);

/* The bytes of storage @event holds (0 for NULL). */
gsize     _sse_event_get_capacity    (SseEvent             *event);

/* Strips CR, LF and NUL from an event type or id and repairs its UTF-8.
 * Returns a new string. */
char     *_sse_clean_field           (const char *value,
                                      gssize      len);

G_END_DECLS
