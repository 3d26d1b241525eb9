/* listen.c: print the events of a Server-Sent Events stream as they arrive
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Connects to URL with an SseEventSource and prints every event and every
 * change of status, one line each; the source reconnects by itself when the
 * connection is lost, resuming after the last event ID:
 *
 *   status: connecting
 *   status: open
 *   event: tick id=1 data={"n": 1}
 *   status: reconnecting in 312 ms (attempt 1)
 *   error: g-io-error-quark 44: Connection terminated unexpectedly
 *   status: closed
 *
 * Line breaks in the data are shown as `\n`; an event without an id shows
 * `id=-`. listen.py, listen.js and listen.vala print exactly the same.
 *
 *   listen [--max-events N] [--last-event-id ID] URL
 *
 * The exit status is 0 when --max-events were received (or on Ctrl-C), and
 * 1 when the source gave up by itself (for example on a 404 answer).
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <sse-glib/sse-glib.h>

static gint64 opt_max_events = -1;
static char *opt_last_event_id;
static char **opt_urls;

static const GOptionEntry entries[] = {
  { "max-events", 'n', 0, G_OPTION_ARG_INT64, &opt_max_events,
    "Close and exit after N events", "N" },
  { "last-event-id", 0, 0, G_OPTION_ARG_STRING, &opt_last_event_id,
    "Resume the stream after this event ID", "ID" },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_urls, NULL, "URL" },
  { NULL }
};

typedef struct {
  GMainLoop      *loop;
  SseEventSource *source;
  gint64          n_events;
  gboolean        done;      /* closed by us: --max-events, or Ctrl-C */
} Listener;

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          gpointer        user_data)
{
  Listener *listener = user_data;
  const char *id = sse_event_get_id (event);
  g_auto(GStrv) lines = g_strsplit (sse_event_get_data (event), "\n", -1);
  g_autofree char *data = g_strjoinv ("\\n", lines);

  printf ("event: %s id=%s data=%s\n",
          sse_event_get_event_type (event), id != NULL ? id : "-", data);

  listener->n_events++;
  if (opt_max_events > 0 && listener->n_events >= opt_max_events)
    {
      listener->done = TRUE;
      sse_event_source_close (source);   /* no event follows this */
    }
}

/* Emitted before the status changes: the status is still the one of the
 * attempt that failed. */
static void
on_error (SseEventSource *source,
          GError         *error,
          gpointer        user_data)
{
  printf ("error: %s %d: %s\n",
          g_quark_to_string (error->domain), error->code, error->message);
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           gpointer        user_data)
{
  Listener *listener = user_data;

  switch (sse_event_source_get_status (source))
    {
    case SSE_STATUS_CONNECTING:
      printf ("status: connecting\n");
      break;
    case SSE_STATUS_OPEN:
      printf ("status: open\n");
      break;
    case SSE_STATUS_RECONNECTING:
      printf ("status: reconnecting in %u ms (attempt %u)\n",
              sse_event_source_get_reconnect_delay (source),
              sse_event_source_get_reconnect_attempt (source));
      break;
    case SSE_STATUS_CLOSED:
    default:
      printf ("status: closed\n");
      g_main_loop_quit (listener->loop);
      break;
    }
}

static gboolean
on_sigint (gpointer user_data)
{
  Listener *listener = user_data;

  listener->done = TRUE;
  sse_event_source_close (listener->source);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("URL - print a stream of events");
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Listener listener = { 0, };
  guint sigint_id;

  /* The user's language: the library's messages are translated. */
  setlocale (LC_ALL, "");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_urls == NULL || opt_urls[0] == NULL || opt_urls[1] != NULL)
    {
      g_printerr ("Give one URL\n");
      return 2;
    }

  /* One line at a time, even into a pipe. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  loop = g_main_loop_new (NULL, FALSE);
  listener.loop = loop;

  source = sse_event_source_new (opt_urls[0]);
  if (opt_last_event_id != NULL)
    sse_event_source_set_last_event_id (source, opt_last_event_id);
  listener.source = source;

  g_signal_connect (source, "event", G_CALLBACK (on_event), &listener);
  g_signal_connect (source, "error", G_CALLBACK (on_error), &listener);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), &listener);
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &listener);

  sse_event_source_open (source);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_strfreev (opt_urls);
  g_free (opt_last_event_id);

  return listener.done ? EXIT_SUCCESS : EXIT_FAILURE;
}
