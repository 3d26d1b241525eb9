/* fuzz-parser.c: SseParser fed any bytes, split anywhere
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is three header bytes, then the stream:
 *
 *   byte 0   low four bits: max-event-size, from sizes[] (0 = no limit)
 *   byte 1   bits 0-1: the largest random chunk, from chunk_limits[];
 *            bit 2: the chunked parser reports through the C-level sink
 *            (what SseEventSource uses) instead of signals, and the
 *            byte-by-byte one the other way round;
 *            bit 3: last-event-id is seeded before the stream, with
 *            invalid UTF-8 when bit 6 is set too;
 *            bits 4-7: high bits of the chunking's seed
 *   byte 2   low bits of the chunking's seed
 *
 * Digits and letters make readable headers: "500" is max-event-size 16,
 * chunks of at most 2 bytes, signals, no seed.
 *
 * The stream is parsed by three parsers: W in one feed, C in random chunks
 * (with some empty feeds), and B one byte per feed (streams up to
 * BYTEWISE_MAX bytes). What they report is written into transcripts, which
 * must be identical: events (type, data with its NUL bytes, id,
 * last_event_id, retry), comments, and last-event-id and retry at the end;
 * parsers that report through signals must also notify last-event-id and
 * retry alike, and run handlers connected to "event::message" for exactly
 * the events of type message.
 * Errors are compared by position: B's failed feeds give the offsets at
 * which an event went over the limit, and each feed of C and W must fail
 * exactly when its bytes contain one of them.
 *
 * After every feed, _sse_parser_get_memory_held() must stay within the
 * bound that memory_bound() derives from the parser's code.
 *
 * Then every parser is finished and fed the stream again (a reconnection),
 * which must give the same transcripts, equal to those of a fresh parser
 * seeded with the last event ID the first pass left. Every event W reports
 * is also encoded and parsed back, and must be equal to itself. Last, a
 * reset parser holds no stream state.
 */

#include "config.h"

#include <sse-glib/sse-glib.h>

#include "sse-parser-private.h"
#include "fuzz-common.h"
#include "fuzz-events.h"

#define HEADER_LEN 3
#define BYTEWISE_MAX 8192

static const guint64 sizes[16] = {
  0, 1, 2, 3, 8, 16, 17, 31, 64, 100, 128, 255, 1024, 4096, 65536,
  SSE_PARSER_DEFAULT_MAX_EVENT_SIZE,
};

static const guint chunk_limits[4] = { 2, 7, 64, 1024 };

static const char seed_id[] = "seed-id";
static const char seed_id_invalid[] = "\xff\xfeseed\xc3";

typedef struct {
  const char *name;
  SseParser  *parser;
  gboolean    use_sink;
  guint64     max;
  GString    *log;
  GString    *notes;        /* notifications, with signals */
  guint       n_messages;   /* events of type message */
  guint       n_detailed;   /* emissions to the "event::message" handler */
  gsize       fed;          /* bytes fed so far, every pass, and of
                             * a last event ID set from outside */
  gboolean    roundtrip;    /* encode and reparse each event */
} Run;

/* Memory ----------------------------------------------------------------- */

/* The most _sse_parser_get_memory_held() may report, from sse-decoder.c
 * and the event emitter in sse-signal.c:
 *
 *  - the event being read: the capacities of its four buffers (data, type,
 *    a partial id or comment line, an id read in this block). With a limit
 *    M > 0, buf_reserve() keeps them within M + SLACK (256) together
 *    whenever one grows; dispatching can add the room of the previous last
 *    event ID to them, at most 256 bytes (trim_pending_id()). Without a
 *    limit, each holds at most twice its contents (or 64), and contents are
 *    at most three times the bytes fed, F (invalid bytes repair to U+FFFD);
 *  - the stream's last event ID: a former pending id (so within the same
 *    room), or one set from outside (counted in F), repaired;
 *  - the event kept for recycling, with signals only: at most 4096 bytes.
 *
 * The bound by the limit and the bound by the input both hold; the check
 * uses the smaller. */
static gsize
memory_bound (guint64 max,
              gsize   fed)
{
  const gsize slack = 256, spare_event = 4096;
  gsize by_input = 5 * MAX (64, 6 * fed + 2) + spare_event;
  gsize by_limit;

  if (max == 0 || max > G_MAXSIZE / 16)
    return by_input;

  by_limit = (max + 2 * slack) + MAX (max + slack, 2 * (3 * fed + 1)) + spare_event;
  return MIN (by_limit, by_input);
}

