/* mcp-resume.c: call a tool of an MCP server, resuming its answer's stream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   mcp-resume --session-id ID URL TOOL [ARGUMENTS-JSON]
 *
 * POSTs a JSON-RPC "tools/call" request to the MCP endpoint URL (streamable
 * HTTP transport, protocol 2025-06-18) in the session ID that the server
 * gave at "initialize", with `Accept: application/json, text/event-stream`.
 * The server answers with an event stream whose events carry ids; when it
 * ends the stream before the answer came (MCP servers may, as SEP-1699's
 * polling does), the source resumes with a GET to URL with Last-Event-ID
 * and the same headers, never POSTing the request again
 * (reconnect-mode RESUME_GET). A server may also answer with one JSON
 * message instead of a stream. Prints the progress notifications, each
 * reconnection and the result:
 *
 *   progress: 1/3
 *   reconnecting in 50 ms after event 1-1
 *   progress: 2/3
 *   result: Counted to 3.
 *
 * Exit status: 0 after the result, 1 after an error (a JSON-RPC error, a
 * refused request, or a stream that ended with nothing to resume from), 2
 * for a usage error. mcp-resume.py and mcp-resume.js do the same.
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <sse-glib/sse-glib.h>

#define REQUEST_ID 1

static char *opt_session_id = NULL;

static const GOptionEntry entries[] = {
  { "session-id", 's', 0, G_OPTION_ARG_STRING, &opt_session_id,
    "The Mcp-Session-Id of the session", "ID" },
  { NULL }
};

typedef struct {
  GMainLoop *loop;
  gboolean   answered;   /* the result (or a JSON-RPC error) arrived */
  gboolean   ok;         /* it was a result */
  gboolean   failed;     /* an error was shown */
} Call;

/* The member at @path (a JSONPath such as "$.error.message") of @root, or
 * NULL when there is not exactly one. */
static JsonNode *
json_at (JsonNode   *root,
         const char *path)
{
  g_autoptr(JsonNode) matches = json_path_query (path, root, NULL);
  JsonArray *array = matches != NULL ? json_node_get_array (matches) : NULL;

  if (array == NULL || json_array_get_length (array) != 1)
    return NULL;
  return json_node_copy (json_array_get_element (array, 0));
}

/* The string at @path of @root, or NULL. */
static char *
json_string_at (JsonNode   *root,
                const char *path)
{
  g_autoptr(JsonNode) node = json_at (root, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_dup_string (node);
}

static JsonNode *
json_parse (const char *data,
            gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name":
 * TOOL, "arguments": ARGUMENTS, "_meta": {"progressToken": 1}}} */
static GBytes *
tool_call_request (const char *tool,
                   JsonNode   *arguments)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *json;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, REQUEST_ID);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "tools/call");
  json_builder_set_member_name (builder, "params");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, tool);
  json_builder_set_member_name (builder, "arguments");
  json_builder_add_value (builder, json_node_copy (arguments));
  json_builder_set_member_name (builder, "_meta");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "progressToken");
  json_builder_add_int_value (builder, 1);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  return g_bytes_new_take (json, strlen (json));
}

static void
show_answer (Call     *call,
             JsonNode *message)
{
  g_autoptr(JsonNode) texts = json_path_query ("$.result.content[*].text", message, NULL);
  g_autofree char *error = json_string_at (message, "$.error.message");
  JsonArray *array = json_node_get_array (texts);

  call->answered = TRUE;
  if (error != NULL)
    {
      g_autoptr(JsonNode) code = json_at (message, "$.error.code");

      g_printerr ("error: %s (JSON-RPC error %" G_GINT64_FORMAT ")\n", error,
                  code != NULL && JSON_NODE_HOLDS_VALUE (code) ? json_node_get_int (code) : 0);
      call->failed = TRUE;
      return;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *text = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING)
        printf ("result: %s\n", json_node_get_string (text));
    }
  call->ok = TRUE;
}

/* One JSON-RPC message from the server: a progress notification, or the
 * answer to the request. */
static void
handle_message (Call     *call,
                JsonNode *message)
{
  g_autofree char *method = json_string_at (message, "$.method");
  g_autoptr(JsonNode) id = json_at (message, "$.id");

  if (g_strcmp0 (method, "notifications/progress") == 0)
    {
      g_autoptr(JsonNode) progress = json_at (message, "$.params.progress");
      g_autoptr(JsonNode) total = json_at (message, "$.params.total");

      if (progress != NULL && total != NULL)
        printf ("progress: %g/%g\n", json_node_get_double (progress), json_node_get_double (total));
    }
  else if (method == NULL && id != NULL && JSON_NODE_HOLDS_VALUE (id) &&
           json_node_get_int (id) == REQUEST_ID)
    show_answer (call, message);
}

