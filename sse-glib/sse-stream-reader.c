/* sse-stream-reader.c: reading a response stream to its end
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An HTTP/1 response stream is read through one GSource that lives as long
 * as the stream, rather than through g_input_stream_read_async(), which
 * makes a new source (and adds and removes its socket from the main
 * context's poll list, a walk over every other fd) each time a read has to
 * wait. With 1,000 open sources in one process, that walk was half of the
 * cost of delivering one event to each of them.
 *
 * libsoup's sources depend on what it has buffered when they are made, and
 * its buffers only change when the stream is read: so the stream is read
 * until it would block, and only then is the source made. A source that
 * wakes up to nothing is replaced.
 *
 * The reader is reference-counted: the owner holds one reference, and so
 * does every callback under way (the GSource's, an asynchronous read), so
 * that the owner may free it from any of its own callbacks.
 */

#include "config.h"

#include "sse-source-util-private.h"
#include "sse-stream-reader-private.h"

#define READ_BUFFER_SIZE (64 * 1024)
#define READS_PER_DISPATCH 8

static gboolean force_async_reads;   /* tests */

struct _SseStreamReader
{
  grefcount                   ref_count;
  gboolean                    closed;      /* freed by the owner */
  gboolean                    reading;     /* in read_available() */
  gboolean                    paused;
  gboolean                    started;
  gboolean                    read_pending; /* a g_input_stream_read_async() */

  GInputStream               *stream;
  GMainContext               *context;
  gboolean                    poll;
  GCancellable               *cancellable;
  GSource                    *readable;    /* the stream is readable (HTTP/1) */
  guint8                     *buffer;

  guint                       read_timeout;
  GSource                    *deadline;
  gint64                      last_read;   /* monotonic, µs */

  const SseStreamReaderFuncs *funcs;
  gpointer                    user_data;
};

static SseStreamReader *
reader_ref (SseStreamReader *reader)
{
  g_ref_count_inc (&reader->ref_count);
  return reader;
}

static void
reader_unref (gpointer data)
{
  SseStreamReader *reader = data;

  if (!g_ref_count_dec (&reader->ref_count))
    return;

  g_assert (reader->readable == NULL);
  g_assert (reader->deadline == NULL);

  g_object_unref (reader->cancellable);
  /* Dropping an unfinished response stream closes its connection. */
  g_object_unref (reader->stream);
  g_main_context_unref (reader->context);
  g_free (reader->buffer);
  g_free (reader);
}

/* Read timeout ------------------------------------------------------------ */

static gboolean
on_deadline (gpointer user_data)
{
  SseStreamReader *reader = user_data;
  gint64 deadline = _sse_deadline_after (reader->last_read, reader->read_timeout);

  /* Bytes came since the timer was set: wait for the new deadline. Moving
   * it here rather than on every read keeps reads cheap. */
  if (deadline == -1 || g_get_monotonic_time () < deadline)
    {
      g_source_set_ready_time (reader->deadline, deadline);
      return G_SOURCE_CONTINUE;
    }

  reader_ref (reader);
  g_clear_pointer (&reader->deadline, _sse_source_destroy);
  reader->funcs->timed_out (reader->user_data);
  reader_unref (reader);
  return G_SOURCE_REMOVE;
}

static void
update_deadline (SseStreamReader *reader)
{
  gint64 ready_time = _sse_deadline_after (reader->last_read, reader->read_timeout);

  /* No timeout, no timer: an open stream without a read timeout keeps no
   * source in the main loop, which matters with many streams. */
  if (ready_time == -1)
    g_clear_pointer (&reader->deadline, _sse_source_destroy);
  else if (reader->deadline == NULL)
    reader->deadline = _sse_deadline_source_new (reader->context, "[sse-glib] read timeout",
                                                 ready_time, on_deadline, reader);
  else
    g_source_set_ready_time (reader->deadline, ready_time);
}

/* Reading ----------------------------------------------------------------- */

/* What one read gave: @n bytes in the buffer, the end of the stream (0) or
 * @error. Returns TRUE if the reader goes on reading. */
static gboolean
handle_read (SseStreamReader *reader,
             gssize           n,
             const GError    *error)
{
  if (n > 0)
    {
      reader->last_read = g_get_monotonic_time ();
      return reader->funcs->bytes (reader->user_data, reader->buffer, n) && !reader->closed &&
             !reader->paused;
    }

  g_clear_pointer (&reader->readable, _sse_source_destroy);
  g_clear_pointer (&reader->deadline, _sse_source_destroy);
  reader->funcs->ended (reader->user_data, n == 0 ? NULL : error);
  return FALSE;
}

static gboolean on_readable (GObject  *stream,
                             gpointer  user_data);

static void
make_readable_source (SseStreamReader *reader)
{
  g_clear_pointer (&reader->readable, _sse_source_destroy);
  reader->readable = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (reader->stream),
                                                            NULL);
  g_source_set_callback (reader->readable, (GSourceFunc) (void (*) (void)) on_readable,
                         reader_ref (reader), reader_unref);
  g_source_set_static_name (reader->readable, "[sse-glib] read");
  /* Otherwise GLib takes the socket out of the main context's poll list
   * for each dispatch and puts it back after (two walks over the list and
   * a wakeup). A nested main loop run from a callback is handled in
   * on_readable(). */
  g_source_set_can_recurse (reader->readable, TRUE);
  g_source_attach (reader->readable, reader->context);
}

/* Reads what the stream has, a few buffers at most before the other
 * sources of the main context get their turn. Returns TRUE if the reader
 * goes on reading. */
