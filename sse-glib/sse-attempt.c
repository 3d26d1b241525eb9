/* sse-attempt.c: one attempt of an event source, and what follows it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-attempt-private.h"
#include "sse-error.h"
#include "sse-http-private.h"
#include "sse-parser-private.h"
#include "sse-source-util-private.h"

/* The liveness check
 *
 * An attempt lasts from CONNECTING to the wait for the next one (or to
 * CLOSED): the HTTP exchange, then the stream. The source holds one
 * reference while it is the current attempt; every callback that may call
 * the application holds another for as long as it runs.
 *
 * Application code runs during every signal, every notification and the
 * backoff function, and may close the source, open it again, or drop its
 * last reference (which disposes of it at the end of the emission). All of
 * these detach the current attempt. So the code that emits holds no
 * reference on the source, holds one on its attempt, and after each
 * emission asks one question, _sse_attempt_still_wanted(), before it
 * touches the source again. */

/* Attempts ---------------------------------------------------------------- */

static SseAttempt *
attempt_new (SseEventSource *self)
{
  SseAttempt *attempt = g_new0 (SseAttempt, 1);

  g_ref_count_init (&attempt->ref_count);
  attempt->source = self;
  attempt->parser = g_object_ref (self->parser);
  return attempt;
}

static SseAttempt *
attempt_ref (SseAttempt *attempt)
{
  g_ref_count_inc (&attempt->ref_count);
  return attempt;
}

/* Stops the exchange or the reading, and forgets the partial event. */
static void
attempt_stop (SseAttempt *attempt)
{
  g_clear_pointer (&attempt->connect, _sse_connect_free);
  g_clear_pointer (&attempt->reader, _sse_stream_reader_free);
  g_clear_pointer (&attempt->failure, _sse_source_destroy);
  sse_parser_finish (attempt->parser);
}

static void
attempt_unref (SseAttempt *attempt)
{
  if (!g_ref_count_dec (&attempt->ref_count))
    return;

  g_assert (attempt->source == NULL);

  attempt_stop (attempt);
  g_clear_object (&attempt->parser);
  g_clear_object (&attempt->msg);
  g_clear_pointer (&attempt->origin, g_ref_string_release);
  g_clear_error (&attempt->failure_error);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SseAttempt, attempt_unref)

/* Ends the current attempt, if any, without a signal. */
static void
detach_attempt (SseEventSource *self)
{
  SseAttempt *attempt = g_steal_pointer (&self->attempt);

  if (attempt == NULL)
    return;

  attempt->source = NULL;
  attempt_stop (attempt);
  attempt_unref (attempt);
}

/* The parser's sink ------------------------------------------------------
 *
 * The parser is fed only by the current attempt's reader, which holds a
 * reference on the attempt (and so on the parser) during the feed; when a
 * handler detaches the attempt, the parser is finished and the feed stops
 * at once. */

static void
sink_event (gpointer              user_data,
            const SseEventFields *fields)
{
  SseEventSource *self = user_data;   /* no checked cast: once per event */
  SseAttempt *attempt = self->attempt;
  SseEventFields with_origin;
  SseEvent *event = NULL;

  _sse_event_source_sync_last_event_id (self, fields->last_event_id, fields->last_event_id_len);
  if (!_sse_attempt_still_wanted (attempt))
    return;

  attempt->progress = TRUE;
  with_origin = *fields;
  with_origin.origin = attempt->origin;
  /* The handlers may let the source go: the attempt says so. A pulled
   * source keeps the event too. */
  _sse_event_emitter_emit (&self->emitter, self, _sse_event_source_signals[SIGNAL_EVENT],
                           &with_origin, (gpointer const *) &attempt->source,
                           self->queue.active ? &event : NULL);
  if (event != NULL)
    _sse_event_queue_push (self, event);
}

static void
sink_comment (gpointer    user_data,
              const char *text,
              gsize       len)
{
  SseEventSource *self = user_data;

  if (_sse_signal_has_handler (self, _sse_event_source_signals[SIGNAL_COMMENT], 0))
    {
      g_autofree char *copy = g_strndup (text, len);

      g_signal_emit (self, _sse_event_source_signals[SIGNAL_COMMENT], 0, copy);
    }
}

static void
sink_retry (gpointer user_data,
            gint64   retry)
{
  SseEventSource *self = user_data;

  sse_event_source_set_reconnection_time (self, (guint) MIN (retry, (gint64) G_MAXUINT));
}

