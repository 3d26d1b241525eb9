/* test-decoder.c: the decoder at the core of SseParser, through its C sink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rules of the format are tested through SseParser (test-parser.c);
 * these tests hold the decoder to the contract of sse-decoder-private.h
 * that SseParser and SseEventSource build on: what each callback gets and
 * when, what no callback is told, and stopping from a callback. No GObject.
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-decoder-private.h"

typedef struct {
  SseDecoder  decoder;
  GString    *log;           /* every callback, in order */
  gboolean    finish_on_event;
  gboolean    reset_on_event;
} Fixture;

static void
on_event (gpointer              user_data,
          const SseEventFields *f)
{
  Fixture *fx = user_data;

  g_assert_true (_sse_decoder_is_feeding (&fx->decoder));
  g_string_append_printf (fx->log, "event type=%.*s data=%.*s id=%s last=%.*s retry=%"
                          G_GINT64_FORMAT " origin=%s;",
                          (int) f->event_type_len, f->event_type_len > 0 ? f->event_type : "",
                          (int) f->data_len, f->data,
                          f->id != NULL ? f->id : "(none)",
                          (int) f->last_event_id_len, f->last_event_id,
                          f->retry,
                          f->origin != NULL ? f->origin : "(none)");
  if (f->id != NULL)
    g_assert_cmpuint (f->id_len, ==, strlen (f->id));

  if (fx->finish_on_event)
    _sse_decoder_finish (&fx->decoder);
  if (fx->reset_on_event)
    _sse_decoder_reset (&fx->decoder);
}

static void
on_comment (gpointer    user_data,
            const char *text,
            gsize       len)
{
  Fixture *fx = user_data;

  /* The byte after the comment can be read: a NUL or the line's end. */
  g_assert_true (text[len] == '\0' || text[len] == '\n' || text[len] == '\r');
  g_string_append_printf (fx->log, "comment %.*s;", (int) len, text);
}

static void
on_retry (gpointer user_data,
          gint64   retry)
{
  Fixture *fx = user_data;

  g_string_append_printf (fx->log, "retry %" G_GINT64_FORMAT ";", retry);
}

static void
on_retry_changed (gpointer user_data)
{
  Fixture *fx = user_data;

  /* Called once the new value is in place. */
  g_string_append_printf (fx->log, "retry-changed %" G_GINT64_FORMAT ";",
                          _sse_decoder_get_retry (&fx->decoder));
}

static void
on_last_event_id_changed (gpointer user_data)
{
  Fixture *fx = user_data;

  g_string_append_printf (fx->log, "id-changed %s;",
                          _sse_decoder_get_last_event_id (&fx->decoder));
}

static const SseDecoderSink full_sink = {
  on_event, on_comment, on_retry, on_retry_changed, on_last_event_id_changed,
};

/* The sink SseEventSource sets: three callbacks, given in order. */
static const SseDecoderSink three_callbacks = { on_event, on_comment, on_retry };

static const SseDecoderSink empty_sink = { NULL, };

static void
fixture_init (Fixture              *fx,
              const SseDecoderSink *sink)
{
  _sse_decoder_init (&fx->decoder, SSE_PARSER_DEFAULT_MAX_EVENT_SIZE, sink, fx);
  fx->log = g_string_new (NULL);
  fx->finish_on_event = FALSE;
  fx->reset_on_event = FALSE;
}

static void
fixture_clear (Fixture *fx)
{
  _sse_decoder_clear (&fx->decoder);
  g_string_free (fx->log, TRUE);
}

static gboolean
feed (Fixture     *fx,
      const char  *s,
      GError     **error)
{
  return _sse_decoder_feed (&fx->decoder, s, strlen (s), error);
}

static void
feed_ok (Fixture    *fx,
         const char *s)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (feed (fx, s, &error));
  g_assert_no_error (error);
}

/* Tests ------------------------------------------------------------------ */

