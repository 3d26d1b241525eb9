/* sse-signal.c: signal emission helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

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
static GQuark message_quark;

void
_sse_event_emitter_init (SseEventEmitter *emitter)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      message_quark = g_quark_from_static_string ("message");
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

/* The quark of @type (@len bytes, no NUL needed), or 0 when nobody
 * interned it, which no detailed handler can want then: a type that differs
 * from the last one that had a quark. */
static GQuark G_GNUC_NO_INLINE
lookup_detail (SseEventEmitter *emitter,
               const char      *type,
               gsize            len)
{
  char stack[128];
  g_autofree char *heap = NULL;
  const char *name;
  GQuark quark;

  /* g_quark_try_string(), never g_quark_from_string(): see the header. */
  if (len < sizeof stack)
    {
      memcpy (stack, type, len);
      stack[len] = '\0';
      name = stack;
    }
  else
    name = heap = g_strndup (type, len);

  quark = g_quark_try_string (name);
  if (quark != 0)
    {
      g_free (emitter->detail_name);
      emitter->detail_name = heap != NULL ? g_steal_pointer (&heap) : g_strndup (type, len);
      emitter->detail_len = len;
      emitter->detail_quark = quark;
    }
  return quark;
}

static inline GQuark
event_detail (SseEventEmitter *emitter,
              const char      *type,
              gsize            len)
{
  if (len == 0)
    return message_quark;

  if (emitter->detail_name != NULL && emitter->detail_len == len &&
      memcmp (emitter->detail_name, type, len) == 0)
    return emitter->detail_quark;

  return lookup_detail (emitter, type, len);
}

void
_sse_event_emitter_emit (SseEventEmitter      *emitter,
                         gpointer              instance,
                         guint                 signal_id,
                         const SseEventFields *fields)
{
  GQuark detail = event_detail (emitter, fields->event_type, fields->event_type_len);
  SseEvent *event;

  /* No check for handlers first: g_signal_emit() does that itself, and a
   * recycled event costs next to nothing to build. */
  event = _sse_event_recycle (g_steal_pointer (&emitter->spare), fields);
  g_signal_emit (instance, signal_id, detail, event);

  /* A nested emission (from a handler that ran the main loop, say) may
   * have left a spare already: keep one. */
  if (emitter->spare == NULL)
    emitter->spare = _sse_event_keep_spare (event);
  else
    sse_event_unref (event);
}

gsize
_sse_event_emitter_get_capacity (SseEventEmitter *emitter)
{
  return _sse_event_get_capacity (emitter->spare);
}
