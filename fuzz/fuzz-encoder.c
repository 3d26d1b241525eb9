/* fuzz-encoder.c: decode (encode (e)) == e for events built from any bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is three header bytes, the retry field, the event type, the id
 * and the data:
 *
 *   byte 0   bit 0: there is an event type; bit 1: there is an id;
 *            bits 2-3: the retry: none (-1), one byte (0..255), eight bytes
 *            as any gint64 (negative ones below -1 too), eight bytes as a
 *            non-negative one; bit 4: the data is passed NUL-terminated
 *            (length -1) instead of with its length;
 *            bits 5-7: the seed of the chunking
 *   byte 1   length of the event type (bytes up to a NUL make the string)
 *   byte 2   length of the id (the same)
 *   then     the retry bytes, the type bytes, the id bytes, and the data:
 *            the rest, NUL, CR and LF included
 *
 * An event is built with sse_event_new_full() and must be clean: a
 * non-empty type and an id without CR, LF or NUL, valid UTF-8 everywhere,
 * no CR in the data, and nothing changed that was clean already. It is
 * encoded with each line ending and parsed by a new parser in one feed, in
 * random chunks and byte by byte: each gives exactly one event, equal to
 * the original (sse_event_equal, and with the same sse_event_hash), no
 * comment and no error; the last event
 * ID and retry come through, and the event encodes to the same bytes
 * again. The event is also written twice around a comment and a retry
 * block, which must read back as such.
 *
 * sse_event_new_checked() with the same pieces must refuse exactly the
 * input that new_full() had to change (SSE_ERROR_INVALID_EVENT), and
 * otherwise give an equal event.
 */

#include "config.h"

#include <sse-glib/sse-glib.h>

#include "fuzz-common.h"

#define HEADER_LEN 3
#define BYTEWISE_MAX 4096

typedef struct {
  GPtrArray *events;
  GPtrArray *comments;
} Parsed;

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  Parsed *p = user_data;

  g_ptr_array_add (p->events, sse_event_ref (event));
}

static void
on_comment (SseParser  *parser,
            const char *text,
            gpointer    user_data)
{
  Parsed *p = user_data;

  g_ptr_array_add (p->comments, g_strdup (text));
}

/* Parses @len bytes in pieces of at most @chunk bytes (random sizes when
 * @rng is not NULL) with a new parser; returns the parser. */
static SseParser *
parse (const guint8 *wire,
       gsize         len,
       gsize         chunk,
       guint32      *rng,
       Parsed       *out)
{
  SseParser *parser = sse_parser_new ();
  gsize pos = 0;

  out->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  out->comments = g_ptr_array_new_with_free_func (g_free);
  sse_parser_set_max_event_size (parser, 0);
  g_signal_connect (parser, "event", G_CALLBACK (on_event), out);
  g_signal_connect (parser, "comment", G_CALLBACK (on_comment), out);

  do
    {
      g_autoptr(GError) error = NULL;
      gsize n = rng != NULL ? 1 + fuzz_rand (rng) % chunk : chunk;

      n = MIN (n, len - pos);
      FUZZ_CHECK (sse_parser_feed (parser, wire + pos, n, &error),
                  "the parser refused encoded bytes: %s", error->message);
      pos += n;
    }
  while (pos < len);

  return parser;
}

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->events, g_ptr_array_unref);
  g_clear_pointer (&p->comments, g_ptr_array_unref);
}

static void
check_line_endings (const guint8  *wire,
                    gsize          len,
                    SseLineEnding  ending)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      if (ending == SSE_LINE_ENDING_LF)
        FUZZ_CHECK (wire[i] != '\r', "CR in LF output at %" G_GSIZE_FORMAT, i);
      else if (wire[i] == '\r')
        FUZZ_CHECK (i + 1 < len && wire[i + 1] == '\n', "lone CR in CRLF output");
      else if (wire[i] == '\n')
        FUZZ_CHECK (i > 0 && wire[i - 1] == '\r', "lone LF in CRLF output");
    }
  FUZZ_CHECK (len >= 2 && wire[len - 1] == '\n', "output does not end with a line end");
}