static void
check_memory (Run *run)
{
  gsize held = _sse_parser_get_memory_held (run->parser);
  gsize bound = memory_bound (run->max, run->fed);

  FUZZ_CHECK (held <= bound,
              "%s: %" G_GSIZE_FORMAT " bytes held, bound %" G_GSIZE_FORMAT
              " (max-event-size %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT " bytes fed)",
              run->name, held, bound, run->max, run->fed);
}

/* Recording -------------------------------------------------------------- */

static void
record_event (Run        *run,
              const char *type,
              gsize       type_len,
              const char *data,
              gsize       data_len,
              const char *id,
              gsize       id_len,
              const char *last,
              gsize       last_len,
              gint64      retry)
{
  /* What every event holds, whatever the stream. */
  FUZZ_CHECK (type != NULL && data != NULL && last != NULL, "%s: NULL field", run->name);
  FUZZ_CHECK (type_len > 0, "%s: empty event type", run->name);
  FUZZ_CHECK (fuzz_is_clean_field (type, type_len), "%s: event type not clean", run->name);
  FUZZ_CHECK (fuzz_utf8_valid (data, data_len), "%s: data not valid UTF-8", run->name);
  FUZZ_CHECK (memchr (data, '\r', data_len) == NULL, "%s: CR in data", run->name);
  FUZZ_CHECK (fuzz_is_clean_field (last, last_len), "%s: last event ID not clean", run->name);
  if (id != NULL)
    {
      FUZZ_CHECK (fuzz_is_clean_field (id, id_len), "%s: id not clean", run->name);
      /* The id of the event's own block became the last event ID before
       * the event fired. */
      FUZZ_CHECK (id_len == last_len && memcmp (id, last, id_len) == 0,
                  "%s: the event's id is not its last event ID", run->name);
    }
  FUZZ_CHECK (retry >= -1, "%s: retry %" G_GINT64_FORMAT, run->name, retry);
  if (type_len == 7 && memcmp (type, "message", 7) == 0)
    run->n_messages++;

  g_string_append (run->log, "event ");
  fuzz_append_quoted (run->log, type, type_len);
  g_string_append (run->log, " data=");
  fuzz_append_quoted (run->log, data, data_len);
  g_string_append (run->log, " id=");
  if (id != NULL)
    fuzz_append_quoted (run->log, id, id_len);
  else
    g_string_append_c (run->log, '-');
  g_string_append (run->log, " last=");
  fuzz_append_quoted (run->log, last, last_len);
  g_string_append_printf (run->log, " retry=%" G_GINT64_FORMAT "\n", retry);
}

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  Run *run = user_data;
  const char *type = sse_event_get_event_type (event);
  const char *id = sse_event_get_id (event);
  const char *last = sse_event_get_last_event_id (event);
  const char *data = sse_event_get_data (event);
  gsize data_len = sse_event_get_data_length (event);

  FUZZ_CHECK (data[data_len] == '\0', "%s: data not NUL-terminated", run->name);
  FUZZ_CHECK (sse_event_get_origin (event) == NULL, "%s: parser event with an origin", run->name);
  record_event (run, type, strlen (type), data, data_len,
                id, id != NULL ? strlen (id) : 0, last, strlen (last),
                sse_event_get_retry (event));

  if (run->roundtrip)
    fuzz_check_roundtrip (event, "the parser");
}

static void
on_message (SseParser *parser,
            SseEvent  *event,
            gpointer   user_data)
{
  Run *run = user_data;

  FUZZ_CHECK (g_str_equal (sse_event_get_event_type (event), "message"),
              "%s: \"event::message\" ran for an event of type '%s'", run->name,
              sse_event_get_event_type (event));
  run->n_detailed++;
}

static void
on_notify (SseParser  *parser,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Run *run = user_data;

  if (g_str_equal (pspec->name, "retry"))
    g_string_append_printf (run->notes, "notify retry=%" G_GINT64_FORMAT "\n",
                            sse_parser_get_retry (parser));
  else
    {
      const char *last = sse_parser_get_last_event_id (parser);

      g_string_append_printf (run->notes, "notify %s=", pspec->name);
      fuzz_append_quoted (run->notes, last, strlen (last));
      g_string_append_c (run->notes, '\n');
    }
}

