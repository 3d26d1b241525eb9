/* sse-cat-client.c: print the events of a stream as they arrive, and say
 * what happens to the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "sse-cat.h"

/* The request, from -X, -H and -d. */
static const char *request_method;
static SoupMessageHeaders *request_headers;
static GBytes *request_body;
static const char *request_content_type;    /* in request_headers, or static */

/* Printing events ---------------------------------------------------------- */

static void
print_text (SseEvent *event)
{
  const char *type = sse_event_get_event_type (event);
  const char *id = sse_event_get_id (event);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint i;

  g_string_append_printf (out, "[%s]", type);
  if (id != NULL)
    g_string_append_printf (out, " id=%s", id);
  if (sse_event_get_retry (event) >= 0)
    g_string_append_printf (out, " retry=%" G_GINT64_FORMAT, sse_event_get_retry (event));
  g_string_append_c (out, '\n');

  lines = g_strsplit (sse_event_get_data (event), "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "  %s\n", lines[i]);

  fwrite (out->str, 1, out->len, stdout);
}

static void
print_json (Client   *client,
            SseEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *id = sse_event_get_id (event);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, sse_event_get_event_type (event));
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, sse_event_get_data (event));
  json_builder_set_member_name (builder, "id");
  if (id != NULL)
    json_builder_add_string_value (builder, id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "last_event_id");
  json_builder_add_string_value (builder, sse_event_get_last_event_id (event));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (client->generator, root);
  text = json_generator_to_data (client->generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

static void
print_raw (Client   *client,
           SseEvent *event)
{
  g_autoptr(GBytes) bytes = sse_encoder_encode_event (client->encoder, event);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  fwrite (data, 1, len, stdout);
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          Client         *client)
{
  switch (client->format)
    {
    case FORMAT_JSON:
      print_json (client, event);
      break;
    case FORMAT_RAW:
      print_raw (client, event);
      break;
    case FORMAT_TEXT:
    default:
      print_text (event);
      break;
    }
  fflush (stdout);

  if (client->demo)
    {
      /* Every event must follow the one before: nothing lost, nothing twice. */
      gint64 expected = client->demo_last_id ? g_ascii_strtoll (client->demo_last_id, NULL, 10) + 1 : 1;

      if (g_ascii_strtoll (sse_event_get_last_event_id (event), NULL, 10) != expected)
        client->demo_order_ok = FALSE;
      g_free (client->demo_last_id);
      client->demo_last_id = g_strdup (sse_event_get_last_event_id (event));
    }

  client->n_events++;
  if (client->max_events >= 0 && client->n_events >= client->max_events)
    {
      /* Quit first: the status change that close() brings is ours. */
      client->exit_status = EXIT_OK;
      g_main_loop_quit (client->loop);
      sse_event_source_close (source);
    }
}

/* The body of a refused answer --------------------------------------------- */

/* How much of a refused answer's body is printed, unless -v: as --help says. */
#define REFUSED_BODY_LINES 20
#define REFUSED_BODY_BYTES 2048
/* The most the library keeps of it. */
#define REFUSED_BODY_KEPT (64 * 1024)

/* Whether a body of @content_type (NULL: none given) is text to show. */
static gboolean
is_text_type (const char *content_type)
{
  g_autofree char *type = NULL;

  if (content_type == NULL)
    return TRUE;
  type = g_ascii_strdown (content_type, -1);
  return g_str_has_prefix (type, "text/") ||
         g_str_equal (type, "application/json") || g_str_has_suffix (type, "+json") ||
         g_str_equal (type, "application/xml") || g_str_has_suffix (type, "+xml") ||
         g_str_equal (type, "application/javascript") ||
         g_str_equal (type, "application/x-www-form-urlencoded");
}

/* Text a server sent, made fit for a terminal: valid UTF-8, line breaks
 * (CR LF, CR, LF) as LF, a tab as a space, and every other control
 * character (C0, DEL, C1) and every bidirectional override or isolate as
 * U+FFFD, so that the server can neither move the cursor, recolour the
 * terminal nor reorder what is shown. */
static char *
terminal_text (const char *data,
               gssize      len)
{
  g_autofree char *valid = g_utf8_make_valid (data, len);
  GString *out = g_string_sized_new (strlen (valid));
  const char *p;

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\r' && p[1] == '\n')
        continue;
      if (c == '\r' || c == '\n')
        g_string_append_c (out, '\n');
      else if (c == '\t')
        g_string_append_c (out, ' ');
      else if (g_unichar_iscntrl (c) ||
               (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        g_string_append (out, "\xEF\xBF\xBD");
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Prints the body of the refused answer that the last status line reported,
 * indented under it: what an API says is wrong (a JSON error, a rate
 * limit) is often only there. The first REFUSED_BODY_LINES lines or
 * REFUSED_BODY_BYTES bytes, whichever is less; with -v all the library kept. */
static void
print_refused_body (Client *client)
{
  g_autoptr(GBytes) body = g_steal_pointer (&client->refused_body);
  g_autoptr(SoupMessage) answer = g_steal_pointer (&client->refused);
  SoupMessageHeaders *headers;
  const char *content_type;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len, shown = 0;
  const char *data;
  gboolean cut = FALSE;
  guint i;

  if (body == NULL || answer == NULL)
    return;

  headers = soup_message_get_response_headers (answer);
  content_type = soup_message_headers_get_content_type (headers, NULL);
  data = g_bytes_get_data (body, &len);
  if (len == 0)
    return;
  if (!is_text_type (content_type) || memchr (data, '\0', len) != NULL)
    {
      fflush (stdout);
      if (content_type != NULL)
        {
          g_autofree char *type = terminal_text (content_type, -1);
          g_autofree char *note = g_strdup_printf (_("(a body of type “%s”, not shown)"), type);

          g_printerr ("  %s\n", note);
        }
      else
        g_printerr ("  %s\n", _("(a body that is not text, not shown)"));
      return;
    }

  text = terminal_text (data, len);
  g_strstrip (text);
  if (*text == '\0')
    return;

  /* What the library did not read. */
  if (len >= REFUSED_BODY_KEPT ||
      soup_message_headers_get_content_length (headers) > (goffset) len)
    cut = TRUE;

  fflush (stdout);
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      gsize line_len = strlen (lines[i]);

      if (!client->verbose)
        {
          if (i == REFUSED_BODY_LINES || shown >= REFUSED_BODY_BYTES)
            {
              cut = TRUE;
              break;
            }
          if (shown + line_len > REFUSED_BODY_BYTES)
            {
              /* Cut within the line, between two characters. */
              const char *end = g_utf8_find_prev_char (lines[i],
                                                       lines[i] + REFUSED_BODY_BYTES - shown + 1);

              line_len = end != NULL ? (gsize) (end - lines[i]) : 0;
              g_printerr ("  %.*s\n", (int) line_len, lines[i]);
              cut = TRUE;
              break;
            }
        }
      g_printerr ("  %s\n", lines[i]);
      shown += line_len + 1;
    }
  if (cut)
    g_printerr ("  %s\n", _("… (the rest is not shown)"));
}

/* Status and errors ---------------------------------------------------------- */

static void
on_prepare_request (SseEventSource *source,
                    SoupMessage    *msg,
                    Client         *client)
{
  const char *last_event_id = sse_event_source_get_last_event_id (source);

  client->requests++;
  g_set_object (&client->last_msg, msg);
  if (*last_event_id != '\0')
    status_line (_("connecting to %s (Last-Event-ID: %s)…"),
                 sse_event_source_get_url (source), last_event_id);
  else
    status_line (_("connecting to %s…"), sse_event_source_get_url (source));
}

static void
print_headers (const char         *prefix,
               SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_printerr ("%s %s: %s\n", prefix, name, value);
}

static void
on_got_headers (SoupMessage *msg,
                Client      *client)
{
  g_autofree char *uri = g_uri_to_string (soup_message_get_uri (msg));

  g_printerr ("> %s %s\n", soup_message_get_method (msg), uri);
  print_headers (">", soup_message_get_request_headers (msg));
  g_printerr ("< %u %s\n", soup_message_get_status (msg), soup_message_get_reason_phrase (msg));
  print_headers ("<", soup_message_get_response_headers (msg));
}

static void
on_prepare_request_verbose (SseEventSource *source,
                            SoupMessage    *msg,
                            Client         *client)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), client);
}

