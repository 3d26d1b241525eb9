/* sse-signal-private.h: signal emission helpers, and the event emitter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

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

/* Emits @signal_id of @instance (a detailed signal with one SseEvent
 * argument) with an event made of @fields, detailed by its type. @fields is
 * copied into the event before any handler runs. @emitter belongs to
 * @instance, which must stay alive until this returns. */
void  _sse_event_emitter_emit         (SseEventEmitter      *emitter,
                                       gpointer              instance,
                                       guint                 signal_id,
                                       const SseEventFields *fields);

/* The bytes of storage the spare event holds (0 when there is none), for
 * the owner's memory accounting. */
gsize _sse_event_emitter_get_capacity (SseEventEmitter      *emitter);

G_END_DECLS
