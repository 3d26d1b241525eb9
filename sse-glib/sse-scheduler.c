/* sse-scheduler.c: the deferred work of many server streams, run by one
 * GSource per main context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-scheduler-private.h"

/* The timers armed with one delay, earliest first. */
typedef struct {
  guint  milliseconds;
  GQueue tasks;
} Lane;

struct _SseScheduler
{
  guint         ref_count;      /* under schedulers_lock */
  GMainContext *context;        /* the key in the table; the source refs it */
  GSource      *source;
  gint64        ready_time;     /* what the source was last told, -1: never */
  GQueue        soon;
  GPtrArray    *lanes;          /* Lane */
};

typedef struct {
  GSource       source;
  SseScheduler *scheduler;
} SchedulerSource;

/* One scheduler per context, shared by every stream of that context. */
static GMutex schedulers_lock;
static GHashTable *schedulers;

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  g_warn_if_fail (lane->tasks.length == 0);
  g_free (lane);
}

static void
set_ready_time (SseScheduler *self,
                gint64        ready_time)
{
  /* GLib wakes the context up on every change: only tell it what moved. */
  if (self->ready_time == ready_time)
    return;
  self->ready_time = ready_time;
  g_source_set_ready_time (self->source, ready_time);
}

static void
update_ready_time (SseScheduler *self)
{
  gint64 earliest = -1;
  guint i;

  if (self->soon.length > 0)
    {
      set_ready_time (self, 0);
      return;
    }

  for (i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);
      SseTask *head = g_queue_peek_head (&lane->tasks);

      if (head != NULL && (earliest < 0 || head->due < earliest))
        earliest = head->due;
    }
  set_ready_time (self, earliest);
}

/* Moves every task of @from that is due at @now to the end of @to. */
static void
take_due (GQueue *from,
          GQueue *to,
          gint64  now)
{
  GList *link;

  while ((link = g_queue_peek_head_link (from)) != NULL &&
         ((SseTask *) link->data)->due <= now)
    {
      g_queue_unlink (from, link);
      g_queue_push_tail_link (to, link);
      ((SseTask *) link->data)->queue = to;
    }
}

