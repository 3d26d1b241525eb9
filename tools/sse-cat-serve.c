/* sse-cat-serve.c: serve each line of a file or of standard input as an
 * event, to every client, with replay
 *
 * Line N is an event with the ID N, sent at once to the clients connected
 * and kept for those that come later (sse-cat-feed.c): a file is read at
 * once, often before anyone connects, and every client still gets it (its
 * last --replay-size lines).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "sse-cat.h"

typedef struct {
  Feed             *feed;
  GDataInputStream *input;
  GCancellable     *cancellable;
  guint64           next_id;
} Serve;

static void read_next_line (Serve *serve);

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Serve *serve = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = NULL;
  g_autofree char *line = NULL;
  g_autofree char *id = NULL;
  gsize len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, &len,
                                                    &error);
  /* Stopped: Ctrl-C may have been handled in this very main loop
   * iteration, before this callback. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || feed_is_stopped (serve->feed))
    return;
  if (error != NULL)
    {
      status_line (_("cannot read the input: %s"), error->message);
      return;
    }
  if (line == NULL)
    {
      status_line (_("end of input after %" PRIu64 " events; still serving "
                     "(Ctrl-C to stop)"), serve->next_id - 1);
      return;
    }

  id = g_strdup_printf ("%" G_GUINT64_FORMAT, serve->next_id++);
  event = sse_event_new_full (NULL, line, len, id, -1);
  feed_send (serve->feed, event);
  read_next_line (serve);
}

static void
read_next_line (Serve *serve)
{
  g_data_input_stream_read_line_async (serve->input, G_PRIORITY_DEFAULT, serve->cancellable,
                                       line_cb, serve);
}

int
run_serve (const char *path)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  Serve serve = { 0, };
  int status;

  if (!feed_check_options ())
    return EXIT_USAGE;

  if (path == NULL || g_str_equal (path, "-"))
    input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      /* Opening a FIFO waits for a writer; that is fine before serving. */
      input = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (input == NULL)
        {
          g_printerr ("sse-cat: %s\n", error->message);
          return EXIT_FAILED;
        }
    }

  /* Line N is event N; a client that resumes from "0" gets them all, as a
   * new client does. */
  serve.feed = feed_new ("0");
  serve.input = g_data_input_stream_new (input);
  serve.cancellable = g_cancellable_new ();
  serve.next_id = 1;

  if (!feed_listen (serve.feed))
    status = EXIT_FAILED;
  else
    {
      read_next_line (&serve);
      status = feed_run (serve.feed);

      /* What was read was sent; the rest stays unread. */
      g_cancellable_cancel (serve.cancellable);
      feed_drain (serve.feed);
    }

  feed_free (serve.feed);
  g_object_unref (serve.input);
  g_object_unref (serve.cancellable);
  return status;
}
