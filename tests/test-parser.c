/* test-parser.c: SseParser against the rules of the WHATWG standard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every rule test states its stream and the transcript it must give (see
 * parser-harness.h), and harness_assert_parse() checks that transcript with
 * the stream fed whole, cut in two at every offset, and one byte at a time.
 * The property tests compare random streams, fed in random chunks, with a
 * reference model written straight from the standard.
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-parser-private.h"
#include "parser-harness.h"

/* Transcript lines, as parser-harness.c writes them. */
#define EV(type, data, id, last, retry) \
  "event '" type "' data='" data "' id=" id " last='" last "' retry=" #retry "\n"
#define MSG(data) EV ("message", data, "-", "", -1)
#define COMMENT(text) "comment '" text "'\n"
#define NOTIFY_RETRY(n) "notify retry=" #n "\n"
#define NOTIFY_ID(id) "notify last-event-id='" id "'\n"
#define END(id, retry) "end last-event-id='" id "' retry=" #retry "\n"
#define END0 END ("", -1)

#define FFFD "\uFFFD"

/* Helpers ---------------------------------------------------------------- */

static gboolean
feed_str (SseParser   *parser,
          const char  *str,
          GError     **error)
{
  return sse_parser_feed (parser, (const guint8 *) str, strlen (str), error);
}

static void
append_fill (GString *s,
             char     c,
             gsize    n)
{
  gsize i;

  for (i = 0; i < n; i++)
    g_string_append_c (s, c);
}

static void
assert_parse_with (const char           *input,
                   const HarnessOptions *options,
                   const char           *expected)
{
  harness_assert_parse ((const guint8 *) input, strlen (input), options, expected);
}

/* Basics ----------------------------------------------------------------- */

static void
test_basic_event (void)
{
  assert_parse ("data: hello\n\n", MSG ("hello") END0);
  assert_parse ("data: a\n\ndata: b\n\n", MSG ("a") MSG ("b") END0);
  assert_parse ("", END0);
}

/* Byte order mark -------------------------------------------------------- */

static void
test_bom_stripped (void)
{
  assert_parse ("\xEF\xBB\xBF" "data: 1\n\n", MSG ("1") END0);
  assert_parse ("\xEF\xBB\xBF" ": c\n", COMMENT ("c") END0);
  assert_parse ("\xEF\xBB\xBF", END0);
}

static void
test_bom_split_over_feeds (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  /* One byte per feed, the harness tries every other cut. */
  g_assert_true (recorder_feed_str (r, "\xEF"));
  g_assert_true (recorder_feed_str (r, "\xBB"));
  g_assert_true (recorder_feed_str (r, "\xBF"));
  g_assert_true (recorder_feed_str (r, "data:1\n\n"));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("1") END0);

  assert_parse ("\xEF\xBB\xBF" "data:1\n\n", MSG ("1") END0);
}

static void
test_bom_only_once (void)
{
  /* A second BOM is U+FEFF, part of the field name "\uFEFFdata", which is
   * not "data": the line is ignored. */
  assert_parse ("\xEF\xBB\xBF\xEF\xBB\xBF" "data:1\n\ndata:2\n\n", MSG ("2") END0);
  assert_parse ("\xEF\xBB\xBF\xEF\xBB\xBF" "data:1\n\n", END0);
  /* Without the first BOM, the one BOM is dropped. */
  assert_parse ("\xEF\xBB\xBF" "data:1\n\n", MSG ("1") END0);
  /* Only at the start of the stream, not of a line. */
  assert_parse ("data:1\n\n\xEF\xBB\xBF" "data:2\n\n", MSG ("1") END0);
  /* Inside a value it is an ordinary character. */
  assert_parse ("data:\xEF\xBB\xBF" "x\n\n", MSG ("\uFEFFx") END0);
  assert_parse ("\xEF\xBB\xBF" "data:\xEF\xBB\xBF\n\n", MSG ("\uFEFF") END0);
}

static void
test_bom_prefix_not_a_bom (void)
{
  /* The bytes held back while a BOM might be starting are ordinary input
   * when it turns out not to be one: here they make the field name
   * "\uFFFDdata", so nothing fires. */
  assert_parse ("\xEF\xBB" "data:1\n\ndata:2\n\n", MSG ("2") END0);
  assert_parse ("\xEF" "data:1\n\ndata:2\n\n", MSG ("2") END0);
  assert_parse ("\xEF\xBB\xBE" "data:1\n\ndata:2\n\n", MSG ("2") END0);
  /* A lone partial BOM is a line of its own. */
  assert_parse ("\xEF\xBB\n" "data:1\n\n", MSG ("1") END0);
  assert_parse ("\xEF\n" "data:1\n\n", MSG ("1") END0);
  /* It is not a comment start either. */
  assert_parse ("\xEF" ":x\ndata:1\n\n", MSG ("1") END0);
  /* And its bytes are not lost: in the middle of data they decode to one
   * U+FFFD (a truncated three-byte sequence). */
  assert_parse ("\xEF\xBB" ":x\n" "data:\xEF\xBB\n\n", MSG (FFFD) END0);
}

static void
test_bom_after_finish (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  /* finish() starts a new stream, which may start with a BOM again. */
  g_assert_true (recorder_feed_str (r, "\xEF\xBB\xBF" "data:1\n\n"));
  sse_parser_finish (r->parser);
  g_assert_true (recorder_feed_str (r, "\xEF\xBB"));
  g_assert_true (recorder_feed_str (r, "\xBF" "data:2\n\n"));
  sse_parser_reset (r->parser);
  g_assert_true (recorder_feed_str (r, "\xEF\xBB\xBF" "data:3\n\n"));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("1") MSG ("2") MSG ("3") END0);
}

/* Line endings ----------------------------------------------------------- */

static void
test_eol_lf (void)
{
  assert_parse ("data:a\n\ndata:b\n\n", MSG ("a") MSG ("b") END0);
}

static void
test_eol_cr (void)
{
  assert_parse ("data:a\r\rdata:b\r\r", MSG ("a") MSG ("b") END0);
  assert_parse ("data:a\rdata:b\r\r", MSG ("a\\nb") END0);
}

static void
test_eol_crlf (void)
{
  assert_parse ("data:a\r\n\r\ndata:b\r\n\r\n", MSG ("a") MSG ("b") END0);
  /* CRLF is one line end, not two: "a" and "b" are one event. */
  assert_parse ("data:a\r\ndata:b\r\n\r\n", MSG ("a\\nb") END0);
}

static void
test_eol_mixed (void)
{
  assert_parse ("data:a\rdata:b\ndata:c\r\n\r" "data:d\n\r\n",
                MSG ("a\\nb\\nc") MSG ("d") END0);
  /* LF CR is two line ends. */
  assert_parse ("data:a\n\rdata:b\n\n", MSG ("a") MSG ("b") END0);
  /* CR CR LF: a line end, then an empty line. */
  assert_parse ("data:a\r\r\ndata:b\n\n", MSG ("a") MSG ("b") END0);
}

static void
test_eol_cr_at_end_of_feed (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  g_assert_true (recorder_feed_str (r, "data:x\r"));
  g_assert_cmpuint (r->events->len, ==, 0);

  /* The LF completes the CRLF of the previous feed: swallowed, not an
   * empty line (which would dispatch "x" alone). */
  g_assert_true (recorder_feed_str (r, "\ndata:y\r"));
  g_assert_cmpuint (r->events->len, ==, 0);

  /* A CR at the end of a feed ends the line at once: the event must be
   * here before any further byte arrives. */
  g_assert_true (recorder_feed_str (r, "\r"));
  g_assert_cmpuint (r->events->len, ==, 1);
  g_assert_cmpstr (sse_event_get_data (g_ptr_array_index (r->events, 0)), ==, "x\ny");

  g_assert_true (recorder_feed_str (r, "\n"));
  g_assert_cmpuint (r->events->len, ==, 1);

  /* The same for a comment (a heartbeat over a CR-only stream). */
  g_assert_true (recorder_feed_str (r, ":ping\r"));
  g_assert_cmpuint (r->comments->len, ==, 1);
  g_assert_true (recorder_feed_str (r, "\n" "data:z\r" "\n\r"));
  g_assert_cmpuint (r->events->len, ==, 2);

  /* Only one LF is swallowed: the second one is an empty line. */
  g_assert_true (recorder_feed_str (r, "data:w\r"));
  g_assert_true (recorder_feed_str (r, "\n\n"));
  g_assert_cmpuint (r->events->len, ==, 3);

  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("x\\ny") COMMENT ("ping") MSG ("z") MSG ("w") END0);

  assert_parse ("data:x\r\ndata:y\r\r\n:ping\r\ndata:z\r\n\rdata:w\r\n\n",
                MSG ("x\\ny") COMMENT ("ping") MSG ("z") MSG ("w") END0);
}

static void
test_eol_cr_stream_bytewise (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  const char *stream = "retry:5\rdata:a\r\r:c\rdata:b\r\r";
  guint expected_events[] = { 0, 0, 0, 0, 0, 0, 0, 0,   /* retry:5\r */
                              0, 0, 0, 0, 0, 0, 0,      /* data:a\r */
                              1,                        /* \r */
                              1, 1, 1,                  /* :c\r */
                              1, 1, 1, 1, 1, 1, 1,      /* data:b\r */
                              2 };                      /* \r */
  gsize i;

  g_assert_cmpuint (strlen (stream), ==, G_N_ELEMENTS (expected_events));

  /* Fed one byte at a time, every event is out as soon as its last CR is. */
  for (i = 0; stream[i] != '\0'; i++)
    {
      g_assert_true (recorder_feed (r, stream + i, 1));
      g_assert_cmpuint (r->events->len, ==, expected_events[i]);
      if (i == 7)
        g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 5);
      if (i == 18)
        g_assert_cmpuint (r->comments->len, ==, 1);
    }
}

/* Fields ----------------------------------------------------------------- */