static void
on_comment (SseParser  *parser,
            const char *text,
            gpointer    user_data)
{
  Run *run = user_data;
  gsize len = strlen (text);

  FUZZ_CHECK (fuzz_is_clean_field (text, len), "%s: comment not clean", run->name);
  /* The signal carries a C string: a comment is compared up to its first
   * NUL in every mode. */
  g_string_append (run->log, "comment ");
  fuzz_append_quoted (run->log, text, len);
  g_string_append_c (run->log, '\n');
}

static void
sink_event (gpointer              user_data,
            const SseEventFields *f)
{
  Run *run = user_data;
  const char *type = f->event_type_len > 0 ? f->event_type : "message";
  gsize type_len = f->event_type_len > 0 ? f->event_type_len : strlen ("message");

  FUZZ_CHECK (f->origin == NULL, "%s: parser event with an origin", run->name);
  record_event (run, type, type_len, f->data, f->data_len,
                f->id, f->id_len, f->last_event_id, f->last_event_id_len, f->retry);
}

static void
sink_comment (gpointer    user_data,
              const char *text,
              gsize       len)
{
  Run *run = user_data;
  const char *nul = memchr (text, '\0', len);

  FUZZ_CHECK (fuzz_utf8_valid (text, len), "%s: comment not valid UTF-8", run->name);
  FUZZ_CHECK (memchr (text, '\r', len) == NULL && memchr (text, '\n', len) == NULL,
              "%s: line break in a comment", run->name);
  if (nul != NULL)
    len = nul - text;
  g_string_append (run->log, "comment ");
  fuzz_append_quoted (run->log, text, len);
  g_string_append_c (run->log, '\n');
}

static void
sink_retry (gpointer user_data,
            gint64   retry)
{
  Run *run = user_data;

  FUZZ_CHECK (retry >= 0, "%s: sink retry %" G_GINT64_FORMAT, run->name, retry);
}

static const SseParserSink sink = { sink_event, sink_comment, sink_retry };

/* Seeds last-event-id, as a client that reconnects does. */
static void
run_seed (Run        *run,
          const char *id)
{
  sse_parser_set_last_event_id (run->parser, id);
  run->fed += strlen (id);
}

static void
run_init (Run        *run,
          const char *name,
          guint64     max,
          gboolean    use_sink,
          const char *seed)
{
  run->name = name;
  run->parser = sse_parser_new ();
  run->use_sink = use_sink;
  run->max = max;
  run->log = g_string_new (NULL);
  run->notes = g_string_new (NULL);
  run->n_messages = 0;
  run->n_detailed = 0;
  run->fed = 0;
  run->roundtrip = FALSE;

  if (max != SSE_PARSER_DEFAULT_MAX_EVENT_SIZE)
    sse_parser_set_max_event_size (run->parser, max);
  if (seed != NULL)
    run_seed (run, seed);

  if (use_sink)
    _sse_parser_set_sink (run->parser, &sink, run);
  else
    {
      g_signal_connect (run->parser, "event", G_CALLBACK (on_event), run);
      g_signal_connect (run->parser, "event::message", G_CALLBACK (on_message), run);
      g_signal_connect (run->parser, "comment", G_CALLBACK (on_comment), run);
      g_signal_connect (run->parser, "notify::last-event-id", G_CALLBACK (on_notify), run);
      g_signal_connect (run->parser, "notify::retry", G_CALLBACK (on_notify), run);
    }
  check_memory (run);
}

static void
run_clear (Run *run)
{
  g_clear_object (&run->parser);
  g_string_free (run->log, TRUE);
  g_string_free (run->notes, TRUE);
}

/* Feeds @len bytes; returns whether the feed reported an event over the
 * limit. */
static gboolean
run_feed (Run          *run,
          const guint8 *bytes,
          gsize         len)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = sse_parser_feed (run->parser, len > 0 ? bytes : NULL, len, &error);
  run->fed += len;
  if (ok)
    FUZZ_CHECK (error == NULL, "%s: success with an error", run->name);
  else
    {
      FUZZ_CHECK (g_error_matches (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE),
                  "%s: unexpected error %s", run->name, error ? error->message : "(none)");
      FUZZ_CHECK (run->max != 0, "%s: an event too large without a limit", run->name);
    }
  check_memory (run);
  return !ok;
}

