/* sse-server-output.c: what waits for one client, and how it is written to
 * the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>

#include "sse-backlog-private.h"
#include "sse-error.h"
#include "sse-scheduler-private.h"
#include "sse-server-output-private.h"
#include "sse-server-stream-private.h"

/* Vectors of one writev(), and what one stream may write in one iteration
 * before the others get their turn. */
#define MAX_VECTORS   64
#define WRITE_BUDGET  (256 * 1024)

/* A feeder (the broadcaster's replay) is asked for more when less than
 * this waits: replay goes out at the pace the client reads. */
#define LOW_WATER     (32 * 1024)

/* The least time a draining client that takes nothing is given. */
#define MIN_DRAIN_WAIT_MS 100

typedef enum {
  STATE_HEADERS,    /* libsoup is still writing the response headers */
  STATE_STREAM,     /* the connection is ours: write to @ostream */
  STATE_CLOSED,     /* the connection is closed, or closing */
} State;

typedef struct {
  SseServerOutputDone done;
  gpointer            user_data;
} Waiter;

struct _SseServerOutput
{
  grefcount              ref_count;
  SseServerStream       *owner;          /* NULL once the stream let go */
  GMainContext          *context;
  SseScheduler          *scheduler;

  State                  state;
  gboolean               closing;        /* drain, then close */
  gboolean               want_more;      /* ask the owner's feeder */
  gboolean               flushing;
  gboolean               finished;       /* the connection is closed */

  SoupServerMessage     *msg;            /* until the connection is ours */

  char                  *remote_host;    /* the client's address, for messages */

  GIOStream             *iostream;
  GSocket               *socket;
  GPollableOutputStream *ostream;
  GSource               *wait_source;    /* until the socket takes more */

  GQueue                 queue;          /* SseChunk, oldest first */
  gsize                  head_offset;    /* bytes of the head already written */
  guint64                queued;
  guint64                written;
  gint64                 last_push;

  SseTask                flush_task;
  SseTask                heartbeat_task;
  SseTask                backlog_task;   /* slow-client checks; the drain's watch */
  guint                  heartbeat_interval;

  guint64                max_queued;
  guint                  slow_timeout;
  SseSlowClientPolicy    policy;
  SseBacklog             backlog;
  guint64                drain_mark;

  GArray                *waiters;        /* Waiter */
};

/* Chunks ------------------------------------------------------------------ */

static void
chunk_clear (gpointer data)
{
  SseChunk *chunk = data;

  g_bytes_unref (chunk->bytes);
  g_free (chunk->id);
}

/* Takes @bytes. */
SseChunk *
_sse_chunk_new (GBytes        *bytes,
                const char    *id,
                SseChunkFlags  flags)
{
  SseChunk *chunk = g_atomic_rc_box_new0 (SseChunk);

  chunk->bytes = bytes;
  chunk->id = g_strdup (id);
  chunk->flags = flags;
  return chunk;
}

SseChunk *
_sse_chunk_ref (SseChunk *chunk)
{
  return g_atomic_rc_box_acquire (chunk);
}

void
_sse_chunk_unref (SseChunk *chunk)
{
  g_atomic_rc_box_release_full (chunk, chunk_clear);
}

static gsize
chunk_size (SseChunk *chunk)
{
  return g_bytes_get_size (chunk->bytes);
}

/* The heartbeat: an empty comment, the same for everyone. */
static SseChunk *
heartbeat_chunk (void)
{
  static SseChunk *chunk;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      chunk = _sse_chunk_new (g_bytes_new_static (":\n", 2), NULL, 0);
      g_once_init_leave (&once, 1);
    }
  return chunk;
}

/* Life ---------------------------------------------------------------------- */

static SseServerOutput *
output_ref (SseServerOutput *self)
{
  g_ref_count_inc (&self->ref_count);
  return self;
}

static void
clear_queue (SseServerOutput *self)
{
  g_queue_clear_full (&self->queue, (GDestroyNotify) _sse_chunk_unref);
  self->head_offset = 0;
  self->queued = 0;
}

static void
stop_waiting (SseServerOutput *self)
{
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }
}

