/* parse-stream.c: print the events of a text/event-stream file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reads a `text/event-stream` from a file (or standard input, given `-` or
 * nothing) in small pieces, as it would arrive from a network, feeds each
 * piece to an SseParser and prints every event and comment it reports.
 *
 *   parse-stream [--chunk-size N] [FILE|-]
 *
 * Each event is printed as a header line followed by its data, one line per
 * data line; control characters are shown as escapes, so the output is
 * plain text whatever the stream holds:
 *
 *   event #1: type=update id=42 last-event-id=42
 *     | first line
 *     | second line
 *   comment: keep-alive
 *   retry: 5000 ms
 *
 * The exit status is 0 when the whole input was read, 1 when it could not
 * be read, and 2 when an event was dropped for being too large.
 */

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <sse-glib/sse-glib.h>

typedef struct {
  guint n_events;
} Printer;

/* Appends @len bytes of @text, escaping C0 controls and DEL. */
static void
append_escaped (GString    *out,
                const char *text,
                gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
}

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  Printer *printer = user_data;
  g_autoptr(GString) out = g_string_new (NULL);
  gsize len = sse_event_get_data_length (event);
  const char *data = sse_event_get_data (event);
  const char *id = sse_event_get_id (event);
  const char *line = data;
  const char *end = data + len;

  printer->n_events++;

  g_string_append_printf (out, "event #%u: type=", printer->n_events);
  append_escaped (out, sse_event_get_event_type (event),
                  strlen (sse_event_get_event_type (event)));
  if (id != NULL)
    {
      g_string_append (out, " id=");
      append_escaped (out, id, strlen (id));
    }
  g_string_append (out, " last-event-id=");
  append_escaped (out, sse_event_get_last_event_id (event),
                  strlen (sse_event_get_last_event_id (event)));
  if (sse_event_get_retry (event) >= 0)
    g_string_append_printf (out, " retry=%" G_GINT64_FORMAT, sse_event_get_retry (event));
  g_string_append_c (out, '\n');

  /* Data lines are separated by LF; an event with empty data has one
   * empty line. */
  for (;;)
    {
      const char *nl = memchr (line, '\n', (gsize) (end - line));
      const char *stop = nl != NULL ? nl : end;

      g_string_append (out, "  |");
      if (stop > line)
        {
          g_string_append_c (out, ' ');
          append_escaped (out, line, (gsize) (stop - line));
        }
      g_string_append_c (out, '\n');

      if (nl == NULL)
        break;
      line = nl + 1;
    }

  fputs (out->str, stdout);
}

static void
on_comment (SseParser  *parser,
            const char *text,
            gpointer    user_data)
{
  g_autoptr(GString) out = g_string_new ("comment:");

  if (*text != '\0')
    {
      g_string_append_c (out, ' ');
      append_escaped (out, text, strlen (text));
    }
  g_string_append_c (out, '\n');
  fputs (out->str, stdout);
}

static void
on_retry_changed (SseParser  *parser,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  printf ("retry: %" G_GINT64_FORMAT " ms\n", sse_parser_get_retry (parser));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(SseParser) parser = NULL;
  g_autofree guint8 *buffer = NULL;
  gboolean too_large = FALSE;
  Printer printer = { 0 };
  int chunk_size = 7;
  const GOptionEntry entries[] = {
    { "chunk-size", 'c', 0, G_OPTION_ARG_INT, &chunk_size,
      "Feed the parser N bytes at a time (default: 7)", "N" },
    { NULL }
  };

  context = g_option_context_new ("[FILE|-]");
  g_option_context_set_summary (context,
                                "Print the events and comments of a text/event-stream.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("parse-stream: %s\n", error->message);
      return 1;
    }
  if (argc > 2 || chunk_size < 1)
    {
      g_printerr ("Usage: parse-stream [--chunk-size N] [FILE|-]\n");
      return 1;
    }

  if (argc < 2 || g_str_equal (argv[1], "-"))
    {
      input = g_unix_input_stream_new (0, FALSE);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[1]);

      input = G_INPUT_STREAM (g_file_read (file, NULL, &error));
      if (input == NULL)
        {
          g_printerr ("parse-stream: %s\n", error->message);
          return 1;
        }
    }

  parser = sse_parser_new ();
  g_signal_connect (parser, "event", G_CALLBACK (on_event), &printer);
  g_signal_connect (parser, "comment", G_CALLBACK (on_comment), NULL);
  g_signal_connect (parser, "notify::retry", G_CALLBACK (on_retry_changed), NULL);

  buffer = g_malloc (chunk_size);
  for (;;)
    {
      gssize n = g_input_stream_read (input, buffer, chunk_size, NULL, &error);

      if (n < 0)
        {
          g_printerr ("parse-stream: %s\n", error->message);
          return 1;
        }
      if (n == 0)
        break;

      /* A feed error means that one event was too large and was dropped;
       * the parser goes on with the next one. */
      if (!sse_parser_feed (parser, buffer, (gsize) n, &error))
        {
          g_printerr ("parse-stream: %s\n", error->message);
          g_clear_error (&error);
          too_large = TRUE;
        }
    }

  /* The end of the stream: an event without its closing blank line is
   * discarded, as the standard says. */
  sse_parser_finish (parser);
  printf ("end of stream: %u events\n", printer.n_events);

  return too_large ? 2 : 0;
}
