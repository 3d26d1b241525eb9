/* sse-error.c: errors reported by sse-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-error.h"
#include "sse-i18n-private.h"

/**
 * sse_error_quark:
 *
 * Gets the error domain of sse-glib, %SSE_ERROR.
 *
 * Returns: the error quark
 *
 * Since: 1.0
 */
GQuark
sse_error_quark (void)
{
  static GQuark quark = 0;

  if (G_UNLIKELY (quark == 0))
    {
      _sse_ensure_i18n ();
      quark = g_quark_from_static_string ("sse-error-quark");
    }
  return quark;
}
