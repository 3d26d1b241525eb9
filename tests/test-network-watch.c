/* test-network-watch.c: the network monitor's news, carried to a context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A monitor may tell in any thread; the watch calls its function in the
 * thread of its context, and never after it was freed, not even for news
 * already on its way.
 */

#include "config.h"

#include "sse-network-watch-private.h"
#include "test-network-monitor.h"

typedef struct {
  GThread  *thread;       /* where the calls must come */
  GPtrArray *news;        /* GINT_TO_POINTER (available) per call */
  gboolean  wrong_thread;
} Calls;

static void
record (gpointer user_data,
        gboolean available)
{
  Calls *calls = user_data;

  if (g_thread_self () != calls->thread)
    calls->wrong_thread = TRUE;
  g_ptr_array_add (calls->news, GINT_TO_POINTER (available));
}

static gpointer
tell_from_thread (gpointer data)
{
  TestNetworkMonitor *monitor = data;

  test_network_monitor_set_available (monitor, FALSE);
  test_network_monitor_set_available (monitor, TRUE);
  return NULL;
}

static void
test_other_thread (void)
{
  g_autoptr(TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  GMainContext *context = g_main_context_default ();
  Calls calls = { g_thread_self (), g_ptr_array_new (), FALSE };
  SseNetworkWatch *watch;
  GThread *thread;

  watch = _sse_network_watch_new (G_NETWORK_MONITOR (monitor), context, record, &calls);
  thread = g_thread_new ("monitor", tell_from_thread, monitor);
  g_thread_join (thread);

  /* Nothing yet: the news waits for the context. */
  g_assert_cmpuint (calls.news->len, ==, 0);
  while (calls.news->len < 2)
    g_main_context_iteration (context, TRUE);
  g_assert_false (calls.wrong_thread);
  g_assert_false (GPOINTER_TO_INT (g_ptr_array_index (calls.news, 0)));
  g_assert_true (GPOINTER_TO_INT (g_ptr_array_index (calls.news, 1)));

  _sse_network_watch_free (watch);
  g_ptr_array_unref (calls.news);
}

static void
test_free_drops_news (void)
{
  g_autoptr(TestNetworkMonitor) monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  GMainContext *context = g_main_context_default ();
  Calls calls = { g_thread_self (), g_ptr_array_new (), FALSE };
  SseNetworkWatch *watch;

  /* News on its way when the watch is freed is not delivered, and news
   * after it is not even sent. */
  watch = _sse_network_watch_new (G_NETWORK_MONITOR (monitor), context, record, &calls);
  test_network_monitor_set_available (monitor, FALSE);
  _sse_network_watch_free (watch);
  test_network_monitor_set_available (monitor, TRUE);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_cmpuint (calls.news->len, ==, 0);
  g_assert_false (g_signal_has_handler_pending (monitor,
                                                g_signal_lookup ("network-changed",
                                                                 G_TYPE_NETWORK_MONITOR),
                                                0, FALSE));
  g_ptr_array_unref (calls.news);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/network-watch/other-thread", test_other_thread);
  g_test_add_func ("/network-watch/free-drops-news", test_free_drops_news);

  return g_test_run ();
}
