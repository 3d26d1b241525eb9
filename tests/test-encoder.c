/* test-encoder.c: SseEncoder, and the round-trip law with SseParser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-event-private.h"
#include "parser-harness.h"

/* Helpers ---------------------------------------------------------------- */

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              gsize       expected_len)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len != expected_len || memcmp (data, expected, len) != 0)
    {
      g_autofree char *got = harness_escape (data, len);
      g_autofree char *want = harness_escape (expected, expected_len);

      g_assert_cmpstr (got, ==, want);
    }
}

/* For literals: the length includes embedded NULs. */
#define assert_encodes(bytes, literal) \
  assert_bytes ((bytes), (literal), sizeof (literal) - 1)

static void
assert_event_encodes (SseEncoder *encoder,
                      SseEvent   *event,
                      const char *expected,
                      gsize       expected_len)
{
  g_autoptr(GBytes) bytes = sse_encoder_encode_event (encoder, event);

  assert_bytes (bytes, expected, expected_len);
}

#define assert_event(encoder, event, literal) \
  assert_event_encodes ((encoder), (event), (literal), sizeof (literal) - 1)

/* An event as a parser may hand it over, without the constructors'
 * cleaning. */
static SseEvent *
raw_event (const char *type,
           const char *data,
           gsize       data_len,
           const char *id)
{
  SseEventFields fields = { 0, };

  fields.event_type = type;
  fields.event_type_len = type != NULL ? strlen (type) : 0;
  fields.data = data;
  fields.data_len = data_len;
  fields.id = id;
  fields.id_len = id != NULL ? strlen (id) : 0;
  fields.last_event_id = "";
  fields.retry = -1;

  return _sse_event_new_from_fields (&fields);
}

/* Events ----------------------------------------------------------------- */

static void
test_event_message (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = sse_event_new ("hello");
  g_autoptr(SseEvent) explicit = sse_event_new_full ("message", "hello", -1, NULL, -1);

  /* The type "message" is the default: no event: line. */
  assert_event (encoder, event, "data: hello\n\n");
  assert_event (encoder, explicit, "data: hello\n\n");
}

static void
test_event_wire_order (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = sse_event_new_full ("update", "a\nb", -1, "7", 3000);
  g_autoptr(SseEvent) no_id = sse_event_new_full ("update", "a", -1, NULL, 0);
  g_autoptr(SseEvent) id_only = sse_event_new_full (NULL, "a", -1, "x", -1);

  assert_event (encoder, event, "event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n");
  assert_event (encoder, no_id, "event: update\nretry: 0\ndata: a\n\n");
  assert_event (encoder, id_only, "id: x\ndata: a\n\n");
}

static void
test_event_data_lines (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) raw = raw_event (NULL, "a\rb\r\nc\nd\r", 9, NULL);
  g_autoptr(SseEvent) runs = raw_event (NULL, "\r\r\n\n", 4, NULL);
  g_autoptr(SseEvent) built = sse_event_new_full (NULL, "a\r\nb\rc", -1, NULL, -1);

  /* Split at CR, LF and CRLF, whatever the event holds. */
  assert_event (encoder, raw, "data: a\ndata: b\ndata: c\ndata: d\ndata:\n\n");
  assert_event (encoder, runs, "data:\ndata:\ndata:\ndata:\n\n");
  assert_event (encoder, built, "data: a\ndata: b\ndata: c\n\n");
}

static void
test_event_leading_space (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) data = sse_event_new (" x");
  g_autoptr(SseEvent) lines = sse_event_new ("a\n  b");
  g_autoptr(SseEvent) all = sse_event_new_full (" t", " ", -1, " 1", -1);

  /* The space after the colon is always written, so a value's own
   * leading space survives the parser removing one. */
  assert_event (encoder, data, "data:  x\n\n");
  assert_event (encoder, lines, "data: a\ndata:   b\n\n");
  assert_event (encoder, all, "event:  t\nid:  1\ndata:  \n\n");
}

static void
test_event_empty_data (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) empty = sse_event_new ("");
  g_autoptr(SseEvent) lf = sse_event_new ("\n");
  g_autoptr(SseEvent) trailing = sse_event_new ("a\n");

  /* An event with empty data still needs one data line to fire. */
  assert_event (encoder, empty, "data:\n\n");
  assert_event (encoder, lf, "data:\ndata:\n\n");
  assert_event (encoder, trailing, "data: a\ndata:\n\n");
}

static void
test_event_empty_id (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = sse_event_new_full (NULL, "x", -1, "", -1);

  /* An empty id is written: it resets the client's last event ID. */
  assert_event (encoder, event, "id:\ndata: x\n\n");
}

