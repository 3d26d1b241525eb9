/* sse-i18n-private.h: the library's gettext domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the "sse-glib-1" gettext domain once. Call it before the first
 * translatable message can be produced: every class_init and
 * sse_error_quark() do. */
void _sse_ensure_i18n (void);

G_END_DECLS
