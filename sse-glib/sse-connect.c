/* sse-connect.c: one HTTP exchange, up to an open event stream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The exchange sends the first request of an attempt, gives the body
 * again when libsoup restarts a message (for authentication), follows
 * redirects itself (libsoup 3.2 would drop the body and keep the
 * application's credentials across origins), bounds the whole with the
 * connect timeout, and turns every way it can end into an outcome with an
 * error a person can act on. It knows nothing of the event source: it is
 * reference-counted on its own (the owner and the request under way each
 * hold a reference), so the source is never kept alive by it.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sse-connect-private.h"
#include "sse-error.h"
#include "sse-http-private.h"
#include "sse-source-util-private.h"

static guint error_body_time = SSE_CONNECT_ERROR_BODY_TIME;

struct _SseConnect
{
  grefcount          ref_count;
  gboolean           closed;       /* freed by the owner, or finished */

  SoupSession       *session;
  GMainContext      *context;
  const SseRequest  *request;      /* the owner's, valid until freed */
  GCancellable      *cancellable;
  SoupMessage       *msg;          /* the request under way */
  SseRequestChain    chain;

  gboolean           handshaking;  /* in a TLS handshake */

  /* A refused answer whose body is being read */
  GInputStream      *refused_stream;
  GByteArray        *refused_body;
  SseConnectOutcome  refused_outcome;
  GError            *refused_error;
  guint              refused_retry_after;
  gboolean           refused_eof;   /* its body was read to the end */

  guint              timeout;
  gint64             started_at;   /* monotonic, µs */
  GSource           *deadline;

  SseConnectFunc     func;
  gpointer           user_data;
};

static SseConnect *
connect_ref (SseConnect *connect)
{
  g_ref_count_inc (&connect->ref_count);
  return connect;
}

static void
connect_set_msg (SseConnect  *connect,
                 SoupMessage *msg)
{
  if (connect->msg != NULL)
    g_signal_handlers_disconnect_by_data (connect->msg, connect);
  g_set_object (&connect->msg, msg);
}

static void
connect_unref (SseConnect *connect)
{
  if (!g_ref_count_dec (&connect->ref_count))
    return;

  g_assert (connect->deadline == NULL);

  connect_set_msg (connect, NULL);
  _sse_request_chain_clear (&connect->chain);
  g_clear_object (&connect->refused_stream);
  g_clear_pointer (&connect->refused_body, g_byte_array_unref);
  g_clear_error (&connect->refused_error);
  g_object_unref (connect->cancellable);
  g_object_unref (connect->session);
  g_main_context_unref (connect->context);
  g_free (connect);
}

/* Reports the outcome; nothing happens after, but for the owner's free. */
static void
finish (SseConnect       *connect,
        SseConnectResult *result)
{
  result->msg = connect->msg;
  result->origin = connect->chain.origin;
  result->answered = soup_message_get_status (connect->msg) != SOUP_STATUS_NONE;

  connect->closed = TRUE;
  g_clear_pointer (&connect->deadline, _sse_source_destroy);
  connect->func (connect->user_data, result);
}

static void
finish_error (SseConnect        *connect,
              SseConnectOutcome  outcome,
              GError            *error,
              guint              retry_after)
{
  SseConnectResult result = { outcome, };

  result.error = error;
  result.retry_after = retry_after;
  finish (connect, &result);
  g_error_free (error);
}

/* The connect timeout ----------------------------------------------------- */

static void finish_refused (SseConnect *connect);

static gboolean
on_deadline (gpointer user_data)
{
  SseConnect *connect = user_data;
  g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (connect->msg));
  GError *error;

  /* The body of a refused answer took too long: what came will do. */
  if (connect->refused_stream != NULL)
    {
      connect_ref (connect);
      g_cancellable_cancel (connect->cancellable);
      finish_refused (connect);
      connect_unref (connect);
      return G_SOURCE_REMOVE;
    }

  /* A plain HTTP server waits for the end of a request that the TLS
   * client hello never brings. */
  if (connect->handshaking)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The server at %s took the connection but did not answer the TLS "
                           "handshake within %u ms; if it is a plain HTTP server, use an "
                           "http:// URL"),
                         where, connect->timeout);
  else
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The server at %s did not answer within %u ms; "
                           "check that it is up, or raise “connect-timeout”"),
                         where, connect->timeout);
  connect_ref (connect);
  g_cancellable_cancel (connect->cancellable);
  finish_error (connect, SSE_CONNECT_FAILED, error, 0);
  connect_unref (connect);
  return G_SOURCE_REMOVE;
}