static void
cancel_tasks (SseServerOutput *self)
{
  _sse_scheduler_cancel (self->scheduler, &self->flush_task);
  _sse_scheduler_cancel (self->scheduler, &self->heartbeat_task);
  _sse_scheduler_cancel (self->scheduler, &self->backlog_task);
}

void
_sse_server_output_unref (SseServerOutput *self)
{
  if (!g_ref_count_dec (&self->ref_count))
    return;

  g_assert (self->state == STATE_CLOSED);
  cancel_tasks (self);
  stop_waiting (self);
  clear_queue (self);
  if (self->msg != NULL)
    g_signal_handlers_disconnect_by_data (self->msg, self);
  g_clear_object (&self->msg);
  g_clear_object (&self->iostream);
  g_clear_object (&self->socket);
  g_clear_pointer (&self->waiters, g_array_unref);
  g_free (self->remote_host);
  _sse_scheduler_unref (self->scheduler);
  g_main_context_unref (self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SseServerOutput, _sse_server_output_unref)

/* The connection is closed: tell whoever waits, and drop the reference
 * that the open connection held. */
static void
finish (SseServerOutput *self)
{
  g_autoptr(GArray) waiters = g_steal_pointer (&self->waiters);
  guint i;

  self->finished = TRUE;
  for (i = 0; waiters != NULL && i < waiters->len; i++)
    {
      Waiter *w = &g_array_index (waiters, Waiter, i);

      w->done (w->user_data);
    }
  _sse_server_output_unref (self);
}

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  finish (user_data);
}

/* Reads what the client sent after its request, so that closing the socket
 * does not answer with a reset (which can make the client lose what it
 * has not read yet). */
static void
discard_input (SseServerOutput *self)
{
  GInputStream *input = g_io_stream_get_input_stream (self->iostream);
  char buffer[1024];
  gssize n;

  if (!G_IS_POLLABLE_INPUT_STREAM (input))
    return;
  do
    n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input),
                                                  buffer, sizeof buffer, NULL, NULL);
  while (n > 0);
}

static void on_message_finished (SoupServerMessage *msg,
                                 SseServerOutput   *self);

/* Closes the connection: cleanly, after what was written (@abort FALSE), or
 * at once, dropping what waits. finish() follows, maybe later. */
static void
close_connection (SseServerOutput *self,
                  gboolean         abort)
{
  if (self->state == STATE_CLOSED)
    return;

  cancel_tasks (self);
  stop_waiting (self);
  clear_queue (self);
  self->want_more = FALSE;
  self->closing = TRUE;

  switch (self->state)
    {
    case STATE_HEADERS:
      /* libsoup writes the headers, then an empty body, and closes. */
      self->state = STATE_CLOSED;
      g_signal_handlers_disconnect_by_data (self->msg, self);
      soup_message_body_complete (soup_server_message_get_response_body (self->msg));
      finish (self);
      break;

    case STATE_STREAM:
      self->state = STATE_CLOSED;
      /* A clean end of a plain connection is the FIN after the last
       * byte (TLS sends its close_notify first, when it is closed); an
       * aborted one must not wait (a close_notify into a full socket
       * would). */
      if (self->socket != NULL && (abort || G_IS_SOCKET_CONNECTION (self->iostream)))
        g_socket_shutdown (self->socket, abort, TRUE, NULL);
      if (!abort && G_IS_SOCKET_CONNECTION (self->iostream))
        discard_input (self);
      g_io_stream_close_async (self->iostream, G_PRIORITY_DEFAULT, NULL, on_stream_closed, self);
      break;

    case STATE_CLOSED:
    default:
      g_assert_not_reached ();
    }
}

/* The connection broke or the client is too slow: close it and tell the
 * stream (unless it closed first). */
static void
fail (SseServerOutput *self,
      const GError    *error)
{
  SseServerStream *owner = self->owner;

  if (self->state == STATE_CLOSED)
    return;

  output_ref (self);
  close_connection (self, TRUE);
  if (owner != NULL)
    _sse_server_stream_output_failed (owner, error);
  _sse_server_output_unref (self);
}

