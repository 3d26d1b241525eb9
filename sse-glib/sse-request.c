/* sse-request.c: the request template of an event source
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-error.h"
#include "sse-event-source-private.h"
#include "sse-http-private.h"
#include "sse-request-private.h"

void
_sse_request_init (SseRequest  *request,
                   const char  *url,
                   SoupMessage *template)
{
  if (template != NULL)
    {
      SoupMessageHeaders *hdrs = soup_message_get_request_headers (template);

      request->method = soup_message_get_method (template);
      request->uri = g_uri_ref (soup_message_get_uri (template));
      request->url = g_uri_to_string (request->uri);
      request->flags = soup_message_get_flags (template);
      request->follow_redirects = (request->flags & SOUP_MESSAGE_NO_REDIRECT) == 0;
      request->priority = soup_message_get_priority (template);
      if (soup_message_get_first_party (template) != NULL)
        request->first_party = g_uri_ref (soup_message_get_first_party (template));
      if (soup_message_get_site_for_cookies (template) != NULL)
        request->site_for_cookies = g_uri_ref (soup_message_get_site_for_cookies (template));

      request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      _sse_request_copy_headers (hdrs, request->headers, FALSE, FALSE);

      /* The message carries a body that cannot be read back: remember its
       * type, and warn at open() if none was given with
       * sse_event_source_set_request_body(). */
      request->template_has_body =
        soup_message_headers_get_encoding (hdrs) == SOUP_ENCODING_CHUNKED ||
        soup_message_headers_get_content_length (hdrs) > 0;
      if (request->template_has_body)
        {
          request->body_content_type = g_strdup (soup_message_headers_get_content_type (hdrs, NULL));
          request->template = g_object_ref (template);
        }
    }
  else
    {
      request->url = g_strdup (url);
      request->method = SOUP_METHOD_GET;
      request->follow_redirects = TRUE;
      request->uri = _sse_uri_parse_for_stream (url, &request->uri_error);
      return;
    }

  /* Whoever made the message parsed its URI, perhaps leniently (a host
   * with spaces, port 0): it meets the rules a URL given as a string meets. */
  {
    g_autofree char *shown = _sse_http_server_text (request->url);

    if (!_sse_uri_check_for_stream (request->uri, shown, &request->uri_error))
      g_clear_pointer (&request->uri, g_uri_unref);
  }
}

void
_sse_request_clear (SseRequest *request)
{
  g_clear_pointer (&request->url, g_free);
  g_clear_pointer (&request->uri, g_uri_unref);
  g_clear_error (&request->uri_error);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->first_party, g_uri_unref);
  g_clear_pointer (&request->site_for_cookies, g_uri_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->body_content_type, g_free);
  g_clear_object (&request->template);
}

void
_sse_request_set_body (SseRequest *request,
                       const char *content_type,
                       GBytes     *body)
{
  if (body != NULL)
    g_bytes_ref (body);
  g_clear_pointer (&request->body, g_bytes_unref);
  request->body = body;

  if (content_type != NULL)
    {
      g_free (request->body_content_type);
      request->body_content_type = g_strdup (content_type);
    }
}

typedef struct {
  SoupMessageHeaders *to;
  gboolean            from_template;
  gboolean            without_body;
} CopyHeaders;

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  CopyHeaders *copy = user_data;

  /* libsoup writes these itself, from the URI and the body. */
  if (g_ascii_strcasecmp (name, "Host") == 0 ||
      g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;

  /* The source sends its own. */
  if (copy->from_template && g_ascii_strcasecmp (name, "Last-Event-ID") == 0)
    return;

  /* The headers that describe a body go with it. */
  if (copy->without_body &&
      (g_ascii_strcasecmp (name, "Content-Type") == 0 ||
       g_ascii_strcasecmp (name, "Content-Encoding") == 0 ||
       g_ascii_strcasecmp (name, "Content-Language") == 0 ||
       g_ascii_strcasecmp (name, "Content-Location") == 0))
    return;

  soup_message_headers_append (copy->to, name, value);
}

void
_sse_request_copy_headers (SoupMessageHeaders *from,
                           SoupMessageHeaders *to,
                           gboolean            from_template,
                           gboolean            without_body)
{
  CopyHeaders copy = { to, from_template, without_body };

  soup_message_headers_foreach (from, copy_header, &copy);
}

