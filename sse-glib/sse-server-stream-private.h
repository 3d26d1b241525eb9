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

/* Sends a missed-event-type event (if the stream has a type) with @reason
 * as its data and @id (NULL: no id field; "": the empty id). */
void      _sse_server_stream_send_missed         (SseServerStream     *self,
                                                  const char          *reason,
                                                  const char          *id);

/* A feeder has more to send than it queued (the broadcaster's replay): it
 * is called whenever the client took most of what waited, and returns
 * FALSE once it has nothing more (it is then forgotten). NULL forgets it. */
typedef gboolean (*SseServerStreamFeeder) (SseServerStream *stream,
                                           gpointer         user_data);

void      _sse_server_stream_set_feeder          (SseServerStream     *self,
                                                  SseServerStreamFeeder feeder,
                                                  gpointer             user_data);

/* Closes the connection at once, dropping what waits, and closes the
 * stream with @error. */
void      _sse_server_stream_fail                (SseServerStream     *self,
                                                  const GError        *error);

/* Closes the stream (if it is not) and calls @done once its connection is
 * closed: drained, or given up on. */
void      _sse_server_stream_close_and_wait      (SseServerStream     *self,
                                                  SseServerOutputDone  done,
                                                  gpointer             user_data);

/* The client's address, for messages ("?" when unknown). */
const char *_sse_server_stream_get_remote_host   (SseServerStream     *self);

/* For SseServerOutput. */
void      _sse_server_stream_output_took_over    (SseServerStream     *self);
void      _sse_server_stream_output_failed       (SseServerStream     *self,
                                                  const GError        *error);
void      _sse_server_stream_output_too_slow     (SseServerStream     *self,
                                                  guint64              queued);
gboolean  _sse_server_stream_output_need_more    (SseServerStream     *self);
SseChunk *_sse_server_stream_output_dropped      (SseServerStream     *self,
                                                  guint                n_events,
                                                  const char          *last_id);

G_END_DECLS