static void
fail_client_gone (SseServerOutput *self)
{
  g_autoptr(GError) error = NULL;

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               _("The client closed the connection"));
  fail (self, error);
}

/* Writing --------------------------------------------------------------- */

static void flush (SseServerOutput *self);

static gboolean
on_writable (GObject  *stream,
             gpointer  user_data)
{
  SseServerOutput *self = user_data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  flush (self);
  return G_SOURCE_REMOVE;
}

static void
wait_writable (SseServerOutput *self)
{
  if (self->wait_source != NULL)
    return;

  self->wait_source = g_pollable_output_stream_create_source (self->ostream, NULL);
  g_source_set_callback (self->wait_source, G_SOURCE_FUNC (on_writable), self, NULL);
  g_source_set_static_name (self->wait_source, "[sse-glib] client's socket writable");
  g_source_attach (self->wait_source, self->context);
}

/* @n bytes of the queue were written. */
static void
consume (SseServerOutput *self,
         gsize            n)
{
  self->written += n;
  self->queued -= n;

  while (n > 0)
    {
      SseChunk *head = g_queue_peek_head (&self->queue);
      gsize left = chunk_size (head) - self->head_offset;

      if (n < left)
        {
          self->head_offset += n;
          return;
        }
      n -= left;
      self->head_offset = 0;
      _sse_chunk_unref (g_queue_pop_head (&self->queue));
    }
}

/* Asks the owner's feeder for more when little waits. FALSE if the output
 * closed meanwhile. */
static gboolean
feed (SseServerOutput *self)
{
  if (self->want_more && !self->closing && self->owner != NULL && self->queued < LOW_WATER)
    {
      if (!_sse_server_stream_output_need_more (self->owner))
        self->want_more = FALSE;
    }
  return self->state != STATE_CLOSED;
}

static void
flush_stream (SseServerOutput *self)
{
  gsize budget = WRITE_BUDGET;

  for (;;)
    {
      GOutputVector vectors[MAX_VECTORS];
      g_autoptr(GError) error = NULL;
      GPollableReturn ret;
      gsize n = 0, written = 0, total = 0;
      GList *l;

      if (!feed (self))
        return;
      if (self->queue.length == 0)
        break;
      if (budget == 0)
        {
          _sse_scheduler_run_soon (self->scheduler, &self->flush_task);
          return;
        }

      for (l = self->queue.head; l != NULL && n < MAX_VECTORS && total < budget; l = l->next)
        {
          SseChunk *chunk = l->data;
          gsize offset = l == self->queue.head ? self->head_offset : 0;

          vectors[n].buffer = (const guint8 *) g_bytes_get_data (chunk->bytes, NULL) + offset;
          vectors[n].size = chunk_size (chunk) - offset;
          total += vectors[n].size;
          n++;
        }

      ret = g_pollable_output_stream_writev_nonblocking (self->ostream, vectors, n, &written,
                                                         NULL, &error);
      if (ret == G_POLLABLE_RETURN_WOULD_BLOCK)
        {
          wait_writable (self);
          return;
        }
      if (ret == G_POLLABLE_RETURN_FAILED)
        {
          fail_client_gone (self);
          return;
        }
      consume (self, written);
      budget -= MIN (budget, written);
    }

  if (self->closing)
    close_connection (self, FALSE);
}

static void
flush (SseServerOutput *self)
{
  g_autoptr(SseServerOutput) hold = output_ref (self);

  self->flushing = TRUE;
  if (self->state == STATE_STREAM)
    flush_stream (self);
  self->flushing = FALSE;
}

static void
flush_task (gpointer user_data)
{
  flush (user_data);
}

/* Slow clients ------------------------------------------------------------- */

/* Drops the oldest events waiting (not one being written, nor a retry: or
 * a notice) until no more than half the limit waits, and puts the owner's
 * notice of the loss in their place. */