static void
update_deadline (SseConnect *connect)
{
  gint64 ready_time = _sse_deadline_after (connect->started_at, connect->timeout);

  if (ready_time == -1)
    g_clear_pointer (&connect->deadline, _sse_source_destroy);
  else if (connect->deadline == NULL)
    connect->deadline = _sse_deadline_source_new (connect->context, "[sse-glib] connect timeout",
                                                  ready_time, on_deadline, connect);
  else
    g_source_set_ready_time (connect->deadline, ready_time);
}

/* Requests ---------------------------------------------------------------- */

static void send_msg (SseConnect *connect);

static void
on_restarted (SoupMessage *msg,
              SseConnect  *connect)
{
  /* libsoup drops the request body when it restarts a message (to answer
   * an authentication challenge): give it again. */
  if (connect->chain.body != NULL)
    soup_message_set_request_body_from_bytes (msg, NULL, connect->chain.body);
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  SseConnect         *connect)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    connect->handshaking = TRUE;
  else if (event == G_SOCKET_CLIENT_TLS_HANDSHAKED || event == G_SOCKET_CLIENT_COMPLETE)
    connect->handshaking = FALSE;
}

static void
take_msg (SseConnect  *connect,
          SoupMessage *msg)
{
  connect_set_msg (connect, msg);
  connect->handshaking = FALSE;
  g_signal_connect (msg, "restarted", G_CALLBACK (on_restarted), connect);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), connect);
}

static void
follow_redirect (SseConnect *connect)
{
  SoupMessage *msg = connect->msg;
  guint status = soup_message_get_status (msg);
  const char *location;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) next = NULL;
  g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (msg));

  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location == NULL || *location == '\0')
    {
      g_autofree char *reason = NULL;

      reason = _sse_http_reason_phrase (status, soup_message_get_reason_phrase (msg));
      finish_error (connect, SSE_CONNECT_REFUSED,
                    g_error_new (SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION,
                                 _("The server at %s answered %u %s without a Location header, "
                                   "so the redirect cannot be followed; fix the server"),
                                 where, status, reason),
                    0);
      return;
    }

  uri = g_uri_parse_relative (soup_message_get_uri (msg), location, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || !_sse_uri_is_http (uri))
    {
      g_autofree char *shown = _sse_http_server_text (location);

      finish_error (connect, SSE_CONNECT_REFUSED,
                    g_error_new (SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_REDIRECT_BAD_URI,
                                 _("The server at %s redirected to “%s”, which is not an http or "
                                   "https URL; fix the server"),
                                 where, shown),
                    0);
      return;
    }

  if (connect->chain.redirects >= SSE_CONNECT_MAX_REDIRECTS)
    {
      finish_error (connect, SSE_CONNECT_REFUSED,
                    g_error_new (SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS,
                                 _("The server at %s redirected more than %d times in a row; "
                                   "look for a redirect loop"),
                                 where, SSE_CONNECT_MAX_REDIRECTS),
                    0);
      return;
    }

  if (connect->chain.body_lost &&
      !_sse_request_redirect_drops_body (status, connect->chain.method))
    {
      finish_error (connect, SSE_CONNECT_REFUSED,
                    g_error_new (SSE_ERROR, SSE_ERROR_HTTP_STATUS,
                                 _("The server at %s answered %u, a redirect that sends the "
                                   "request body again, but the body went with the template "
                                   "message, which libsoup cannot give back; give the body with "
                                   "sse_event_source_set_request_body()"),
                                 where, status),
                    0);
      return;
    }

  g_debug ("Following the redirect from %s to %s", where, location);
  next = _sse_request_chain_redirect (&connect->chain, connect->request, status, uri);
  take_msg (connect, next);
  send_msg (connect);
}

/* Reports a refused answer, with what was read of its body. */
static void
finish_refused (SseConnect *connect)
{
  SseConnectResult result = { connect->refused_outcome, };
  g_autoptr(GError) error = g_steal_pointer (&connect->refused_error);
  g_autoptr(GBytes) body = NULL;

  body = g_byte_array_free_to_bytes (g_steal_pointer (&connect->refused_body));
  /* Cancelling the exchange closes a connection whose body was not read
   * to its end (closing the stream would read the rest first). */
  if (!connect->refused_eof)
    g_cancellable_cancel (connect->cancellable);
  g_clear_object (&connect->refused_stream);

  result.error = error;
  result.retry_after = connect->refused_retry_after;
  result.body = body;
  finish (connect, &result);
}

