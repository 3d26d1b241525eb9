/* sse-network-watch-private.h: news of the network, in the right context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SseNetworkWatch SseNetworkWatch;

/* Called in the watch's context when @monitor says the network's
 * availability changed. */
typedef void (*SseNetworkWatchFunc) (gpointer user_data,
                                     gboolean available);

/* Listens to @monitor, which may emit its signal in any thread, and calls
 * @func from an idle source in @context. */
SseNetworkWatch *_sse_network_watch_new  (GNetworkMonitor     *monitor,
                                          GMainContext        *context,
                                          SseNetworkWatchFunc  func,
                                          gpointer             user_data);

/* Stops listening: @func is not called any more, not even for news already
 * on its way. Call it in the thread of the watch's context. */
void             _sse_network_watch_free (SseNetworkWatch     *watch);

G_END_DECLS