static void
test_event_nul_in_data (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = sse_event_new_full (NULL, "a\0b\n\0", 5, NULL, -1);

  assert_event (encoder, event, "data: a\0b\ndata: \0\n\n");
}

static void
test_event_cleans_type_and_id (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = raw_event ("a\rb\nc\r\n", "x", 1, "1\r\n2\n");

  /* Events that skipped the constructors' cleaning are cleaned here. */
  assert_event (encoder, event, "event: abc\nid: 12\ndata: x\n\n");
}

/* Comments and retry ----------------------------------------------------- */

static void
test_comment (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(GBytes) hello = sse_encoder_encode_comment (encoder, "hello");
  g_autoptr(GBytes) empty = sse_encoder_encode_comment (encoder, "");
  g_autoptr(GBytes) null = sse_encoder_encode_comment (encoder, NULL);
  g_autoptr(GBytes) breaks = sse_encoder_encode_comment (encoder, "a\r\nb\rc\nd\n");
  g_autoptr(GBytes) space = sse_encoder_encode_comment (encoder, " x");
  g_autoptr(GBytes) colon = sse_encoder_encode_comment (encoder, ":");

  assert_encodes (hello, ": hello\n");
  assert_encodes (empty, ":\n");
  assert_encodes (null, ":\n");
  assert_encodes (breaks, ": abcd\n");
  assert_encodes (space, ":  x\n");
  assert_encodes (colon, ": :\n");
}

static void
test_comment_round_trip (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  static const char *texts[] = { "ping", "", " two  spaces ", "a\r\nb", ":)", "\xF0\x9F\x98\x80" };
  static const char *expected[] = { "ping", "", " two  spaces ", "ab", ":)", "\xF0\x9F\x98\x80" };
  g_autoptr(Recorder) r = recorder_new (NULL);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) bytes = sse_encoder_encode_comment (encoder, texts[i]);

      g_assert_true (recorder_feed (r, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
      g_assert_cmpuint (r->comments->len, ==, i + 1);
      g_assert_cmpstr (g_ptr_array_index (r->comments, i), ==, expected[i]);
    }
  g_assert_cmpuint (r->events->len, ==, 0);
}

static void
test_retry (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(GBytes) retry = sse_encoder_encode_retry (encoder, 5000);
  g_autoptr(GBytes) zero = sse_encoder_encode_retry (encoder, 0);
  g_autoptr(GBytes) max = sse_encoder_encode_retry (encoder, G_MAXUINT);
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autoptr(SseEvent) next = sse_event_new ("x");
  g_autoptr(GBytes) next_bytes = sse_encoder_encode_event (encoder, next);

  /* A block of its own: the next event does not carry it. */
  assert_encodes (retry, "retry: 5000\n\n");
  assert_encodes (zero, "retry: 0\n\n");
  assert_encodes (max, "retry: 4294967295\n\n");

  g_assert_true (recorder_feed (r, g_bytes_get_data (retry, NULL), g_bytes_get_size (retry)));
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, 5000);
  g_assert_true (recorder_feed (r, g_bytes_get_data (max, NULL), g_bytes_get_size (max)));
  g_assert_cmpint (sse_parser_get_retry (r->parser), ==, G_MAXUINT);
  g_assert_true (recorder_feed (r, g_bytes_get_data (next_bytes, NULL), g_bytes_get_size (next_bytes)));
  g_assert_cmpuint (r->events->len, ==, 1);
  g_assert_cmpint (sse_event_get_retry (g_ptr_array_index (r->events, 0)), ==, -1);
}

