/* test-network-monitor.h: a GNetworkMonitor that the tests and the client
 * fuzzer control
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The machine's own monitor may say anything, and reports a change when it
 * starts; this one says the network is available (full connectivity, not
 * metered) until told otherwise, and says nothing on its own. Give it to a
 * source with _sse_event_source_set_network_monitor().
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TEST_TYPE_NETWORK_MONITOR (test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestNetworkMonitor, test_network_monitor, TEST, NETWORK_MONITOR, GObject)

struct _TestNetworkMonitor
{
  GObject  parent_instance;

  /* What "network-available" says, TRUE at first. Setting it here changes
   * the answer without telling anyone, as a network that went away before
   * the monitor noticed. */
  gboolean available;
};

/* Sets "network-available" (and "connectivity": full or local) and tells:
 * notify::network-available, then GNetworkMonitor::network-changed. */
void test_network_monitor_set_available (TestNetworkMonitor *self,
                                         gboolean            available);

G_END_DECLS
