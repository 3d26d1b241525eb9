/* sse-error.h: errors reported by sse-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib.h>

#include "sse-version-macros.h"

G_BEGIN_DECLS

/**
 * SSE_ERROR:
 *
 * The error domain of sse-glib. Errors in this domain are from the
 * [error@Sse.Error] enumeration.
 *
 * Since: 1.0
 */
#define SSE_ERROR (sse_error_quark ())

/**
 * SseError:
 * @SSE_ERROR_FAILED: a failure that fits no other code
 * @SSE_ERROR_INVALID_EVENT: an event, event type, id or comment cannot be
 *   represented on the wire (it contains CR, LF or NUL where those are not
 *   allowed, is not valid UTF-8, or has a negative retry)
 * @SSE_ERROR_EVENT_TOO_LARGE: an event (or a comment, or a line) grew past
 *   the configured maximum size; that event was dropped and the stream goes
 *   on with the next one
 * @SSE_ERROR_HTTP_STATUS: the server answered with a status other than
 *   200 OK (204 No Content included: servers use it to say "stop")
 * @SSE_ERROR_CONTENT_TYPE: the server answered with a content type other
 *   than `text/event-stream`
 * @SSE_ERROR_TOO_MANY_ATTEMPTS: the maximum number of reconnection attempts
 *   was reached
 * @SSE_ERROR_CLIENT_TOO_SLOW: on the server side, a client did not read what was
 *   sent to it fast enough and more than the allowed amount was queued for it
 *
 * Error codes of the %SSE_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  SSE_ERROR_FAILED,
  SSE_ERROR_INVALID_EVENT,
  SSE_ERROR_EVENT_TOO_LARGE,
  SSE_ERROR_HTTP_STATUS,
  SSE_ERROR_CONTENT_TYPE,
  SSE_ERROR_TOO_MANY_ATTEMPTS,
  SSE_ERROR_CLIENT_TOO_SLOW,
} SseError;

SSE_AVAILABLE_IN_1_0
GQuark sse_error_quark (void);

G_END_DECLS