/* Each event's data is one JSON-RPC message. */
static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Call *call = user_data;
  const char *data = sse_event_get_data (event);
  g_autoptr(JsonNode) message = NULL;

  /* The server's priming event: an id to resume from, and no message. */
  if (*data == '\0')
    return;

  message = json_parse (data, strlen (data));
  if (message != NULL)
    handle_message (call, message);
  if (call->answered)
    sse_event_source_close (source);   /* the answer is all we wanted */
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  Call *call = user_data;
  SoupMessage *response = sse_event_source_get_last_response (source);
  GBytes *body = sse_event_source_get_last_response_body (source);
  g_autoptr(JsonNode) message = NULL;
  g_autofree char *text = NULL;

  if (body != NULL && error->domain == SSE_ERROR)
    message = json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  /* The server answered with one JSON message instead of a stream, as MCP
   * allows: for the source, the wrong content type; the answer is in the
   * body (its first 64 KiB). */
  if (message != NULL && error->code == SSE_ERROR_CONTENT_TYPE)
    {
      handle_message (call, message);
      if (call->answered)
        return;
    }

  /* A refused request: MCP servers say why in a JSON-RPC error,
   * {"jsonrpc": "2.0", "id": null, "error": {"code": …, "message": "…"}}. */
  if (message != NULL && error->code == SSE_ERROR_HTTP_STATUS)
    text = json_string_at (message, "$.error.message");

  if (text != NULL)
    g_printerr ("error: %s (HTTP %u)\n", text, (guint) soup_message_get_status (response));
  else
    g_printerr ("error: %s\n", error->message);
  call->failed = TRUE;
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           gpointer        user_data)
{
  Call *call = user_data;

  switch (sse_event_source_get_status (source))
    {
    case SSE_STATUS_RECONNECTING:
      printf ("reconnecting in %u ms after event %s\n",
              sse_event_source_get_reconnect_delay (source),
              sse_event_source_get_last_event_id (source));
      break;

    case SSE_STATUS_CLOSED:
      /* RESUME_GET closes when there is no event ID to resume from. */
      if (!call->answered && !call->failed)
        g_printerr ("error: the stream ended before the answer, with no event ID to resume from\n");
      g_main_loop_quit (call->loop);
      break;

    case SSE_STATUS_CONNECTING:
    case SSE_STATUS_OPEN:
    default:
      break;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("URL TOOL [ARGUMENTS-JSON] - call an MCP tool");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(JsonNode) arguments = NULL;
  g_autoptr(GBytes) body = NULL;
  SoupMessageHeaders *headers;
  Call call = { 0, };

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 3 || argc > 4 ||
      opt_session_id == NULL)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      g_printerr ("Usage: mcp-resume --session-id ID URL TOOL [ARGUMENTS-JSON]\n");
      return 2;
    }
  arguments = argc == 4 ? json_from_string (argv[3], &error) : json_from_string ("{}", &error);
  if (arguments == NULL || !JSON_NODE_HOLDS_OBJECT (arguments))
    {
      g_printerr ("error: the arguments must be a JSON object\n");
      return 2;
    }

  msg = soup_message_new ("POST", argv[1]);
  if (msg == NULL)
    {
      g_printerr ("error: “%s” is not an http or https URL\n", argv[1]);
      return 2;
    }
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json, text/event-stream");
  soup_message_headers_replace (headers, "Mcp-Session-Id", opt_session_id);
  soup_message_headers_replace (headers, "MCP-Protocol-Version", "2025-06-18");
  /* Sent once, with the template itself: the source resumes with GETs. */
  body = tool_call_request (argv[2], arguments);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  source = sse_event_source_new_for_message (msg);
  sse_event_source_set_reconnect_mode (source, SSE_RECONNECT_MODE_RESUME_GET);
  /* Five failed attempts in a row end it; an attempt that brought an event
   * starts the count again. */
  sse_event_source_set_max_reconnect_attempts (source, 5);

  loop = g_main_loop_new (NULL, FALSE);
  call.loop = loop;
  g_signal_connect (source, "event", G_CALLBACK (on_event), &call);
  g_signal_connect (source, "error", G_CALLBACK (on_error), &call);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), &call);

  sse_event_source_open (source);
  g_main_loop_run (loop);

  g_free (opt_session_id);
  return call.ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