const SseParserSink _sse_attempt_parser_sink = {
  sink_event,
  sink_comment,
  sink_retry,
};

/* Network awareness ------------------------------------------------------ */

static void
network_changed (gpointer user_data,
                 gboolean available)
{
  SseEventSource *self = user_data;
  gboolean was_available = self->network_available;

  self->network_available = available;
  if (available && !was_available && self->status == SSE_STATUS_RECONNECTING)
    {
      g_debug ("The network is back: reconnecting to %s at once", self->request.url);
      _sse_attempt_start (self, FALSE);
    }
}

void
_sse_attempt_watch_network (SseEventSource *self)
{
  if (self->watch != NULL)
    return;

  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());

  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->watch = _sse_network_watch_new (self->monitor, self->context, network_changed, self);
}

void
_sse_attempt_unwatch_network (SseEventSource *self)
{
  g_clear_pointer (&self->watch, _sse_network_watch_free);
}

/* The end of an attempt -------------------------------------------------- */

static guint
compute_delay (SseEventSource      *self,
               guint                attempt,
               SseReconnectOutcome  outcome)
{
  if (self->backoff_func != NULL)
    return self->backoff_func (self, attempt, self->reconnection_time, self->backoff_data);

  return _sse_reconnect_delay (outcome, attempt, self->reconnection_time,
                               self->max_reconnection_time, g_random_int ());
}

static gboolean
on_reconnect_timer (gpointer user_data)
{
  SseEventSource *self = user_data;

  g_clear_pointer (&self->reconnect_timer, g_source_unref);
  _sse_attempt_start (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* The current @attempt ended: @error says why (NULL when the stream just
 * ended), @fatal whether reconnecting makes sense, @min_delay the least
 * delay the server asked for with Retry-After. The caller holds a
 * reference on @attempt. */
static void
attempt_ended (SseEventSource *self,
               SseAttempt     *attempt,
               const GError   *error,
               gboolean        fatal,
               guint           min_delay)
{
  SseReconnectCount next;
  SseReconnectOutcome outcome;
  SseReconnectRequest request;
  guint delay;

  attempt_stop (attempt);

  if (error != NULL)
    {
      g_debug ("%s", error->message);
      _sse_event_source_emit_error (self, error);
      if (!_sse_attempt_still_wanted (attempt))
        return;
    }

  if (fatal)
    {
      if (error != NULL)
        _sse_event_queue_failed (&self->queue, error);
      sse_event_source_close (self);
      return;
    }

  /* Whether the request may go again: not in every mode. */
  request = _sse_reconnect_next_request (self->reconnect_mode, self->request.method,
                                         attempt->server_error_retried, attempt->resume,
                                         *sse_parser_get_last_event_id (self->parser) != '\0');
  if (request == SSE_RECONNECT_CLOSE)
    {
      g_debug ("Not reconnecting to %s, as “reconnect-mode” says", self->request.url);
      if (error != NULL)
        _sse_event_queue_failed (&self->queue, error);
      sse_event_source_close (self);
      return;
    }

  /* What failed before an attempt that made progress, or a connection that
   * stayed open long enough, does not count any more. */
  if (attempt->progress)
    outcome = SSE_RECONNECT_PROGRESS;
  else if (_sse_reconnect_was_healthy (attempt->opened_at, g_get_monotonic_time (),
                                       self->healthy_time))
    outcome = SSE_RECONNECT_HEALTHY;
  else
    outcome = SSE_RECONNECT_NOTHING;
  _sse_reconnect_ended (&self->count, outcome);

  /* Attempts made while the network is down say nothing of the server. */
  if (self->monitor != NULL)
    self->network_available = g_network_monitor_get_network_available (self->monitor);

  if (!_sse_reconnect_next (&self->count, self->network_available, self->max_reconnect_attempts,
                            &next))
    {
      g_autofree char *where = _sse_uri_for_display (self->request.uri);
      g_autoptr(GError) too_many = NULL;

      too_many = g_error_new (SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "Gave up on %s after %d reconnection attempt; "
                                           "raise “max-reconnect-attempts” or open the source again",
                                           "Gave up on %s after %d reconnection attempts; "
                                           "raise “max-reconnect-attempts” or open the source again",
                                           self->max_reconnect_attempts),
                              where, self->max_reconnect_attempts);
      g_debug ("%s", too_many->message);
      _sse_event_source_emit_error (self, too_many);
      if (_sse_attempt_still_wanted (attempt))
        {
          _sse_event_queue_failed (&self->queue, too_many);
          sse_event_source_close (self);
        }
      return;
    }

  delay = compute_delay (self, next.attempt, outcome);
  delay = MAX (delay, min_delay);
  if (!_sse_attempt_still_wanted (attempt))
    return;

  self->count.counted = next.counted;
  if (self->count.attempt != next.attempt)
    {
      self->count.attempt = next.attempt;
      g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RECONNECT_ATTEMPT]);
      if (!_sse_attempt_still_wanted (attempt))
        return;
    }
  if (self->reconnect_delay != delay)
    {
      self->reconnect_delay = delay;
      g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RECONNECT_DELAY]);
      if (!_sse_attempt_still_wanted (attempt))
        return;
    }

  /* A handler of this change may open the source at once, which starts the
   * next attempt. */
  self->next_request = request;
  _sse_event_source_set_status (self, SSE_STATUS_RECONNECTING);
  if (!_sse_attempt_still_wanted (attempt))
    return;

  detach_attempt (self);
  g_clear_pointer (&self->reconnect_timer, _sse_source_destroy);
  self->reconnect_timer =
    _sse_deadline_source_new (self->context, "[sse-glib] reconnect",
                              delay == 0 ? 0 : _sse_deadline_after (g_get_monotonic_time (), delay),
                              on_reconnect_timer, self);
}

