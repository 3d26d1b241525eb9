/* sse-server-listen.h: a SoupServer that takes a burst of connections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "sse-version-macros.h"

G_BEGIN_DECLS

SSE_AVAILABLE_IN_1_0
int      sse_server_get_listen_backlog (void);

SSE_AVAILABLE_IN_1_0
gboolean sse_server_listen             (SoupServer               *server,
                                        GSocketAddress           *address,
                                        SoupServerListenOptions   options,
                                        GError                  **error);
SSE_AVAILABLE_IN_1_0
gboolean sse_server_listen_local       (SoupServer               *server,
                                        guint                     port,
                                        SoupServerListenOptions   options,
                                        GError                  **error);
SSE_AVAILABLE_IN_1_0
gboolean sse_server_listen_all         (SoupServer               *server,
                                        guint                     port,
                                        SoupServerListenOptions   options,
                                        GError                  **error);

G_END_DECLS
