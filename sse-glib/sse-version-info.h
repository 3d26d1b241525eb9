/* sse-version-info.h: the version of sse-glib a program runs with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib.h>

#include "sse-version-macros.h"

G_BEGIN_DECLS

SSE_AVAILABLE_IN_1_0
guint     sse_get_major_version (void) G_GNUC_CONST;
SSE_AVAILABLE_IN_1_0
guint     sse_get_minor_version (void) G_GNUC_CONST;
SSE_AVAILABLE_IN_1_0
guint     sse_get_micro_version (void) G_GNUC_CONST;

SSE_AVAILABLE_IN_1_0
gboolean  sse_check_version     (guint major,
                                 guint minor,
                                 guint micro);

G_END_DECLS
