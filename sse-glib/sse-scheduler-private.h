/* sse-scheduler-private.h: the deferred work of many server streams, run by
 * one GSource per main context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A server with 10,000 clients would have 10,000 heartbeat timers and, after
 * each broadcast, 10,000 idle sources to write: GLib walks every source of
 * a context in every iteration, so each iteration would cost O(clients)
 * even when almost every client is idle. Instead each stream embeds
 * SseTasks, and one SseScheduler per main context runs them:
 *
 * - _sse_scheduler_run_soon(): in the next iteration (writing what a send
 *   queued, so that the sends of one iteration go out together);
 * - _sse_scheduler_run_after(): after a delay. The timers of one delay form
 *   a FIFO (each is due at the time it was armed plus the delay, and time
 *   only goes forward), so arming, cancelling and running one is O(1), and
 *   the source wakes up only for the earliest of them.
 *
 * A task is in at most one queue at a time: scheduling it again moves it.
 * Everything happens in the thread that owns the context.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SseScheduler SseScheduler;
typedef struct _SseTask      SseTask;

typedef void (*SseTaskFunc) (gpointer user_data);

struct _SseTask
{
  /*< private >*/
  GList        link;      /* in the queue of @queue; link.data is the task */
  GQueue      *queue;     /* NULL when not scheduled */
  gint64       due;       /* monotonic µs, for timers */
  SseTaskFunc  func;
  gpointer     user_data;
};

SseScheduler *_sse_scheduler_get       (GMainContext *context);
SseScheduler *_sse_scheduler_ref       (SseScheduler *self);
void          _sse_scheduler_unref     (SseScheduler *self);

void          _sse_task_init           (SseTask      *task,
                                        SseTaskFunc   func,
                                        gpointer      user_data);
gboolean      _sse_task_is_scheduled   (SseTask      *task);

void          _sse_scheduler_run_soon  (SseScheduler *self,
                                        SseTask      *task);
void          _sse_scheduler_run_after (SseScheduler *self,
                                        SseTask      *task,
                                        guint         milliseconds);
void          _sse_scheduler_cancel    (SseScheduler *self,
                                        SseTask      *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SseScheduler, _sse_scheduler_unref)

G_END_DECLS