static void
drop_oldest (SseServerOutput *self)
{
  g_autoptr(SseChunk) last_with_id = NULL;
  guint64 target = _sse_backlog_drop_target (self->max_queued);
  GList *first, *l, *next;
  guint n_events = 0;

  first = self->queue.head;
  if (first != NULL && self->head_offset > 0)
    first = first->next;

  for (l = first; l != NULL && self->queued > target; l = next)
    {
      SseChunk *chunk = l->data;

      next = l->next;
      if (chunk->flags & SSE_CHUNK_KEEP)
        continue;
      if (chunk->flags & SSE_CHUNK_EVENT)
        {
          n_events++;
          if (chunk->id != NULL)
            {
              g_clear_pointer (&last_with_id, _sse_chunk_unref);
              last_with_id = _sse_chunk_ref (chunk);
            }
        }
      self->queued -= chunk_size (chunk);
      g_queue_delete_link (&self->queue, l);
      _sse_chunk_unref (chunk);
    }

  if (n_events > 0 && self->owner != NULL)
    {
      g_autoptr(SseChunk) notice = NULL;

      notice = _sse_server_stream_output_dropped (self->owner, n_events,
                                                  last_with_id ? last_with_id->id : NULL);
      if (notice != NULL && self->state != STATE_CLOSED)
        {
          /* Where the dropped events were: after the one being written. */
          if (self->queue.head != NULL && self->head_offset > 0)
            g_queue_insert_after (&self->queue, self->queue.head, _sse_chunk_ref (notice));
          else
            g_queue_push_head (&self->queue, _sse_chunk_ref (notice));
          self->queued += chunk_size (notice);
        }
    }
}

static void check_backlog (SseServerOutput *self);

static void
too_slow (SseServerOutput *self)
{
  g_autoptr(SseServerOutput) hold = output_ref (self);

  /* The application hears of it first: it may close the stream, or
   * change its mind about the policy. */
  if (self->owner != NULL)
    _sse_server_stream_output_too_slow (self->owner, self->queued);
  if (self->state == STATE_CLOSED || self->closing)
    return;

  if (self->policy == SSE_SLOW_CLIENT_DROP_OLDEST)
    {
      drop_oldest (self);
      self->backlog.since = 0;
      if (self->state != STATE_CLOSED)
        check_backlog (self);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *limit = g_format_size_full (self->max_queued, G_FORMAT_SIZE_IEC_UNITS);

      error = g_error_new (SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW,
                           _("The client %s did not read its events fast enough (more than %s "
                             "were waiting) and was disconnected"),
                           self->remote_host ? self->remote_host : "?", limit);
      fail (self, error);
    }
}

/* Looks at what waits, and arms the next look when it is over the limit. */
static void
check_backlog (SseServerOutput *self)
{
  gint64 recheck;

  switch (_sse_backlog_check (&self->backlog, self->queued, self->max_queued,
                              (gint64) self->slow_timeout * 1000, g_get_monotonic_time (),
                              &recheck))
    {
    case SSE_BACKLOG_FINE:
      _sse_scheduler_cancel (self->scheduler, &self->backlog_task);
      break;

    case SSE_BACKLOG_WATCH:
      if (!_sse_task_is_scheduled (&self->backlog_task))
        _sse_scheduler_run_after (self->scheduler, &self->backlog_task, self->slow_timeout);
      break;

    case SSE_BACKLOG_TOO_SLOW:
    default:
      _sse_scheduler_cancel (self->scheduler, &self->backlog_task);
      too_slow (self);
      break;
    }
}

static void
arm_drain_watch (SseServerOutput *self)
{
  self->drain_mark = self->written;
  _sse_scheduler_run_after (self->scheduler, &self->backlog_task,
                            MAX (self->slow_timeout, MIN_DRAIN_WAIT_MS));
}

static void
backlog_task (gpointer user_data)
{
  SseServerOutput *self = user_data;

  if (self->state == STATE_CLOSED)
    return;

  /* Draining: a client that took nothing for a whole wait is let go. */
  if (self->closing)
    {
      if (self->written == self->drain_mark)
        close_connection (self, TRUE);
      else
        arm_drain_watch (self);
      return;
    }

  check_backlog (self);
}

/* Heartbeats ------------------------------------------------------------------ */

