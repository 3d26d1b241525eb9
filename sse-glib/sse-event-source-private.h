/* sse-event-source-private.h: SseEventSource's instance, for the units that
 * run it, and its test hooks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sse-event-private.h"
#include "sse-event-queue-private.h"
#include "sse-event-source.h"
#include "sse-network-watch-private.h"
#include "sse-parser.h"
#include "sse-reconnect-private.h"
#include "sse-request-private.h"
#include "sse-signal-private.h"

G_BEGIN_DECLS

typedef struct _SseAttempt SseAttempt;

struct _SseEventSource
{
  GObject              parent_instance;

  GMainContext        *context;
  SoupSession         *session;
  SseParser           *parser;
  SseRequest           request;
  SoupMessage         *template_msg;   /* only until constructed */

  /* State */
  SseStatus            status;
  SseAttempt          *attempt;        /* from CONNECTING to the wait after it */
  GSource             *reconnect_timer;
  SseReconnectCount    count;          /* reconnect-attempt and the counted ones */
  SseReconnectRequest  next_request;   /* what the next attempt sends */
  SoupMessage         *last_response;  /* of the current or last attempt */
  GBytes              *last_response_body;
  guint                reconnect_delay;
  GString             *last_event_id;  /* as last notified */

  /* Settings */
  guint                reconnection_time;
  guint                max_reconnection_time;
  gint                 max_reconnect_attempts;
  guint                connect_timeout;
  guint                read_timeout;
  guint                healthy_time;
  gboolean             retry_on_server_error;
  SseReconnectMode     reconnect_mode;

  SseBackoffFunc       backoff_func;
  gpointer             backoff_data;
  GDestroyNotify       backoff_destroy;

  /* Network awareness */
  GNetworkMonitor     *monitor;
  SseNetworkWatch     *watch;          /* from open() to close() */
  gboolean             network_available;

  /* Cache for the detail of the "event" signal */
  SseEventEmitter      emitter;

  /* Events kept for sse_event_source_next_event_async() */
  SseEventQueue        queue;
};

typedef enum {
  PROP_0,
  PROP_SESSION,
  PROP_URL,
  PROP_MESSAGE,
  PROP_STATUS,
  PROP_LAST_EVENT_ID,
  PROP_RECONNECTION_TIME,
  PROP_MAX_RECONNECTION_TIME,
  PROP_RECONNECT_ATTEMPT,
  PROP_RECONNECT_DELAY,
  PROP_MAX_RECONNECT_ATTEMPTS,
  PROP_CONNECT_TIMEOUT,
  PROP_READ_TIMEOUT,
  PROP_MAX_EVENT_SIZE,
  PROP_RETRY_ON_SERVER_ERROR,
  PROP_RECONNECT_MODE,
  PROP_MAX_QUEUED_BYTES,
  N_PROPS
} SseEventSourceProperty;

typedef enum {
  SIGNAL_EVENT,
  SIGNAL_COMMENT,
  SIGNAL_ERROR,
  SIGNAL_PREPARE_REQUEST,
  N_SIGNALS
} SseEventSourceSignal;

extern GParamSpec *_sse_event_source_properties[N_PROPS];
extern guint _sse_event_source_signals[N_SIGNALS];

/* Sets the status and notifies it, when it changes. */
void  _sse_event_source_set_status            (SseEventSource  *self,
                                               SseStatus        status);
/* Emits "error". */
void  _sse_event_source_emit_error            (SseEventSource  *self,
                                               const GError    *error);
/* Notifies last-event-id when the stream changed it to @id. */
void  _sse_event_source_sync_last_event_id    (SseEventSource  *self,
                                               const char      *id,
                                               gsize            len);

/* Test hooks ---------------------------------------------------------------- */

/* Replaces the network monitor the source listens to (the default one
 * otherwise), so that tests can say when the network goes and comes back.
 * Call it before sse_event_source_open(). */
void  _sse_event_source_set_network_monitor (SseEventSource  *self,
                                             GNetworkMonitor *monitor);

/* Replaces SSE_EVENT_SOURCE_HEALTHY_TIME for this source, so that tests of
 * the counter reset need not wait 5 s. */
void  _sse_event_source_set_healthy_time    (SseEventSource  *self,
                                             guint            milliseconds);

/* The source's parser, for tests of the memory it holds
 * (_sse_parser_get_memory_held()). */
SseParser *_sse_event_source_get_parser   (SseEventSource  *self);

G_END_DECLS