static void
test_new (void)
{
  Fixture fx;

  fixture_init (&fx, &full_sink);
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "");
  g_assert_cmpint (_sse_decoder_get_retry (&fx.decoder), ==, -1);
  g_assert_cmpuint (_sse_decoder_get_max_event_size (&fx.decoder), ==,
                    SSE_PARSER_DEFAULT_MAX_EVENT_SIZE);
  g_assert_false (_sse_decoder_is_feeding (&fx.decoder));

  /* Nothing fed, nothing called. */
  feed_ok (&fx, "");
  g_assert_cmpstr (fx.log->str, ==, "");
  fixture_clear (&fx);
}

static void
test_callbacks_in_order (void)
{
  Fixture fx;

  fixture_init (&fx, &full_sink);
  feed_ok (&fx, "retry: 5\r\n: hi\nid: 1\nevent: up\ndata: a\ndata: b\n\n"
                "retry: 5\ndata: c\n\n"
                "retry: 7\nid\ndata: d\r\r");
  g_assert_cmpstr (fx.log->str, ==,
                   "retry 5;retry-changed 5;"
                   "comment hi;"
                   "id-changed 1;"
                   "event type=up data=a\nb id=1 last=1 retry=5 origin=(none);"
                   "retry 5;"
                   "event type= data=c id=(none) last=1 retry=5 origin=(none);"
                   "retry 7;retry-changed 7;"
                   "id-changed ;"
                   "event type= data=d id= last= retry=7 origin=(none);");
  g_assert_false (_sse_decoder_is_feeding (&fx.decoder));
  fixture_clear (&fx);
}

static void
test_three_callbacks (void)
{
  Fixture fx;

  /* A sink without the notifications: the values change all the same. */
  fixture_init (&fx, &three_callbacks);
  feed_ok (&fx, "retry: 5\nid: 1\n\nretry: 5\ndata: x\n\n");
  g_assert_cmpstr (fx.log->str, ==,
                   "retry 5;retry 5;event type= data=x id=(none) last=1 retry=5 origin=(none);");
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "1");
  g_assert_cmpint (_sse_decoder_get_retry (&fx.decoder), ==, 5);
  fixture_clear (&fx);
}

static void
test_empty_sink (void)
{
  Fixture fx;

  fixture_init (&fx, &empty_sink);
  feed_ok (&fx, "retry: 5\n: c\nid: 1\ndata: x\n\n");
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "1");
  g_assert_cmpint (_sse_decoder_get_retry (&fx.decoder), ==, 5);
  g_assert_cmpstr (fx.log->str, ==, "");

  /* Another sink from the next byte on. */
  _sse_decoder_set_sink (&fx.decoder, &full_sink, &fx);
  feed_ok (&fx, "data: y\n\n");
  g_assert_cmpstr (fx.log->str, ==, "event type= data=y id=(none) last=1 retry=-1 origin=(none);");
  fixture_clear (&fx);
}

static void
test_set_last_event_id (void)
{
  Fixture fx;

  fixture_init (&fx, &full_sink);

  /* Told by the return value, not by the callback. */
  g_assert_true (_sse_decoder_set_last_event_id (&fx.decoder, "a"));
  g_assert_false (_sse_decoder_set_last_event_id (&fx.decoder, "a"));
  g_assert_true (_sse_decoder_set_last_event_id (&fx.decoder, "b\xFF"));
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "b\uFFFD");
  g_assert_false (_sse_decoder_set_last_event_id (&fx.decoder, "b\uFFFD"));
  g_assert_cmpstr (fx.log->str, ==, "");

  /* It is the stream's last event ID buffer too. */
  feed_ok (&fx, "data: x\n\n");
  g_assert_cmpstr (fx.log->str, ==, "event type= data=x id=(none) last=b\uFFFD retry=-1 origin=(none);");
  fixture_clear (&fx);
}

