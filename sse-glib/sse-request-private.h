/* sse-request-private.h: the request template of an event source
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What every attempt of an event source asks for: read once, from a URL or
 * from a template SoupMessage, at construction. Embedded in the source. */
typedef struct {
  char                *url;               /* as given, or the template's URI */
  GUri                *uri;               /* NULL when not usable: */
  GError              *uri_error;         /* why */
  const char          *method;            /* interned */
  SoupMessageHeaders  *headers;           /* the template's; NULL for a URL */
  SoupMessageFlags     flags;
  SoupMessagePriority  priority;
  GUri                *first_party;
  GUri                *site_for_cookies;
  GBytes              *body;              /* sse_event_source_set_request_body() */
  char                *body_content_type;
  SoupMessage         *template;          /* until sent, when its body cannot be
                                           * built again */
  guint                template_has_body : 1;
  guint                follow_redirects : 1;
} SseRequest;

/* From @template when not NULL (its method, URI, headers, flags, priority
 * and cookie policy), else from @url (a GET). */
void         _sse_request_init              (SseRequest         *request,
                                             const char         *url,
                                             SoupMessage        *template);
void         _sse_request_clear             (SseRequest         *request);

void         _sse_request_set_body          (SseRequest         *request,
                                             const char         *content_type,
                                             GBytes             *body);

/* Copies @from into @to but for the headers libsoup writes itself (Host,
 * Content-Length, Transfer-Encoding); @from_template also leaves out
 * Last-Event-ID (the source sends its own), and @without_body the headers
 * that describe a body (Content-Type, -Encoding, -Language, -Location). */
void         _sse_request_copy_headers      (SoupMessageHeaders *from,
                                             SoupMessageHeaders *to,
                                             gboolean            from_template,
                                             gboolean            without_body);

/* A message with the template's flags (redirects always off: the source
 * follows them itself), priority and cookie policy, and the given method,
 * URI, headers and body. */
SoupMessage *_sse_request_new_message       (const SseRequest   *request,
                                             const char         *method,
                                             GUri               *uri,
                                             SoupMessageHeaders *headers,
                                             gboolean            from_template,
                                             GBytes             *body,
                                             const char         *content_type);

/* Whether the template's request can be sent: not when its body went with
 * the template message, which was sent already, and no body was given
 * since; nor, for @every_attempt, when its body was not given at all. */
gboolean     _sse_request_check_body        (const SseRequest   *request,
                                             gboolean            every_attempt,
                                             GError            **error);

/* The first request of an attempt: the template, plus
 * `Accept: text/event-stream` and `Cache-Control: no-cache` unless the
 * template has its own, and `Last-Event-ID` when @last_event_id is not
 * empty. When the template message carries a body that was not given
 * otherwise, that is the template message itself, once (libsoup cannot
 * give its body back to build another): @template_sent says so. */
SoupMessage *_sse_request_new_first_message (SseRequest         *request,
                                             const char         *last_event_id,
                                             gboolean           *template_sent);

/* A GET to the template's URI with the application's headers, but none
 * that describe a body, to resume the stream after @last_event_id. */
SoupMessage *_sse_request_new_resume_message (const SseRequest  *request,
                                              const char        *last_event_id);

/* Whether a @status redirect of a @method request goes on as a GET without
 * a body: a 303 (but for GET and HEAD), and a 301 or 302 answering a POST,
 * as the Fetch standard says. 307 and 308 keep the method and the body. */
gboolean     _sse_request_redirect_drops_body (guint             status,
                                               const char       *method);

/* The requests of one attempt, redirects included: what the next one
 * sends. */
typedef struct {
  const char         *method;     /* interned */
  SoupMessageHeaders *headers;    /* as the first request had them */
  GBytes             *body;       /* NULL once a redirect dropped it */
  char               *origin;     /* a GRefString: of the request under way */
  guint               redirects;
  gboolean            body_lost;  /* the first request's body cannot be sent again */
} SseRequestChain;

/* Starts from the first request as the application left it (after
 * prepare-request), and the body it carries (@body_lost: one that cannot
 * be sent again, the template message's own). */
void         _sse_request_chain_init        (SseRequestChain    *chain,
                                             SoupMessage        *first,
                                             GBytes             *body,
                                             gboolean            body_lost);
void         _sse_request_chain_clear       (SseRequestChain    *chain);

/* The request that follows a @status redirect to @target: the method and
 * body as _sse_request_redirect_drops_body() says, and, when @target is of
 * another origin than the request under way, without the `Authorization`
 * and `Cookie` headers the application set (for the rest of the attempt).
 * Counts the redirect and moves the chain's origin to @target's. */
SoupMessage *_sse_request_chain_redirect    (SseRequestChain    *chain,
                                             const SseRequest   *request,
                                             guint               status,
                                             GUri               *target);

G_END_DECLS