static void
heartbeat_task (gpointer user_data)
{
  SseServerOutput *self = user_data;
  gint64 quiet = g_get_monotonic_time () - self->last_push;

  if (self->state == STATE_CLOSED || self->closing || self->heartbeat_interval == 0)
    return;

  /* Only a stream that was quiet for a whole interval needs one. */
  if (quiet >= (gint64) self->heartbeat_interval * 1000 - 1000)
    _sse_server_output_push (self, heartbeat_chunk ());
  if (self->state != STATE_CLOSED && !self->closing)
    _sse_scheduler_run_after (self->scheduler, &self->heartbeat_task, self->heartbeat_interval);
}

/* The message --------------------------------------------------------------- */

static void
on_message_finished (SoupServerMessage *msg,
                     SseServerOutput   *self)
{
  g_signal_handlers_disconnect_by_data (msg, self);

  /* libsoup is done with the message before the headers were out: the
   * client went away. */
  fail_client_gone (self);
}

/* Enables TCP_NODELAY: the output already gathers what one iteration sent
 * into one write, and an event should not wait for the client's ACK of the
 * previous one. */
static void
set_no_delay (GSocket *socket)
{
  if (g_socket_get_protocol (socket) == G_SOCKET_PROTOCOL_TCP)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

/* What was pushed before the headers were out goes now (and a stream
 * closed meanwhile drains). */
static void
start_writing (SseServerOutput *self)
{
  if (self->closing && self->queued > 0)
    arm_drain_watch (self);
  _sse_scheduler_run_soon (self->scheduler, &self->flush_task);
}

/* The headers are out: take the connection over. */
static void
on_wrote_headers (SoupServerMessage *msg,
                  SseServerOutput   *self)
{
  g_autoptr(GIOStream) stolen = NULL;
  GIOStream *base = NULL;
  GSocket *socket;

  g_signal_handlers_disconnect_by_data (msg, self);
  stolen = soup_server_message_steal_connection (msg);
  g_clear_object (&self->msg);
  /* The stream lets go of the message too: libsoup's objects for it are
   * most of what an idle client would cost (bench/README.md). */
  if (self->owner != NULL)
    _sse_server_stream_output_took_over (self->owner);
  if (stolen == NULL)
    {
      fail_client_gone (self);
      return;
    }

  /* libsoup's own stream wraps the connection with a buffer for reading
   * requests: keep the connection only. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (stolen), "base-iostream") != NULL)
    g_object_get (stolen, "base-iostream", &base, NULL);
  self->iostream = G_IS_IO_STREAM (base) ? base : g_object_ref (stolen);
  socket = g_object_get_data (G_OBJECT (stolen), "GSocket");
  if (socket == NULL && G_IS_SOCKET_CONNECTION (self->iostream))
    socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->iostream));
  if (socket != NULL)
    {
      self->socket = g_object_ref (socket);
      set_no_delay (socket);
    }
  self->ostream = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->iostream));
  self->state = STATE_STREAM;
  start_writing (self);
}

/* API ------------------------------------------------------------------------ */

SseServerOutput *
_sse_server_output_new (SoupServerMessage *msg,
                        SseServerStream   *owner)
{
  SseServerOutput *self = g_new0 (SseServerOutput, 1);

  /* One reference for the stream, one for the open connection. */
  g_ref_count_init (&self->ref_count);
  g_ref_count_inc (&self->ref_count);

  self->owner = owner;
  self->context = g_main_context_ref_thread_default ();
  self->scheduler = _sse_scheduler_get (self->context);
  self->msg = g_object_ref (msg);
  self->remote_host = g_strdup (soup_server_message_get_remote_host (msg));
  self->state = STATE_HEADERS;
  self->last_push = g_get_monotonic_time ();
  self->max_queued = SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;
  self->slow_timeout = SSE_SERVER_STREAM_DEFAULT_SLOW_CLIENT_TIMEOUT;
  self->policy = SSE_SLOW_CLIENT_DISCONNECT;
  g_queue_init (&self->queue);
  _sse_task_init (&self->flush_task, flush_task, self);
  _sse_task_init (&self->heartbeat_task, heartbeat_task, self);
  _sse_task_init (&self->backlog_task, backlog_task, self);

  g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_wrote_headers), self);
  g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), self);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_message_finished), self);

  return self;
}

