/* sse-stream-reader-private.h: reading a response stream to its end
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SseStreamReader SseStreamReader;

/* What the reader tells its owner, always in the reader's context. No
 * callback comes after _sse_stream_reader_free(), which a callback may
 * call itself. */
typedef struct {
  /* @len bytes arrived (@data is the reader's buffer, valid during the
   * call). Returns FALSE to stop reading. */
  gboolean (*bytes)     (gpointer      user_data,
                         const guint8 *data,
                         gsize         len);
  /* The stream ended (@error NULL) or a read failed. Nothing follows. */
  void     (*ended)     (gpointer      user_data,
                         const GError *error);
  /* Nothing came for the read timeout. Nothing follows. */
  void     (*timed_out) (gpointer      user_data);
} SseStreamReaderFuncs;

/* Reads @stream in @context. With @may_poll, a stream that can be polled
 * (libsoup's HTTP/1 body) is read through one GSource that lives as long
 * as the stream; otherwise (HTTP/2) with g_input_stream_read_async().
 * @read_timeout is in milliseconds (0: none), counted from now and then
 * from the last bytes read. */
SseStreamReader *_sse_stream_reader_new              (GInputStream               *stream,
                                                      GMainContext               *context,
                                                      gboolean                    may_poll,
                                                      guint                       read_timeout,
                                                      const SseStreamReaderFuncs *funcs,
                                                      gpointer                    user_data);

/* Reads what the stream has at once (callbacks may run from within), then
 * waits for more in the context. */
void             _sse_stream_reader_start            (SseStreamReader            *reader);

void             _sse_stream_reader_set_read_timeout (SseStreamReader            *reader,
                                                      guint                       read_timeout);

/* Stops reading until resumed, the read timeout with it (a consumer that
 * waits is not a silent server): the bytes wait in the kernel, and TCP
 * pushes back on the server. A callback may call it; the bytes of the read
 * under way are delivered first. */
void             _sse_stream_reader_pause            (SseStreamReader            *reader);
/* Reads again, from the main context (never from within this call), and
 * counts the read timeout from now. */
void             _sse_stream_reader_resume           (SseStreamReader            *reader);

/* Stops reading, drops the stream (which closes an unfinished response's
 * connection) and the reader. */
void             _sse_stream_reader_free             (SseStreamReader            *reader);

/* Makes every reader read with g_input_stream_read_async(), as for streams
 * that cannot be polled: for tests of that path. Process-wide. */
void             _sse_stream_reader_set_async_reads  (gboolean                    async_reads);

G_END_DECLS