/* One event encoded with @encoder, read back in three ways. */
static void
check_roundtrip (SseEncoder *encoder,
                 SseEvent   *event,
                 guint32    *rng)
{
  g_autoptr(GBytes) bytes = sse_encoder_encode_event (encoder, event);
  const char *id = sse_event_get_id (event);
  gsize len, way;
  const guint8 *wire = g_bytes_get_data (bytes, &len);

  check_line_endings (wire, len, sse_encoder_get_line_ending (encoder));

  for (way = 0; way < 3; way++)
    {
      g_autoptr(SseParser) parser = NULL;
      g_autoptr(GBytes) again = NULL;
      Parsed p;
      SseEvent *got;

      if (way == 2 && len > BYTEWISE_MAX)
        break;
      parser = parse (wire, len, way == 0 ? len : way == 1 ? 64 : 1, way == 1 ? rng : NULL, &p);

      FUZZ_CHECK (p.events->len == 1, "%u events read back from one", p.events->len);
      FUZZ_CHECK (p.comments->len == 0, "comments read back from an event");
      got = g_ptr_array_index (p.events, 0);
      FUZZ_CHECK (sse_event_equal (got, event), "the event read back differs (way %" G_GSIZE_FORMAT ")",
                  way);
      FUZZ_CHECK (sse_event_hash (got) == sse_event_hash (event), "equal events hash differently");
      FUZZ_CHECK (g_str_equal (sse_event_get_last_event_id (got), id != NULL ? id : ""),
                  "the last event ID read back differs");
      FUZZ_CHECK (g_str_equal (sse_parser_get_last_event_id (parser), id != NULL ? id : ""),
                  "the parser's last-event-id differs");
      FUZZ_CHECK (sse_parser_get_retry (parser) == sse_event_get_retry (event),
                  "the parser's retry differs");

      again = sse_encoder_encode_event (encoder, got);
      FUZZ_CHECK (g_bytes_equal (again, bytes), "the event read back encodes differently");
      parsed_clear (&p);
    }
}

/* The event, a comment, a retry block and the event again, in one stream. */
static void
check_stream (SseEncoder *encoder,
              SseEvent   *event,
              const char *comment,
              guint       retry,
              guint32    *rng)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GBytes) e = sse_encoder_encode_event (encoder, event);
  g_autoptr(GBytes) c = sse_encoder_encode_comment (encoder, comment);
  g_autoptr(GBytes) r = sse_encoder_encode_retry (encoder, retry);
  g_autoptr(SseParser) parser = NULL;
  g_autofree char *stripped = NULL;
  Parsed p;
  guint i;
  gsize j, k;

  g_byte_array_append (stream, g_bytes_get_data (e, NULL), g_bytes_get_size (e));
  g_byte_array_append (stream, g_bytes_get_data (c, NULL), g_bytes_get_size (c));
  g_byte_array_append (stream, g_bytes_get_data (r, NULL), g_bytes_get_size (r));
  g_byte_array_append (stream, g_bytes_get_data (e, NULL), g_bytes_get_size (e));

  parser = parse (stream->data, stream->len, 16, rng, &p);

  FUZZ_CHECK (p.events->len == 2, "%u events in a stream of two", p.events->len);
  for (i = 0; i < 2; i++)
    FUZZ_CHECK (sse_event_equal (g_ptr_array_index (p.events, i), event),
                "event %u of the stream differs", i);
  FUZZ_CHECK (p.comments->len == 1, "%u comments in a stream of one", p.comments->len);
  FUZZ_CHECK (sse_parser_get_retry (parser) == (sse_event_get_retry (event) >= 0
                                                ? sse_event_get_retry (event) : retry),
              "the stream's retry is not the last one sent");

  /* The comment comes back without its line breaks; when what is left is
   * valid UTF-8, unchanged. */
  stripped = g_strdup (comment);
  for (j = k = 0; stripped[j] != '\0'; j++)
    if (stripped[j] != '\r' && stripped[j] != '\n')
      stripped[k++] = stripped[j];
  stripped[k] = '\0';
  if (g_utf8_validate (stripped, -1, NULL))
    FUZZ_CHECK (g_str_equal (g_ptr_array_index (p.comments, 0), stripped),
                "the comment read back differs");
  else
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (p.comments, 0), -1, NULL),
                "the comment read back is not valid UTF-8");

  parsed_clear (&p);
}

