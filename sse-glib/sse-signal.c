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
