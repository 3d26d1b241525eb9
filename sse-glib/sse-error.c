/* sse-error.c: errors reported by sse-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-error.h"

G_DEFINE_QUARK (sse-error-quark, sse_error)