static gboolean
scheduler_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  SseScheduler *self = _sse_scheduler_ref (((SchedulerSource *) source)->scheduler);
  GQueue batch = G_QUEUE_INIT;
  gint64 now = g_get_monotonic_time ();
  GList *link;
  guint i;

  /* The source fires once for what is ready now. Tasks that schedule
   * themselves again while they run go to the scheduler's queues, not to
   * @batch: they run in a later iteration. The source's ready time is set
   * right at the end. */
  take_due (&self->soon, &batch, G_MAXINT64);
  for (i = 0; i < self->lanes->len; i++)
    take_due (&((Lane *) g_ptr_array_index (self->lanes, i))->tasks, &batch, now);

  /* A task may cancel another one of the batch, or free the stream that
   * holds it: each is taken out before it runs. */
  while ((link = g_queue_pop_head_link (&batch)) != NULL)
    {
      SseTask *task = link->data;

      task->queue = NULL;
      task->func (task->user_data);
    }

  /* Forget the delays nobody waits for. */
  for (i = self->lanes->len; i > 0; i--)
    if (((Lane *) g_ptr_array_index (self->lanes, i - 1))->tasks.length == 0)
      g_ptr_array_remove_index_fast (self->lanes, i - 1);

  update_ready_time (self);
  _sse_scheduler_unref (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs scheduler_funcs = {
  NULL, NULL, scheduler_dispatch, NULL, NULL, NULL,
};

/* The scheduler of @context, made when it has none. */
SseScheduler *
_sse_scheduler_get (GMainContext *context)
{
  SseScheduler *self;

  g_mutex_lock (&schedulers_lock);
  if (schedulers == NULL)
    schedulers = g_hash_table_new (NULL, NULL);

  self = g_hash_table_lookup (schedulers, context);
  if (self != NULL)
    {
      self->ref_count++;
      g_mutex_unlock (&schedulers_lock);
      return self;
    }

  self = g_new0 (SseScheduler, 1);
  self->ref_count = 1;
  self->context = context;
  self->ready_time = -1;
  self->lanes = g_ptr_array_new_with_free_func (lane_free);
  g_queue_init (&self->soon);
  self->source = g_source_new (&scheduler_funcs, sizeof (SchedulerSource));
  ((SchedulerSource *) self->source)->scheduler = self;
  g_source_set_static_name (self->source, "[sse-glib] server streams");
  g_source_attach (self->source, context);
  g_hash_table_insert (schedulers, context, self);
  g_mutex_unlock (&schedulers_lock);

  return self;
}

SseScheduler *
_sse_scheduler_ref (SseScheduler *self)
{
  g_mutex_lock (&schedulers_lock);
  self->ref_count++;
  g_mutex_unlock (&schedulers_lock);
  return self;
}

void
_sse_scheduler_unref (SseScheduler *self)
{
  g_mutex_lock (&schedulers_lock);
  if (--self->ref_count > 0)
    {
      g_mutex_unlock (&schedulers_lock);
      return;
    }
  g_hash_table_remove (schedulers, self->context);
  if (g_hash_table_size (schedulers) == 0)
    g_clear_pointer (&schedulers, g_hash_table_unref);
  g_mutex_unlock (&schedulers_lock);

  /* Whoever held a task released the scheduler after cancelling it. */
  g_warn_if_fail (self->soon.length == 0);
  ((SchedulerSource *) self->source)->scheduler = NULL;
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_ptr_array_unref (self->lanes);
  g_free (self);
}

void
_sse_task_init (SseTask     *task,
                SseTaskFunc  func,
                gpointer     user_data)
{
  task->link.data = task;
  task->link.prev = task->link.next = NULL;
  task->queue = NULL;
  task->due = 0;
  task->func = func;
  task->user_data = user_data;
}

gboolean
_sse_task_is_scheduled (SseTask *task)
{
  return task->queue != NULL;
}

void
_sse_scheduler_cancel (SseScheduler *self,
                       SseTask      *task)
{
  if (task->queue == NULL)
    return;

  /* The source may wake up for nothing; it sets its time right then. */
  g_queue_unlink (task->queue, &task->link);
  task->queue = NULL;
}

/* Runs @task in the next iteration of the context (once, however often
 * this is called before). */
void
_sse_scheduler_run_soon (SseScheduler *self,
                         SseTask      *task)
{
  if (task->queue == &self->soon)
    return;

  _sse_scheduler_cancel (self, task);
  g_queue_push_tail_link (&self->soon, &task->link);
  task->queue = &self->soon;
  set_ready_time (self, 0);
}

/* Runs @task once @milliseconds have passed from now (instead of when it
 * was scheduled for before). */
void
_sse_scheduler_run_after (SseScheduler *self,
                          SseTask      *task,
                          guint         milliseconds)
{
  Lane *lane = NULL;
  guint i;

  _sse_scheduler_cancel (self, task);

  for (i = 0; i < self->lanes->len; i++)
    {
      Lane *l = g_ptr_array_index (self->lanes, i);

      if (l->milliseconds == milliseconds)
        {
          lane = l;
          break;
        }
    }
  if (lane == NULL)
    {
      lane = g_new0 (Lane, 1);
      lane->milliseconds = milliseconds;
      g_queue_init (&lane->tasks);
      g_ptr_array_add (self->lanes, lane);
    }

  task->due = g_get_monotonic_time () + (gint64) milliseconds * 1000;
  g_queue_push_tail_link (&lane->tasks, &task->link);
  task->queue = &lane->tasks;

  if (self->ready_time < 0 || task->due < self->ready_time)
    set_ready_time (self, task->due);
}