static void read_refused_body (SseConnect *connect);

static void
on_refused_body (GObject      *object,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  SseConnect *connect = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), res,
                                                              &error);

  if (error != NULL)
    g_debug ("The body of a refused answer could not be read: %s", error->message);

  if (!connect->closed)
    {
      if (bytes != NULL && g_bytes_get_size (bytes) > 0)
        {
          gsize room = SSE_CONNECT_MAX_ERROR_BODY - connect->refused_body->len;

          g_byte_array_append (connect->refused_body, g_bytes_get_data (bytes, NULL),
                               MIN (g_bytes_get_size (bytes), room));
        }

      connect->refused_eof = bytes != NULL && g_bytes_get_size (bytes) == 0;
      if (bytes == NULL || connect->refused_eof ||
          connect->refused_body->len >= SSE_CONNECT_MAX_ERROR_BODY)
        finish_refused (connect);
      else
        read_refused_body (connect);
    }

  connect_unref (connect);
}

static void
read_refused_body (SseConnect *connect)
{
  gboolean pushed = _sse_context_push (connect->context);

  g_input_stream_read_bytes_async (connect->refused_stream,
                                   MIN (SSE_CONNECT_MAX_ERROR_BODY - connect->refused_body->len,
                                        16 * 1024),
                                   G_PRIORITY_DEFAULT, connect->cancellable,
                                   on_refused_body, connect_ref (connect));
  _sse_context_pop (connect->context, pushed);
}

/* A refused answer: its body (an API's explanation, often) is read before
 * the outcome is reported, up to a size and for a time. */
static void
refuse (SseConnect        *connect,
        GInputStream      *stream,
        SseConnectOutcome  outcome,
        GError            *error,
        guint              retry_after)
{
  connect->refused_stream = g_object_ref (stream);
  connect->refused_body = g_byte_array_new ();
  connect->refused_outcome = outcome;
  connect->refused_error = error;
  connect->refused_retry_after = retry_after;

  g_clear_pointer (&connect->deadline, _sse_source_destroy);
  connect->deadline = _sse_deadline_source_new (connect->context, "[sse-glib] refused body",
                                                _sse_deadline_after (g_get_monotonic_time (),
                                                                     error_body_time),
                                                on_deadline, connect);
  read_refused_body (connect);
}

static void
fail_http_status (SseConnect   *connect,
                  GInputStream *stream)
{
  SoupMessage *msg = connect->msg;
  guint status = soup_message_get_status (msg);
  g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (msg));
  GError *error;

  if (status == SOUP_STATUS_NO_CONTENT)
    error = g_error_new (SSE_ERROR, SSE_ERROR_HTTP_STATUS,
                         _("The server at %s answered 204 No Content: it asks the client "
                           "to stop, so the source will not reconnect"),
                         where);
  else
    {
      g_autofree char *reason = NULL;

      reason = _sse_http_reason_phrase (status, soup_message_get_reason_phrase (msg));
      error = g_error_new (SSE_ERROR, SSE_ERROR_HTTP_STATUS,
                           _("The server at %s answered %u %s; an event stream needs 200 OK"),
                           where, status, reason);
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status) ||
      status == SOUP_STATUS_REQUEST_TIMEOUT ||
      status == 429 /* Too Many Requests, which libsoup 3.2 does not name */)
    {
      const char *retry_after;

      retry_after = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                  "Retry-After");
      refuse (connect, stream, SSE_CONNECT_SERVER_ERROR, error,
              _sse_http_parse_retry_after (retry_after, NULL));
    }
  else
    refuse (connect, stream, SSE_CONNECT_REFUSED, error, 0);
}

