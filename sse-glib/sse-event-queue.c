/* sse-event-queue.c: pulling events from an event source, at the
 * consumer's pace
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Once pulled, a source keeps every event it emits for the pulls, in
 * order, up to a bound; when the bound is reached, it stops reading from
 * the socket (TCP then pushes back on the server) until the consumer has
 * taken half of what waits. As with any GIO call, a pull under way keeps
 * its source alive until its callback ran; close() and dispose complete
 * the pulls under way with no event.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "sse-attempt-private.h"
#include "sse-event-queue-private.h"

typedef struct {
  SseEventQueue *queue;
  GSource       *cancelled;   /* the pull's cancellable, in the source's context */
} Pull;

static void
pull_free (gpointer data)
{
  Pull *pull = data;

  if (pull->cancelled != NULL)
    {
      g_source_destroy (pull->cancelled);
      g_source_unref (pull->cancelled);
    }
  g_free (pull);
}

/* What an event kept costs beside its data, type and id: the SseEvent, its
 * allocation and the queue's link, rounded up. Counted so that a stream of
 * tiny events is bounded too. */
#define EVENT_OVERHEAD 192

static gsize
event_size (SseEvent *event)
{
  const char *type = sse_event_get_event_type (event);
  const char *id = sse_event_get_id (event);

  return EVENT_OVERHEAD + sse_event_get_data_length (event) +
         (type != NULL ? strlen (type) : 0) + (id != NULL ? strlen (id) : 0);
}

/* Returns @task's result, with no cancellation pending any more. */
static void
complete (GTask    *task,
          SseEvent *event,
          GError   *error)
{
  Pull *pull = g_task_get_task_data (task);

  if (pull->cancelled != NULL)
    {
      g_source_destroy (pull->cancelled);
      g_clear_pointer (&pull->cancelled, g_source_unref);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, event, (GDestroyNotify) sse_event_unref);
  g_object_unref (task);
}

/* What a pull past the last queued event gets once the source closed. */
static void
complete_closed (SseEventQueue *queue,
                 GTask         *task)
{
  complete (task, NULL, queue->error != NULL ? g_error_copy (queue->error) : NULL);
}

void
_sse_event_queue_init (SseEventQueue *queue)
{
  g_queue_init (&queue->events);
  g_queue_init (&queue->pulls);
  queue->max_bytes = SSE_EVENT_QUEUE_DEFAULT_MAX_BYTES;
}

void
_sse_event_queue_clear (SseEventQueue *queue)
{
  GTask *task;

  while ((task = g_queue_pop_head (&queue->pulls)) != NULL)
    complete (task, NULL, NULL);
  g_queue_clear_full (&queue->events, (GDestroyNotify) sse_event_unref);
  queue->bytes = 0;
  g_clear_error (&queue->error);
}

gboolean
_sse_event_queue_is_full (SseEventQueue *queue)
{
  return queue->paused;
}

/* Reading waits from a full queue until half of it was taken. */
static void
update_reading (SseEventSource *self)
{
  SseEventQueue *queue = &self->queue;
  gboolean paused = queue->paused;

  if (!paused && queue->active && queue->bytes > 0 && queue->bytes >= queue->max_bytes)
    paused = TRUE;
  else if (paused && queue->bytes <= queue->max_bytes / 2)
    paused = FALSE;

  if (paused == queue->paused)
    return;
  queue->paused = paused;
  if (self->attempt == NULL || self->attempt->reader == NULL)
    return;
  if (paused)
    _sse_stream_reader_pause (self->attempt->reader);
  else
    _sse_stream_reader_resume (self->attempt->reader);
}

void
_sse_event_queue_push (SseEventSource *self,
                       SseEvent       *event)
{
  SseEventQueue *queue = &self->queue;
  GTask *task = g_queue_pop_head (&queue->pulls);

  if (task != NULL)
    {
      complete (task, event, NULL);
      return;
    }

  g_queue_push_tail (&queue->events, event);
  queue->bytes += event_size (event);
  update_reading (self);
}

void
_sse_event_queue_opened (SseEventQueue *queue)
{
  queue->closed = FALSE;
  g_clear_error (&queue->error);
}

void
_sse_event_queue_failed (SseEventQueue *queue,
                         const GError  *error)
{
  g_clear_error (&queue->error);
  queue->error = g_error_copy (error);
}

void
_sse_event_queue_closed (SseEventQueue *queue)
{
  GTask *task;

  queue->closed = TRUE;
  /* The events queued are still to be pulled: only the pulls waiting
   * have nothing more to wait for. */
  while ((task = g_queue_pop_head (&queue->pulls)) != NULL)
    complete_closed (queue, task);
}