/* Ends a pass: the parser's state goes into the transcript. */
static void
run_end_pass (Run *run)
{
  const char *last = sse_parser_get_last_event_id (run->parser);

  FUZZ_CHECK (fuzz_is_clean_field (last, strlen (last)), "%s: last-event-id not clean", run->name);
  g_string_append (run->log, "end last-event-id=");
  fuzz_append_quoted (run->log, last, strlen (last));
  g_string_append_printf (run->log, " retry=%" G_GINT64_FORMAT "\n",
                          sse_parser_get_retry (run->parser));
  if (!run->use_sink)
    FUZZ_CHECK (run->n_detailed == run->n_messages,
                "%s: \"event::message\" ran %u times for %u events of type message",
                run->name, run->n_detailed, run->n_messages);
}

/* Starts a pass over again. */
static void
run_clear_logs (Run *run)
{
  g_string_truncate (run->log, 0);
  g_string_truncate (run->notes, 0);
  run->n_messages = 0;
  run->n_detailed = 0;
}

static void
check_same (const Run *a,
            const Run *b,
            const char *when,
            gboolean    notes)
{
  if (g_strcmp0 (a->log->str, b->log->str) != 0)
    {
      fprintf (stderr, "%s: transcripts differ\n--- %s\n%s--- %s\n%s", when,
               a->name, a->log->str, b->name, b->log->str);
      FUZZ_CHECK (FALSE, "%s and %s disagree", a->name, b->name);
    }
  /* Notifications are for signals only: the sink is told of retry times
   * instead, and of nothing else. (A fresh parser does not know the retry
   * time a finished one kept, so it notifies it again.) */
  if (notes && !a->use_sink && !b->use_sink && g_strcmp0 (a->notes->str, b->notes->str) != 0)
    {
      fprintf (stderr, "%s: notifications differ\n--- %s\n%s--- %s\n%s", when,
               a->name, a->notes->str, b->name, b->notes->str);
      FUZZ_CHECK (FALSE, "%s and %s notify differently", a->name, b->name);
    }
}

/* Passes ----------------------------------------------------------------- */

/* Whether any byte of [start, end) is where an event went over the limit,
 * as the byte-by-byte parser found. */
static gboolean
error_within (const guint8 *error_at,
              gsize         start,
              gsize         end)
{
  gsize i;

  for (i = start; i < end; i++)
    if (error_at[i])
      return TRUE;
  return FALSE;
}