/* The stream lets go: the output finishes its work alone. */
void
_sse_server_output_detach (SseServerOutput *self)
{
  self->owner = NULL;
  self->want_more = FALSE;
}

/* Queues @chunk; it is written in the next iteration of the context, with
 * whatever else was pushed meanwhile. */
void
_sse_server_output_push (SseServerOutput *self,
                         SseChunk        *chunk)
{
  if (self->state == STATE_CLOSED || self->closing || chunk_size (chunk) == 0)
    return;

  g_queue_push_tail (&self->queue, _sse_chunk_ref (chunk));
  self->queued += chunk_size (chunk);
  self->last_push = g_get_monotonic_time ();

  /* A socket that is full says when it takes more. */
  if (!self->flushing && self->wait_source == NULL)
    _sse_scheduler_run_soon (self->scheduler, &self->flush_task);

  /* Over the limit: looked at in the next iteration, once whatever else
   * this one sends is queued too (a burst is judged by how the client
   * takes all of it, not by its first part). */
  if (self->max_queued != 0 && self->queued > self->max_queued &&
      !_sse_task_is_scheduled (&self->backlog_task))
    _sse_scheduler_run_soon (self->scheduler, &self->backlog_task);
}

/* The owner has more to send than it queued (a replay): it is asked with
 * _sse_server_stream_output_need_more() whenever the client took most of
 * what waits, until it says that it is done. */
void
_sse_server_output_want_more (SseServerOutput *self,
                              gboolean         want_more)
{
  self->want_more = want_more && self->state != STATE_CLOSED && !self->closing;
  if (self->want_more)
    _sse_scheduler_run_soon (self->scheduler, &self->flush_task);
}

guint64
_sse_server_output_get_queued (SseServerOutput *self)
{
  return self->queued;
}

const char *
_sse_server_output_get_remote_host (SseServerOutput *self)
{
  return self->remote_host;
}

void
_sse_server_output_set_heartbeat (SseServerOutput *self,
                                  guint            milliseconds)
{
  self->heartbeat_interval = milliseconds;
  if (milliseconds == 0 || self->state == STATE_CLOSED || self->closing)
    _sse_scheduler_cancel (self->scheduler, &self->heartbeat_task);
  else
    _sse_scheduler_run_after (self->scheduler, &self->heartbeat_task, milliseconds);
}

void
_sse_server_output_set_limits (SseServerOutput     *self,
                               guint64              max_queued,
                               guint                timeout_ms,
                               SseSlowClientPolicy  policy)
{
  gboolean timeout_changed = self->slow_timeout != timeout_ms;

  self->max_queued = max_queued;
  self->slow_timeout = timeout_ms;
  self->policy = policy;

  if (self->state == STATE_CLOSED || self->closing)
    return;
  if (timeout_changed)
    {
      _sse_scheduler_cancel (self->scheduler, &self->backlog_task);
      self->backlog.since = 0;
    }
  check_backlog (self);
}

/* No more pushes: what waits is written, then the connection is closed.
 * @done (if not NULL) runs when it is, or at once if it already is. A
 * client that takes nothing for slow-client-timeout (at least 100 ms) is
 * let go. */
void
_sse_server_output_close (SseServerOutput     *self,
                          SseServerOutputDone  done,
                          gpointer             user_data)
{
  if (done != NULL && self->finished)
    {
      done (user_data);
    }
  else if (done != NULL)
    {
      Waiter w = { done, user_data };

      if (self->waiters == NULL)
        self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
      g_array_append_val (self->waiters, w);
    }

  if (self->state == STATE_CLOSED || self->closing)
    return;

  self->closing = TRUE;
  self->want_more = FALSE;
  _sse_scheduler_cancel (self->scheduler, &self->heartbeat_task);

  if (self->state == STATE_HEADERS)
    return;   /* flushed and closed once the headers are out */

  if (self->queued > 0)
    arm_drain_watch (self);
  _sse_scheduler_run_soon (self->scheduler, &self->flush_task);
}

/* Closes at once, dropping what waits. */
void
_sse_server_output_abort (SseServerOutput *self)
{
  close_connection (self, TRUE);
}
