/* token-refresh.c: read a feed that wants a fresh bearer token on every connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   token-refresh --token-file FILE [--max-events N] URL
 *
 * Reads the event stream at URL with the headers every request carries
 * (X-Api-Version, set once on the template message) and an access token
 * that expires: a credential helper keeps the newest one in FILE, and the
 * program reads it again before every attempt, in prepare-request, so each
 * reconnection sends `Authorization: Bearer <the token of the moment>`.
 * Prints one line per event, as listen does:
 *
 *   event: tick id=1 data={"n": 1}
 *
 * Exit status: 0 after N events, 1 when the source gave up (a refused
 * token: 401), 2 for a usage error. token-refresh.py and token-refresh.js
 * do the same.
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <sse-glib/sse-glib.h>

static char *opt_token_file = NULL;
static gint64 opt_max_events = -1;

static const GOptionEntry entries[] = {
  { "token-file", 't', 0, G_OPTION_ARG_FILENAME, &opt_token_file,
    "Where the current access token is", "FILE" },
  { "max-events", 'n', 0, G_OPTION_ARG_INT64, &opt_max_events,
    "Close and exit after N events", "N" },
  { NULL }
};

typedef struct {
  GMainLoop *loop;
  gint64     n_events;
  gboolean   done;
} Feed;

/* Emitted before every attempt, reconnections included, with the request
 * about to be sent: the place for headers that change. */
static void
on_prepare_request (SseEventSource *source,
                    SoupMessage    *msg,
                    gpointer        user_data)
{
  const char *token_file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *authorization = NULL;

  if (!g_file_get_contents (token_file, &token, NULL, &error))
    {
      /* Sent without a token, the request is refused, and the error says why. */
      g_printerr ("warning: no token: %s\n", error->message);
      return;
    }

  authorization = g_strconcat ("Bearer ", g_strstrip (token), NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", authorization);
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Feed *feed = user_data;
  const char *id = sse_event_get_id (event);

  printf ("event: %s id=%s data=%s\n", sse_event_get_event_type (event),
          id != NULL ? id : "-", sse_event_get_data (event));

  if (opt_max_events > 0 && ++feed->n_events >= opt_max_events)
    {
      feed->done = TRUE;
      sse_event_source_close (source);
    }
}

static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  g_printerr ("error: %s\n", error->message);
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           gpointer        user_data)
{
  Feed *feed = user_data;

  if (sse_event_source_get_status (source) == SSE_STATUS_CLOSED)
    g_main_loop_quit (feed->loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("URL - read a feed with a token");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SseEventSource) source = NULL;
  Feed feed = { 0, };

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      opt_token_file == NULL)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      g_printerr ("Usage: token-refresh --token-file FILE [--max-events N] URL\n");
      return 2;
    }

  msg = soup_message_new ("GET", argv[1]);
  if (msg == NULL)
    {
      g_printerr ("error: “%s” is not an http or https URL\n", argv[1]);
      return 2;
    }
  /* Headers that stay the same go on the template, sent with every request. */
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "X-Api-Version", "2024-10-01");

  source = sse_event_source_new_for_message (msg);
  g_signal_connect (source, "prepare-request", G_CALLBACK (on_prepare_request), opt_token_file);

  loop = g_main_loop_new (NULL, FALSE);
  feed.loop = loop;
  g_signal_connect (source, "event", G_CALLBACK (on_event), &feed);
  g_signal_connect (source, "error", G_CALLBACK (on_error), &feed);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), &feed);

  sse_event_source_open (source);
  g_main_loop_run (loop);

  g_free (opt_token_file);
  return feed.done ? EXIT_SUCCESS : EXIT_FAILURE;
}