/* What happened to the attempt that just ended, and why: the `error` signal
 * came before this status change, with the cause. */
static void
report_reconnecting (Client *client)
{
  guint delay = sse_event_source_get_reconnect_delay (client->source);
  guint attempt = sse_event_source_get_reconnect_attempt (client->source);
  const char *cause = client->last_error != NULL ? client->last_error->message : NULL;

  /* No error: an open stream that the server ended. */
  if (cause == NULL)
    status_line (_("the server ended the stream; reconnecting in %u ms (attempt %u)"),
                 delay, attempt);
  else if (client->opened)
    status_line (_("connection lost; reconnecting in %u ms (attempt %u): %s"),
                 delay, attempt, cause);
  else if (client->last_msg != NULL && soup_message_get_status (client->last_msg) != 0)
    status_line (_("the server did not open the stream; reconnecting in %u ms (attempt %u): %s"),
                 delay, attempt, cause);
  else
    status_line (_("could not connect; reconnecting in %u ms (attempt %u): %s"),
                 delay, attempt, cause);
  print_refused_body (client);
}

/* The source closed by itself: say how it ended, and with which status. */
static void
report_closed (Client *client)
{
  SseEventSource *source = client->source;

  /* 204 is the server's way to say "no more events", and a stream that is
   * not to be reconnected ends with the server's end: both are normal
   * ends. Otherwise, say what went wrong with the last attempt, not merely
   * that there were too many. */
  if (client->last_msg != NULL &&
      soup_message_get_status (client->last_msg) == SOUP_STATUS_NO_CONTENT)
    {
      status_line (_("the server has no more events (204 No Content)"));
      client->exit_status = EXIT_OK;
    }
  else if (client->last_error == NULL)
    {
      if (sse_event_source_get_reconnect_mode (source) == SSE_RECONNECT_MODE_RESUME_GET &&
          *sse_event_source_get_last_event_id (source) == '\0')
        status_line (_("the server ended the stream, and sent no event ID to resume from"));
      else
        status_line (_("the server ended the stream"));
      client->exit_status = EXIT_OK;
    }
  else if (client->opened && request_method != NULL &&
           sse_event_source_get_reconnect_mode (source) == SSE_RECONNECT_MODE_AUTO &&
           g_ascii_strcasecmp (request_method, "GET") != 0 &&
           g_ascii_strcasecmp (request_method, "HEAD") != 0)
    {
      /* Why it stopped there, where a GET would have gone on. */
      status_line (_("%s; a %s request is not sent again (see --reconnect-mode)"),
                   client->last_error->message, request_method);
      client->exit_status = EXIT_FAILED;
    }
  else
    {
      status_line ("%s", client->last_error->message);
      print_refused_body (client);
      client->exit_status = EXIT_FAILED;
    }
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           Client         *client)
{
  switch (sse_event_source_get_status (source))
    {
    case SSE_STATUS_OPEN:
      g_clear_error (&client->last_error);
      g_clear_object (&client->refused);
      g_clear_pointer (&client->refused_body, g_bytes_unref);
      client->opened = TRUE;
      status_line (_("open"));
      break;

    case SSE_STATUS_RECONNECTING:
      client->reconnects++;
      report_reconnecting (client);
      break;

    case SSE_STATUS_CLOSED:
      if (g_main_loop_is_running (client->loop) && !client->interrupted)
        {
          report_closed (client);
          g_main_loop_quit (client->loop);
        }
      break;

    case SSE_STATUS_CONNECTING:
      client->opened = FALSE;
      break;

    default:
      break;
    }
}

