/* sse-signal-private.h: checking for signal handlers before doing work
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

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

G_END_DECLS
