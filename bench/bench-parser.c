/* bench-parser.c: SseParser throughput on a workload held in memory
 *
 *   bench-parser [--mode sink|signal] [--chunk BYTES] [--reps N]
 *                [--expect-events N] [--expect-data BYTES] FILE
 *
 * The file is read into memory first (no I/O is timed), then fed to a new
 * parser in pieces of --chunk bytes (0: the whole file in one feed), once
 * to warm up and then --reps times, timed. Prints one line of key=value
 * pairs: the median pass, MB/s (10^6 bytes) and events/s.
 *
 * --mode sink: the parser's C-level sink (_sse_parser_set_sink), its
 * fastest path: no SseEvent is built. --mode signal: a C handler connected
 * to SseParser::event, which gets an SseEvent per event. Both handlers
 * count the events and add up their data lengths, which are checked
 * against --expect-events / --expect-data.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-common.h"

#include "sse-glib/sse-glib.h"
#include "sse-glib/sse-parser-private.h"

typedef struct {
  guint64 events;
  guint64 data_bytes;
} Counter;

static void
sink_event (gpointer              user_data,
            const SseEventFields *fields)
{
  Counter *c = user_data;

  c->events++;
  c->data_bytes += fields->data_len;
}

static const SseParserSink sink = { sink_event, NULL, NULL };

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  Counter *c = user_data;

  c->events++;
  c->data_bytes += sse_event_get_data_length (event);
}

/* Not inlined: callgrind profiles are collected for this function alone
 * (--toggle-collect=one_pass), leaving out reading the file. */
static G_GNUC_NO_INLINE double
one_pass (const guint8 *data,
          gsize         len,
          gsize         chunk,
          gboolean      use_sink,
          Counter      *c)
{
  SseParser *parser = sse_parser_new ();
  g_autoptr(GError) error = NULL;
  gint64 start, end;
  gsize off;

  memset (c, 0, sizeof *c);
  if (use_sink)
    _sse_parser_set_sink (parser, &sink, c);
  else
    g_signal_connect (parser, "event", G_CALLBACK (on_event), c);

  if (chunk == 0)
    chunk = len;

  start = bench_now_ns ();
  for (off = 0; off < len; off += chunk)
    {
      if (!sse_parser_feed (parser, data + off, MIN (chunk, len - off), &error))
        {
          fprintf (stderr, "bench-parser: %s\n", error->message);
          exit (1);
        }
    }
  sse_parser_finish (parser);
  end = bench_now_ns ();

  g_object_unref (parser);
  return (end - start) / 1e9;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *mode = NULL;
  gint64 chunk = 64 * 1024, reps = 5, expect_events = -1, expect_data = -1;
  GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "sink or signal", "MODE" },
    { "chunk", 0, 0, G_OPTION_ARG_INT64, &chunk, "Bytes per feed (0: all at once)", "BYTES" },
    { "reps", 0, 0, G_OPTION_ARG_INT64, &reps, "Timed passes", "N" },
    { "expect-events", 0, 0, G_OPTION_ARG_INT64, &expect_events, "Check the event count", "N" },
    { "expect-data", 0, 0, G_OPTION_ARG_INT64, &expect_data, "Check the data bytes", "BYTES" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("FILE");
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree double *times = NULL;
  gboolean use_sink;
  gsize len;
  Counter c;
  double median;
  gint64 i;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2 || reps < 1 || chunk < 0)
    {
      fprintf (stderr, "bench-parser: %s\n", error ? error->message : "usage: bench-parser [OPTION…] FILE");
      return 2;
    }
  use_sink = mode == NULL || strcmp (mode, "sink") == 0;
  if (!use_sink && strcmp (mode, "signal") != 0)
    {
      fprintf (stderr, "bench-parser: unknown mode %s\n", mode);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      fprintf (stderr, "bench-parser: %s\n", error->message);
      return 1;
    }

  one_pass ((const guint8 *) contents, len, chunk, use_sink, &c);   /* warm-up */

  times = g_new (double, reps);
  for (i = 0; i < reps; i++)
    times[i] = one_pass ((const guint8 *) contents, len, chunk, use_sink, &c);
  median = bench_median (times, reps);

  printf ("impl=sse-glib-%s chunk=%" G_GINT64_FORMAT " events=%" G_GUINT64_FORMAT
          " bytes=%" G_GSIZE_FORMAT " data_bytes=%" G_GUINT64_FORMAT
          " seconds=%.6f mb_per_s=%.1f events_per_s=%.0f\n",
          use_sink ? "sink" : "signal", chunk, c.events, len, c.data_bytes,
          median, len / median / 1e6, c.events / median);

  if ((expect_events >= 0 && (guint64) expect_events != c.events) ||
      (expect_data >= 0 && (guint64) expect_data != c.data_bytes))
    {
      fprintf (stderr, "bench-parser: expected %" G_GINT64_FORMAT " events with %" G_GINT64_FORMAT
               " data bytes, got %" G_GUINT64_FORMAT " with %" G_GUINT64_FORMAT "\n",
               expect_events, expect_data, c.events, c.data_bytes);
      return 1;
    }
  return 0;
}
