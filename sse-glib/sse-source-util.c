/* sse-source-util.c: main-loop sources and contexts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-source-util-private.h"

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = {
  NULL, NULL, deadline_dispatch, NULL, NULL, NULL,
};

GSource *
_sse_deadline_source_new (GMainContext *context,
                          const char   *name,
                          gint64        ready_time,
                          GSourceFunc   callback,
                          gpointer      user_data)
{
  GSource *source = g_source_new (&deadline_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, callback, user_data, NULL);
  g_source_set_ready_time (source, ready_time);
  g_source_attach (source, context);
  return source;
}

void
_sse_source_destroy (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

gboolean
_sse_context_push (GMainContext *context)
{
  GMainContext *current = g_main_context_get_thread_default ();

  if (current == context || (current == NULL && context == g_main_context_default ()))
    return FALSE;

  g_main_context_push_thread_default (context);
  return TRUE;
}

void
_sse_context_pop (GMainContext *context,
                  gboolean      pushed)
{
  if (pushed)
    g_main_context_pop_thread_default (context);
}