/* Reading ---------------------------------------------------------------- */

static gboolean
on_bytes (gpointer      user_data,
          const guint8 *data,
          gsize         len)
{
  g_autoptr(SseAttempt) attempt = attempt_ref (user_data);
  SseEventSource *self = attempt->source;
  g_autoptr(GError) error = NULL;
  const char *id;

  /* Events are emitted from within. */
  if (!sse_parser_feed (attempt->parser, data, len, &error) &&
      _sse_attempt_still_wanted (attempt))
    _sse_event_source_emit_error (self, error);
  if (!_sse_attempt_still_wanted (attempt))
    return FALSE;

  /* A block with only an id changes the last event ID without an event. */
  id = sse_parser_get_last_event_id (attempt->parser);
  _sse_event_source_sync_last_event_id (self, id, strlen (id));
  return _sse_attempt_still_wanted (attempt);
}

static void
on_ended (gpointer      user_data,
          const GError *error)
{
  g_autoptr(SseAttempt) attempt = attempt_ref (user_data);
  SseEventSource *self = attempt->source;
  g_autofree char *where = NULL;
  g_autoptr(GError) wrapped = NULL;

  if (error == NULL)
    {
      g_debug ("The stream from %s ended", self->request.url);
      attempt_ended (self, attempt, NULL, FALSE, 0);
      return;
    }

  where = _sse_uri_for_display (soup_message_get_uri (attempt->msg));
  wrapped = g_error_new (error->domain, error->code,
                         _("The connection to %s was lost: %s"),
                         where, error->message);
  attempt_ended (self, attempt, wrapped, _sse_http_is_fatal_error (error), 0);
}

static void
on_timed_out (gpointer user_data)
{
  g_autoptr(SseAttempt) attempt = attempt_ref (user_data);
  SseEventSource *self = attempt->source;
  g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (attempt->msg));
  g_autoptr(GError) error = NULL;

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("The server at %s sent nothing for %u ms, so the connection "
                         "is taken for dead; have it send comments as a heartbeat, "
                         "or raise “read-timeout”"),
                       where, self->read_timeout);
  attempt_ended (self, attempt, error, FALSE, 0);
}

static const SseStreamReaderFuncs reader_funcs = {
  on_bytes,
  on_ended,
  on_timed_out,
};

/* Connecting ------------------------------------------------------------- */

