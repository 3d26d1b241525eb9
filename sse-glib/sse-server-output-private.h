/* sse-server-output-private.h: what waits for one client, and how it is
 * written to the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An SseServerStream answers the request and leaves the writing to an
 * SseServerOutput. Once libsoup has written the response headers, the
 * output takes the connection over (soup_server_message_steal_connection(),
 * as libsoup's own WebSocket server does) and keeps no libsoup object, no
 * GSource and no buffer for an idle client: only its socket, its queue and
 * a few SseTasks of the context's SseScheduler. It writes what was sent in
 * one iteration with one writev() in the next one, waits for the socket to
 * take more only when it is full, and bounds what waits (the slow-client
 * policy, sse-backlog-private.h).
 *
 * Closing drains: what was queued is written, then the connection is shut
 * down cleanly. The output lives on by itself for that, after the stream
 * has gone (it holds a reference on itself until the connection is
 * closed), and gives up on a client that does not read.
 *
 * HTTP/2 (libsoup 3.2 speaks it only when SOUP_SERVER_HTTP2 is set, over
 * TLS) is not for event streams: libsoup 3.2 ends an HTTP/2 response with
 * what its body held when the headers went out, and cannot give the stream
 * away. SseServerStream refuses it (505).
 */

#pragma once

#include <libsoup/soup.h>

#include "sse-server-stream.h"

G_BEGIN_DECLS

/* Bytes to send, shared by every client that gets them. */
typedef enum {
  SSE_CHUNK_EVENT = 1 << 0,   /* an event: a client that loses it missed it */
  SSE_CHUNK_KEEP  = 1 << 1,   /* never dropped for a slow client (retry:, notices) */
} SseChunkFlags;

typedef struct {
  GBytes        *bytes;
  char          *id;          /* the event's id, or NULL */
  guint64        seq;         /* the broadcaster's number, or 0 */
  SseChunkFlags  flags;
} SseChunk;

SseChunk *_sse_chunk_new   (GBytes        *bytes,
                            const char    *id,
                            SseChunkFlags  flags);
SseChunk *_sse_chunk_ref   (SseChunk      *chunk);
void      _sse_chunk_unref (SseChunk      *chunk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SseChunk, _sse_chunk_unref)

typedef struct _SseServerOutput SseServerOutput;

/* Called once the connection is closed, drained or not. */
typedef void (*SseServerOutputDone) (gpointer user_data);

SseServerOutput *_sse_server_output_new           (SoupServerMessage   *msg,
                                                   SseServerStream     *owner);
void             _sse_server_output_detach        (SseServerOutput     *self);
void             _sse_server_output_unref         (SseServerOutput     *self);

void             _sse_server_output_push          (SseServerOutput     *self,
                                                   SseChunk            *chunk);
void             _sse_server_output_want_more     (SseServerOutput     *self,
                                                   gboolean             want_more);
guint64          _sse_server_output_get_queued    (SseServerOutput     *self);
const char      *_sse_server_output_get_remote_host (SseServerOutput   *self);

void             _sse_server_output_set_heartbeat (SseServerOutput     *self,
                                                   guint                milliseconds);
void             _sse_server_output_set_limits    (SseServerOutput     *self,
                                                   guint64              max_queued,
                                                   guint                timeout_ms,
                                                   SseSlowClientPolicy  policy);

void             _sse_server_output_close         (SseServerOutput     *self,
                                                   SseServerOutputDone  done,
                                                   gpointer             user_data);
void             _sse_server_output_abort         (SseServerOutput     *self);

G_END_DECLS
