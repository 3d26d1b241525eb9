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

G_END_DECLS