static gboolean
read_some (SseStreamReader *reader,
           gboolean         woken)
{
  GPollableInputStream *stream = G_POLLABLE_INPUT_STREAM (reader->stream);

  for (guint i = 0; i < READS_PER_DISPATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_pollable_input_stream_read_nonblocking (stream, reader->buffer, READ_BUFFER_SIZE,
                                                    NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (reader->readable == NULL || (woken && i == 0))
            make_readable_source (reader);
          else if (g_source_get_ready_time (reader->readable) != -1)
            g_source_set_ready_time (reader->readable, -1);
          return TRUE;
        }

      if (!handle_read (reader, n, error))
        {
          /* Paused: no source wakes the reader until it is resumed. */
          if (reader->paused)
            g_clear_pointer (&reader->readable, _sse_source_destroy);
          return FALSE;
        }
    }

  /* More may wait in libsoup's buffers, where no poll sees it. Setting a
   * ready time wakes the main context up, so it is set once (GLib keeps it
   * across dispatches), not for every dispatch. */
  if (reader->readable == NULL)
    make_readable_source (reader);
  if (g_source_get_ready_time (reader->readable) != 0)
    g_source_set_ready_time (reader->readable, 0);
  return TRUE;
}

/* The same, marked as under way for on_readable(). */
static gboolean
read_available (SseStreamReader *reader,
                gboolean         woken)
{
  gboolean go_on;

  reader_ref (reader);
  reader->reading = TRUE;
  go_on = read_some (reader, woken);
  reader->reading = FALSE;
  reader_unref (reader);
  return go_on;
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  SseStreamReader *reader = user_data;

  if (reader->closed)
    return G_SOURCE_REMOVE;

  /* A main loop run from a callback: the stream is read already, further
   * up the stack. The source goes until that read is over, or it would
   * wake this loop up for as long as the socket is readable. */
  if (reader->reading)
    {
      g_clear_pointer (&reader->readable, _sse_source_destroy);
      return G_SOURCE_REMOVE;
    }

  return read_available (reader, TRUE) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void read_async (SseStreamReader *reader);

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SseStreamReader *reader = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  reader->read_pending = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (!reader->closed && handle_read (reader, n, error))
    read_async (reader);
  reader_unref (reader);
}

static void
read_async (SseStreamReader *reader)
{
  gboolean pushed = _sse_context_push (reader->context);

  reader->read_pending = TRUE;
  g_input_stream_read_async (reader->stream, reader->buffer, READ_BUFFER_SIZE,
                             G_PRIORITY_DEFAULT, reader->cancellable,
                             on_read, reader_ref (reader));
  _sse_context_pop (reader->context, pushed);
}

/* API --------------------------------------------------------------------- */

SseStreamReader *
_sse_stream_reader_new (GInputStream               *stream,
                        GMainContext               *context,
                        gboolean                    may_poll,
                        guint                       read_timeout,
                        const SseStreamReaderFuncs *funcs,
                        gpointer                    user_data)
{
  SseStreamReader *reader = g_new0 (SseStreamReader, 1);

  g_ref_count_init (&reader->ref_count);
  reader->stream = g_object_ref (stream);
  reader->context = g_main_context_ref (context);
  reader->poll = may_poll && !force_async_reads &&
                 G_IS_POLLABLE_INPUT_STREAM (stream) &&
                 g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (stream));
  reader->cancellable = g_cancellable_new ();
  reader->buffer = g_malloc (READ_BUFFER_SIZE);
  reader->funcs = funcs;
  reader->user_data = user_data;
  reader->read_timeout = read_timeout;
  reader->last_read = g_get_monotonic_time ();
  update_deadline (reader);

  return reader;
}

void
_sse_stream_reader_start (SseStreamReader *reader)
{
  reader->started = TRUE;
  if (reader->paused)
    return;

  if (reader->poll)
    read_available (reader, FALSE);
  else
    read_async (reader);
}

void
_sse_stream_reader_set_read_timeout (SseStreamReader *reader,
                                     guint            read_timeout)
{
  reader->read_timeout = read_timeout;
  if (!reader->closed)
    update_deadline (reader);
}

void
_sse_stream_reader_pause (SseStreamReader *reader)
{
  if (reader->paused || reader->closed)
    return;

  reader->paused = TRUE;
  g_clear_pointer (&reader->deadline, _sse_source_destroy);
  /* Out of a callback, the source would wake the reader for nothing; from
   * one, read_some() drops it when the read returns. */
  if (!reader->reading)
    g_clear_pointer (&reader->readable, _sse_source_destroy);
}

void
_sse_stream_reader_resume (SseStreamReader *reader)
{
  if (!reader->paused || reader->closed)
    return;

  reader->paused = FALSE;
  reader->last_read = g_get_monotonic_time ();
  update_deadline (reader);
  if (!reader->started)
    return;

  if (reader->poll)
    {
      /* A source ready at once: the read happens in the main context. */
      if (reader->readable == NULL)
        make_readable_source (reader);
      g_source_set_ready_time (reader->readable, 0);
    }
  else if (!reader->read_pending)
    read_async (reader);
}

void
_sse_stream_reader_free (SseStreamReader *reader)
{
  reader->closed = TRUE;
  g_clear_pointer (&reader->readable, _sse_source_destroy);
  g_clear_pointer (&reader->deadline, _sse_source_destroy);
  g_cancellable_cancel (reader->cancellable);
  reader_unref (reader);
}

void
_sse_stream_reader_set_async_reads (gboolean async_reads)
{
  force_async_reads = async_reads;
}