static gboolean
on_pull_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Pull *pull = g_task_get_task_data (task);

  /* Still waiting, or it would have no cancellation to wait for: no event
   * was given to it, so none is lost. */
  if (g_queue_remove (&pull->queue->pulls, task))
    complete (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               g_strerror (ECANCELED)));
  return G_SOURCE_REMOVE;
}

/**
 * sse_event_source_next_event_async:
 * @self: an event source
 * @cancellable: (nullable): to stop waiting
 * @callback: (scope async): called with the next event
 * @user_data: data for @callback
 *
 * Asks for the next event of the stream, in order: the oldest event the
 * source kept that no pull took yet, or the next one to come. Call
 * [method@Sse.EventSource.next_event_finish] from @callback to get it.
 *
 * From the first call on, the source keeps every event it emits for the
 * pulls, up to [property@Sse.EventSource:max-queued-bytes]; when that much
 * waits, it stops reading from the network until the consumer has taken
 * half of it, so that a consumer slower than the stream bounds the memory
 * and slows the server down, and loses nothing. A source that is never
 * pulled keeps nothing. Signals are emitted as always, before the event is
 * given to a pull; see the [Pulling events](pulling.html) guide.
 *
 * Cancelling @cancellable completes this call with %G_IO_ERROR_CANCELLED
 * unless it got its event already (a call made with a cancellable that is
 * cancelled already fails at once); either way no event is lost: the next
 * call gets it. As with any GIO call, a pull under way keeps the source
 * alive until its callback ran; [method@Sse.EventSource.close] completes
 * the pulls under way with no event.
 *
 * Since: 1.0
 */
void
sse_event_source_next_event_async (SseEventSource      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SseEventQueue *queue;
  g_autoptr(GTask) task = NULL;
  Pull *pull;
  SseEvent *event;

  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  queue = &self->queue;
  queue->active = TRUE;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sse_event_source_next_event_async);
  g_task_set_name (task, "[sse-glib] next event");
  /* An event given to a pull stays given, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  pull = g_new0 (Pull, 1);
  pull->queue = queue;
  g_task_set_task_data (task, pull, pull_free);

  /* As any GIO call: cancelled already, it fails (the event waiting stays
   * for the next pull). */
  if (g_cancellable_is_cancelled (cancellable))
    {
      complete (g_steal_pointer (&task), NULL,
                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, g_strerror (ECANCELED)));
      return;
    }

  event = g_queue_pop_head (&queue->events);
  if (event != NULL)
    {
      queue->bytes -= event_size (event);
      complete (g_steal_pointer (&task), event, NULL);
      update_reading (self);
      return;
    }

  if (queue->closed)
    {
      complete_closed (queue, g_steal_pointer (&task));
      return;
    }

  if (cancellable != NULL)
    {
      pull->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_static_name (pull->cancelled, "[sse-glib] pull cancelled");
      g_source_set_callback (pull->cancelled, (GSourceFunc) (void (*) (void)) on_pull_cancelled,
                             task, NULL);
      g_source_attach (pull->cancelled, self->context);
    }
  g_queue_push_tail (&queue->pulls, g_steal_pointer (&task));
}

/**
 * sse_event_source_next_event_finish:
 * @self: an event source
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Gets the event that [method@Sse.EventSource.next_event_async] asked for.
 *
 * Once the source is closed and every event it kept was taken, this
 * returns %NULL: with no error when the stream ended without a failure (a
 * one-shot stream's end, `204 No Content`, [method@Sse.EventSource.close],
 * the source disposed of), with the error when it failed, such as
 * %SSE_ERROR_HTTP_STATUS or %SSE_ERROR_TOO_MANY_ATTEMPTS. A source opened
 * again gives events again.
 *
 * Returns: (transfer full) (nullable): the next event, or %NULL at the end
 *
 * Since: 1.0
 */
SseEvent *
sse_event_source_next_event_finish (SseEventSource  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        sse_event_source_next_event_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sse_event_source_get_max_queued_bytes:
 * @self: an event source
 *
 * Gets [property@Sse.EventSource:max-queued-bytes].
 *
 * Returns: the bound, in bytes
 *
 * Since: 1.0
 */
guint64
sse_event_source_get_max_queued_bytes (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), 0);

  return self->queue.max_bytes;
}

/**
 * sse_event_source_set_max_queued_bytes:
 * @self: an event source
 * @max_bytes: the bound, in bytes
 *
 * Sets [property@Sse.EventSource:max-queued-bytes]. A larger bound lets a
 * source that waits for its consumer read again at once.
 *
 * Since: 1.0
 */
void
sse_event_source_set_max_queued_bytes (SseEventSource *self,
                                       guint64         max_bytes)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (max_bytes > 0);

  if (self->queue.max_bytes == max_bytes)
    return;

  self->queue.max_bytes = (gsize) MIN (max_bytes, (guint64) G_MAXSIZE);
  update_reading (self);
  g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_MAX_QUEUED_BYTES]);
}