/* Line endings ----------------------------------------------------------- */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_line_ending (void)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(SseEvent) event = sse_event_new_full ("t", "a\nb", -1, "1", 10);
  g_autoptr(SseEvent) empty = sse_event_new ("");
  g_autoptr(GBytes) comment = NULL;
  g_autoptr(GBytes) retry = NULL;
  SseLineEnding line_ending = SSE_LINE_ENDING_CRLF;
  guint notified = 0;

  g_assert_cmpint (sse_encoder_get_line_ending (encoder), ==, SSE_LINE_ENDING_LF);
  g_object_get (encoder, "line-ending", &line_ending, NULL);
  g_assert_cmpint (line_ending, ==, SSE_LINE_ENDING_LF);
  g_assert_true (G_TYPE_IS_ENUM (SSE_TYPE_LINE_ENDING));

  g_signal_connect (encoder, "notify::line-ending", G_CALLBACK (count_notify), &notified);
  sse_encoder_set_line_ending (encoder, SSE_LINE_ENDING_LF);
  g_assert_cmpuint (notified, ==, 0);
  g_object_set (encoder, "line-ending", SSE_LINE_ENDING_CRLF, NULL);
  g_assert_cmpuint (notified, ==, 1);
  sse_encoder_set_line_ending (encoder, SSE_LINE_ENDING_CRLF);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (sse_encoder_get_line_ending (encoder), ==, SSE_LINE_ENDING_CRLF);

  /* Every line ends with CRLF, the blank line too. */
  assert_event (encoder, event, "event: t\r\nid: 1\r\nretry: 10\r\ndata: a\r\ndata: b\r\n\r\n");
  assert_event (encoder, empty, "data:\r\n\r\n");
  comment = sse_encoder_encode_comment (encoder, "c");
  assert_encodes (comment, ": c\r\n");
  retry = sse_encoder_encode_retry (encoder, 7);
  assert_encodes (retry, "retry: 7\r\n\r\n");

  sse_encoder_set_line_ending (encoder, SSE_LINE_ENDING_LF);
  assert_event (encoder, event, "event: t\nid: 1\nretry: 10\ndata: a\ndata: b\n\n");
}

/* Round trips ------------------------------------------------------------ */

/* Encodes @event with @line_ending, parses it with a new parser fed whole
 * and in random chunks, and asserts that exactly @event comes back. */
static void
assert_round_trip (SseEvent      *event,
                   SseLineEnding  line_ending,
                   guint          n_chunkings)
{
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(Recorder) r = recorder_new (NULL);
  g_autofree char *whole = NULL;
  const guint8 *wire;
  gsize len;
  SseEvent *parsed;
  guint i;

  sse_encoder_set_line_ending (encoder, line_ending);
  bytes = sse_encoder_encode_event (encoder, event);
  wire = g_bytes_get_data (bytes, &len);

  g_assert_true (recorder_feed (r, wire, len));
  if (r->events->len != 1 || !sse_event_equal (event, g_ptr_array_index (r->events, 0)))
    {
      g_autofree char *escaped = harness_escape ((const char *) wire, len);

      g_test_message ("encoded as %s, parsed as %s", escaped, r->log->str);
    }
  g_assert_cmpuint (r->events->len, ==, 1);
  parsed = g_ptr_array_index (r->events, 0);
  g_assert_true (sse_event_equal (event, parsed));
  g_assert_cmpuint (sse_event_hash (event), ==, sse_event_hash (parsed));

  /* What sse_event_equal() compares, one by one. */
  g_assert_cmpstr (sse_event_get_event_type (parsed), ==, sse_event_get_event_type (event));
  g_assert_cmpmem (sse_event_get_data (parsed), sse_event_get_data_length (parsed),
                   sse_event_get_data (event), sse_event_get_data_length (event));
  g_assert_cmpstr (sse_event_get_id (parsed), ==, sse_event_get_id (event));
  g_assert_cmpint (sse_event_get_retry (parsed), ==, sse_event_get_retry (event));
  /* On a fresh stream, the last event ID is the event's own id. */
  g_assert_cmpstr (sse_event_get_last_event_id (parsed), ==,
                   sse_event_get_id (event) != NULL ? sse_event_get_id (event) : "");
  g_assert_cmpuint (r->comments->len, ==, 0);

  whole = harness_parse (wire, len, NULL, 0, NULL, NULL);
  for (i = 0; i < n_chunkings; i++)
    {
      g_autofree char *chunked = harness_parse_random (wire, len, NULL, NULL);

      g_assert_cmpstr (chunked, ==, whole);
    }
}