/* What sse_event_new_full() must give, whatever it is given. */
static void
check_clean (SseEvent   *event,
             const char *type,
             const char *data,
             gsize       data_len,
             const char *id,
             gint64      retry)
{
  const char *t = sse_event_get_event_type (event);
  const char *i = sse_event_get_id (event);
  const char *d = sse_event_get_data (event);
  gsize dl = sse_event_get_data_length (event);

  FUZZ_CHECK (t[0] != '\0', "empty event type");
  FUZZ_CHECK (fuzz_is_clean_field (t, strlen (t)), "event type not clean");
  FUZZ_CHECK ((i == NULL) == (id == NULL), "id present in one and not the other");
  if (i != NULL)
    FUZZ_CHECK (fuzz_is_clean_field (i, strlen (i)), "id not clean");
  FUZZ_CHECK (g_str_equal (sse_event_get_last_event_id (event), i != NULL ? i : ""),
              "a new event's last event ID is not its id");
  FUZZ_CHECK (d[dl] == '\0', "data not NUL-terminated");
  {
    g_autoptr(GBytes) bytes = sse_event_get_data_bytes (event);

    FUZZ_CHECK (g_bytes_get_size (bytes) == dl &&
                (dl == 0 || memcmp (g_bytes_get_data (bytes, NULL), d, dl) == 0),
                "the data bytes are not the data");
  }
  FUZZ_CHECK (fuzz_utf8_valid (d, dl), "data not valid UTF-8");
  FUZZ_CHECK (memchr (d, '\r', dl) == NULL, "CR in data");
  FUZZ_CHECK (sse_event_get_retry (event) == retry, "retry changed");
  FUZZ_CHECK (sse_event_get_origin (event) == NULL, "a new event has an origin");

  /* Cleaning changes only what must change. */
  if (type != NULL && type[0] != '\0' && fuzz_is_clean_field (type, strlen (type)))
    FUZZ_CHECK (g_str_equal (t, type), "a clean event type was changed");
  if (type == NULL || type[0] == '\0')
    FUZZ_CHECK (g_str_equal (t, "message"), "no event type is not \"message\"");
  if (id != NULL && fuzz_is_clean_field (id, strlen (id)))
    FUZZ_CHECK (g_str_equal (i, id), "a clean id was changed");
  if (fuzz_utf8_valid (data, data_len) && memchr (data, '\r', data_len) == NULL)
    FUZZ_CHECK (dl == data_len && memcmp (d, data, dl) == 0, "clean data was changed");
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *bytes,
                        size_t         size)
{
  guint8 header[HEADER_LEN] = { 0, };
  const guint8 *p, *end;
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;
  g_autofree char *data = NULL;
  g_autoptr(SseEvent) event = NULL;
  g_autoptr(SseEvent) checked = NULL;
  g_autoptr(SseEncoder) encoder = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_raw = -1, retry;
  gssize data_len_arg;
  gsize data_len, n;
  gboolean expect_ok;
  guint32 rng;
  guint line_ending;

  /* An empty input may come as NULL. */
  if (size == 0)
    bytes = (const uint8_t *) "";
  memcpy (header, bytes, MIN (size, HEADER_LEN));
  p = bytes + MIN (size, HEADER_LEN);
  end = bytes + size;
  rng = (header[0] >> 5) * 2654435761u + (guint32) size;

  switch ((header[0] >> 2) & 3)
    {
    case 0:
      break;
    case 1:
      if (p < end)
        retry_raw = *p++;
      break;
    default:
      {
        guint64 u = 0;

        for (n = 0; n < 8 && p < end; n++)
          u = u << 8 | *p++;
        if (((header[0] >> 2) & 3) == 3)
          u &= G_MAXINT64;
        retry_raw = (gint64) u;
      }
      break;
    }

  if (header[0] & 1)
    {
      n = MIN ((gsize) header[1], (gsize) (end - p));
      type = g_strndup ((const char *) p, n);
      p += n;
    }
  if (header[0] & 2)
    {
      n = MIN ((gsize) header[2], (gsize) (end - p));
      id = g_strndup ((const char *) p, n);
      p += n;
    }

  /* NUL-terminated for the length -1 case; the length is given otherwise. */
  data_len = end - p;
  data = g_malloc (data_len + 1);
  memcpy (data, p, data_len);
  data[data_len] = '\0';
  data_len_arg = (header[0] & 0x10) ? -1 : (gssize) data_len;
  if (data_len_arg < 0)
    data_len = strlen (data);

  retry = retry_raw >= -1 ? retry_raw : -1;
  event = sse_event_new_full (type, data, data_len_arg, id, retry);
  FUZZ_CHECK (event != NULL, "sse_event_new_full() failed");
  check_clean (event, type, data, data_len, id, retry);

  encoder = sse_encoder_new ();
  for (line_ending = SSE_LINE_ENDING_LF; line_ending <= SSE_LINE_ENDING_CRLF; line_ending++)
    {
      sse_encoder_set_line_ending (encoder, line_ending);
      check_roundtrip (encoder, event, &rng);
      check_stream (encoder, event, type != NULL ? type : "", (guint) (retry_raw & 0xFFFFFFF), &rng);
    }

  /* The checked constructor refuses exactly what had to be cleaned. */
  expect_ok = (type == NULL || (memchr (type, '\r', strlen (type)) == NULL &&
                                memchr (type, '\n', strlen (type)) == NULL &&
                                g_utf8_validate (type, -1, NULL))) &&
              (id == NULL || (memchr (id, '\r', strlen (id)) == NULL &&
                              memchr (id, '\n', strlen (id)) == NULL &&
                              g_utf8_validate (id, -1, NULL))) &&
              fuzz_utf8_valid (data, data_len) &&
              retry_raw >= -1;
  checked = sse_event_new_checked (type, data, data_len_arg, id, retry_raw, &error);
  if (checked == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT),
                  "new_checked() failed without SSE_ERROR_INVALID_EVENT");
      FUZZ_CHECK (!expect_ok, "new_checked() refused clean input: %s", error->message);
    }
  else
    {
      FUZZ_CHECK (error == NULL, "new_checked() gave an event and an error");
      FUZZ_CHECK (expect_ok, "new_checked() accepted input that had to be cleaned");
      FUZZ_CHECK (sse_event_equal (checked, event), "new_checked() and new_full() differ");
      FUZZ_CHECK (g_str_equal (sse_event_get_last_event_id (checked),
                               sse_event_get_last_event_id (event)),
                  "new_checked() and new_full() differ in last event ID");
    }

  return 0;
}
