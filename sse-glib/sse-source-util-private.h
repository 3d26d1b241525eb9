/* sse-source-util-private.h: main-loop sources and contexts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A source that fires once at @ready_time (monotonic µs, -1 for never, 0
 * for at once), attached to @context. Its callback may move the ready time
 * (g_source_set_ready_time()) and return G_SOURCE_CONTINUE: one such
 * source can watch a deadline that moves on every read without being made
 * again. Returns the caller's reference. */
GSource *_sse_deadline_source_new (GMainContext *context,
                                   const char   *name,
                                   gint64        ready_time,
                                   GSourceFunc   callback,
                                   gpointer      user_data);

/* @milliseconds after @from (monotonic µs), or -1 (never) for 0. */
static inline gint64
_sse_deadline_after (gint64 from,
                     guint  milliseconds)
{
  return milliseconds == 0 ? -1 : from + (gint64) milliseconds * 1000;
}

/* Destroys and unrefs: for g_clear_pointer() on a source the caller owns. */
void     _sse_source_destroy      (GSource      *source);

/* GIO and libsoup call back in the thread-default context of the caller:
 * these make @context the thread-default one while an operation starts.
 * It is already, but for calls made from outside the main loop; checking
 * spares a push (and its allocation) per operation. Returns whether it
 * pushed, for _sse_context_pop(). */
gboolean _sse_context_push        (GMainContext *context);
void     _sse_context_pop         (GMainContext *context,
                                   gboolean      pushed);

G_END_DECLS
