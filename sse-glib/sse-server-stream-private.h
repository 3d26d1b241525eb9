/* sse-server-stream-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sse-server-output-private.h"
#include "sse-server-stream.h"

G_BEGIN_DECLS

/* The broadcaster encodes an event once and shares the chunk between
 * clients. */
gboolean  _sse_server_stream_send_chunk          (SseServerStream     *self,
                                                  SseChunk            *chunk);

/* For SseServerOutput. */
void      _sse_server_stream_output_failed       (SseServerStream     *self,
                                                  const GError        *error);

G_END_DECLS