static void
test_round_trip_examples (void)
{
  SseEvent *events[] = {
    sse_event_new ("hello"),
    sse_event_new (""),
    sse_event_new (NULL),
    sse_event_new ("\n"),
    sse_event_new ("\n\n"),
    sse_event_new (" "),
    sse_event_new ("  lead\n trail "),
    sse_event_new ("a\r\nb\rc\nd\r"),
    sse_event_new ("\xEF\xBB\xBF" "bom"),
    sse_event_new (":not a comment"),
    sse_event_new ("data: x\n\nevent: y"),
    sse_event_new_full (NULL, "\0", 1, NULL, -1),
    sse_event_new_full (NULL, "a\0\n\0b", 5, NULL, -1),
    sse_event_new_full ("\xEF\xBB\xBF", "x", -1, "\xEF\xBB\xBF", -1),
    sse_event_new_full ("message", "x", -1, "", -1),
    sse_event_new_full ("", "x", -1, "", 0),
    sse_event_new_full (" ", " ", -1, " ", 1),
    sse_event_new_full ("a:b", "c:d", -1, "e:f", -1),
    sse_event_new_full ("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", -1, "\xF0\x9F\x98\x80", 42),
    sse_event_new_full ("bad\xFF", "bad\xE2\x82", -1, "bad\xC0", -1),
    sse_event_new_full ("t", "x", -1, "id", G_MAXINT64),
    sse_event_new_full ("t", "x", -1, "id", G_MAXINT64 - 1),
    sse_event_new_full ("retry", "event", -1, "data", 3000),
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_test_message ("event %" G_GSIZE_FORMAT, i);
      assert_round_trip (events[i], SSE_LINE_ENDING_LF, 5);
      assert_round_trip (events[i], SSE_LINE_ENDING_CRLF, 5);
      sse_event_unref (events[i]);
    }
}

/* Appends random text: unicode (astral characters and U+FEFF included),
 * spaces, colons, line breaks and runs of them, invalid UTF-8 when
 * @allow_invalid and NUL when @allow_nul. */
static void
random_text (GString  *out,
             gboolean  allow_nul,
             gboolean  allow_invalid,
             guint     max_tokens)
{
  static const char *tokens[] = {
    "a", "Z", "7", " ", "  ", ":", ": ", "data:", "id", "\t", "\\",
    "\r", "\n", "\r\n", "\n\r", "\r\r\n\n",
    "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF",
    "\xEF\xBB\xBF", "\xEF\xBF\xBD",
  };
  static const char *invalid[] = {
    "\xE2\x82", "\xF0\x9F\x98", "\xED\xA0\x80", "\xC0", "\xFF", "\xEF\xBB",
  };
  guint n = g_test_rand_int_range (0, max_tokens + 1);
  guint i;

  for (i = 0; i < n; i++)
    {
      guint k = g_test_rand_int_range (0, G_N_ELEMENTS (tokens) + 3);

      if (k < G_N_ELEMENTS (tokens))
        g_string_append (out, tokens[k]);
      else if (k == G_N_ELEMENTS (tokens) && allow_nul)
        g_string_append_c (out, '\0');
      else if (k == G_N_ELEMENTS (tokens) + 1 && allow_invalid)
        g_string_append (out, invalid[g_test_rand_int_range (0, G_N_ELEMENTS (invalid))]);
      else
        g_string_append_unichar (out, g_test_rand_int_range (0x20, 0x3000));
    }
}

static gint64
random_retry (void)
{
  switch (g_test_rand_int_range (0, 8))
    {
    case 0: case 1: case 2: return -1;
    case 3: return 0;
    case 4: return G_MAXINT64 - g_test_rand_int_range (0, 3);
    case 5: return (gint64) (((guint64) (guint32) g_test_rand_int () << 31) ^
                             (guint32) g_test_rand_int ());
    default: return g_test_rand_int_range (0, G_MAXINT32);
    }
}

static SseEvent *
random_event (void)
{
  g_autoptr(GString) type = g_string_new (NULL);
  g_autoptr(GString) data = g_string_new (NULL);
  g_autoptr(GString) id = g_string_new (NULL);
  gboolean has_type = g_test_rand_int_range (0, 4) > 0;
  gboolean has_id = g_test_rand_int_range (0, 3) > 0;
  gint64 retry = random_retry ();
  g_autoptr(GError) error = NULL;
  SseEvent *event, *checked;

  switch (g_test_rand_int_range (0, 6))
    {
    case 0: g_string_append (type, "message"); break;
    case 1: break;
    default: random_text (type, FALSE, TRUE, 5); break;
    }
  if (g_test_rand_bit ())
    random_text (id, FALSE, TRUE, 5);
  if (g_test_rand_int_range (0, 8) > 0)
    random_text (data, TRUE, TRUE, 20);

  event = sse_event_new_full (has_type ? type->str : NULL, data->str, data->len,
                              has_id ? id->str : NULL, retry);

  /* The checked constructor refuses, or agrees. */
  checked = sse_event_new_checked (has_type ? type->str : NULL, data->str, data->len,
                                   has_id ? id->str : NULL, retry, &error);
  if (checked != NULL)
    {
      g_assert_no_error (error);
      g_assert_true (sse_event_equal (checked, event));
      sse_event_unref (checked);
    }
  else
    g_assert_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT);

  return event;
}