static void
on_error (SseEventSource *source,
          const GError   *error,
          Client         *client)
{
  GBytes *body;

  /* An event too large to keep was dropped; the stream goes on. Every
   * other error ends the attempt: the status change that follows says it. */
  if (g_error_matches (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE))
    {
      status_line ("%s", error->message);
      return;
    }

  /* A URL the library refuses fails before any request: a usage error,
   * said in one line. The CLOSED that follows finds the loop stopped. */
  if (client->requests == 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      status_line ("%s", error->message);
      client->exit_status = EXIT_USAGE;
      g_main_loop_quit (client->loop);
      return;
    }

  /* "Too many attempts" is the library's summary; the attempt's own error
   * is what a person can act on. */
  if (g_error_matches (error, SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS))
    {
      if (client->last_error != NULL)
        {
          g_autofree char *cause = g_strdup (client->last_error->message);

          g_clear_error (&client->last_error);
          client->last_error = g_error_new (error->domain, error->code, "%s (%s)",
                                            error->message, cause);
        }
      return;
    }

  g_clear_error (&client->last_error);
  client->last_error = g_error_copy (error);

  /* The answer that refused the request, and its body, are the source's
   * until its next attempt: keep them for the status line. */
  g_clear_object (&client->refused);
  g_clear_pointer (&client->refused_body, g_bytes_unref);
  body = sse_event_source_get_last_response_body (source);
  if (body != NULL && sse_event_source_get_last_response (source) != NULL)
    {
      client->refused = g_object_ref (sse_event_source_get_last_response (source));
      client->refused_body = g_bytes_ref (body);
    }
}

/* Ctrl-C: the handler runs once and removes itself, so whoever owns the
 * source id clears it there; a second Ctrl-C then gets the default action
 * (the process ends at once), a way out should the first not suffice. */