static void
test_field_leading_space (void)
{
  assert_parse ("data:x\n\n", MSG ("x") END0);
  assert_parse ("data: x\n\n", MSG ("x") END0);
  /* Only one space is removed. */
  assert_parse ("data:  x\n\n", MSG (" x") END0);
  assert_parse ("data:   x \n\n", MSG ("  x ") END0);
  assert_parse ("data: \n\n", MSG ("") END0);
  assert_parse ("data:  \n\n", MSG (" ") END0);
  /* Only a space, not a tab. */
  assert_parse ("data:\tx\n\n", MSG ("\\x09x") END0);
  assert_parse ("event:  up\ndata\n\n", EV (" up", "", "-", "", -1) END0);
  assert_parse ("id:  7\ndata\n\n", NOTIFY_ID (" 7") EV ("message", "", "' 7'", " 7", -1) END (" 7", -1));
}

static void
test_field_no_colon (void)
{
  /* A line without a colon is a field name with an empty value. */
  assert_parse ("data\n\n", MSG ("") END0);
  assert_parse ("data\ndata\n\n", MSG ("\\n") END0);
  assert_parse ("data\ndata:x\n\n", MSG ("\\nx") END0);
  assert_parse ("event:e\nevent\ndata:x\n\n", MSG ("x") END0);
  assert_parse ("retry\ndata:x\n\n", MSG ("x") END0);
  assert_parse ("id:1\n\nid\ndata:x\n\n",
                NOTIFY_ID ("1") NOTIFY_ID ("") EV ("message", "x", "''", "", -1) END0);
}

static void
test_field_colon_in_value (void)
{
  assert_parse ("data:a:b\n\n", MSG ("a:b") END0);
  assert_parse ("data::\n\n", MSG (":") END0);
  assert_parse ("data: :\n\n", MSG (":") END0);
  assert_parse ("event:a:b\ndata\n\n", EV ("a:b", "", "-", "", -1) END0);
}

static void
test_field_case_sensitive (void)
{
  assert_parse ("Data:1\nDATA:2\nEvent:e\nEVENT:e\nID:9\nId:9\nRetry:5\nRETRY:5\ndata:x\n\n",
                MSG ("x") END0);
  assert_parse ("Data:1\n\n", END0);
}

static void
test_field_unknown (void)
{
  assert_parse ("foo:bar\nx\ndata :1\n data:2\ndatas:3\ndat:4\ndata:x\n\n", MSG ("x") END0);
  /* Names longer than any known one, starting like one. */
  assert_parse ("dataxxxxxxxxxxxxxxxx:1\neventeventevent:2\nidid:3\nretryretry:4\ndata:x\n\n",
                MSG ("x") END0);
  /* A NUL in a name. */
  assert_parse_len ("da\0a:1\ndata\0:1\ndata:x\n\n", MSG ("x") END0);
  /* Unknown fields do not start or end events. */
  assert_parse ("foo\n\n", END0);
}

/* event ------------------------------------------------------------------ */

static void
test_event_type (void)
{
  assert_parse ("event: update\ndata:1\n\n", EV ("update", "1", "-", "", -1) END0);
  /* The last one in the block wins. */
  assert_parse ("event:a\nevent:b\ndata:1\n\n", EV ("b", "1", "-", "", -1) END0);
  /* Empty is "message". */
  assert_parse ("event:\ndata:1\n\n", MSG ("1") END0);
  assert_parse ("event:a\nevent:\ndata:1\n\n", MSG ("1") END0);
  assert_parse ("event: message\ndata:1\n\n", MSG ("1") END0);
  /* The type does not carry over to the next block. */
  assert_parse ("event:x\ndata:1\n\ndata:2\n\n", EV ("x", "1", "-", "", -1) MSG ("2") END0);
  /* Nor when its block fired nothing. */
  assert_parse ("event:x\n\ndata:2\n\n", MSG ("2") END0);
  /* Order of fields within a block does not matter. */
  assert_parse ("data:1\nevent:x\n\n", EV ("x", "1", "-", "", -1) END0);
  assert_parse ("event:a b \ndata\n\n", EV ("a b ", "", "-", "", -1) END0);
}

static void
test_event_type_with_nul (void)
{
  /* The standard allows a NUL in an event type, but a type is a C string
   * and a signal detail: the NUL becomes U+FFFD, so that the type is never
   * cut short or empty, nor taken for the name without it. */
  assert_parse_len ("event:\0\ndata:x\n\n", EV (FFFD, "x", "-", "", -1) END0);
  assert_parse_len ("event:up\0date\ndata:x\n\n", EV ("up" FFFD "date", "x", "-", "", -1) END0);
  assert_parse_len ("event:\0\xE2\x82\0\ndata:x\n\n", EV (FFFD FFFD FFFD, "x", "-", "", -1) END0);
}

/* data ------------------------------------------------------------------- */

static void
test_data_lines (void)
{
  assert_parse ("data:a\ndata:b\ndata:c\n\n", MSG ("a\\nb\\nc") END0);
  assert_parse ("data:a\nfoo:x\ndata:b\n\n", MSG ("a\\nb") END0);
}

static void
test_data_trailing_lf (void)
{
  /* Exactly one trailing LF (the one added after the last line) is
   * removed. */
  assert_parse ("data:a\ndata:\n\n", MSG ("a\\n") END0);
  assert_parse ("data:\ndata:\n\n", MSG ("\\n") END0);
  assert_parse ("data:\ndata:\ndata:\n\n", MSG ("\\n\\n") END0);
  assert_parse ("data:\n\n", MSG ("") END0);
}

static void
test_data_empty_block (void)
{
  assert_parse ("\n\n\n", END0);
  assert_parse ("\r\n\r\n", END0);
  assert_parse ("event:x\nretry:1\n\n", NOTIFY_RETRY (1) END ("", 1));
  assert_parse (":c\n\n", COMMENT ("c") END0);
}

static void
test_data_nul (void)
{
  assert_parse_len ("data:a\0b\n\ndata:\0\n\n", MSG ("a\\0b") MSG ("\\0") END0);
  assert_parse_len ("data:\0\0\ndata:\0\n\n", MSG ("\\0\\0\\n\\0") END0);
}

static void
test_data_nul_bytes_api (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  static const char stream[] = "data:a\0b\ndata:\0\n\n";
  g_autoptr(GBytes) bytes = NULL;
  SseEvent *event;

  g_assert_true (recorder_feed (r, stream, sizeof stream - 1));
  g_assert_cmpuint (r->events->len, ==, 1);
  event = g_ptr_array_index (r->events, 0);

  g_assert_cmpuint (sse_event_get_data_length (event), ==, 5);
  /* NUL-terminated as well. */
  g_assert_cmpmem (sse_event_get_data (event), 6, "a\0b\n\0", 6);
  bytes = sse_event_get_data_bytes (event);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "a\0b\n\0", 5);
}

/* id --------------------------------------------------------------------- */

static void
test_id_sets_last_event_id (void)
{
  assert_parse ("id: 1\ndata:a\n\ndata:b\n\n",
                NOTIFY_ID ("1")
                EV ("message", "a", "'1'", "1", -1)
                EV ("message", "b", "-", "1", -1)
                END ("1", -1));
  /* The last id of the block wins. */
  assert_parse ("id:1\nid:2\ndata:x\n\n",
                NOTIFY_ID ("2") EV ("message", "x", "'2'", "2", -1) END ("2", -1));
  assert_parse ("id: a:b \ndata\n\n",
                NOTIFY_ID ("a:b ") EV ("message", "", "'a:b '", "a:b ", -1) END ("a:b ", -1));
  /* Setting the same id again changes nothing. */
  assert_parse ("id:1\ndata:a\n\nid:1\ndata:b\n\n",
                NOTIFY_ID ("1")
                EV ("message", "a", "'1'", "1", -1)
                EV ("message", "b", "'1'", "1", -1)
                END ("1", -1));
}

static void
test_id_with_nul_ignored (void)
{
  assert_parse_len ("id: 1\n\nid: a\0b\ndata:x\n\n",
                    NOTIFY_ID ("1") EV ("message", "x", "-", "1", -1) END ("1", -1));
  assert_parse_len ("id:\0\ndata:x\n\n", MSG ("x") END0);
  /* An ignored id does not undo a valid one before it in the block. */
  assert_parse_len ("id:2\nid:\0\ndata:x\n\n",
                    NOTIFY_ID ("2") EV ("message", "x", "'2'", "2", -1) END ("2", -1));
}

static void
test_id_empty_resets (void)
{
  assert_parse ("id: 1\ndata:a\n\nid:\ndata:b\n\nid: 2\n\nid\ndata:c\n\n",
                NOTIFY_ID ("1")
                EV ("message", "a", "'1'", "1", -1)
                NOTIFY_ID ("")
                EV ("message", "b", "''", "", -1)
                NOTIFY_ID ("2")
                NOTIFY_ID ("")
                EV ("message", "c", "''", "", -1)
                END0);
  assert_parse ("id: \ndata:a\n\n", EV ("message", "a", "''", "", -1) END0);
}

static void
test_id_only_block (void)
{
  /* A block with an id and no data fires nothing, but its id becomes the
   * last event ID. */
  assert_parse ("id: 7\n\ndata:x\n\n",
                NOTIFY_ID ("7") EV ("message", "x", "-", "7", -1) END ("7", -1));
  assert_parse ("id: 7\n\n", NOTIFY_ID ("7") END ("7", -1));
  assert_parse ("id: 7\nevent:e\n\n", NOTIFY_ID ("7") END ("7", -1));
}

static void
test_id_committed_at_dispatch (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  g_assert_true (recorder_feed_str (r, "id: 5\ndata: x\n"));
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "");
  g_assert_true (recorder_feed_str (r, "\n"));
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "5");

  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, NOTIFY_ID ("5") EV ("message", "x", "'5'", "5", -1) END ("5", -1));
}

/* retry ------------------------------------------------------------------ */

static void
test_retry_digits (void)
{
  assert_parse ("retry: 3000\n", NOTIFY_RETRY (3000) END ("", 3000));
  assert_parse ("retry:3000\n", NOTIFY_RETRY (3000) END ("", 3000));
  assert_parse ("retry: 03000\n", NOTIFY_RETRY (3000) END ("", 3000));
  assert_parse ("retry: 0\n", NOTIFY_RETRY (0) END ("", 0));
  assert_parse ("retry: 000\n", NOTIFY_RETRY (0) END ("", 0));
  assert_parse ("retry: 9223372036854775807\n",
                NOTIFY_RETRY (9223372036854775807) END ("", 9223372036854775807));
  assert_parse ("retry: 1\nretry: 2\n", NOTIFY_RETRY (1) NOTIFY_RETRY (2) END ("", 2));
  /* Only a change is notified. */
  assert_parse ("retry: 5\n\nretry: 005\n\n", NOTIFY_RETRY (5) END ("", 5));
}

