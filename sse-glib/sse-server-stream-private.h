/* sse-server-stream-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-server-stream.h"

G_BEGIN_DECLS

/* Queues bytes that are already in the text/event-stream format: the
 * broadcaster encodes an event once and shares the bytes between clients. */
gboolean _sse_server_stream_send_encoded (SseServerStream *self,
                                          GBytes          *bytes);

G_END_DECLS