static gboolean
on_sigint (gpointer user_data)
{
  Client *client = user_data;

  client->sigint_id = 0;
  report_interrupted ();
  client->exit_status = EXIT_INTERRUPTED;
  client->interrupted = TRUE;
  g_main_loop_quit (client->loop);
  if (client->source != NULL)
    sse_event_source_close (client->source);

  return G_SOURCE_REMOVE;
}

/* Client mode ---------------------------------------------------------------- */

/* A body that is a JSON object or array is meant for a JSON API (an LLM's
 * streaming endpoint, an MCP server); anything else is taken for a form,
 * as curl -d does. */
static gboolean
body_is_json (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  JsonNode *root;

  if (len == 0 || len > G_MAXSSIZE || !json_parser_load_from_data (parser, data, len, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  return root != NULL && (JSON_NODE_HOLDS_OBJECT (root) || JSON_NODE_HOLDS_ARRAY (root));
}

/* Whether @method is an HTTP token (RFC 9110), which a method must be. */
static gboolean
is_method (const char *method)
{
  const char *p;

  if (*method == '\0')
    return FALSE;
  for (p = method; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-.^_`|~", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* The request options (-X, -H, -d) into request_method, request_headers,
 * request_body and request_content_type; FALSE with a usage error. */
static gboolean
parse_request_options (GError **error)
{
  guint i;

  request_method = opt_method != NULL ? opt_method : opt_data != NULL ? "POST" : "GET";
  if (!is_method (request_method))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid HTTP method"), request_method);
      return FALSE;
    }

  request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  for (i = 0; opt_headers != NULL && opt_headers[i] != NULL; i++)
    {
      const char *colon = strchr (opt_headers[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL || colon == opt_headers[i])
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The header “%s” is not of the form “Name: value”"), opt_headers[i]);
          return FALSE;
        }
      name = g_strstrip (g_strndup (opt_headers[i], colon - opt_headers[i]));
      value = g_strstrip (g_strdup (colon + 1));
      if (strpbrk (value, "\r\n") != NULL || strpbrk (name, "\r\n \t") != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The header “%s” contains characters not allowed in a header"), name);
          return FALSE;
        }
      soup_message_headers_append (request_headers, name, value);
    }

  if (opt_data != NULL)
    {
      if (opt_data[0] == '@')
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (opt_data + 1);
          g_autoptr(GError) local_error = NULL;

          request_body = g_file_load_bytes (file, NULL, NULL, &local_error);
          if (request_body == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Cannot read the request body from “%s”: %s"),
                           opt_data + 1, local_error->message);
              return FALSE;
            }
        }
      else
        request_body = g_bytes_new (opt_data, strlen (opt_data));

      /* As --help says. */
      request_content_type = soup_message_headers_get_one (request_headers, "Content-Type");
      if (request_content_type == NULL)
        request_content_type = body_is_json (request_body) ? "application/json"
                                                           : "application/x-www-form-urlencoded";
    }

  return TRUE;
}

static void
append_header (const char         *name,
               const char         *value,
               SoupMessageHeaders *to)
{
  soup_message_headers_append (to, name, value);
}

/* The source for @url and the request options. Whether @url will do is
 * the library's to say: a URL that libsoup cannot even make a message of
 * (no host, a port out of range) goes to it as a string, and either way
 * the library checks it and reports what is wrong after open(). */
static SseEventSource *
new_source (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(SoupMessage) msg = NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return sse_event_source_new (url);

  msg = soup_message_new_from_uri (request_method, uri);
  soup_message_headers_foreach (request_headers, (SoupMessageHeadersForeachFunc) append_header,
                                soup_message_get_request_headers (msg));
  return sse_event_source_new_for_message (msg);
}

/* --reconnect-mode and --no-reconnect, as a mode; FALSE with a usage error. */
static gboolean
reconnect_mode_option (SseReconnectMode  *mode,
                       GError           **error)
{
  g_autoptr(GEnumClass) modes = g_type_class_ref (SSE_TYPE_RECONNECT_MODE);
  GEnumValue *value;

  *mode = opt_no_reconnect ? SSE_RECONNECT_MODE_NEVER : SSE_RECONNECT_MODE_AUTO;
  if (opt_reconnect_mode == NULL)
    return TRUE;

  value = g_enum_get_value_by_nick (modes, opt_reconnect_mode);
  if (value == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a reconnect mode; give auto, resend, resume-get or never"),
                   opt_reconnect_mode);
      return FALSE;
    }
  if (opt_no_reconnect && value->value != SSE_RECONNECT_MODE_NEVER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--no-reconnect means --reconnect-mode=never, not %s"), opt_reconnect_mode);
      return FALSE;
    }
  *mode = value->value;
  return TRUE;
}

void
client_setup (Client         *client,
              SseEventSource *source)
{
  client->source = g_object_ref (source);
  client->encoder = sse_encoder_new ();
  client->generator = json_generator_new ();
  client->format = opt_json ? FORMAT_JSON : opt_raw ? FORMAT_RAW : FORMAT_TEXT;
  client->max_events = opt_max_events;
  client->verbose = opt_verbose;
  client->exit_status = EXIT_FAILED;

  g_signal_connect (source, "error", G_CALLBACK (on_error), client);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), client);
  g_signal_connect (source, "prepare-request", G_CALLBACK (on_prepare_request), client);
  if (client->verbose)
    g_signal_connect (source, "prepare-request", G_CALLBACK (on_prepare_request_verbose), client);
}

void
client_print_events (Client *client)
{
  g_signal_connect (client->source, "event", G_CALLBACK (on_event), client);
}

void
client_handle_ctrl_c (Client *client)
{
  client->sigint_id = g_unix_signal_add (SIGINT, on_sigint, client);
}

void
client_clear (Client *client)
{
  g_clear_handle_id (&client->sigint_id, g_source_remove);
  if (client->source != NULL)
    g_signal_handlers_disconnect_by_data (client->source, client);
  g_clear_object (&client->source);
  g_clear_object (&client->encoder);
  g_clear_object (&client->generator);
  g_clear_error (&client->last_error);
  g_clear_object (&client->refused);
  g_clear_pointer (&client->refused_body, g_bytes_unref);
  g_clear_object (&client->last_msg);
  g_clear_pointer (&client->demo_last_id, g_free);
  g_clear_pointer (&client->loop, g_main_loop_unref);
}

SseEventSource *
client_source_new (const char *url)
{
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(GError) error = NULL;
  guint connect_timeout = G_MAXUINT, read_timeout = G_MAXUINT;
  SseReconnectMode mode;

  if (!timeout_option ("--connect-timeout", opt_connect_timeout, &connect_timeout, &error) ||
      !timeout_option ("--read-timeout", opt_read_timeout, &read_timeout, &error) ||
      !reconnect_mode_option (&mode, &error) ||
      !parse_request_options (&error))
    {
      usage_error ("%s", error->message);
      return NULL;
    }
  if (opt_last_event_id != NULL && strpbrk (opt_last_event_id, "\r\n") != NULL)
    {
      usage_error (_("The last event ID cannot contain a line break"));
      return NULL;
    }

  source = new_source (url);
  if (opt_cacert != NULL)
    {
      /* glib-networking takes only an absolute path (a relative one is
       * refused with a warning, and nothing is trusted). */
      g_autofree char *path = g_canonicalize_filename (opt_cacert, NULL);
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (path, &error);

      if (database == NULL)
        {
          usage_error (_("Cannot read the certificates in “%s”: %s"), opt_cacert, error->message);
          return NULL;
        }
      /* The source's own session, made for event streams: only its TLS
       * database changes. */
      soup_session_set_tls_database (sse_event_source_get_session (source), database);
    }
  if (request_body != NULL)
    sse_event_source_set_request_body (source, request_content_type, request_body);
  if (opt_last_event_id != NULL)
    sse_event_source_set_last_event_id (source, opt_last_event_id);
  if (connect_timeout != G_MAXUINT)
    sse_event_source_set_connect_timeout (source, connect_timeout);
  if (read_timeout != G_MAXUINT)
    sse_event_source_set_read_timeout (source, read_timeout);
  sse_event_source_set_reconnect_mode (source, mode);
  sse_event_source_set_retry_on_server_error (source, opt_retry_on_server_error);

  return g_steal_pointer (&source);
}

void
client_options_clear (void)
{
  g_clear_pointer (&request_headers, soup_message_headers_unref);
  g_clear_pointer (&request_body, g_bytes_unref);
}

int
run_client (const char *url)
{
  g_autoptr(SseEventSource) source = client_source_new (url);
  Client client = { 0, };

  if (source == NULL)
    {
      client_options_clear ();
      return EXIT_USAGE;
    }

  client.loop = g_main_loop_new (NULL, FALSE);
  client_setup (&client, source);
  client_print_events (&client);
  client_handle_ctrl_c (&client);

  sse_event_source_open (source);
  g_main_loop_run (client.loop);

  sse_event_source_close (source);
  client_clear (&client);
  client_options_clear ();
  return client.exit_status;
}