static void
got_response (SseConnect   *connect,
              GInputStream *stream)
{
  SoupMessage *msg = connect->msg;
  const char *content_type;
  SseConnectResult result = { SSE_CONNECT_OPENED, };

  switch (soup_message_get_status (msg))
    {
    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      if (connect->request->follow_redirects)
        follow_redirect (connect);
      else
        fail_http_status (connect, stream);
      return;

    case SOUP_STATUS_OK:
      break;

    default:
      fail_http_status (connect, stream);
      return;
    }

  content_type = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Content-Type");
  if (!_sse_http_is_event_stream (content_type))
    {
      g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (msg));
      GError *error;

      if (content_type == NULL)
        error = g_error_new (SSE_ERROR, SSE_ERROR_CONTENT_TYPE,
                             _("The server at %s answered 200 OK without a content type; "
                               "an event stream needs “text/event-stream”"),
                             where);
      else
        {
          g_autofree char *shown = _sse_http_server_text (content_type);

          error = g_error_new (SSE_ERROR, SSE_ERROR_CONTENT_TYPE,
                               _("The server at %s answered 200 OK with the content type "
                                 "“%s”; an event stream needs “text/event-stream”"),
                               where, shown);
        }
      refuse (connect, stream, SSE_CONNECT_REFUSED, error, 0);
      return;
    }

  result.stream = stream;
  finish (connect, &result);
}

static void
fail_send (SseConnect   *connect,
           const GError *error)
{
  SoupMessage *msg = connect->msg;
  GTlsCertificateFlags flags = soup_message_get_tls_peer_certificate_errors (msg);
  g_autofree char *where = _sse_uri_for_display (soup_message_get_uri (msg));
  g_autofree char *why = NULL;
  GError *wrapped;

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    why = _sse_http_describe_certificate_errors (flags);

  if (why != NULL && (flags & G_TLS_CERTIFICATE_UNKNOWN_CA))
    wrapped = g_error_new (error->domain, error->code,
                           _("The TLS certificate of %s was refused: %s. To trust the "
                             "certificate authority of a development server, give the "
                             "session a TLS database that holds it"),
                           where, why);
  else if (why != NULL)
    wrapped = g_error_new (error->domain, error->code,
                           _("The TLS certificate of %s was refused: %s"),
                           where, why);
  else if (connect->handshaking &&
           (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_MISC) ||
            g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS)))
    wrapped = g_error_new (error->domain, error->code,
                           _("The server at %s did not answer in TLS (%s); if it is a plain "
                             "HTTP server, use an http:// URL"),
                           where, error->message);
  else
    wrapped = g_error_new (error->domain, error->code,
                           _("Could not get an answer from %s: %s"),
                           where, error->message);

  finish_error (connect,
                _sse_http_is_fatal_error (error) ? SSE_CONNECT_REFUSED : SSE_CONNECT_FAILED,
                wrapped, 0);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  SseConnect *connect = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (!connect->closed)
    {
      if (stream != NULL)
        got_response (connect, stream);
      else
        fail_send (connect, error);
    }

  connect_unref (connect);
}

static void
send_msg (SseConnect *connect)
{
  gboolean pushed = _sse_context_push (connect->context);

  soup_session_send_async (connect->session, connect->msg, G_PRIORITY_DEFAULT,
                           connect->cancellable, on_sent, connect_ref (connect));
  _sse_context_pop (connect->context, pushed);
}

/* API --------------------------------------------------------------------- */

SseConnect *
_sse_connect_start (SoupSession      *session,
                    GMainContext     *context,
                    const SseRequest *request,
                    SoupMessage      *first,
                    gboolean          body_lost,
                    guint             connect_timeout,
                    SseConnectFunc    func,
                    gpointer          user_data)
{
  SseConnect *connect = g_new0 (SseConnect, 1);

  g_ref_count_init (&connect->ref_count);
  connect->session = g_object_ref (session);
  connect->context = g_main_context_ref (context);
  connect->request = request;
  connect->cancellable = g_cancellable_new ();
  connect->func = func;
  connect->user_data = user_data;
  connect->timeout = connect_timeout;
  connect->started_at = g_get_monotonic_time ();

  /* What the application left in the request, for the requests that
   * follow redirects. */
  _sse_request_chain_init (&connect->chain, first, request->body, body_lost);
  take_msg (connect, first);
  update_deadline (connect);
  send_msg (connect);

  return connect;
}

void
_sse_connect_set_timeout (SseConnect *connect,
                          guint       connect_timeout)
{
  connect->timeout = connect_timeout;
  if (!connect->closed && connect->refused_stream == NULL)
    update_deadline (connect);
}

void
_sse_connect_free (SseConnect *connect)
{
  connect->closed = TRUE;
  g_clear_pointer (&connect->deadline, _sse_source_destroy);
  g_cancellable_cancel (connect->cancellable);
  connect_unref (connect);
}

void
_sse_connect_set_error_body_time (guint milliseconds)
{
  error_body_time = milliseconds;
}
