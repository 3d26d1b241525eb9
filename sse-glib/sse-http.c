/* sse-http.c: pure helpers for URIs and HTTP answers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sse-http-private.h"

gboolean
_sse_uri_is_http (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  return (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
         host != NULL && *host != '\0';
}

/* What WHATWG's URL standard calls forbidden domain code points, in a host
 * name as GLib decoded it. IPv6 literals, which GLib checks itself, are not
 * asked about. */
static gboolean
is_valid_host_name (const char *host)
{
  const guchar *p;

  for (p = (const guchar *) host; *p != '\0'; p++)
    if (*p <= 0x20 || *p == 0x7f || strchr ("#%/:<>?@[\\]^|", *p) != NULL)
      return FALSE;
  return TRUE;
}

gboolean
_sse_uri_check_for_stream (GUri        *uri,
                           const char  *shown,
                           GError     **error)
{
  const char *host;
  int port;

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
      g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an http or https URL; an event source needs one"), shown);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” has no host name"), shown);
      return FALSE;
    }

  if (strchr (host, ':') == NULL && !is_valid_host_name (host))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The host in “%s” is not a valid host name or address"), shown);
      return FALSE;
    }

  port = g_uri_get_port (uri);
  if (port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The port in “%s” is not a number from 1 to 65535"), shown);
      return FALSE;
    }

  return TRUE;
}

GUri *
_sse_uri_parse_for_stream (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *shown = NULL;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No URL was given; an event source needs an http or https URL"));
      return NULL;
    }

  shown = _sse_http_server_text (url);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &parse_error);
  if (uri == NULL)
    {
      if (g_error_matches (parse_error, G_URI_ERROR, G_URI_ERROR_BAD_PORT))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("The port in “%s” is not a number from 1 to 65535"), shown);
      else if (g_error_matches (parse_error, G_URI_ERROR, G_URI_ERROR_BAD_HOST))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("The host in “%s” is not a valid host name or address"), shown);
      else if (g_uri_peek_scheme (url) == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not an absolute URL; give one such as "
                       "https://example.org/events"),
                     shown);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("“%s” is not a valid URL: %s"), shown, parse_error->message);
      return NULL;
    }

  if (!_sse_uri_check_for_stream (uri, shown, error))
    return NULL;

  return g_steal_pointer (&uri);
}

char *
_sse_uri_origin (GUri *uri)
{
  g_autofree char *scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  g_autofree char *host = g_ascii_strdown (g_uri_get_host (uri), -1);
  int default_port = strcmp (scheme, "https") == 0 ? 443 : 80;
  int port = g_uri_get_port (uri);
  gboolean ipv6 = strchr (host, ':') != NULL;

  if (port == -1 || port == default_port)
    return g_strdup_printf (ipv6 ? "%s://[%s]" : "%s://%s", scheme, host);
  return g_strdup_printf (ipv6 ? "%s://[%s]:%d" : "%s://%s:%d", scheme, host, port);
}

char *
_sse_uri_for_display (GUri *uri)
{
  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY |
                                       G_URI_HIDE_FRAGMENT);
}

gboolean
_sse_http_is_event_stream (const char *content_type)
{
  const char *start = content_type, *end;

  if (content_type == NULL)
    return FALSE;

  while (*start == ' ' || *start == '\t')
    start++;
  end = strchr (start, ';');
  if (end == NULL)
    end = start + strlen (start);
  while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
    end--;

  return end - start == 17 && g_ascii_strncasecmp (start, "text/event-stream", 17) == 0;
}

guint
_sse_http_parse_retry_after (const char *value,
                             GDateTime  *now)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) current = NULL;
  GTimeSpan span;

  if (value == NULL)
    return 0;

  while (*value == ' ' || *value == '\t')
    value++;

  if (g_ascii_isdigit (*value))
    {
      guint64 seconds = 0;
      const char *p;

      for (p = value; g_ascii_isdigit (*p); p++)
        {
          seconds = seconds * 10 + (guint64) (*p - '0');
          if (seconds > G_MAXUINT / 1000)
            return G_MAXUINT;
        }
      while (*p == ' ' || *p == '\t')
        p++;
      return *p == '\0' ? (guint) seconds * 1000 : 0;
    }

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return 0;
  if (now == NULL)
    {
      current = g_date_time_new_now_utc ();
      now = current;
    }
  span = g_date_time_difference (date, now);
  if (span <= 0)
    return 0;
  return (guint) MIN ((span + 999) / 1000, (GTimeSpan) G_MAXUINT);
}

char *
_sse_http_server_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));
  const char *p, *next;

  for (p = valid; *p != '\0'; p = next)
    {
      next = g_utf8_next_char (p);
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        g_string_append (out, "\xEF\xBF\xBD");
      else
        g_string_append_len (out, p, next - p);
    }
  return g_string_free (out, FALSE);
}

char *
_sse_http_reason_phrase (guint       status,
                         const char *reason)
{
  /* libsoup 3.2 does not know 429 (RFC 6585), which rate limits send. */
  if ((reason == NULL || *reason == '\0') && status == 429)
    reason = "Too Many Requests";
  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  return _sse_http_server_text (reason != NULL ? reason : "");
}

char *
_sse_http_describe_certificate_errors (GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags  flag;
    const char           *reason;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("it is not signed by a trusted certificate authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("it is not for this host name") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("it is not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("it has expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("it was revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("its algorithm is insecure") },
  };
  GString *text = g_string_new (NULL);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (flags & reasons[i].flag)
      {
        if (text->len > 0)
          g_string_append (text, "; ");
        g_string_append (text, g_dgettext (GETTEXT_PACKAGE, reasons[i].reason));
      }
  return g_string_free (text, text->len == 0);
}

gboolean
_sse_http_is_fatal_error (const GError *error)
{
  /* A certificate that was refused will be refused again. */
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
      g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    return TRUE;

  /* No TLS backend (glib-networking) will not appear by itself either. */
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE))
    return TRUE;

  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}
