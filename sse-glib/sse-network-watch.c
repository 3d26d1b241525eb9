/* sse-network-watch.c: news of the network, in the right context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GNetworkMonitor may emit "network-changed" in another thread than the
 * one of the event source (GIO's netlink monitor emits in the thread that
 * made it, the first to ask for the default monitor). The watch carries the
 * news to the source's context in an idle source. It is reference-counted
 * across threads (the signal handler and each idle hold a reference), and
 * the flag that says whether it is still wanted is only read and written in
 * the source's thread.
 */

#include "config.h"

#include "sse-network-watch-private.h"

struct _SseNetworkWatch
{
  gatomicrefcount      ref_count;
  GNetworkMonitor     *monitor;
  gulong               handler;
  GMainContext        *context;
  SseNetworkWatchFunc  func;
  gpointer             user_data;
  gboolean             active;     /* only in @context's thread */
};

typedef struct {
  SseNetworkWatch *watch;
  gboolean         available;
} NetworkNews;

static SseNetworkWatch *
watch_ref (SseNetworkWatch *watch)
{
  g_atomic_ref_count_inc (&watch->ref_count);
  return watch;
}

static void
watch_unref (gpointer data)
{
  SseNetworkWatch *watch = data;

  if (!g_atomic_ref_count_dec (&watch->ref_count))
    return;

  g_object_unref (watch->monitor);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static void
watch_unref_closure (gpointer  data,
                     GClosure *closure)
{
  watch_unref (data);
}

static void
news_free (gpointer data)
{
  NetworkNews *news = data;

  watch_unref (news->watch);
  g_free (news);
}

static gboolean
news_cb (gpointer data)
{
  NetworkNews *news = data;

  if (news->watch->active)
    news->watch->func (news->watch->user_data, news->available);
  return G_SOURCE_REMOVE;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    SseNetworkWatch *watch)
{
  NetworkNews *news = g_new (NetworkNews, 1);
  GSource *idle = g_idle_source_new ();

  news->watch = watch_ref (watch);
  news->available = available;
  g_source_set_static_name (idle, "[sse-glib] network changed");
  g_source_set_callback (idle, news_cb, news, news_free);
  g_source_attach (idle, watch->context);
  g_source_unref (idle);
}

SseNetworkWatch *
_sse_network_watch_new (GNetworkMonitor     *monitor,
                        GMainContext        *context,
                        SseNetworkWatchFunc  func,
                        gpointer             user_data)
{
  SseNetworkWatch *watch = g_new0 (SseNetworkWatch, 1);

  g_atomic_ref_count_init (&watch->ref_count);
  watch->monitor = g_object_ref (monitor);
  watch->context = g_main_context_ref (context);
  watch->func = func;
  watch->user_data = user_data;
  watch->active = TRUE;
  watch->handler = g_signal_connect_data (monitor, "network-changed",
                                          G_CALLBACK (on_network_changed),
                                          watch_ref (watch), watch_unref_closure, 0);
  return watch;
}

void
_sse_network_watch_free (SseNetworkWatch *watch)
{
  watch->active = FALSE;
  g_clear_signal_handler (&watch->handler, watch->monitor);
  watch_unref (watch);
}
