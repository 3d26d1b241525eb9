/* sse-signal-private.h: signal emission helpers, and the event emitter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <glib-object.h>

#include "sse-event-private.h"

G_BEGIN_DECLS

/* Whether emitting @signal_id with @detail would run any handler. GLib 2.74's
 * g_signal_has_handler_pending() with a non-zero detail only finds handlers
 * connected with exactly that detail, not those connected without one, so
 * both are asked here. */
static inline gboolean
_sse_signal_has_handler (gpointer instance,
                         guint    signal_id,
                         GQuark   detail)
{
  return g_signal_has_handler_pending (instance, signal_id, 0, FALSE) ||
         (detail != 0 && g_signal_has_handler_pending (instance, signal_id, detail, FALSE));
}

/* A va_marshaller for void (*) (gpointer instance, Boxed *arg, gpointer
 * data) signals that lends the boxed argument to C handlers instead of
 * copying and freeing it around every call: the emitter holds a reference
 * for the whole emission. Closures of language bindings have no
 * va_marshal and still go through GLib's generic path, which gives them
 * their own reference, so an event they keep stays theirs. */
void _sse_marshal_VOID__BOXED_BORROWEDv (GClosure *closure,
                                         GValue   *return_value,
                                         gpointer  instance,
                                         va_list   args,
                                         gpointer  marshal_data,
                                         int       n_params,
                                         GType    *param_types);

/* The "event" signal of SseParser and SseEventSource, emitted the same way
 * for both. Embedded in its owner (no allocation of its own): between
 * emissions it keeps the event it emitted last, to be rewritten for the
 * next one when no handler kept it (small events then cost no allocation),
 * and the quark of the last event type that had one.
 *
 * The detail is looked up with g_quark_try_string(), never interned: the
 * server picks event names, and interning each one would leak memory it
 * controls. A handler connected for "event::foo" has interned "foo" already,
 * so the events it wants find their detail. An event type of length 0 is
 * "message". */
typedef struct {
  SseEvent *spare;
  char     *detail_name;
  gsize     detail_len;
  GQuark    detail_quark;
} SseEventEmitter;

void  _sse_event_emitter_init         (SseEventEmitter      *emitter);
void  _sse_event_emitter_clear        (SseEventEmitter      *emitter);

/* For _sse_event_emitter_emit() only: the quark of "message", and the
 * cache of the last type that had a quark. */
extern GQuark _sse_event_emitter_message_quark;
void  _sse_event_emitter_cache_detail (SseEventEmitter      *emitter,
                                       const char           *type,
                                       gsize                 len,
                                       GQuark                quark);

/* Emits @signal_id of @instance (a detailed signal with one SseEvent
 * argument) with an event made of @fields, detailed by its type (a C
 * string: see SseEventFields). @fields is copied into the event before any
 * handler runs. @emitter belongs to @instance.
 *
 * When the caller holds no reference on @instance (so that a handler may
 * let it go), @alive points to a pointer, kept outside @instance, that is
 * cleared when that happens: then neither @instance nor @emitter is touched
 * after the emission. NULL when the caller keeps @instance alive.
 *
 * @emitted, when not NULL, receives a reference to the event emitted (or
 * NULL, when @alive says @instance was let go): for a caller that also
 * queues the events.
 *
 * Inline: it runs once per event, and its callers' frames are the place
 * for its few instructions. */
static inline void
_sse_event_emitter_emit (SseEventEmitter      *emitter,
                         gpointer              instance,
                         guint                 signal_id,
                         const SseEventFields *fields,
                         gpointer const       *alive,
                         SseEvent            **emitted)
{
  gsize len = fields->event_type_len;
  GQuark detail;
  SseEvent *event;

  if (len == 0)
    detail = _sse_event_emitter_message_quark;
  else if (emitter->detail_name != NULL && emitter->detail_len == len &&
           memcmp (emitter->detail_name, fields->event_type, len) == 0)
    detail = emitter->detail_quark;
  else
    {
      /* g_quark_try_string(), never g_quark_from_string(): see above. */
      detail = g_quark_try_string (fields->event_type);
      if (detail != 0)
        _sse_event_emitter_cache_detail (emitter, fields->event_type, len, detail);
    }

  /* No check for handlers first: g_signal_emit() does that itself, and a
   * recycled event costs next to nothing to build. */
  event = _sse_event_recycle (g_steal_pointer (&emitter->spare), fields);
  g_signal_emit (instance, signal_id, detail, event);

  /* A nested emission (from a handler that ran the main loop, say) may
   * have left a spare already: keep one. */
  if (alive != NULL && *alive == NULL)
    {
      sse_event_unref (event);
      if (emitted != NULL)
        *emitted = NULL;
      return;
    }

  if (emitted != NULL)
    *emitted = sse_event_ref (event);
  if (emitter->spare == NULL)
    emitter->spare = _sse_event_keep_spare (event);
  else
    sse_event_unref (event);
}

/* The bytes of storage the spare event holds (0 when there is none), for
 * the owner's memory accounting. */
gsize _sse_event_emitter_get_capacity (SseEventEmitter      *emitter);

G_END_DECLS
