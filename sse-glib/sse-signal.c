/* sse-signal.c: signal emission helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-signal-private.h"

void
_sse_marshal_VOID__BOXED_BORROWEDv (GClosure *closure,
                                    GValue   *return_value,
                                    gpointer  instance,
                                    va_list   args,
                                    gpointer  marshal_data,
                                    int       n_params,
                                    GType    *param_types)
{
  typedef void (*MarshalFunc) (gpointer data1,
                               gpointer arg1,
                               gpointer data2);
  GCClosure *cc = (GCClosure *) closure;
  gpointer data1, data2, arg1;
  MarshalFunc callback;
  va_list args_copy;

  G_VA_COPY (args_copy, args);
  arg1 = va_arg (args_copy, gpointer);
  va_end (args_copy);

  if (G_CCLOSURE_SWAP_DATA (closure))
    {
      data1 = closure->data;
      data2 = instance;
    }
  else
    {
      data1 = instance;
      data2 = closure->data;
    }

  callback = (MarshalFunc) (marshal_data ? marshal_data : cc->callback);
  callback (data1, arg1, data2);
}

/* The event emitter ------------------------------------------------------ */

/* "message", the type of events without one: a static string, interned
 * once (interning it leaks nothing). */
GQuark _sse_event_emitter_message_quark;

void
_sse_event_emitter_init (SseEventEmitter *emitter)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      _sse_event_emitter_message_quark = g_quark_from_static_string ("message");
      g_once_init_leave (&once, 1);
    }

  emitter->spare = NULL;
  emitter->detail_name = NULL;
  emitter->detail_len = 0;
  emitter->detail_quark = 0;
}

void
_sse_event_emitter_clear (SseEventEmitter *emitter)
{
  g_clear_pointer (&emitter->spare, sse_event_unref);
  g_clear_pointer (&emitter->detail_name, g_free);
  emitter->detail_len = 0;
  emitter->detail_quark = 0;
}

void
_sse_event_emitter_cache_detail (SseEventEmitter *emitter,
                                 const char      *type,
                                 gsize            len,
                                 GQuark           quark)
{
  g_free (emitter->detail_name);
  emitter->detail_name = g_strndup (type, len);
  emitter->detail_len = len;
  emitter->detail_quark = quark;
}

gsize
_sse_event_emitter_get_capacity (SseEventEmitter *emitter)
{
  return _sse_event_get_capacity (emitter->spare);
}
