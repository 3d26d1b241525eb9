/* sse-http-private.h: pure helpers for URIs and HTTP answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Nothing here keeps state or does I/O: each function answers from its
 * arguments alone (the current time included, where it matters), so that
 * the rules can be tested without a server.
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Whether @uri can be asked for an event stream: an http or https URI with
 * a host. */
gboolean  _sse_uri_is_http               (GUri                 *uri);

/* Parses @url for an event source, or says what is wrong with it, as a
 * browser's URL parser would refuse it: not absolute, not http or https,
 * no host, a host with characters no host name has, a port out of range.
 * G_IO_ERROR_INVALID_ARGUMENT, with a message that names the problem. */
GUri     *_sse_uri_parse_for_stream      (const char           *url,
                                          GError              **error);

/* The checks of _sse_uri_parse_for_stream() that follow the parsing, on a
 * @uri parsed by someone else (a template message's); @shown is the URL as
 * the messages quote it. */
gboolean  _sse_uri_check_for_stream      (GUri                 *uri,
                                          const char           *shown,
                                          GError              **error);

/* scheme://host[:port] in lower case, the port only when it is not the
 * scheme's default, IPv6 hosts in brackets: what the origin of an event is,
 * and what "the same origin" compares. */
char     *_sse_uri_origin                (GUri                 *uri);

/* The URI as error messages show it: without user information, query or
 * fragment, which may hold secrets (tokens in queries are common). */
char     *_sse_uri_for_display           (GUri                 *uri);

/* Whether the MIME type essence of a Content-Type value (what comes before
 * the parameters, without surrounding whitespace, compared without case) is
 * text/event-stream. FALSE for NULL. */
gboolean  _sse_http_is_event_stream      (const char           *content_type);

/* A Retry-After value in milliseconds: delta-seconds, or an HTTP date
 * compared with @now (the current time when NULL). 0 for NULL, a date in
 * the past, or anything that is neither; G_MAXUINT when it does not fit. */
guint     _sse_http_parse_retry_after    (const char           *value,
                                          GDateTime            *now);

/* Text a server sent, made fit for an error message: valid UTF-8 (a
 * GError's message must be) without control characters (which could
 * rewrite a terminal or a log line). Each offending byte or character
 * becomes U+FFFD. */
char     *_sse_http_server_text          (const char           *text);

/* The reason phrase a server sent with @status, made fit for a message;
 * the standard one for @status when the server sent none. */
char     *_sse_http_reason_phrase        (guint                 status,
                                          const char           *reason);

/* Why a certificate was refused, from what the TLS backend found wrong
 * with it, as a translated "; "-separated list, or NULL for none of the
 * flags it knows. */
char     *_sse_http_describe_certificate_errors (GTlsCertificateFlags flags);

/* Whether an error of a request or of a read will come again on every
 * attempt, so that reconnecting makes no sense: a refused certificate, no
 * TLS backend, an unsupported or invalid request. */
gboolean  _sse_http_is_fatal_error       (const GError         *error);

G_END_DECLS