SoupMessage *
_sse_request_new_message (const SseRequest   *request,
                          const char         *method,
                          GUri               *uri,
                          SoupMessageHeaders *headers,
                          gboolean            from_template,
                          GBytes             *body,
                          const char         *content_type)
{
  SoupMessage *msg = soup_message_new_from_uri (method, uri);

  if (headers != NULL)
    _sse_request_copy_headers (headers, soup_message_get_request_headers (msg),
                               from_template, body == NULL);

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  soup_message_set_flags (msg, request->flags | SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_priority (msg, request->priority);
  if (request->first_party != NULL)
    soup_message_set_first_party (msg, request->first_party);
  if (request->site_for_cookies != NULL)
    soup_message_set_site_for_cookies (msg, request->site_for_cookies);

  return msg;
}

gboolean
_sse_request_check_body (const SseRequest  *request,
                         gboolean           every_attempt,
                         GError           **error)
{
  if (!request->template_has_body || request->body != NULL)
    return TRUE;

  if (every_attempt)
    {
      g_set_error (error, SSE_ERROR, SSE_ERROR_FAILED,
                   _("The request to %s is to be sent again on every attempt, but its body "
                     "was given to the template message, which libsoup cannot give back; "
                     "give the body with sse_event_source_set_request_body()"),
                   request->url);
      return FALSE;
    }

  if (request->template == NULL)
    {
      g_set_error (error, SSE_ERROR, SSE_ERROR_FAILED,
                   _("The request to %s cannot be sent again: its body went with the "
                     "template message, which libsoup cannot give back; give the body with "
                     "sse_event_source_set_request_body()"),
                   request->url);
      return FALSE;
    }

  return TRUE;
}

static void
add_stream_headers (SoupMessage *msg,
                    const char  *last_event_id)
{
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (msg);

  if (soup_message_headers_get_one (hdrs, "Accept") == NULL)
    soup_message_headers_replace (hdrs, "Accept", "text/event-stream");
  if (soup_message_headers_get_one (hdrs, "Cache-Control") == NULL)
    soup_message_headers_replace (hdrs, "Cache-Control", "no-cache");
  if (last_event_id != NULL && *last_event_id != '\0')
    soup_message_headers_replace (hdrs, "Last-Event-ID", last_event_id);
  else
    soup_message_headers_remove (hdrs, "Last-Event-ID");
}

SoupMessage *
_sse_request_new_first_message (SseRequest *request,
                                const char *last_event_id,
                                gboolean   *template_sent)
{
  SoupMessage *msg;

  *template_sent = request->body == NULL && request->template != NULL;
  if (*template_sent)
    {
      msg = g_steal_pointer (&request->template);
      soup_message_set_flags (msg, request->flags | SOUP_MESSAGE_NO_REDIRECT);
    }
  else
    msg = _sse_request_new_message (request, request->method, request->uri, request->headers,
                                    TRUE, request->body, request->body_content_type);

  add_stream_headers (msg, last_event_id);
  return msg;
}

SoupMessage *
_sse_request_new_resume_message (const SseRequest *request,
                                 const char       *last_event_id)
{
  SoupMessage *msg;

  msg = _sse_request_new_message (request, SOUP_METHOD_GET, request->uri, request->headers,
                                  TRUE, NULL, NULL);
  add_stream_headers (msg, last_event_id);
  return msg;
}

gboolean
_sse_request_redirect_drops_body (guint       status,
                                  const char *method)
{
  method = g_intern_string (method);

  return (status == SOUP_STATUS_SEE_OTHER &&
          method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) ||
         ((status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_FOUND) &&
          method == SOUP_METHOD_POST);
}

void
_sse_request_chain_init (SseRequestChain *chain,
                         SoupMessage     *first,
                         GBytes          *body,
                         gboolean         body_lost)
{
  g_autofree char *origin = _sse_uri_origin (soup_message_get_uri (first));

  chain->method = soup_message_get_method (first);
  chain->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  _sse_request_copy_headers (soup_message_get_request_headers (first), chain->headers,
                             FALSE, FALSE);
  chain->body = body != NULL ? g_bytes_ref (body) : NULL;
  chain->origin = g_ref_string_new (origin);
  chain->redirects = 0;
  chain->body_lost = body_lost;
}

void
_sse_request_chain_clear (SseRequestChain *chain)
{
  g_clear_pointer (&chain->headers, soup_message_headers_unref);
  g_clear_pointer (&chain->body, g_bytes_unref);
  g_clear_pointer (&chain->origin, g_ref_string_release);
}

SoupMessage *
_sse_request_chain_redirect (SseRequestChain  *chain,
                             const SseRequest *request,
                             guint             status,
                             GUri             *target)
{
  g_autofree char *origin = _sse_uri_origin (target);

  chain->redirects++;

  if (_sse_request_redirect_drops_body (status, chain->method))
    {
      chain->method = SOUP_METHOD_GET;
      g_clear_pointer (&chain->body, g_bytes_unref);
      chain->body_lost = FALSE;
    }

  /* Credentials the application set are for the origin it asked for. */
  if (strcmp (origin, chain->origin) != 0)
    {
      soup_message_headers_remove (chain->headers, "Authorization");
      soup_message_headers_remove (chain->headers, "Cookie");
    }
  g_clear_pointer (&chain->origin, g_ref_string_release);
  chain->origin = g_ref_string_new (origin);

  return _sse_request_new_message (request, chain->method, target, chain->headers, FALSE,
                                   chain->body, NULL);
}

/* The request API of SseEventSource ---------------------------------------
 *
 * What the source sends, and what it got back, beside the rules above; the
 * rest of the class is in sse-event-source.c. */

/**
 * sse_event_source_get_request_body:
 * @self: an event source
 *
 * Gets the body sent with every request, as given to
 * [method@Sse.EventSource.set_request_body].
 *
 * Returns: (transfer none) (nullable): the request body, or %NULL
 *
 * Since: 1.0
 */
GBytes *
sse_event_source_get_request_body (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->request.body;
}

/**
 * sse_event_source_get_request_content_type:
 * @self: an event source
 *
 * Gets the content type of the request body, as given to
 * [method@Sse.EventSource.set_request_body] or found in the template
 * message.
 *
 * Returns: (nullable): the content type, or %NULL
 *
 * Since: 1.0
 */
const char *
sse_event_source_get_request_content_type (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->request.body_content_type;
}

/**
 * sse_event_source_set_request_body:
 * @self: an event source
 * @content_type: (nullable): the MIME type of @body, or %NULL to keep the
 *   one of the template message
 * @body: (nullable): the request body, or %NULL for none
 *
 * Sets the body sent with every request of the template: on every
 * attempt that sends it (see [property@Sse.EventSource:reconnect-mode]),
 * after every redirect that keeps the method (307 and 308; the others turn
 * a POST into a GET without a body, as browsers do), and when libsoup
 * restarts a request to authenticate. It is kept as @body, so it is the
 * same every time.
 *
 * A body set on the message given to [ctor@Sse.EventSource.new_for_message]
 * is sent too, but only once: libsoup 3 cannot give it back, so a request
 * that must be sent again needs its body given here. It applies from the
 * next attempt on.
 *
 * Since: 1.0
 */
void
sse_event_source_set_request_body (SseEventSource *self,
                                   const char     *content_type,
                                   GBytes         *body)
{
  g_return_if_fail (SSE_IS_EVENT_SOURCE (self));
  g_return_if_fail (content_type == NULL || strchr (content_type, '/') != NULL);

  _sse_request_set_body (&self->request, content_type, body);
}

/**
 * sse_event_source_get_last_response:
 * @self: an event source
 *
 * Gets the message of the last answer the source received: its status,
 * reason phrase and response headers (the request of the last redirect,
 * when it followed redirects). From [signal@Sse.EventSource::error], this
 * is the answer that failed the attempt: a `401` or a `429`, say, with
 * its `WWW-Authenticate` or `Retry-After` header.
 *
 * It is valid from the answer (before `error` or the change to
 * %SSE_STATUS_OPEN) until the next attempt starts, and %NULL before the
 * first answer and for an attempt that got none (a network error).
 *
 * Returns: (transfer none) (nullable): the last answer
 *
 * Since: 1.0
 */
SoupMessage *
sse_event_source_get_last_response (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->last_response;
}

/**
 * sse_event_source_get_last_response_body:
 * @self: an event source
 *
 * Gets the body of the last answer, when it was refused (any status but
 * `200 OK`, or a content type that is not `text/event-stream`): an API's
 * explanation of why, often JSON such as
 * `{"error": {"message": "Invalid API key"}}`. At most the first 64 KiB
 * are kept, read for at most 3 seconds after the headers, so that a server
 * that never finishes its answer cannot hold the source.
 *
 * It is valid from [signal@Sse.EventSource::error] of that attempt until
 * the next attempt starts; %NULL for an answer that opened a stream, and
 * when there was no answer.
 *
 * Returns: (transfer none) (nullable): the body of the refused answer
 *
 * Since: 1.0
 */
GBytes *
sse_event_source_get_last_response_body (SseEventSource *self)
{
  g_return_val_if_fail (SSE_IS_EVENT_SOURCE (self), NULL);

  return self->last_response_body;
}
