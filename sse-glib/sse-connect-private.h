/* sse-connect-private.h: one HTTP exchange, up to an open event stream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sse-request-private.h"

G_BEGIN_DECLS

typedef struct _SseConnect SseConnect;

/* How an exchange ended. The event source decides what to do about it. */
typedef enum {
  SSE_CONNECT_OPENED,          /* 200 with an event stream */
  SSE_CONNECT_FAILED,          /* no answer: a network error, the connect timeout */
  SSE_CONNECT_SERVER_ERROR,    /* 5xx, 408 or 429: the server may answer later */
  SSE_CONNECT_REFUSED,         /* an answer that will not change: another status, another
                                * content type, a redirect that cannot be followed, a
                                * refused certificate, an unsupported request */
} SseConnectOutcome;

typedef struct {
  SseConnectOutcome  outcome;
  SoupMessage       *msg;          /* the last request of the exchange */
  GInputStream      *stream;       /* OPENED: the response body */
  const char        *origin;       /* a GRefString: the origin of @msg's URI */
  const GError      *error;        /* all but OPENED: why, with a message for people */
  guint              retry_after;  /* SERVER_ERROR: Retry-After, in milliseconds */
  gboolean           answered;     /* @msg has a response (status, headers) */
  GBytes            *body;         /* the body of a refused answer, at most
                                    * SSE_CONNECT_MAX_ERROR_BODY bytes */
} SseConnectResult;

/* Called once, in the context the exchange started in, unless the exchange
 * was freed first. @result is valid during the call; take references to
 * what is kept. The callback may free the exchange. */
typedef void (*SseConnectFunc) (gpointer                user_data,
                                const SseConnectResult *result);

/* Sends @first (the first request of an attempt, as prepare-request left
 * it) with @session, follows redirects as @request says, and checks the
 * answer. @body_lost: @first is the template message, whose body cannot be
 * sent again after a redirect. @connect_timeout (milliseconds, 0 for none)
 * bounds the exchange up to the response headers, redirects included; the
 * body of a refused answer is then read for SSE_CONNECT_ERROR_BODY_TIME
 * more at most. */
SseConnect *_sse_connect_start       (SoupSession      *session,
                                      GMainContext     *context,
                                      const SseRequest *request,
                                      SoupMessage      *first,
                                      gboolean          body_lost,
                                      guint             connect_timeout,
                                      SseConnectFunc    func,
                                      gpointer          user_data);

/* Changes the timeout of the exchange under way, counted from its start. */
void        _sse_connect_set_timeout (SseConnect       *connect,
                                      guint             connect_timeout);

/* Cancels what is under way; the callback is not called any more. */
void        _sse_connect_free        (SseConnect       *connect);

/* The most redirects followed in one exchange. */
#define SSE_CONNECT_MAX_REDIRECTS 20

/* How much of a refused answer's body is kept, and how long it is read. */
#define SSE_CONNECT_MAX_ERROR_BODY (64 * 1024)
#define SSE_CONNECT_ERROR_BODY_TIME 3000

/* Replaces SSE_CONNECT_ERROR_BODY_TIME, for tests. Process-wide. */
void        _sse_connect_set_error_body_time (guint milliseconds);

G_END_DECLS