static void
test_finish (void)
{
  Fixture fx;

  fixture_init (&fx, &full_sink);
  feed_ok (&fx, "retry: 9\nid: 1\n\nid: 2\ndata: lost");
  g_string_truncate (fx.log, 0);
  _sse_decoder_finish (&fx.decoder);

  /* The pending event and its id are gone; the rest stays; no callback. */
  g_assert_cmpstr (fx.log->str, ==, "");
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "1");
  g_assert_cmpint (_sse_decoder_get_retry (&fx.decoder), ==, 9);

  /* A new stream may start with a byte order mark. */
  feed_ok (&fx, "\xEF\xBB\xBF" "data: new\n\n");
  g_assert_cmpstr (fx.log->str, ==, "event type= data=new id=(none) last=1 retry=-1 origin=(none);");
  fixture_clear (&fx);
}

static void
test_reset (void)
{
  Fixture fx;

  fixture_init (&fx, &full_sink);
  feed_ok (&fx, "retry: 9\nid: 1\n\ndata: pending");
  _sse_decoder_set_max_event_size (&fx.decoder, 4);
  g_string_truncate (fx.log, 0);
  _sse_decoder_reset (&fx.decoder);

  /* Everything but the limit is forgotten, and no callback says so. */
  g_assert_cmpstr (fx.log->str, ==, "");
  g_assert_cmpstr (_sse_decoder_get_last_event_id (&fx.decoder), ==, "");
  g_assert_cmpint (_sse_decoder_get_retry (&fx.decoder), ==, -1);
  g_assert_cmpuint (_sse_decoder_get_max_event_size (&fx.decoder), ==, 4);
  feed_ok (&fx, "data: x\n\n");
  g_assert_cmpstr (fx.log->str, ==, "event type= data=x id=(none) last= retry=-1 origin=(none);");
  fixture_clear (&fx);
}

static void
test_stop_from_callback (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;

  /* Finishing from a callback drops the rest of the input, but not an
   * error met before it in the same feed. */
  fixture_init (&fx, &full_sink);
  _sse_decoder_set_max_event_size (&fx.decoder, 3);
  fx.finish_on_event = TRUE;
  g_assert_false (feed (&fx, "data: toolong\n\ndata: 1\n\ndata: 2\n\n", &error));
  g_assert_error (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
  g_assert_cmpstr (fx.log->str, ==, "event type= data=1 id=(none) last= retry=-1 origin=(none);");
  fixture_clear (&fx);

  /* Resetting forgets it. */
  fixture_init (&fx, &full_sink);
  _sse_decoder_set_max_event_size (&fx.decoder, 3);
  fx.reset_on_event = TRUE;
  g_assert_true (feed (&fx, "data: toolong\n\ndata: 1\n\ndata: 2\n\n", NULL));
  g_assert_cmpstr (fx.log->str, ==, "event type= data=1 id=(none) last= retry=-1 origin=(none);");
  fixture_clear (&fx);
}

static void
test_limit (void)
{
  Fixture fx;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strdup_printf ("data: %0*d\n\ndata: ok\n\n", 5000, 0);

  fixture_init (&fx, &full_sink);
  _sse_decoder_set_max_event_size (&fx.decoder, 1000);
  g_assert_false (feed (&fx, big, &error));
  g_assert_error (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);

  /* The event is dropped, the next one comes, and the buffers stayed
   * within the limit plus the slack of sse-decoder.c. */
  g_assert_cmpstr (fx.log->str, ==, "event type= data=ok id=(none) last= retry=-1 origin=(none);");
  g_assert_cmpuint (_sse_decoder_get_memory_held (&fx.decoder), <=, 1000 + 256 + 1);
  fixture_clear (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/decoder/new", test_new);
  g_test_add_func ("/decoder/sink/callbacks-in-order", test_callbacks_in_order);
  g_test_add_func ("/decoder/sink/three-callbacks", test_three_callbacks);
  g_test_add_func ("/decoder/sink/empty", test_empty_sink);
  g_test_add_func ("/decoder/last-event-id/set", test_set_last_event_id);
  g_test_add_func ("/decoder/finish", test_finish);
  g_test_add_func ("/decoder/reset", test_reset);
  g_test_add_func ("/decoder/stop-from-callback", test_stop_from_callback);
  g_test_add_func ("/decoder/limit", test_limit);

  return g_test_run ();
}
