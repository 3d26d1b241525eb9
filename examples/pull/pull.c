/* pull.c: take the events of a stream one at a time, at the program's pace
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   pull [--max-events N] [--work MS] [--max-queued-bytes BYTES] [--once] URL
 *
 * Asks an SseEventSource for one event after the other with
 * sse_event_source_next_event_async(), and prints each one as listen does:
 *
 *   event: tick id=1 data={"n": 1}
 *
 * With --work MS, the program works on each event for MS milliseconds (a
 * timer stands for the work: writing to disk, calling another service)
 * before it asks for the next one. Meanwhile the source keeps what
 * arrives, up to --max-queued-bytes (4 MiB by default); past that it stops
 * reading until the program has taken half of it, and the server is slowed
 * down instead: nothing is lost, and memory stays bounded.
 *
 * At the end it prints one line: "end" when the stream ended (--once: the
 * source does not reconnect), "cancelled" on Ctrl-C, or the error the
 * source gave up with, as listen prints it:
 *
 *   error: sse-error-quark 3: …
 *
 * Exit status: 0 after --max-events events, at the end or on Ctrl-C, 1 when
 * the source gave up (a 404 answer, say), 2 for a usage error. pull.py and
 * pull.js do the same.
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <sse-glib/sse-glib.h>

static gint64 opt_max_events = -1;
static gint opt_work = 0;
static gint64 opt_max_queued_bytes = 0;
static gboolean opt_once = FALSE;

static const GOptionEntry entries[] = {
  { "max-events", 'n', 0, G_OPTION_ARG_INT64, &opt_max_events,
    "Close and exit after N events", "N" },
  { "work", 'w', 0, G_OPTION_ARG_INT, &opt_work,
    "Work on each event for MS milliseconds", "MS" },
  { "max-queued-bytes", 0, 0, G_OPTION_ARG_INT64, &opt_max_queued_bytes,
    "Keep at most this much for the program", "BYTES" },
  { "once", 0, 0, G_OPTION_ARG_NONE, &opt_once,
    "Read one stream: do not reconnect", NULL },
  { NULL }
};

typedef struct {
  GMainLoop      *loop;
  SseEventSource *source;
  GCancellable   *cancellable;
  gint64          n_events;
  gboolean        failed;
} Reader;

static void pull_next (Reader *reader);

static void
print_event (SseEvent *event)
{
  const char *id = sse_event_get_id (event);
  g_auto(GStrv) lines = g_strsplit (sse_event_get_data (event), "\n", -1);
  g_autofree char *data = g_strjoinv ("\\n", lines);

  printf ("event: %s id=%s data=%s\n",
          sse_event_get_event_type (event), id != NULL ? id : "-", data);
}

/* The end of the pulls: no event, and the error when there is one. */
static void
finish (Reader *reader,
        GError *error)
{
  if (error == NULL)
    printf ("end\n");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    printf ("cancelled\n");
  else
    {
      printf ("error: %s %d: %s\n",
              g_quark_to_string (error->domain), error->code, error->message);
      reader->failed = TRUE;
    }
  g_main_loop_quit (reader->loop);
}

static gboolean
work_done (gpointer user_data)
{
  pull_next (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_next_event (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SseEventSource *source = SSE_EVENT_SOURCE (object);
  Reader *reader = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = sse_event_source_next_event_finish (source, result, &error);

  if (event == NULL)
    {
      /* NULL and no error: the stream ended (or close()); with an error:
       * the source gave up, or the pull was cancelled. */
      finish (reader, error);
      return;
    }

  print_event (event);
  if (opt_max_events > 0 && ++reader->n_events >= opt_max_events)
    {
      sse_event_source_close (source);
      g_main_loop_quit (reader->loop);
      return;
    }

  /* The work on this event; the next one is asked for when it is done. */
  if (opt_work > 0)
    g_timeout_add (opt_work, work_done, reader);
  else
    pull_next (reader);
}

static void
pull_next (Reader *reader)
{
  g_autoptr(GError) error = NULL;

  /* A pull whose cancellable is cancelled still gets an event that was
   * waiting (cancelling never loses one): Ctrl-C stops the loop here. */
  if (g_cancellable_set_error_if_cancelled (reader->cancellable, &error))
    {
      finish (reader, error);
      return;
    }
  sse_event_source_next_event_async (reader->source, reader->cancellable,
                                     on_next_event, reader);
}

static gboolean
on_sigint (gpointer user_data)
{
  Reader *reader = user_data;

  g_cancellable_cancel (reader->cancellable);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("URL - take the events of a stream");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SseEventSource) source = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  Reader reader = { 0, };
  guint sigint_id;

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      opt_work < 0 || opt_max_queued_bytes < 0)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      g_printerr ("Usage: pull [--max-events N] [--work MS] [--max-queued-bytes BYTES] [--once] URL\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  source = sse_event_source_new (argv[1]);
  if (opt_once)
    sse_event_source_set_reconnect_mode (source, SSE_RECONNECT_MODE_NEVER);
  if (opt_max_queued_bytes > 0)
    sse_event_source_set_max_queued_bytes (source, opt_max_queued_bytes);

  reader.loop = loop;
  reader.source = source;
  reader.cancellable = cancellable;
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &reader);

  /* The first pull, before the main loop runs: from now on the source
   * keeps every event for the pulls. */
  sse_event_source_open (source);
  pull_next (&reader);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  return reader.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
