/* consumer.c: a program outside the tree, built against an installed sse-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * tests/test-install.sh compiles it with the flags of the installed
 * sse-glib-1.pc and runs it with the installed library: it only uses what
 * an application can see, the umbrella header and the public symbols.
 * Exits 0 and prints "consumer: ok" when everything matched.
 *
 * Build with -DEXPECTED_VERSION='"X.Y.Z"', the version that was installed.
 */

#include <string.h>

#include <sse-glib/sse-glib.h>

static int failures = 0;

#define CHECK(cond)                                                 \
  G_STMT_START {                                                    \
    if (!(cond))                                                    \
      {                                                             \
        g_printerr ("consumer: check failed: %s\n", #cond);         \
        failures++;                                                 \
      }                                                             \
  } G_STMT_END

static void
on_event (SseParser *parser,
          SseEvent  *event,
          gpointer   user_data)
{
  g_ptr_array_add (user_data, sse_event_ref (event));
}

int
main (void)
{
  static const char wire[] = "event: greeting\nid: 1\ndata: hello\ndata: world\n\n";
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(SseEncoder) encoder = sse_encoder_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) invalid = NULL;
  SseEvent *event;

  /* The generated headers are installed and agree with each other. */
  CHECK (strcmp (SSE_VERSION_S, EXPECTED_VERSION) == 0);
  CHECK (SSE_CHECK_VERSION (SSE_MAJOR_VERSION, SSE_MINOR_VERSION, SSE_MICRO_VERSION));
  CHECK (!SSE_CHECK_VERSION (SSE_MAJOR_VERSION + 1, 0, 0));
  CHECK (g_type_is_a (SSE_TYPE_PARSER, G_TYPE_OBJECT));
  CHECK (G_TYPE_IS_ENUM (SSE_TYPE_LINE_ENDING));
  CHECK (G_TYPE_IS_ENUM (SSE_TYPE_ERROR));
  CHECK (g_type_is_a (SSE_TYPE_EVENT, G_TYPE_BOXED));

  g_signal_connect (parser, "event", G_CALLBACK (on_event), events);
  CHECK (sse_parser_feed (parser, (const guint8 *) wire, strlen (wire), &error));
  CHECK (error == NULL);
  CHECK (events->len == 1);
  if (events->len != 1)
    return 1;

  event = g_ptr_array_index (events, 0);
  CHECK (g_strcmp0 (sse_event_get_event_type (event), "greeting") == 0);
  CHECK (g_strcmp0 (sse_event_get_data (event), "hello\nworld") == 0);
  CHECK (g_strcmp0 (sse_event_get_id (event), "1") == 0);
  CHECK (g_strcmp0 (sse_parser_get_last_event_id (parser), "1") == 0);

  /* What the encoder writes is the same stream. */
  encoded = sse_encoder_encode_event (encoder, event);
  CHECK (g_bytes_get_size (encoded) == strlen (wire));
  CHECK (memcmp (g_bytes_get_data (encoded, NULL), wire, strlen (wire)) == 0);

  invalid = sse_event_new_checked ("a\nb", "x", -1, NULL, -1, &error);
  CHECK (invalid == NULL);
  CHECK (g_error_matches (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT));

  if (failures > 0)
    return 1;
  g_print ("consumer: ok (sse-glib %s)\n", SSE_VERSION_S);
  return 0;
}
