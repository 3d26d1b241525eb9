/* sse-cat-serve.c: serve each line of a file or of standard input as an
 * event, to every client, with replay
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
  GMainLoop        *loop;
  SseBroadcaster   *broadcaster;
  GDataInputStream *input;
  GCancellable     *cancellable;
  guint64           next_id;
  guint             sigint_id;    /* owned here; 0 once the handler ran */
  int               exit_status;
} Serve;

static void
serve_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Serve *serve = user_data;

  if (opt_verbose)
    status_line (_("client %s connected (Last-Event-ID: “%s”)"),
                 soup_server_message_get_remote_host (msg),
                 soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                               "Last-Event-ID") ?: "");
  sse_broadcaster_add_message (serve->broadcaster, msg);
}

static void read_next_line (Serve *serve);

static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Serve *serve = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *id = NULL;
  gsize len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, &len,
                                                    &error);
  /* Stopped: Ctrl-C may have been handled in this very main loop
   * iteration, before this callback. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      !g_main_loop_is_running (serve->loop))
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
  sse_broadcaster_send (serve->broadcaster, NULL, line, id);
  read_next_line (serve);
}

static void
read_next_line (Serve *serve)
{
  g_data_input_stream_read_line_async (serve->input, G_PRIORITY_DEFAULT, serve->cancellable,
                                       line_cb, serve);
}

static gboolean
on_serve_sigint (gpointer user_data)
{
  Serve *serve = user_data;

  serve->sigint_id = 0;
  report_interrupted ();
  serve->exit_status = EXIT_INTERRUPTED;
  g_main_loop_quit (serve->loop);
  return G_SOURCE_REMOVE;
}

int
run_serve (const char *path)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  GSList *uris, *l;
  Serve serve = { 0, };

  if (opt_port < 0 || opt_port > 65535)
    {
      usage_error (_("The port must be between 0 and 65535"));
      return EXIT_USAGE;
    }

  inet = g_inet_address_new_from_string (opt_listen ? opt_listen : "127.0.0.1");
  if (inet == NULL)
    {
      usage_error (_("“%s” is not an IP address"), opt_listen);
      return EXIT_USAGE;
    }

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

  serve.loop = g_main_loop_new (NULL, FALSE);
  /* Before anything is printed: whoever saw "serving on" may press Ctrl-C. */
  serve.sigint_id = g_unix_signal_add (SIGINT, on_serve_sigint, &serve);
  serve.broadcaster = sse_broadcaster_new ();
  sse_broadcaster_set_replay_size (serve.broadcaster, 10000);
  serve.input = g_data_input_stream_new (input);
  serve.cancellable = g_cancellable_new ();
  serve.next_id = 1;

  server = soup_server_new ("server-header", "sse-cat ", NULL);
  soup_server_add_handler (server, NULL, serve_handler, &serve, NULL);
  address = g_inet_socket_address_new (inet, opt_port);
  if (!soup_server_listen (server, address, 0, &error))
    {
      g_printerr ("sse-cat: %s\n", error->message);
      g_clear_handle_id (&serve.sigint_id, g_source_remove);
      g_main_loop_unref (serve.loop);
      g_object_unref (serve.broadcaster);
      g_object_unref (serve.input);
      g_object_unref (serve.cancellable);
      return EXIT_FAILED;
    }

  uris = soup_server_get_uris (server);
  for (l = uris; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_uri_to_string (l->data);

      status_line (_("serving on %s"), uri);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  read_next_line (&serve);
  g_main_loop_run (serve.loop);
  g_clear_handle_id (&serve.sigint_id, g_source_remove);

  g_cancellable_cancel (serve.cancellable);
  sse_broadcaster_close_all (serve.broadcaster);
  soup_server_disconnect (server);
  g_main_loop_unref (serve.loop);
  g_object_unref (serve.broadcaster);
  g_object_unref (serve.input);
  g_object_unref (serve.cancellable);

  return serve.exit_status;
}