static void
test_retry_invalid (void)
{
  static const char *invalid[] = {
    "retry: 1e3\n",
    "retry:  100\n",            /* two spaces: the second one is not a digit */
    "retry: -1\n",
    "retry: +5\n",
    "retry:\n",
    "retry: \n",
    "retry\n",
    "retry: 10 \n",
    "retry: 1 0\n",
    "retry: 0x10\n",
    "retry: 1.5\n",
    "retry: 12a\n",
    "retry: \xEF\xBC\x95\n",    /* FULLWIDTH DIGIT FIVE */
    "retry: \xD9\xA5\n",        /* ARABIC-INDIC DIGIT FIVE */
    "retry: 9223372036854775808\n",     /* G_MAXINT64 + 1 */
    "retry: 99999999999999999999\n",
    "retry: 18446744073709551616\n",    /* G_MAXUINT64 + 1 */
    "retry: 000000000000000000000000000000000000000009999999999999999999999\n",
    "retry: \xFF" "5\n",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *stream = g_strconcat ("retry: 7\n", invalid[i], "data:x\n\n", NULL);
      g_autofree char *escaped = harness_escape (invalid[i], strlen (invalid[i]));

      g_test_message ("stream %s", escaped);
      assert_parse (stream, NOTIFY_RETRY (7) EV ("message", "x", "-", "", 7) END ("", 7));
    }

  /* A NUL is not a digit either. */
  assert_parse_len ("retry: 7\nretry: 5\0\ndata:x\n\n",
                    NOTIFY_RETRY (7) EV ("message", "x", "-", "", 7) END ("", 7));
  /* Leading zeros do not count towards an overflow. */
  assert_parse ("retry: 0000000000000000000000000000000000009223372036854775807\n",
                NOTIFY_RETRY (9223372036854775807) END ("", 9223372036854775807));
}

static void
test_retry_when_read (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);

  /* It takes effect when the line is read, not at the blank line. */
  g_assert_true (recorder_feed_str (r, "retry: 500\n"));
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 500);
  g_assert_cmpstr (r->log->str, ==, NOTIFY_RETRY (500));

  /* Even in a block that never fires. */
  g_assert_true (recorder_feed_str (r, "data: x\nretry: 800\ndata: y"));
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 800);
  sse_parser_finish (r->parser);
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 800);
  g_assert_cmpuint (r->events->len, ==, 0);

  /* A retry line that never ended was never read. */
  g_assert_true (recorder_feed_str (r, "retry: 900"));
  sse_parser_finish (r->parser);
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 800);

  {
    gint64 value = 0;

    g_object_get (r->parser, "retry", &value, NULL);
    g_assert_cmpint (value, ==, 800);
  }
}

static void
test_retry_in_event (void)
{
  /* The event of the block carries the block's retry. */
  assert_parse ("retry: 5\ndata:x\n\ndata:y\n\n",
                NOTIFY_RETRY (5)
                EV ("message", "x", "-", "", 5)
                EV ("message", "y", "-", "", -1)
                END ("", 5));
  /* An invalid retry leaves the block without one. */
  assert_parse ("retry: x\ndata:x\n\n", MSG ("x") END0);
  /* A retry-only block fires nothing and leaves nothing for the next. */
  assert_parse ("retry: 5\n\ndata:y\n\n", NOTIFY_RETRY (5) MSG ("y") END ("", 5));
}

/* Comments --------------------------------------------------------------- */

static void
test_comment_text (void)
{
  assert_parse (":hello\n: hello\n:  hello\n:\n: \n:a:b\n::\n",
                COMMENT ("hello") COMMENT ("hello") COMMENT (" hello") COMMENT ("")
                COMMENT ("") COMMENT ("a:b") COMMENT (":") END0);
  assert_parse (": ping\r: pong\r\n", COMMENT ("ping") COMMENT ("pong") END0);
}

static void
test_comment_in_block (void)
{
  /* Comments are not part of the event, and do not end it. */
  assert_parse ("data:a\n:c\ndata:b\n\n", COMMENT ("c") MSG ("a\\nb") END0);
  assert_parse ("data:a\n:\n", COMMENT ("") END0);
  /* An unterminated comment is not a comment yet. */
  assert_parse (": c", END0);
}

/* End of stream ---------------------------------------------------------- */

static void
test_finish_discards_pending (void)
{
  HarnessOptions finish = { .finish = TRUE };
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  assert_parse_with ("data:a\n\ndata:b\n", &finish, MSG ("a") END0);
  assert_parse_with ("data:a\n\ndata:b", &finish, MSG ("a") END0);
  assert_parse_with ("data:a\n\nevent:e\ndata:b\r", &finish, MSG ("a") END0);

  /* What was pending is gone: the next stream does not complete it. */
  g_assert_true (recorder_feed_str (r, "data:a\n\ndata:b\n"));
  sse_parser_finish (r->parser);
  g_assert_true (recorder_feed_str (r, "\n"));
  g_assert_true (recorder_feed_str (r, "data:c"));
  sse_parser_finish (r->parser);
  g_assert_true (recorder_feed_str (r, "\n\n"));
  g_assert_true (recorder_feed_str (r, "event:e\n"));
  sse_parser_finish (r->parser);
  g_assert_true (recorder_feed_str (r, "data:d\n\n"));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("a") MSG ("d") END0);
}

static void
test_finish_discards_uncommitted_id (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  g_assert_true (recorder_feed_str (r, "id: 1\n\nid: 2\ndata: x\n"));
  sse_parser_finish (r->parser);
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "1");

  /* The new stream's events carry the committed id, not the lost one. */
  g_assert_true (recorder_feed_str (r, "data: y\n\n"));
  /* Also for an empty id that never got committed. */
  g_assert_true (recorder_feed_str (r, "id\n"));
  sse_parser_finish (r->parser);
  g_assert_true (recorder_feed_str (r, "data: z\n\n"));

  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==,
                   NOTIFY_ID ("1")
                   EV ("message", "y", "-", "1", -1)
                   EV ("message", "z", "-", "1", -1)
                   END ("1", -1));
}

static void
test_finish_keeps_stream_state (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);

  g_assert_true (recorder_feed_str (r, "id: 9\nretry: 1234\ndata: x\n\n"));
  sse_parser_finish (r->parser);
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "9");
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 1234);
  g_assert_true (recorder_feed_str (r, "data: y\n\n"));
  g_assert_cmpuint (r->events->len, ==, 2);
  g_assert_cmpstr (sse_event_get_last_event_id (g_ptr_array_index (r->events, 1)), ==, "9");
}

static void
test_reset (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  sse_parser_set_max_event_size (r->parser, 4096);
  g_assert_true (recorder_feed_str (r, "id: 9\nretry: 1234\ndata: x\n\nid: 10\ndata: pending\n"));
  g_assert_cmpstr (r->log->str, ==,
                   NOTIFY_RETRY (1234) NOTIFY_ID ("9") EV ("message", "x", "'9'", "9", 1234));

  /* Both properties go back to their initial values, with notifications
   * (in the order GObject thaws them). */
  g_string_truncate (r->log, 0);
  sse_parser_reset (r->parser);
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "");
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, -1);
  g_assert_cmpuint (sse_parser_get_max_event_size (r->parser), ==, 4096);
  if (strcmp (r->log->str, NOTIFY_RETRY (-1) NOTIFY_ID ("")) != 0)
    g_assert_cmpstr (r->log->str, ==, NOTIFY_ID ("") NOTIFY_RETRY (-1));

  /* The pending event is gone. */
  g_string_truncate (r->log, 0);
  g_assert_true (recorder_feed_str (r, "\ndata: y\n\n"));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("y") END0);

  /* Resetting a new parser notifies nothing. */
  g_string_truncate (r->log, 0);
  sse_parser_reset (r->parser);
  g_assert_cmpstr (r->log->str, ==, "");
}

/* last-event-id ---------------------------------------------------------- */

static void
test_last_event_id_seed (void)
{
  HarnessOptions seed = { .last_event_id = "41" };

  /* Set before the stream, as a reconnecting client does: events without
   * an id of their own carry it. */
  assert_parse_with ("data:x\n\nid:42\ndata:y\n\ndata:z\n\n", &seed,
                     EV ("message", "x", "-", "41", -1)
                     NOTIFY_ID ("42")
                     EV ("message", "y", "'42'", "42", -1)
                     EV ("message", "z", "-", "42", -1)
                     END ("42", -1));
  assert_parse_with ("id\ndata:x\n\n", &seed,
                     NOTIFY_ID ("") EV ("message", "x", "''", "", -1) END0);
  assert_parse_with ("\n\ndata\n\n", &seed, EV ("message", "", "-", "41", -1) END ("41", -1));
  /* An uncommitted id of an unfinished block does not replace it. */
  {
    HarnessOptions seed_finish = { .last_event_id = "41", .finish = TRUE };

    assert_parse_with ("id:43\ndata:x\n", &seed_finish, END ("41", -1));
  }
}

static void
test_last_event_id_property (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *value = NULL;

  g_object_get (r->parser, "last-event-id", &value, NULL);
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);

  g_object_set (r->parser, "last-event-id", "abc", NULL);
  g_object_get (r->parser, "last-event-id", &value, NULL);
  g_assert_cmpstr (value, ==, "abc");
  g_assert_cmpstr (r->log->str, ==, NOTIFY_ID ("abc"));

  /* Unchanged: no notification. */
  sse_parser_set_last_event_id (r->parser, "abc");
  g_assert_cmpstr (r->log->str, ==, NOTIFY_ID ("abc"));

  /* NULL is the empty string. */
  sse_parser_set_last_event_id (r->parser, NULL);
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "");

  /* Invalid UTF-8 is repaired. */
  sse_parser_set_last_event_id (r->parser, "a\xE2\x82" "b\xFF");
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "a" FFFD "b" FFFD);

  g_assert_true (recorder_feed_str (r, "data:x\n\n"));
  g_assert_cmpstr (sse_event_get_last_event_id (g_ptr_array_index (r->events, 0)), ==,
                   "a" FFFD "b" FFFD);
  g_assert_null (sse_event_get_id (g_ptr_array_index (r->events, 0)));
}