static void
test_round_trip_property (void)
{
  guint n = harness_iterations (3000);
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(SseEvent) event = random_event ();

      assert_round_trip (event, SSE_LINE_ENDING_LF, 2);
      assert_round_trip (event, SSE_LINE_ENDING_CRLF, 2);
    }
}

static void
test_round_trip_stream (void)
{
  guint n = harness_iterations (300);
  guint i;

  /* Events, comments and retry blocks one after the other on one stream
   * come back in order, none leaking into the next. */
  for (i = 0; i < n; i++)
    {
      g_autoptr(SseEncoder) encoder = sse_encoder_new ();
      g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
      g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GByteArray) wire = g_byte_array_new ();
      g_autoptr(Recorder) r = recorder_new (NULL);
      const char *last_id = "";
      gint64 last_retry = -1;
      guint n_items = g_test_rand_int_range (1, 12);
      guint j;

      sse_encoder_set_line_ending (encoder, g_test_rand_bit () ? SSE_LINE_ENDING_LF
                                                               : SSE_LINE_ENDING_CRLF);

      for (j = 0; j < n_items; j++)
        {
          g_autoptr(GBytes) bytes = NULL;
          guint kind = g_test_rand_int_range (0, 6);

          if (kind == 0)
            {
              g_autoptr(GString) text = g_string_new (NULL);
              GString *clean = g_string_new (NULL);
              gsize k;

              random_text (text, FALSE, FALSE, 5);
              bytes = sse_encoder_encode_comment (encoder, text->str);
              /* What the parser reads back: the text without line breaks. */
              for (k = 0; k < text->len; k++)
                if (text->str[k] != '\r' && text->str[k] != '\n')
                  g_string_append_c (clean, text->str[k]);
              g_ptr_array_add (comments, g_string_free (clean, FALSE));
            }
          else if (kind == 1)
            {
              last_retry = g_test_rand_int_range (0, G_MAXINT32);
              bytes = sse_encoder_encode_retry (encoder, last_retry);
            }
          else
            {
              SseEvent *event = random_event ();

              bytes = sse_encoder_encode_event (encoder, event);
              if (sse_event_get_id (event) != NULL)
                last_id = sse_event_get_id (event);
              if (sse_event_get_retry (event) >= 0)
                last_retry = sse_event_get_retry (event);
              g_ptr_array_add (events, event);
            }
          g_byte_array_append (wire, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
        }

      g_assert_true (recorder_feed (r, wire->data, wire->len));
      g_assert_cmpuint (r->events->len, ==, events->len);
      for (j = 0; j < events->len; j++)
        g_assert_true (sse_event_equal (g_ptr_array_index (r->events, j),
                                        g_ptr_array_index (events, j)));
      g_assert_cmpstr (sse_parser_get_last_event_id (r->parser), ==, last_id);
      g_assert_cmpint (sse_parser_get_retry (r->parser), ==, last_retry);
      g_assert_cmpuint (r->comments->len, ==, comments->len);
      for (j = 0; j < comments->len; j++)
        g_assert_cmpstr (g_ptr_array_index (r->comments, j), ==, g_ptr_array_index (comments, j));

      {
        g_autofree char *whole = harness_parse (wire->data, wire->len, NULL, 0, NULL, NULL);
        g_autofree char *chunked = harness_parse_random (wire->data, wire->len, NULL, NULL);

        g_assert_cmpstr (chunked, ==, whole);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/encoder/event/message", test_event_message);
  g_test_add_func ("/encoder/event/wire-order", test_event_wire_order);
  g_test_add_func ("/encoder/event/data-lines", test_event_data_lines);
  g_test_add_func ("/encoder/event/leading-space", test_event_leading_space);
  g_test_add_func ("/encoder/event/empty-data", test_event_empty_data);
  g_test_add_func ("/encoder/event/empty-id", test_event_empty_id);
  g_test_add_func ("/encoder/event/nul-in-data", test_event_nul_in_data);
  g_test_add_func ("/encoder/event/cleans-type-and-id", test_event_cleans_type_and_id);
  g_test_add_func ("/encoder/comment/cleaned", test_comment);
  g_test_add_func ("/encoder/comment/round-trip", test_comment_round_trip);
  g_test_add_func ("/encoder/retry/block", test_retry);
  g_test_add_func ("/encoder/line-ending/crlf", test_line_ending);
  g_test_add_func ("/encoder/round-trip/examples", test_round_trip_examples);
  g_test_add_func ("/encoder/round-trip/property", test_round_trip_property);
  g_test_add_func ("/encoder/round-trip/stream", test_round_trip_stream);

  return g_test_run ();
}
