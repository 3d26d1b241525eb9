/* parser-harness.c: feeds streams to an SseParser in chunks and records
 * everything it reports, for test-parser and test-encoder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

#include "parser-harness.h"

char *
harness_escape (const char *s,
                gsize       len)
{
  GString *out = g_string_sized_new (len + 2);
  const char *p = s;
  const char *end = s + len;

  g_string_append_c (out, '\'');
  while (p < end)
    {
      guchar c = *p;

      switch (c)
        {
        case '\\': g_string_append (out, "\\\\"); p++; continue;
        case '\'': g_string_append (out, "\\'"); p++; continue;
        case '\n': g_string_append (out, "\\n"); p++; continue;
        case '\r': g_string_append (out, "\\r"); p++; continue;
        case '\0': g_string_append (out, "\\0"); p++; continue;
        default: break;
        }

      if (c >= 0x20 && c < 0x7F)
        {
          g_string_append_c (out, c);
          p++;
        }
      else if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);

          if (ch != (gunichar) -1 && ch != (gunichar) -2 &&
              g_unichar_to_utf8 (ch, NULL) <= end - p)
            {
              gsize n = g_unichar_to_utf8 (ch, NULL);

              g_string_append_len (out, p, n);
              p += n;
            }
          else
            {
              g_string_append_printf (out, "\\x%02X", c);
              p++;
            }
        }
      else
        {
          g_string_append_printf (out, "\\x%02X", c);
          p++;
        }
    }
  g_string_append_c (out, '\'');

  return g_string_free (out, FALSE);
}

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  Recorder *r = user_data;
  g_autoptr(GBytes) bytes = sse_event_get_data_bytes (event);
  g_autofree char *type = NULL;
  g_autofree char *data = NULL;
  g_autofree char *id = NULL;
  g_autofree char *last = NULL;
  const char *type_str = sse_event_get_event_type (event);
  gsize data_len;
  const char *data_str = g_bytes_get_data (bytes, &data_len);

  /* What every event must hold, whatever the stream. */
  g_assert_nonnull (type_str);
  g_assert_cmpstr (type_str, !=, "");
  g_assert_cmpuint (data_len, ==, sse_event_get_data_length (event));
  g_assert_true (data_len == 0 || data_str == sse_event_get_data (event));
  g_assert_cmpint (sse_event_get_data (event)[data_len], ==, '\0');
  g_assert_null (sse_event_get_origin (event));

  type = harness_escape (type_str, strlen (type_str));
  data = harness_escape (data_len > 0 ? data_str : "", data_len);
  id = sse_event_get_id (event) != NULL
         ? harness_escape (sse_event_get_id (event), strlen (sse_event_get_id (event)))
         : g_strdup ("-");
  last = harness_escape (sse_event_get_last_event_id (event),
                         strlen (sse_event_get_last_event_id (event)));

  g_string_append_printf (r->log, "event %s data=%s id=%s last=%s retry=%" G_GINT64_FORMAT "\n",
                          type, data, id, last, sse_event_get_retry (event));
  g_ptr_array_add (r->events, sse_event_ref (event));
}

static void
on_comment (SseParser  *parser,
            const char *text,
            gpointer    user_data)
{
  Recorder *r = user_data;
  g_autofree char *escaped = harness_escape (text, strlen (text));

  g_string_append_printf (r->log, "comment %s\n", escaped);
  g_ptr_array_add (r->comments, g_strdup (text));
}

static void
on_notify_retry (SseParser  *parser,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  Recorder *r = user_data;

  g_string_append_printf (r->log, "notify retry=%" G_GINT64_FORMAT "\n",
                          sse_parser_get_retry (parser));
}

static void
on_notify_last_event_id (SseParser  *parser,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  Recorder *r = user_data;
  const char *id = sse_parser_get_last_event_id (parser);
  g_autofree char *escaped = harness_escape (id, strlen (id));

  g_string_append_printf (r->log, "notify last-event-id=%s\n", escaped);
}

Recorder *
recorder_new (SseParser *parser)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->parser = parser != NULL ? g_object_ref (parser) : sse_parser_new ();
  r->log = g_string_new (NULL);
  r->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  r->comments = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (r->parser, "event", G_CALLBACK (on_event), r);
  g_signal_connect (r->parser, "comment", G_CALLBACK (on_comment), r);
  g_signal_connect (r->parser, "notify::retry", G_CALLBACK (on_notify_retry), r);
  g_signal_connect (r->parser, "notify::last-event-id", G_CALLBACK (on_notify_last_event_id), r);

  return r;
}

