/* llm-chat.c: stream an answer from an OpenAI-style chat API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   OPENAI_API_KEY=sk-… llm-chat [--model NAME] BASE-URL PROMPT
 *
 * POSTs PROMPT to BASE-URL/chat/completions (such as
 * https://api.openai.com/v1, or Ollama's http://localhost:11434/v1) with
 * "stream": true, and prints the answer as it arrives, until
 * `data: [DONE]`. The request is sent once (reconnect-mode AUTO never
 * sends a POST again), unless the API refuses it with 429 or a server
 * error before anything was generated: then it is sent again after
 * Retry-After, at most 3 times. When the API refuses the request, its own
 * message is shown, from the JSON body of the answer:
 *
 *   error: Incorrect API key provided: sk-wr***ng. (HTTP 401)
 *
 * Exit status: 0 after [DONE], 1 when the answer failed or was cut short,
 * 2 for a usage error. llm-chat.py and llm-chat.js do the same.
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <sse-glib/sse-glib.h>

static char *opt_model = NULL;

static const GOptionEntry entries[] = {
  { "model", 'm', 0, G_OPTION_ARG_STRING, &opt_model, "The model (gpt-4o-mini)", "NAME" },
  { NULL }
};

typedef struct {
  GMainLoop *loop;
  gboolean   printed;  /* some of the answer was printed */
  gboolean   done;     /* data: [DONE] arrived */
  gboolean   failed;   /* the attempt under way failed, and said so */
} Chat;

/* The string at @path (a JSONPath such as "$.error.message") in the JSON
 * text @data, or NULL when it is not JSON or holds no string there. */
static char *
json_string_at (const char *data,
                gsize       len,
                const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) matches = NULL;
  JsonArray *array;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  matches = json_path_query (path, json_parser_get_root (parser), NULL);
  if (matches == NULL)
    return NULL;
  array = json_node_get_array (matches);
  if (json_array_get_length (array) != 1)
    return NULL;
  node = json_array_get_element (array, 0);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_dup_string (node);
}

/* The body of the request: {"model": …, "stream": true, "messages": […]}. */
static GBytes *
chat_request (const char *model,
              const char *prompt)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *json;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "user");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, prompt);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  return g_bytes_new_take (json, strlen (json));
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Chat *chat = user_data;
  const char *data = sse_event_get_data (event);
  g_autofree char *content = NULL;

  if (strcmp (data, "[DONE]") == 0)
    {
      chat->done = TRUE;
      sse_event_source_close (source);   /* the answer is complete */
      return;
    }

  /* {"choices": [{"delta": {"content": "Hel"}, …}], …} */
  content = json_string_at (data, strlen (data), "$.choices[0].delta.content");
  if (content != NULL)
    {
      fputs (content, stdout);
      fflush (stdout);
      chat->printed = TRUE;
    }
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  Chat *chat = user_data;
  SoupMessage *response = sse_event_source_get_last_response (source);
  GBytes *body = sse_event_source_get_last_response_body (source);
  g_autofree char *message = NULL;

  /* A refused request: the API says why in the JSON body of its answer,
   * {"error": {"message": "…", "type": "…", "code": …}}. */
  if (g_error_matches (error, SSE_ERROR, SSE_ERROR_HTTP_STATUS) && body != NULL)
    message = json_string_at (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              "$.error.message");

  if (message != NULL)
    g_printerr ("error: %s (HTTP %u)\n", message, (guint) soup_message_get_status (response));
  else
    g_printerr ("error: %s\n", error->message);
  chat->failed = TRUE;
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           gpointer        user_data)
{
  Chat *chat = user_data;

  switch (sse_event_source_get_status (source))
    {
    case SSE_STATUS_CONNECTING:
      chat->failed = FALSE;
      break;

    case SSE_STATUS_RECONNECTING:
      /* Only after a 429 or a 5xx: a stream that opened is never sent again. */
      g_printerr ("retrying in %u ms\n", sse_event_source_get_reconnect_delay (source));
      break;

    case SSE_STATUS_CLOSED:
      if (chat->printed)
        printf ("\n");
      if (!chat->done && !chat->failed)
        g_printerr ("error: the answer ended before [DONE]\n");
      g_main_loop_quit (chat->loop);
      break;

    case SSE_STATUS_OPEN:
    default:
      break;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("BASE-URL PROMPT - ask a chat API");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  const char *api_key = g_getenv ("OPENAI_API_KEY");
  Chat chat = { 0, };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      g_printerr ("Usage: llm-chat [--model NAME] BASE-URL PROMPT\n");
      return 2;
    }

  url = g_strconcat (argv[1], g_str_has_suffix (argv[1], "/") ? "" : "/",
                     "chat/completions", NULL);
  msg = soup_message_new ("POST", url);
  if (msg == NULL)
    {
      g_printerr ("error: “%s” is not an http or https URL\n", argv[1]);
      return 2;
    }
  if (api_key != NULL && *api_key != '\0')
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", api_key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", authorization);
    }

  source = sse_event_source_new_for_message (msg);
  body = chat_request (opt_model != NULL ? opt_model : "gpt-4o-mini", argv[2]);
  sse_event_source_set_request_body (source, "application/json", body);

  /* A POST is never sent again once a stream opened (reconnect-mode AUTO);
   * a request refused with 429 or a server error, before anything was
   * generated, is: after Retry-After, at least 1 s, at most 3 times. */
  g_object_set (source,
                "retry-on-server-error", TRUE,
                "reconnection-time", 1000,
                "max-reconnect-attempts", 3,
                NULL);

  loop = g_main_loop_new (NULL, FALSE);
  chat.loop = loop;
  g_signal_connect (source, "event", G_CALLBACK (on_event), &chat);
  g_signal_connect (source, "error", G_CALLBACK (on_error), &chat);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), &chat);

  sse_event_source_open (source);
  g_main_loop_run (loop);

  g_free (opt_model);
  return chat.done ? EXIT_SUCCESS : EXIT_FAILURE;
}