static void
test_last_event_id_set_mid_stream (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);

  /* Setting it is also setting the stream's last event ID buffer. */
  g_assert_true (recorder_feed_str (r, "id: 1\n\n"));
  sse_parser_set_last_event_id (r->parser, "x");
  g_assert_true (recorder_feed_str (r, "data: a\n\n"));
  g_assert_cmpstr (sse_event_get_last_event_id (g_ptr_array_index (r->events, 0)), ==, "x");
  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "x");
}

/* UTF-8 ------------------------------------------------------------------ */

typedef struct {
  const char *bytes;
  const char *decoded;
} Utf8Case;

static void
test_utf8_maximal_subparts (void)
{
  /* One U+FFFD per maximal subpart of an ill-formed sequence, as the
   * Encoding standard's UTF-8 decoder (and Unicode's "U+FFFD Substitution
   * of Maximal Subparts") do. */
  static const Utf8Case cases[] = {
    /* The example of the Unicode standard (table 3-8). */
    { "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
      "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d" },
    /* A truncated sequence is one subpart. */
    { "\xE2\x82", FFFD },
    { "\xE2\x82" "A", FFFD "A" },
    { "\xF0\x9F\x98", FFFD },
    { "\xF0\x9F\x98" "A", FFFD "A" },
    { "\xF0\x9F", FFFD },
    { "\xC2", FFFD },
    { "\xC2\xC2\xA9", FFFD "\u00A9" },
    { "\xE2\x82\xE2\x82\xAC", FFFD "\u20AC" },
    /* A second byte out of range ends the subpart at the first byte. */
    { "\xF0\x80", FFFD FFFD },
    { "\xF0\x80\x80", FFFD FFFD FFFD },
    { "\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD },
    { "\xE0\x80\x80", FFFD FFFD FFFD },
    { "\xE0\x9F\xBF", FFFD FFFD FFFD },
    { "\xE0\xA0", FFFD },
    { "\xED\xA0\x80", FFFD FFFD FFFD },     /* a surrogate */
    { "\xED\x9F", FFFD },
    { "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD },   /* above U+10FFFF */
    { "\xF4\x8F\xBF", FFFD },
    /* Bytes that never start a sequence. */
    { "\xC0\xAF", FFFD FFFD },
    { "\xC1\xBF", FFFD FFFD },
    { "\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD },
    { "\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD },
    { "\xFE\xFF", FFFD FFFD },
    { "\x80", FFFD },
    { "\x80\xBF", FFFD FFFD },
    /* Valid sequences, at the edges of the ranges. */
    { "\xC2\x80", "\xC2\x80" },
    { "\xDF\xBF", "\u07FF" },
    { "\xE0\xA0\x80", "\u0800" },
    { "\xED\x9F\xBF", "\uD7FF" },
    { "\xEE\x80\x80", "\uE000" },
    { "\xEF\xBF\xBD", FFFD },
    { "\xF0\x90\x80\x80", "\U00010000" },
    { "\xF0\x9F\x98\x80", "\U0001F600" },
    { "\xF4\x8F\xBF\xBF", "\U0010FFFF" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stream = g_strconcat ("data:", cases[i].bytes, "\n\n", NULL);
      g_autofree char *expected = g_strconcat ("event 'message' data='", cases[i].decoded,
                                               "' id=- last='' retry=-1\n" END0, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      assert_parse (stream, expected);
    }
}

static void
test_utf8_at_line_end (void)
{
  /* A line end breaks a sequence; it is not swallowed by it. */
  assert_parse ("data:\xE2\x82\ndata:\xAC\n\n", MSG (FFFD "\\n" FFFD) END0);
  assert_parse ("data:\xF0\x9F\r\r", MSG (FFFD) END0);
  assert_parse ("data:\xE2\r\n\r\n", MSG (FFFD) END0);
  /* Nor is a colon. */
  assert_parse ("data\xE2:x\ndata:y\n\n", MSG ("y") END0);
}

static void
test_utf8_split_character (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *log = NULL;

  /* Split by hand here; the harness also cuts everywhere else. */
  g_assert_true (recorder_feed_str (r, "data:\xE2"));
  g_assert_true (recorder_feed_str (r, "\x82"));
  g_assert_true (recorder_feed_str (r, "\xAC\xF0\x9F"));
  g_assert_true (recorder_feed_str (r, "\x98\x80\n\n"));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("\u20AC\U0001F600") END0);

  assert_parse ("data:\xE2\x82\xAC\xF0\x9F\x98\x80\n\n", MSG ("\u20AC\U0001F600") END0);
  assert_parse ("event:\xC3\xA9t\xC3\xA9\nid:\xE2\x82\xAC\ndata:\xF0\x9F\x98\x80\n\n"
                ":\xF0\x9F\x98\x80\n",
                NOTIFY_ID ("\u20AC")
                EV ("\u00E9t\u00E9", "\U0001F600", "'\u20AC'", "\u20AC", -1)
                COMMENT ("\U0001F600")
                END ("\u20AC", -1));
}

static void
test_utf8_other_fields (void)
{
  /* Event types, ids and comments are repaired too. */
  assert_parse ("event:\xFF" "a\nid:\xE2\x82\ndata:x\n\n:\xC0\xAF\n",
                NOTIFY_ID (FFFD)
                EV (FFFD "a", "x", "'" FFFD "'", FFFD, -1)
                COMMENT (FFFD FFFD)
                END (FFFD, -1));
}

/* Signals ---------------------------------------------------------------- */

static void
count_event (SseParser *parser,
             SseEvent  *event,
             gpointer   user_data)
{
  GString *seen = user_data;

  g_string_append (seen, sse_event_get_data (event));
}

static void
test_signal_detailed (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GString) update = g_string_new (NULL);
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_signal_connect (parser, "event::update", G_CALLBACK (count_event), update);
  g_signal_connect (parser, "event::message", G_CALLBACK (count_event), message);
  g_signal_connect (parser, "event", G_CALLBACK (count_event), all);

  g_assert_true (feed_str (parser,
                           "event:update\ndata:1\n\n"
                           "data:2\n\n"
                           "event:other\ndata:3\n\n"
                           "event:update\ndata:4\n\n"
                           "event:message\ndata:5\n\n"
                           "event:Update\ndata:6\n\n",
                           &error));
  g_assert_no_error (error);
  g_assert_cmpstr (update->str, ==, "14");
  g_assert_cmpstr (message->str, ==, "25");
  g_assert_cmpstr (all->str, ==, "123456");
}

static void
test_signal_only_detailed_handler (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) update = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  /* With no catch-all handler connected. */
  g_signal_connect (parser, "event::update", G_CALLBACK (count_event), update);
  g_assert_true (feed_str (parser, "data:1\n\nevent:update\ndata:2\n\nevent:up\ndata:3\n\n"
                                   "event:update\ndata:4\n\n", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (update->str, ==, "24");
}

static void
test_signal_detail_not_interned (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("sse-test-type-%08x%08x",
                                           g_test_rand_int (), g_test_rand_int ());
  g_autofree char *stream = g_strdup_printf ("event:%s\ndata:1\n\n", name);

  /* The server chooses event types: interning each would leak memory it
   * controls. */
  g_signal_connect (parser, "event", G_CALLBACK (count_event), all);
  g_assert_true (feed_str (parser, stream, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (all->str, ==, "1");
  g_assert_cmpuint (g_quark_try_string (name), ==, 0);
}

static void
test_signal_comment (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);

  g_assert_true (recorder_feed_str (r, ": keep-alive\n"));
  g_assert_cmpuint (r->comments->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r->comments, 0), ==, "keep-alive");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GString *seen = user_data;

  g_string_append_printf (seen, "%s;", pspec->name);
}

static void
test_notify_retry (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) detailed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_signal_connect (parser, "notify::retry", G_CALLBACK (count_notify), detailed);

  g_assert_true (feed_str (parser, "retry: 10\n", &error));
  g_assert_cmpstr (detailed->str, ==, "retry;");
  g_assert_true (feed_str (parser, "retry: x\nretry: -3\nretry:\n", &error));
  g_assert_cmpstr (detailed->str, ==, "retry;");
  g_assert_true (feed_str (parser, "retry: 20\n", &error));
  g_assert_cmpstr (detailed->str, ==, "retry;retry;");
  g_assert_no_error (error);
  g_assert_cmpint (sse_parser_get_retry (parser), ==, 20);
}

static void
test_notify_undetailed (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  /* A handler of plain "notify" sees the stream's notifications too. */
  g_signal_connect (parser, "notify", G_CALLBACK (count_notify), seen);
  g_assert_true (feed_str (parser, "retry: 10\nid: 3\n\n", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "retry;last-event-id;");
}

static void
test_notify_last_event_id (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_signal_connect (parser, "notify::last-event-id", G_CALLBACK (count_notify), seen);

  g_assert_true (feed_str (parser, "id: 3\n", &error));
  g_assert_cmpstr (seen->str, ==, "");
  g_assert_true (feed_str (parser, "\n", &error));
  g_assert_cmpstr (seen->str, ==, "last-event-id;");
  g_assert_true (feed_str (parser, "id: 3\ndata: x\n\n", &error));
  g_assert_cmpstr (seen->str, ==, "last-event-id;");
  g_assert_true (feed_str (parser, "id\n\n", &error));
  g_assert_cmpstr (seen->str, ==, "last-event-id;last-event-id;");
  g_assert_no_error (error);
}

/* Handlers that end the stream ------------------------------------------- */

typedef enum {
  STOP_FINISH,
  STOP_RESET,
} StopHow;

typedef struct {
  StopHow  how;
  guint    n_seen;
  GString *seen;
} StopData;

static void
stop_on_first (SseParser *parser,
               StopData  *stop)
{
  if (stop->n_seen++ > 0)
    return;
  if (stop->how == STOP_FINISH)
    sse_parser_finish (parser);
  else
    sse_parser_reset (parser);
}

static void
stop_on_event (SseParser *parser,
               SseEvent  *event,
               gpointer   user_data)
{
  StopData *stop = user_data;

  g_string_append_printf (stop->seen, "[%s]", sse_event_get_data (event));
  stop_on_first (parser, stop);
}

static void
stop_on_comment (SseParser  *parser,
                 const char *text,
                 gpointer    user_data)
{
  StopData *stop = user_data;

  g_string_append_printf (stop->seen, "(%s)", text);
  stop_on_first (parser, stop);
}

static void
test_handler_stops_feed (gconstpointer user_data)
{
  StopHow how = GPOINTER_TO_INT (user_data);
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GString) seen = g_string_new (NULL);
  StopData stop = { how, 0, seen };
  g_autoptr(GError) error = NULL;

  g_signal_connect (parser, "event", G_CALLBACK (stop_on_event), &stop);
  g_signal_connect (parser, "comment", G_CALLBACK (stop_on_comment), &stop);

  /* The rest of the feed is dropped, pending lines included. */
  g_assert_true (feed_str (parser, "id: 1\nretry: 5\ndata:a\n\n:c\ndata:b\n\nid: 2\ndata:c", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "[a]");
  if (how == STOP_FINISH)
    {
      g_assert_cmpstr (sse_parser_get_last_event_id (parser), ==, "1");
      g_assert_cmpint (sse_parser_get_retry (parser), ==, 5);
    }
  else
    {
      g_assert_cmpstr (sse_parser_get_last_event_id (parser), ==, "");
      g_assert_cmpint (sse_parser_get_retry (parser), ==, -1);
    }

  /* The next feed is a new stream, BOM included. */
  g_assert_true (feed_str (parser, "\xEF\xBB\xBF" "data:d\n\n", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "[a][d]");

  /* From a comment handler. */
  stop.n_seen = 0;
  g_assert_true (feed_str (parser, ":x\ndata:e\n\n", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "[a][d](x)");
  g_assert_true (feed_str (parser, "data:f\n\n", &error));
  g_assert_cmpstr (seen->str, ==, "[a][d](x)[f]");

  /* When the handler's event ended the feed with a CR, the LF that starts
   * the next stream is an empty line of its own: harmless. */
  stop.n_seen = 0;
  g_assert_true (feed_str (parser, "data:g\r\r", &error));
  g_assert_true (feed_str (parser, "\ndata:h\n\n", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (seen->str, ==, "[a][d](x)[f][g][h]");
}

/* Reference model ---------------------------------------------------------- */

/* A direct reading of the standard, written for clarity rather than speed
 * and sharing no code with the library: decode the whole stream with the
 * Encoding standard's UTF-8 decoder (BOM dropped), split it into lines,
 * interpret each line. It writes the same transcript as the recorder. */

typedef struct {
  GString  *log;
  GString  *data;
  GString  *type;
  GString  *id_buffer;
  GString  *last_event_id;
  gboolean  block_has_id;
  gint64    block_retry;
  gint64    retry;
} Model;

static void
model_append_replacement (GString *out)
{
  g_string_append (out, "\xEF\xBF\xBD");
}

static GString *
model_decode (const guint8 *in,
              gsize         len)
{
  GString *out = g_string_sized_new (len);
  guint needed = 0, seen = 0;
  gunichar code_point = 0;
  guint8 lower = 0x80, upper = 0xBF;
  gsize i = 0;

  if (len >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
    i = 3;

  while (i < len)
    {
      guint8 byte = in[i];

      if (needed == 0)
        {
          if (byte <= 0x7F)
            g_string_append_c (out, byte);
          else if (byte >= 0xC2 && byte <= 0xDF)
            {
              needed = 1;
              code_point = byte & 0x1F;
            }
          else if (byte >= 0xE0 && byte <= 0xEF)
            {
              if (byte == 0xE0)
                lower = 0xA0;
              if (byte == 0xED)
                upper = 0x9F;
              needed = 2;
              code_point = byte & 0xF;
            }
          else if (byte >= 0xF0 && byte <= 0xF4)
            {
              if (byte == 0xF0)
                lower = 0x90;
              if (byte == 0xF4)
                upper = 0x8F;
              needed = 3;
              code_point = byte & 0x7;
            }
          else
            model_append_replacement (out);
          i++;
          continue;
        }

      if (byte < lower || byte > upper)
        {
          /* Error; the byte is read again. */
          code_point = needed = seen = 0;
          lower = 0x80;
          upper = 0xBF;
          model_append_replacement (out);
          continue;
        }

      lower = 0x80;
      upper = 0xBF;
      code_point = (code_point << 6) | (byte & 0x3F);
      seen++;
      i++;
      if (seen == needed)
        {
          g_string_append_unichar (out, code_point);
          code_point = needed = seen = 0;
        }
    }

  if (needed != 0)
    model_append_replacement (out);

  return out;
}

static void
model_log_string (GString    *log,
                  const char *prefix,
                  const char *s,
                  gsize       len)
{
  g_autofree char *escaped = harness_escape (s, len);

  g_string_append_printf (log, "%s%s", prefix, escaped);
}

static void
model_dispatch (Model *m)
{
  /* 1. The last event ID becomes the id buffer. */
  if (!g_string_equal (m->last_event_id, m->id_buffer))
    {
      g_string_assign (m->last_event_id, m->id_buffer->str);
      model_log_string (m->log, "notify last-event-id=", m->last_event_id->str,
                        m->last_event_id->len);
      g_string_append_c (m->log, '\n');
    }

  /* 2. No data: reset and return. 3. Remove one trailing LF. */
  if (m->data->len > 0)
    {
      g_autoptr(GString) type = g_string_new (NULL);
      gsize i;

      g_string_truncate (m->data, m->data->len - 1);

      /* A type cannot hold a NUL: sse-glib makes it U+FFFD. */
      for (i = 0; i < m->type->len; i++)
        {
          if (m->type->str[i] == '\0')
            g_string_append (type, "\xEF\xBF\xBD");
          else
            g_string_append_c (type, m->type->str[i]);
        }
      if (type->len == 0)
        g_string_assign (type, "message");

      model_log_string (m->log, "event ", type->str, type->len);
      model_log_string (m->log, " data=", m->data->str, m->data->len);
      if (m->block_has_id)
        model_log_string (m->log, " id=", m->id_buffer->str, m->id_buffer->len);
      else
        g_string_append (m->log, " id=-");
      model_log_string (m->log, " last=", m->last_event_id->str, m->last_event_id->len);
      g_string_append_printf (m->log, " retry=%" G_GINT64_FORMAT "\n", m->block_retry);
    }

  g_string_truncate (m->data, 0);
  g_string_truncate (m->type, 0);
  m->block_has_id = FALSE;
  m->block_retry = -1;
}

static void
model_field (Model      *m,
             const char *name,
             gsize       name_len,
             const char *value,
             gsize       value_len)
{
#define IS(s) (name_len == strlen (s) && memcmp (name, s, name_len) == 0)
  if (IS ("event"))
    {
      g_string_truncate (m->type, 0);
      g_string_append_len (m->type, value, value_len);
    }
  else if (IS ("data"))
    {
      g_string_append_len (m->data, value, value_len);
      g_string_append_c (m->data, '\n');
    }
  else if (IS ("id"))
    {
      if (memchr (value, '\0', value_len) == NULL)
        {
          g_string_truncate (m->id_buffer, 0);
          g_string_append_len (m->id_buffer, value, value_len);
          m->block_has_id = TRUE;
        }
    }
  else if (IS ("retry"))
    {
      gint64 n = 0;
      gsize i;

      /* ASCII digits only, base ten; a value a gint64 cannot hold is
       * ignored too. */
      if (value_len == 0)
        return;
      for (i = 0; i < value_len; i++)
        {
          int digit = value[i] - '0';

          if (!g_ascii_isdigit (value[i]) || n > (G_MAXINT64 - digit) / 10)
            return;
          n = n * 10 + digit;
        }
      m->block_retry = n;
      if (m->retry != n)
        {
          m->retry = n;
          g_string_append_printf (m->log, "notify retry=%" G_GINT64_FORMAT "\n", m->retry);
        }
    }
#undef IS
}

static void
model_line (Model      *m,
            const char *line,
            gsize       len)
{
  const char *colon;

  if (len == 0)
    {
      model_dispatch (m);
      return;
    }

  if (line[0] == ':')
    {
      const char *text = line + 1;
      gsize text_len = len - 1;

      if (text_len > 0 && text[0] == ' ')
        {
          text++;
          text_len--;
        }
      model_log_string (m->log, "comment ", text, text_len);
      g_string_append_c (m->log, '\n');
      return;
    }

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      const char *value = colon + 1;
      gsize value_len = line + len - value;

      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
      model_field (m, line, colon - line, value, value_len);
    }
  else
    model_field (m, line, len, "", 0);
}

static char *
model_parse (const guint8 *input,
             gsize         len,
             const char   *seed)
{
  g_autoptr(GString) text = model_decode (input, len);
  Model m = { 0, };
  gsize pos = 0;
  char *result;

  m.log = g_string_new (NULL);
  m.data = g_string_new (NULL);
  m.type = g_string_new (NULL);
  m.id_buffer = g_string_new (seed != NULL ? seed : "");
  m.last_event_id = g_string_new (seed != NULL ? seed : "");
  m.block_retry = -1;
  m.retry = -1;

  for (;;)
    {
      gsize eol = pos;

      while (eol < text->len && text->str[eol] != '\r' && text->str[eol] != '\n')
        eol++;
      if (eol == text->len)
        break;  /* An unterminated line at the end is discarded. */

      model_line (&m, text->str + pos, eol - pos);

      if (text->str[eol] == '\r' && eol + 1 < text->len && text->str[eol + 1] == '\n')
        pos = eol + 2;
      else
        pos = eol + 1;
    }

  model_log_string (m.log, "end last-event-id=", m.last_event_id->str, m.last_event_id->len);
  g_string_append_printf (m.log, " retry=%" G_GINT64_FORMAT "\n", m.retry);

  g_string_free (m.data, TRUE);
  g_string_free (m.type, TRUE);
  g_string_free (m.id_buffer, TRUE);
  g_string_free (m.last_event_id, TRUE);
  result = g_string_free (m.log, FALSE);
  return result;
}

static void
test_model_sanity (void)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  static const guint8 unicode_example[] = "data:\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64\n\n";

  /* The model must agree with the hand-written expectations too. */
  a = model_parse ((const guint8 *) "\xEF\xBB\xBF" "id:1\ndata: a\r\ndata\r\rretry: 07\n:c\n\n",
                   strlen ("\xEF\xBB\xBF" "id:1\ndata: a\r\ndata\r\rretry: 07\n:c\n\n"), NULL);
  g_assert_cmpstr (a, ==, NOTIFY_ID ("1") EV ("message", "a\\n", "'1'", "1", -1)
                          NOTIFY_RETRY (7) COMMENT ("c") END ("1", 7));
  b = model_parse (unicode_example, sizeof unicode_example - 1, "s");
  g_assert_cmpstr (b, ==, EV ("message", "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", "-", "s", -1)
                          END ("s", -1));
  c = model_parse ((const guint8 *) "retry: 9223372036854775808\nretry: 9223372036854775807\n",
                   strlen ("retry: 9223372036854775808\nretry: 9223372036854775807\n"), NULL);
  g_assert_cmpstr (c, ==, NOTIFY_RETRY (9223372036854775807) END ("", 9223372036854775807));
}

/* Random streams ----------------------------------------------------------- */

static void
random_text (GByteArray *out,
             gboolean    allow_nul,
             guint       max_tokens)
{
  static const char *tokens[] = {
    "a", "b", "z", "0", "9", " ", "  ", ":", "=", "\t", "\\", "'",
    "\xC3\xA9",               /* é */
    "\xE2\x82\xAC",           /* € */
    "\xF0\x9F\x98\x80",       /* an astral character */
    "\xEF\xBB\xBF",           /* U+FEFF */
    "\xEF\xBF\xBD",           /* U+FFFD itself */
    "\xE2\x82",               /* truncated */
    "\xF0\x9F\x98",           /* truncated */
    "\xED\xA0\x80",           /* surrogate */
    "\xC0\xAF",               /* overlong */
    "\xF4\x90\x80\x80",       /* too large */
    "\xEF\xBB",               /* half a BOM */
  };
  guint n = g_test_rand_int_range (0, max_tokens + 1);
  guint i;

  for (i = 0; i < n; i++)
    {
      guint k = g_test_rand_int_range (0, G_N_ELEMENTS (tokens) + 3);

      if (k < G_N_ELEMENTS (tokens))
        g_byte_array_append (out, (const guint8 *) tokens[k], strlen (tokens[k]));
      else if (k == G_N_ELEMENTS (tokens))
        {
          guint8 byte = g_test_rand_int_range (0x80, 0x100);

          g_byte_array_append (out, &byte, 1);
        }
      else if (k == G_N_ELEMENTS (tokens) + 1 && allow_nul)
        g_byte_array_append (out, (const guint8 *) "", 1);
      else
        g_byte_array_append (out, (const guint8 *) "x", 1);
    }
}

static void
random_eol (GByteArray *out)
{
  switch (g_test_rand_int_range (0, 3))
    {
    case 0: g_byte_array_append (out, (const guint8 *) "\n", 1); break;
    case 1: g_byte_array_append (out, (const guint8 *) "\r", 1); break;
    default: g_byte_array_append (out, (const guint8 *) "\r\n", 2); break;
    }
}

static GByteArray *
random_stream (void)
{
  static const char *names[] = {
    "data", "data", "data", "data", "event", "event", "id", "id", "retry", "retry",
    "Data", "foo", "data ", " data", "dat", "dataa", "ID",
    "\xEF\xBB\xBF" "data", "\xFF" "data", "idid",
  };
  static const char *retries[] = {
    "3000", "03000", "0", "1", "1e3", " 100", "-1", "", "99999999999999999999",
    "9223372036854775807", "9223372036854775808", "12a", "+5", "5 ",
  };
  GByteArray *s = g_byte_array_new ();
  guint n_lines = g_test_rand_int_range (0, 20);
  guint i;

  switch (g_test_rand_int_range (0, 8))
    {
    case 0: g_byte_array_append (s, (const guint8 *) "\xEF\xBB\xBF", 3); break;
    case 1: g_byte_array_append (s, (const guint8 *) "\xEF\xBB\xBF\xEF\xBB\xBF", 6); break;
    case 2: g_byte_array_append (s, (const guint8 *) "\xEF\xBB", 2); break;
    case 3: g_byte_array_append (s, (const guint8 *) "\xEF", 1); break;
    default: break;
    }

  for (i = 0; i < n_lines; i++)
    {
      guint kind = g_test_rand_int_range (0, 10);

      if (kind < 3)
        {
          /* Blank line: dispatch. */
        }
      else if (kind == 3)
        {
          g_byte_array_append (s, (const guint8 *) ":", 1);
          random_text (s, FALSE, 4);
        }
      else
        {
          const char *name = names[g_test_rand_int_range (0, G_N_ELEMENTS (names))];
          gboolean is_retry = strcmp (name, "retry") == 0;

          g_byte_array_append (s, (const guint8 *) name, strlen (name));
          if (g_test_rand_int_range (0, 8) > 0)
            {
              g_byte_array_append (s, (const guint8 *) ":", 1);
              if (g_test_rand_bit ())
                g_byte_array_append (s, (const guint8 *) " ", 1);
              if (is_retry)
                {
                  const char *value = retries[g_test_rand_int_range (0, G_N_ELEMENTS (retries))];

                  g_byte_array_append (s, (const guint8 *) value, strlen (value));
                }
              else
                random_text (s, TRUE, 6);
            }
        }

      random_eol (s);
    }

  /* Sometimes a last line or event left unterminated. */
  if (g_test_rand_bit ())
    {
      g_byte_array_append (s, (const guint8 *) "data:", 5);
      random_text (s, TRUE, 3);
      if (g_test_rand_bit ())
        g_byte_array_append (s, (const guint8 *) "\r", 1);
    }

  return s;
}

static void
test_property_chunking (void)
{
  guint n = harness_iterations (3000);
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(GByteArray) stream = random_stream ();
      HarnessOptions options = { 0, };
      g_autofree char *model = NULL;
      g_autofree char *whole = NULL;
      guint j;

      if (g_test_rand_int_range (0, 4) == 0)
        options.last_event_id = "seed";
      options.finish = g_test_rand_bit ();

      model = model_parse (stream->data, stream->len, options.last_event_id);
      whole = harness_parse (stream->data, stream->len, NULL, 0, &options, NULL);
      if (g_strcmp0 (whole, model) != 0)
        {
          g_autofree char *escaped = harness_escape ((const char *) stream->data, stream->len);

          g_test_message ("stream %u: %s", i, escaped);
        }
      g_assert_cmpstr (whole, ==, model);

      for (j = 0; j < 3; j++)
        {
          g_autofree char *chunked = harness_parse_random (stream->data, stream->len,
                                                           &options, NULL);

          if (g_strcmp0 (chunked, whole) != 0)
            {
              g_autofree char *escaped = harness_escape ((const char *) stream->data, stream->len);

              g_test_message ("stream %u (chunking %u): %s", i, j, escaped);
            }
          g_assert_cmpstr (chunked, ==, whole);
        }
    }
}

/* Limits ----------------------------------------------------------------- */

/* What the parser may hold beyond max-event-size: its buffers' minimum
 * sizes and the NUL kept after each. */
#define SLACK 4096

static void
test_limits_default (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  guint64 value = 0;

  g_assert_cmpuint (sse_parser_get_max_event_size (parser), ==, 16 * 1024 * 1024);
  g_assert_cmpuint (SSE_PARSER_DEFAULT_MAX_EVENT_SIZE, ==, 16 * 1024 * 1024);
  g_object_set (parser, "max-event-size", (guint64) 1000, NULL);
  g_object_get (parser, "max-event-size", &value, NULL);
  g_assert_cmpuint (value, ==, 1000);
  g_assert_cmpuint (sse_parser_get_max_event_size (parser), ==, 1000);
}

static void
test_limits_event_dropped (void)
{
  HarnessOptions limit = { .set_max_event_size = TRUE, .max_event_size = 16 };
  guint n_errors = 0;
  g_autofree char *log = NULL;
  const char *stream = "data:a\n\ndata:0123456789\ndata:abcdefXYZ\n\ndata:b\n\n";

  /* Dropped alone: the events before and after it arrive, whatever the
   * chunking. */
  assert_parse_with (stream, &limit, MSG ("a") MSG ("b") END0);
  log = harness_parse ((const guint8 *) stream, strlen (stream), NULL, 0, &limit, &n_errors);
  g_assert_cmpuint (n_errors, ==, 1);

  /* Too large because of its type, or its id. */
  assert_parse_with ("data:a\n\nevent:0123456789abcdefXYZ\ndata:x\n\ndata:b\n\n", &limit,
                     MSG ("a") MSG ("b") END0);
  assert_parse_with ("data:a\n\nid:0123456789abcdefXYZ\ndata:x\n\ndata:b\n\n", &limit,
                     MSG ("a") MSG ("b") END0);
  /* Within the limit, nothing happens. */
  assert_parse_with ("data:0123456789\n\n", &limit, MSG ("0123456789") END0);
}

static void
test_limits_boundary (void)
{
  HarnessOptions limit = { .set_max_event_size = TRUE, .max_event_size = 10 };

  /* The limit counts the event's data (with the line feeds between its
   * lines), type and id, as received. */
  assert_parse_with ("data:0123456789\n\n", &limit, MSG ("0123456789") END0);
  assert_parse_with ("data:0123456789A\n\n", &limit, END0);
  assert_parse_with ("data:0123\ndata:56789\n\n", &limit, MSG ("0123\\n56789") END0);
  assert_parse_with ("data:01234\ndata:56789\n\n", &limit, END0);
  assert_parse_with ("data:0123456789\ndata\n\n", &limit, END0);
  assert_parse_with ("data\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\n\n", &limit,
                     MSG ("\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n") END0);
  assert_parse_with ("data\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\n\n", &limit,
                     END0);
  assert_parse_with ("data:0123456789\nevent:x\n\n", &limit, END0);
  assert_parse_with ("event:abcde\ndata:01234\n\n", &limit, EV ("abcde", "01234", "-", "", -1) END0);
  assert_parse_with ("event:abcdef\ndata:01234\n\n", &limit, END0);
  assert_parse_with ("id:abcde\ndata:01234\n\n", &limit,
                     NOTIFY_ID ("abcde") EV ("message", "01234", "'abcde'", "abcde", -1)
                     END ("abcde", -1));
  /* An event too large because of its id still sets the last event ID:
   * the id of a dropped event takes effect. */
  assert_parse_with ("id:abcdef\ndata:01234\n\ndata:x\n\n", &limit,
                     NOTIFY_ID ("abcdef") EV ("message", "x", "-", "abcdef", -1)
                     END ("abcdef", -1));
  /* A comment is limited like an event. */
  assert_parse_with (":0123456789\n:0123456789A\n", &limit, COMMENT ("0123456789") END0);
  /* Within an event, it counts with it (so that the memory held stays
   * bounded); a comment that does not fit is dropped alone. */
  assert_parse_with ("data:012345\n:abc\n:abcd\n:abcde\ndata:x\n\n", &limit,
                     COMMENT ("abc") COMMENT ("abcd") MSG ("012345\\nx") END0);
}

static void
test_limits_dropped_keeps_id_and_retry (void)
{
  HarnessOptions limit = { .set_max_event_size = TRUE, .max_event_size = 10 };

  assert_parse_with ("id:7\nretry:9\ndata:0123456789abc\nid:8\nretry:10\ndata:x\n\ndata:b\n\n", &limit,
                     NOTIFY_RETRY (9) NOTIFY_RETRY (10) NOTIFY_ID ("8")
                     EV ("message", "b", "-", "8", -1) END ("8", 10));
}

static void
test_limits_later_feeds (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *piece = g_strnfill (600, 'x');
  g_autofree char *log = NULL;

  sse_parser_set_max_event_size (r->parser, 1000);

  g_assert_true (recorder_feed_str (r, "data:a\n\ndata:"));
  g_assert_true (recorder_feed_str (r, piece));
  /* The feed that crosses the limit reports it. */
  g_assert_false (recorder_feed_str (r, piece));
  g_assert_error (r->last_error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
  g_assert_nonnull (r->last_error->message);
  /* The rest of the dropped event is skipped silently. */
  g_assert_true (recorder_feed_str (r, piece));
  g_assert_true (recorder_feed_str (r, "\ndata:"));
  g_assert_true (recorder_feed_str (r, piece));
  g_assert_true (recorder_feed_str (r, piece));
  /* And the next event is fine. */
  g_assert_true (recorder_feed_str (r, "\n\ndata:b\n\n"));
  g_assert_true (recorder_feed_str (r, "data:"));
  g_assert_true (recorder_feed_str (r, piece));
  g_assert_true (recorder_feed_str (r, "\n\n"));

  log = recorder_finish_log (r);
  g_assert_cmpuint (r->n_errors, ==, 1);
  g_assert_cmpuint (r->events->len, ==, 3);
  g_assert_cmpuint (sse_event_get_data_length (g_ptr_array_index (r->events, 2)), ==, 600);
}

static void
test_limits_same_feed (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autoptr(GString) stream = g_string_new ("data:a\n\ndata:");
  g_autofree char *log = NULL;

  sse_parser_set_max_event_size (r->parser, 100);
  append_fill (stream, 'y', 300);
  g_string_append (stream, "\n\ndata:b\n\ndata:");
  append_fill (stream, 'z', 300);
  g_string_append (stream, "\n\ndata:c\n\n");

  /* The events after a dropped one in the same feed still arrive; the
   * feed reports the first error. */
  g_assert_false (recorder_feed (r, stream->str, stream->len));
  log = recorder_finish_log (r);
  g_assert_cmpstr (log, ==, MSG ("a") MSG ("b") MSG ("c") END0);
}

static void
test_limits_comment (void)
{
  HarnessOptions limit = { .set_max_event_size = TRUE, .max_event_size = 100 };
  g_autoptr(GString) stream = g_string_new (":");
  guint n_errors = 0;
  g_autofree char *log = NULL;

  append_fill (stream, 'c', 300);
  g_string_append (stream, "\n:ok\ndata:a\n\n");

  assert_parse_with (stream->str, &limit, COMMENT ("ok") MSG ("a") END0);
  log = harness_parse ((const guint8 *) stream->str, stream->len, NULL, 0, &limit, &n_errors);
  g_assert_cmpuint (n_errors, ==, 1);
}

static void
test_limits_unknown_field_not_counted (void)
{
  HarnessOptions limit = { .set_max_event_size = TRUE, .max_event_size = 100 };
  g_autoptr(GString) stream = g_string_new ("data:a\nfoo:");
  guint n_errors = 1;
  g_autofree char *log = NULL;

  append_fill (stream, 'u', 3000);
  g_string_append (stream, "\nretry:");
  append_fill (stream, '1', 3000);
  g_string_append (stream, "\ndata:b\n\n");

  /* Unknown fields (and retry fields) are not stored: they do not count. */
  log = harness_parse ((const guint8 *) stream->str, stream->len, NULL, 0, &limit, &n_errors);
  g_assert_cmpstr (log, ==, MSG ("a\\nb") END0);
  g_assert_cmpuint (n_errors, ==, 0);
}

static void
test_limits_unlimited (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  gsize size = SSE_PARSER_DEFAULT_MAX_EVENT_SIZE + 1024;
  g_autofree char *big = g_malloc (size);
  SseEvent *event;

  memset (big, 'x', size);
  sse_parser_set_max_event_size (r->parser, 0);
  g_assert_true (recorder_feed_str (r, "data:"));
  g_assert_true (recorder_feed (r, big, size));
  g_assert_true (recorder_feed_str (r, "\n\n"));
  g_assert_cmpuint (r->events->len, ==, 1);
  event = g_ptr_array_index (r->events, 0);
  g_assert_cmpuint (sse_event_get_data_length (event), ==, size);
  g_assert_cmpmem (sse_event_get_data (event), size, big, size);

  /* With the default limit, the same event is dropped. */
  sse_parser_set_max_event_size (r->parser, SSE_PARSER_DEFAULT_MAX_EVENT_SIZE);
  g_assert_true (recorder_feed_str (r, "data:"));
  g_assert_false (recorder_feed (r, big, size));
  g_assert_true (recorder_feed_str (r, "\n\n"));
  g_assert_cmpuint (r->events->len, ==, 1);
}

typedef struct {
  const char *name;
  const char *head;         /* the line's start */
  char        fill;         /* the byte it repeats */
  gboolean    stored;       /* whether the parser would store it */
  gboolean    drops_event;  /* whether refusing it drops its event */
} GiantLine;

static const GiantLine giant_lines[] = {
  { "data", "data: ", 'd', TRUE, TRUE },
  { "comment", ": ", 'c', TRUE, FALSE },
  { "event-type", "event: ", 'e', TRUE, TRUE },
  { "id", "id: ", 'i', TRUE, TRUE },
  { "unknown-field", "foo: ", 'u', FALSE, FALSE },
  { "retry", "retry: ", '7', FALSE, FALSE },
  { "field-name", "", 'n', FALSE, FALSE },
};

static void
test_limits_memory_bounded (gconstpointer user_data)
{
  const GiantLine *giant = user_data;
  g_autoptr(Recorder) r = recorder_new (NULL);
  const gsize limit = 1024 * 1024;
  /* An odd size, so that pieces never line up with the limit. */
  const gsize piece_size = 100003;
  gsize total = (gsize) harness_iterations (100) * 1000 * 1000;
  g_autofree char *piece = g_malloc (piece_size);
  gsize fed, max_held = 0;
  guint line_end;

  memset (piece, giant->fill, piece_size);
  sse_parser_set_max_event_size (r->parser, limit);

  /* Each giant line is tried unterminated (half-received, then the stream
   * ends) and terminated (then the stream goes on). */
  for (line_end = 0; line_end < 2; line_end++)
    {
      guint n_events = r->events->len;
      guint n_comments = r->comments->len;

      g_assert_true (recorder_feed_str (r, "data: before\n\n"));
      g_assert_true (recorder_feed_str (r, "data: same block\n"));
      g_assert_true (recorder_feed_str (r, giant->head));
      for (fed = 0; fed < total; fed += piece_size)
        {
          gsize held;

          recorder_feed (r, piece, piece_size);
          held = _sse_parser_get_memory_held (r->parser);
          max_held = MAX (max_held, held);
          if (held > limit + SLACK)
            g_test_message ("%s: %" G_GSIZE_FORMAT " bytes held after %" G_GSIZE_FORMAT " fed",
                            giant->name, held, fed + piece_size);
          g_assert_cmpuint (held, <=, limit + SLACK);
        }

      /* A stored giant was refused; a skipped one never counted. */
      g_assert_cmpuint (r->n_errors, ==, giant->stored ? line_end + 1 : 0);

      if (line_end == 0)
        {
          /* Half-received when the stream ends: discarded with its block. */
          sse_parser_finish (r->parser);
          g_assert_true (recorder_feed_str (r, "data: after\n\n"));
          g_assert_cmpuint (r->events->len, ==, n_events + 2);
        }
      else
        {
          g_assert_true (recorder_feed_str (r, "\ndata: next\n\n"));
          g_assert_true (recorder_feed_str (r, "data: after\n\n"));
          /* A giant data, type or id line drops its whole event; a dropped
           * comment, an unknown field or a name leave the event alone. */
          if (giant->drops_event)
            g_assert_cmpuint (r->events->len, ==, n_events + 2);
          else
            {
              g_assert_cmpuint (r->events->len, ==, n_events + 3);
              g_assert_cmpstr (sse_event_get_data (g_ptr_array_index (r->events, n_events + 1)),
                               ==, "same block\nnext");
            }
        }
      g_assert_cmpstr (sse_event_get_data (g_ptr_array_index (r->events, n_events)), ==, "before");
      g_assert_cmpstr (sse_event_get_data (g_ptr_array_index (r->events, r->events->len - 1)),
                       ==, "after");
      g_assert_cmpuint (r->comments->len, ==, n_comments);
    }

  /* Stored giants did use the memory they were allowed. */
  if (giant->stored)
    g_assert_cmpuint (max_held, >=, limit / 2);
  else
    g_assert_cmpuint (max_held, <=, SLACK);
  g_assert_cmpuint (_sse_parser_get_memory_held (r->parser), <=, limit + SLACK);
}

/* Found by fuzz-parser: an empty id (which resets a non-empty last event
 * ID) is a value even while the parser gives back the room of its
 * buffers to make space for a large data line. */
static void
test_limits_empty_id_survives_shrinking (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *type = g_strnfill (400, 't');
  g_autofree char *data = g_strnfill (1000, 'd');
  g_autofree char *stream = NULL;

  sse_parser_set_max_event_size (r->parser, 1024);

  /* Two ids, so that the buffer the next id is read into has room left
   * from an earlier one; a long type leaves room in its buffer too. Then
   * an empty id, and a data line large enough that the parser must give
   * that room back. */
  stream = g_strdup_printf ("id: abc\n\nid: xyz\nevent: %s\ndata: 1\n\n"
                            "id:\ndata: %s\n\n", type, data);
  g_assert_true (recorder_feed_str (r, stream));

  g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, "");
  g_assert_cmpuint (r->events->len, ==, 2);
  g_assert_cmpstr (sse_event_get_id (g_ptr_array_index (r->events, 1)), ==, "");
  g_assert_cmpstr (sse_event_get_last_event_id (g_ptr_array_index (r->events, 1)), ==, "");
  g_assert_cmpuint (sse_event_get_data_length (g_ptr_array_index (r->events, 1)), ==, 1000);
}

static void
test_limits_memory_given_back (void)
{
  g_autoptr(Recorder) r = recorder_new (NULL);
  const gsize giant_size = 6 * 1024 * 1024;
  g_autofree char *fill = g_strnfill (giant_size, 'x');
  static const char *heads[] = { "data:", "event:", ":", "id:", "foo:" };
  guint pass, i;

  /* A giant line of every kind in turn, each followed by small traffic
   * that replaces what the giant set: the giant's memory must not stay
   * pinned for the rest of the stream, whether the giant was accepted
   * (first pass, default limit) or refused (second pass). */
  for (pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        sse_parser_set_max_event_size (r->parser, giant_size / 2);

      for (i = 0; i < G_N_ELEMENTS (heads); i++)
        {
          gboolean refused = pass == 1 && strcmp (heads[i], "foo:") != 0;
          gsize held;

          g_assert_true (recorder_feed_str (r, heads[i]));
          g_assert_true (recorder_feed_str (r, fill) != refused);
          g_assert_true (recorder_feed_str (r, "\ndata:y\n\n"));
          g_assert_true (recorder_feed_str (r, "id: small\nevent: small\n: small\ndata: small\n\n"));

          held = _sse_parser_get_memory_held (r->parser);
          g_test_message ("after %s (pass %u): %" G_GSIZE_FORMAT " bytes held",
                          heads[i], pass, held);
          g_assert_cmpuint (held, <, giant_size / 4);
        }
    }
  g_assert_cmpuint (r->n_errors, ==, G_N_ELEMENTS (heads) - 1);
}

static void
test_limits_long_line_small_pieces (void)
{
  g_autoptr(Recorder) whole = recorder_new (NULL);
  g_autoptr(Recorder) pieces = recorder_new (NULL);
  const gsize size = 8 * 1024 * 1024;
  g_autofree guint8 *stream = g_malloc (size + 32);
  gsize len = 0, i;
  SseEvent *a, *b;

  memcpy (stream, "data: ", 6);
  len = 6;
  for (i = 0; i < size; i++)
    stream[len++] = 'a' + i % 26;
  memcpy (stream + len, "\n\n", 2);
  len += 2;

  g_assert_true (recorder_feed (whole, stream, len));
  for (i = 0; i < len; i += 512)
    g_assert_true (recorder_feed (pieces, stream + i, MIN (512, len - i)));

  g_assert_cmpuint (whole->events->len, ==, 1);
  g_assert_cmpuint (pieces->events->len, ==, 1);
  a = g_ptr_array_index (whole->events, 0);
  b = g_ptr_array_index (pieces->events, 0);
  g_assert_cmpuint (sse_event_get_data_length (a), ==, size);
  g_assert_true (sse_event_equal (a, b));
  g_assert_cmpmem (sse_event_get_data (b), size, stream + 6, size);
}

int
main (int   argc,
      char *argv[])
{
  gsize i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parser/basic/event", test_basic_event);

  g_test_add_func ("/parser/bom/stripped", test_bom_stripped);
  g_test_add_func ("/parser/bom/split-over-feeds", test_bom_split_over_feeds);
  g_test_add_func ("/parser/bom/only-once", test_bom_only_once);
  g_test_add_func ("/parser/bom/prefix-not-a-bom", test_bom_prefix_not_a_bom);
  g_test_add_func ("/parser/bom/after-finish", test_bom_after_finish);

  g_test_add_func ("/parser/eol/lf", test_eol_lf);
  g_test_add_func ("/parser/eol/cr", test_eol_cr);
  g_test_add_func ("/parser/eol/crlf", test_eol_crlf);
  g_test_add_func ("/parser/eol/mixed", test_eol_mixed);
  g_test_add_func ("/parser/eol/cr-at-end-of-feed", test_eol_cr_at_end_of_feed);
  g_test_add_func ("/parser/eol/cr-stream-bytewise", test_eol_cr_stream_bytewise);

  g_test_add_func ("/parser/field/leading-space", test_field_leading_space);
  g_test_add_func ("/parser/field/no-colon", test_field_no_colon);
  g_test_add_func ("/parser/field/colon-in-value", test_field_colon_in_value);
  g_test_add_func ("/parser/field/case-sensitive", test_field_case_sensitive);
  g_test_add_func ("/parser/field/unknown-ignored", test_field_unknown);

  g_test_add_func ("/parser/event/type", test_event_type);
  g_test_add_func ("/parser/event/type-with-nul", test_event_type_with_nul);

  g_test_add_func ("/parser/data/lines", test_data_lines);
  g_test_add_func ("/parser/data/trailing-lf", test_data_trailing_lf);
  g_test_add_func ("/parser/data/empty-block", test_data_empty_block);
  g_test_add_func ("/parser/data/nul", test_data_nul);
  g_test_add_func ("/parser/data/nul-bytes-api", test_data_nul_bytes_api);

  g_test_add_func ("/parser/id/sets-last-event-id", test_id_sets_last_event_id);
  g_test_add_func ("/parser/id/nul-ignored", test_id_with_nul_ignored);
  g_test_add_func ("/parser/id/empty-resets", test_id_empty_resets);
  g_test_add_func ("/parser/id/only-block", test_id_only_block);
  g_test_add_func ("/parser/id/committed-at-dispatch", test_id_committed_at_dispatch);

  g_test_add_func ("/parser/retry/digits", test_retry_digits);
  g_test_add_func ("/parser/retry/invalid-ignored", test_retry_invalid);
  g_test_add_func ("/parser/retry/when-read", test_retry_when_read);
  g_test_add_func ("/parser/retry/in-event", test_retry_in_event);

  g_test_add_func ("/parser/comment/text", test_comment_text);
  g_test_add_func ("/parser/comment/in-block", test_comment_in_block);

  g_test_add_func ("/parser/finish/discards-pending", test_finish_discards_pending);
  g_test_add_func ("/parser/finish/discards-uncommitted-id", test_finish_discards_uncommitted_id);
  g_test_add_func ("/parser/finish/keeps-stream-state", test_finish_keeps_stream_state);
  g_test_add_func ("/parser/reset/clears-stream-state", test_reset);

  g_test_add_func ("/parser/last-event-id/seed", test_last_event_id_seed);
  g_test_add_func ("/parser/last-event-id/property", test_last_event_id_property);
  g_test_add_func ("/parser/last-event-id/set-mid-stream", test_last_event_id_set_mid_stream);

  g_test_add_func ("/parser/utf8/maximal-subparts", test_utf8_maximal_subparts);
  g_test_add_func ("/parser/utf8/at-line-end", test_utf8_at_line_end);
  g_test_add_func ("/parser/utf8/split-character", test_utf8_split_character);
  g_test_add_func ("/parser/utf8/other-fields", test_utf8_other_fields);

  g_test_add_func ("/parser/signal/detailed", test_signal_detailed);
  g_test_add_func ("/parser/signal/only-detailed-handler", test_signal_only_detailed_handler);
  g_test_add_func ("/parser/signal/detail-not-interned", test_signal_detail_not_interned);
  g_test_add_func ("/parser/signal/comment", test_signal_comment);
  g_test_add_func ("/parser/notify/retry", test_notify_retry);
  g_test_add_func ("/parser/notify/last-event-id", test_notify_last_event_id);
  g_test_add_func ("/parser/notify/undetailed", test_notify_undetailed);

  g_test_add_data_func ("/parser/handler/finish-stops-feed",
                        GINT_TO_POINTER (STOP_FINISH), test_handler_stops_feed);
  g_test_add_data_func ("/parser/handler/reset-stops-feed",
                        GINT_TO_POINTER (STOP_RESET), test_handler_stops_feed);

  g_test_add_func ("/parser/property/model-sanity", test_model_sanity);
  g_test_add_func ("/parser/property/chunking-and-model", test_property_chunking);

  g_test_add_func ("/parser/limits/default", test_limits_default);
  g_test_add_func ("/parser/limits/event-dropped", test_limits_event_dropped);
  g_test_add_func ("/parser/limits/boundary", test_limits_boundary);
  g_test_add_func ("/parser/limits/dropped-keeps-id-and-retry", test_limits_dropped_keeps_id_and_retry);
  g_test_add_func ("/parser/limits/later-feeds", test_limits_later_feeds);
  g_test_add_func ("/parser/limits/same-feed", test_limits_same_feed);
  g_test_add_func ("/parser/limits/comment", test_limits_comment);
  g_test_add_func ("/parser/limits/unknown-field-not-counted", test_limits_unknown_field_not_counted);
  g_test_add_func ("/parser/limits/unlimited", test_limits_unlimited);
  for (i = 0; i < G_N_ELEMENTS (giant_lines); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parser/limits/memory-bounded/%s",
                                               giant_lines[i].name);

      g_test_add_data_func (path, &giant_lines[i], test_limits_memory_bounded);
    }
  g_test_add_func ("/parser/limits/memory-given-back", test_limits_memory_given_back);
  g_test_add_func ("/parser/limits/empty-id-survives-shrinking",
                   test_limits_empty_id_survives_shrinking);
  g_test_add_func ("/parser/limits/long-line-small-pieces", test_limits_long_line_small_pieces);

  return g_test_run ();
}