static void
feed_pass (Run          *whole,
           Run          *chunked,
           Run          *bytewise,
           const guint8 *stream,
           gsize         len,
           guint         chunk_limit,
           guint32      *seed)
{
  g_autofree guint8 *error_at = NULL;
  gboolean whole_error, any_chunk_error = FALSE;
  gsize pos;

  if (bytewise != NULL)
    {
      error_at = g_malloc0 (MAX (len, 1));
      for (pos = 0; pos < len; pos++)
        error_at[pos] = run_feed (bytewise, stream + pos, 1);
    }

  whole_error = run_feed (whole, stream, len);
  if (error_at != NULL)
    FUZZ_CHECK (whole_error == error_within (error_at, 0, len),
                "one feed %s, byte by byte %s", whole_error ? "failed" : "succeeded",
                whole_error ? "never failed" : "failed");

  pos = 0;
  while (pos < len)
    {
      guint32 r = fuzz_rand (seed);
      gsize n;
      gboolean failed;

      /* Now and then an empty feed, which must change nothing. */
      n = (r & 0xF) == 0 ? 0 : 1 + (r >> 4) % chunk_limit;
      n = MIN (n, len - pos);
      failed = run_feed (chunked, stream + pos, n);
      if (error_at != NULL)
        FUZZ_CHECK (failed == error_within (error_at, pos, pos + n),
                    "a feed of bytes %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " %s, byte by byte %s",
                    pos, pos + n, failed ? "failed" : "succeeded",
                    failed ? "no event went over the limit there" : "one did");
      any_chunk_error |= failed;
      pos += n;
    }
  if (error_at == NULL)
    FUZZ_CHECK (any_chunk_error == whole_error, "one feed %s, in chunks %s",
                whole_error ? "failed" : "succeeded", any_chunk_error ? "failed" : "never failed");

  run_end_pass (whole);
  run_end_pass (chunked);
  check_same (whole, chunked, "whole and chunked", TRUE);
  if (bytewise != NULL)
    {
      run_end_pass (bytewise);
      check_same (whole, bytewise, "whole and byte by byte", TRUE);
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint8 header[HEADER_LEN] = { 0, };
  const guint8 *stream;
  gsize len;
  guint64 max;
  guint chunk_limit;
  gboolean chunked_sink;
  const char *seed = NULL;
  guint32 rng;
  Run whole, chunked, bytewise, fresh;
  gboolean have_bytewise;
  g_autofree char *last = NULL;
  gint64 retry;

  /* An empty input may come as NULL. */
  if (size == 0)
    data = (const uint8_t *) "";
  memcpy (header, data, MIN (size, HEADER_LEN));
  stream = size > HEADER_LEN ? data + HEADER_LEN : (const guint8 *) "";
  len = size > HEADER_LEN ? size - HEADER_LEN : 0;

  max = sizes[header[0] & 0xF];
  chunk_limit = chunk_limits[header[1] & 0x3];
  chunked_sink = (header[1] & 0x4) != 0;
  if (header[1] & 0x8)
    seed = (header[1] & 0x40) ? seed_id_invalid : seed_id;
  rng = ((guint32) (header[1] >> 4) << 8 | header[2]) * 2654435761u + 1;
  have_bytewise = len <= BYTEWISE_MAX;

  run_init (&whole, "whole", max, FALSE, seed);
  run_init (&chunked, "chunked", max, chunked_sink, seed);
  if (have_bytewise)
    run_init (&bytewise, "byte-by-byte", max, !chunked_sink, seed);
  whole.roundtrip = TRUE;

  /* The stream, then the same again after the end of the stream, as a
   * client that reconnects feeds its parser. */
  feed_pass (&whole, &chunked, have_bytewise ? &bytewise : NULL, stream, len, chunk_limit, &rng);

  last = g_strdup (sse_parser_get_last_event_id (whole.parser));
  retry = sse_parser_get_retry (whole.parser);

  sse_parser_finish (whole.parser);
  sse_parser_finish (chunked.parser);
  check_memory (&whole);
  check_memory (&chunked);
  FUZZ_CHECK (g_str_equal (sse_parser_get_last_event_id (whole.parser), last),
              "finish changed last-event-id");
  FUZZ_CHECK (sse_parser_get_retry (whole.parser) == retry, "finish changed retry");
  run_clear_logs (&whole);
  run_clear_logs (&chunked);
  if (have_bytewise)
    {
      sse_parser_finish (bytewise.parser);
      check_memory (&bytewise);
      run_clear_logs (&bytewise);
    }
  whole.roundtrip = FALSE;

  feed_pass (&whole, &chunked, have_bytewise ? &bytewise : NULL, stream, len, chunk_limit, &rng);

  /* A finished parser is a fresh one that knows the last event ID: what it
   * reports is what a new parser seeded with that ID reports (but for the
   * retry time, which also survives the end of the stream). */
  run_init (&fresh, "fresh", max, FALSE, NULL);
  run_seed (&fresh, last);
  check_memory (&fresh);
  run_feed (&fresh, stream, len);
  {
    const char *fresh_last = sse_parser_get_last_event_id (fresh.parser);
    gint64 fresh_retry = sse_parser_get_retry (fresh.parser);

    g_string_append (fresh.log, "end last-event-id=");
    fuzz_append_quoted (fresh.log, fresh_last, strlen (fresh_last));
    g_string_append_printf (fresh.log, " retry=%" G_GINT64_FORMAT "\n",
                            fresh_retry != -1 ? fresh_retry : retry);
  }
  check_same (&whole, &fresh, "finished and reused, and fresh", FALSE);

  /* A reset parser is a new one. */
  sse_parser_reset (whole.parser);
  check_memory (&whole);
  FUZZ_CHECK (g_str_equal (sse_parser_get_last_event_id (whole.parser), ""),
              "reset kept last-event-id");
  FUZZ_CHECK (sse_parser_get_retry (whole.parser) == -1, "reset kept retry");

  run_clear (&fresh);
  if (have_bytewise)
    run_clear (&bytewise);
  run_clear (&chunked);
  run_clear (&whole);

  return 0;
}