void
recorder_free (Recorder *r)
{
  g_signal_handlers_disconnect_by_data (r->parser, r);
  g_clear_object (&r->parser);
  g_string_free (r->log, TRUE);
  g_ptr_array_unref (r->events);
  g_ptr_array_unref (r->comments);
  g_clear_error (&r->last_error);
  g_free (r);
}

gboolean
recorder_feed (Recorder   *r,
               const void *data,
               gsize       len)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = sse_parser_feed (r->parser, data, len, &error);
  if (ok)
    g_assert_no_error (error);
  else
    {
      g_assert_error (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
      r->n_errors++;
      g_clear_error (&r->last_error);
      r->last_error = g_steal_pointer (&error);
    }
  return ok;
}

gboolean
recorder_feed_str (Recorder   *r,
                   const char *str)
{
  return recorder_feed (r, str, strlen (str));
}

char *
recorder_finish_log (Recorder *r)
{
  const char *id = sse_parser_get_last_event_id (r->parser);
  g_autofree char *escaped = harness_escape (id, strlen (id));

  g_string_append_printf (r->log, "end last-event-id=%s retry=%" G_GINT64_FORMAT "\n",
                          escaped, sse_parser_get_retry (r->parser));
  return g_strdup (r->log->str);
}

static void
setup_parser (SseParser            *parser,
              const HarnessOptions *options)
{
  if (options == NULL)
    return;
  if (options->last_event_id != NULL)
    sse_parser_set_last_event_id (parser, options->last_event_id);
  if (options->set_max_event_size)
    sse_parser_set_max_event_size (parser, options->max_event_size);
}

char *
harness_parse (const guint8         *input,
               gsize                 len,
               const gsize          *cuts,
               guint                 n_cuts,
               const HarnessOptions *options,
               guint                *n_errors)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(Recorder) r = NULL;
  gsize start = 0;
  guint i;

  /* Seeded before the recorder listens: the seed is not part of the
   * stream's transcript. */
  setup_parser (parser, options);
  r = recorder_new (parser);

  for (i = 0; i <= n_cuts; i++)
    {
      gsize stop = i < n_cuts ? cuts[i] : len;

      g_assert_cmpuint (stop, >=, start);
      g_assert_cmpuint (stop, <=, len);
      recorder_feed (r, input + start, stop - start);
      start = stop;
    }

  if (options != NULL && options->finish)
    sse_parser_finish (parser);

  if (n_errors != NULL)
    *n_errors = r->n_errors;

  return recorder_finish_log (r);
}

static void
assert_same (const char *what,
             gsize       where,
             const char *got,
             const char *expected)
{
  if (g_strcmp0 (got, expected) != 0)
    g_test_message ("transcripts differ when fed %s (%" G_GSIZE_FORMAT ")", what, where);
  g_assert_cmpstr (got, ==, expected);
}

void
harness_assert_parse (const guint8         *input,
                      gsize                 len,
                      const HarnessOptions *options,
                      const char           *expected)
{
  g_autofree char *whole = NULL;
  g_autofree gsize *cuts = NULL;
  guint whole_errors, n_errors;
  gsize i;

  whole = harness_parse (input, len, NULL, 0, options, &whole_errors);
  if (expected != NULL)
    assert_same ("whole", len, whole, expected);

  for (i = 0; i <= len; i++)
    {
      g_autofree char *got = harness_parse (input, len, &i, 1, options, &n_errors);

      assert_same ("split in two at", i, got, whole);
      g_assert_cmpuint (n_errors > 0, ==, whole_errors > 0);
    }

  if (len > 1)
    {
      g_autofree char *got = NULL;

      cuts = g_new (gsize, len - 1);
      for (i = 0; i < len - 1; i++)
        cuts[i] = i + 1;
      got = harness_parse (input, len, cuts, len - 1, options, &n_errors);
      assert_same ("one byte at a time, bytes", len, got, whole);
      g_assert_cmpuint (n_errors > 0, ==, whole_errors > 0);
    }
}

char *
harness_parse_random (const guint8         *input,
                      gsize                 len,
                      const HarnessOptions *options,
                      guint                *n_errors)
{
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize pos = 0;
  /* Mostly small pieces, sometimes large ones, sometimes empty ones. */
  gint32 max_piece = g_test_rand_bit () ? 4 : g_test_rand_int_range (1, 64);

  for (;;)
    {
      pos += g_test_rand_int_range (0, max_piece + 1);
      if (pos >= len)
        break;
      g_array_append_val (cuts, pos);
    }

  return harness_parse (input, len, (const gsize *) cuts->data, cuts->len, options, n_errors);
}

guint
harness_iterations (guint normal)
{
  if (g_test_thorough ())
    return normal * 10;
#ifdef HAVE_VALGRIND_H
  if (RUNNING_ON_VALGRIND)
    return MAX (normal / 10, 1);
#endif
  return normal;
}