static void
on_connected (gpointer                user_data,
              const SseConnectResult *result)
{
  g_autoptr(SseAttempt) attempt = attempt_ref (user_data);
  SseEventSource *self = attempt->source;
  gboolean retry;

  g_clear_pointer (&attempt->connect, _sse_connect_free);
  attempt->msg = g_object_ref (result->msg);
  attempt->origin = g_ref_string_acquire ((char *) result->origin);

  /* Until the next attempt starts. */
  if (result->answered)
    self->last_response = g_object_ref (result->msg);
  if (result->body != NULL)
    self->last_response_body = g_bytes_ref (result->body);

  switch (result->outcome)
    {
    case SSE_CONNECT_OPENED:
      break;

    case SSE_CONNECT_FAILED:
      attempt_ended (self, attempt, result->error, FALSE, 0);
      return;

    case SSE_CONNECT_SERVER_ERROR:
      retry = self->retry_on_server_error;
      attempt->server_error_retried = retry;
      attempt_ended (self, attempt, result->error, !retry, retry ? result->retry_after : 0);
      return;

    case SSE_CONNECT_REFUSED:
    default:
      attempt_ended (self, attempt, result->error, TRUE, 0);
      return;
    }

  attempt->opened_at = g_get_monotonic_time ();
  attempt->reader = _sse_stream_reader_new (result->stream, self->context,
                                            soup_message_get_http_version (result->msg) !=
                                              SOUP_HTTP_2_0,
                                            self->read_timeout, &reader_funcs, attempt);
  if (_sse_event_queue_is_full (&self->queue))
    _sse_stream_reader_pause (attempt->reader);
  _sse_event_source_set_status (self, SSE_STATUS_OPEN);
  if (_sse_attempt_still_wanted (attempt))
    _sse_stream_reader_start (attempt->reader);
}

static gboolean
on_failure (gpointer user_data)
{
  g_autoptr(SseAttempt) attempt = attempt_ref (user_data);
  g_autoptr(GError) error = g_steal_pointer (&attempt->failure_error);

  /* Returning G_SOURCE_REMOVE destroys it. */
  g_clear_pointer (&attempt->failure, g_source_unref);
  attempt_ended (attempt->source, attempt, error, TRUE, 0);
  return G_SOURCE_REMOVE;
}

/* Fails @attempt for good with @error from the main context, after open()
 * has returned, as a browser reports such a failure from a queued task:
 * the application's code after open() runs first. */
static void
fail_later (SseEventSource *self,
            SseAttempt     *attempt,
            GError         *error)
{
  attempt->failure_error = error;
  attempt->failure = _sse_deadline_source_new (self->context, "[sse-glib] failure", 0,
                                               on_failure, attempt);
}

void
_sse_attempt_start (SseEventSource *self,
                    gboolean        from_open)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SseAttempt) attempt = NULL;
  gboolean template_sent = FALSE;

  g_clear_pointer (&self->reconnect_timer, _sse_source_destroy);
  /* One that ended, opened again from a handler of its end. */
  detach_attempt (self);

  self->attempt = attempt_new (self);
  attempt = attempt_ref (self->attempt);

  if (from_open)
    {
      self->count.counted = 0;
      if (self->count.attempt != 0)
        {
          self->count.attempt = 0;
          g_object_notify_by_pspec (G_OBJECT (self), _sse_event_source_properties[PROP_RECONNECT_ATTEMPT]);
          if (!_sse_attempt_still_wanted (attempt))
            return;
        }
      _sse_attempt_watch_network (self);
      self->next_request = SSE_RECONNECT_TEMPLATE;
    }

  g_clear_object (&self->last_response);
  g_clear_pointer (&self->last_response_body, g_bytes_unref);

  _sse_event_source_set_status (self, SSE_STATUS_CONNECTING);
  if (!_sse_attempt_still_wanted (attempt))
    return;

  if (self->request.uri == NULL)
    {
      fail_later (self, attempt, g_error_copy (self->request.uri_error));
      return;
    }

  attempt->resume = self->next_request == SSE_RECONNECT_RESUME;
  if (attempt->resume)
    msg = _sse_request_new_resume_message (&self->request,
                                           sse_parser_get_last_event_id (self->parser));
  else
    {
      GError *error = NULL;

      if (!_sse_request_check_body (&self->request,
                                    self->reconnect_mode == SSE_RECONNECT_MODE_RESEND, &error))
        {
          fail_later (self, attempt, error);
          return;
        }
      msg = _sse_request_new_first_message (&self->request,
                                            sse_parser_get_last_event_id (self->parser),
                                            &template_sent);
    }

  g_signal_emit (self, _sse_event_source_signals[SIGNAL_PREPARE_REQUEST], 0, msg);
  if (!_sse_attempt_still_wanted (attempt))
    return;

  attempt->connect = _sse_connect_start (self->session, self->context, &self->request, msg,
                                         template_sent, self->connect_timeout, on_connected,
                                         attempt);
}

void
_sse_attempt_cancel (SseEventSource *self)
{
  detach_attempt (self);
  g_clear_pointer (&self->reconnect_timer, _sse_source_destroy);
}
