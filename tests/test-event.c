/* test-event.c: SseEvent, the boxed event type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-event-private.h"

#define FFFD "\uFFFD"

static void
assert_data (SseEvent   *event,
             const char *data,
             gsize       len)
{
  g_autoptr(GBytes) bytes = sse_event_get_data_bytes (event);

  g_assert_cmpuint (sse_event_get_data_length (event), ==, len);
  g_assert_cmpmem (sse_event_get_data (event), len, data, len);
  g_assert_cmpint (sse_event_get_data (event)[len], ==, '\0');
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, len);
}

/* Constructors ----------------------------------------------------------- */

static void
test_new (void)
{
  g_autoptr(SseEvent) event = sse_event_new ("hello");

  g_assert_cmpstr (sse_event_get_event_type (event), ==, "message");
  g_assert_cmpstr (sse_event_get_data (event), ==, "hello");
  assert_data (event, "hello", 5);
  g_assert_null (sse_event_get_id (event));
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "");
  g_assert_cmpint (sse_event_get_retry (event), ==, -1);
  g_assert_null (sse_event_get_origin (event));
}

static void
test_new_null_data (void)
{
  g_autoptr(SseEvent) a = sse_event_new (NULL);
  g_autoptr(SseEvent) b = sse_event_new_full (NULL, NULL, -1, NULL, -1);
  g_autoptr(SseEvent) c = sse_event_new_full (NULL, NULL, 0, NULL, -1);
  g_autoptr(SseEvent) d = sse_event_new_full (NULL, "ignored", 0, NULL, -1);

  assert_data (a, "", 0);
  assert_data (b, "", 0);
  assert_data (c, "", 0);
  assert_data (d, "", 0);
  g_assert_nonnull (sse_event_get_data (a));
  g_assert_cmpstr (sse_event_get_event_type (a), ==, "message");
}

static void
test_new_full (void)
{
  g_autoptr(SseEvent) event = sse_event_new_full ("update", "{\"n\": 1}", -1, "42", 3000);

  g_assert_cmpstr (sse_event_get_event_type (event), ==, "update");
  g_assert_cmpstr (sse_event_get_data (event), ==, "{\"n\": 1}");
  g_assert_cmpstr (sse_event_get_id (event), ==, "42");
  /* A constructed event's last event ID is its own id. */
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "42");
  g_assert_cmpint (sse_event_get_retry (event), ==, 3000);
  g_assert_null (sse_event_get_origin (event));
}

static void
test_new_full_type (void)
{
  g_autoptr(SseEvent) null_type = sse_event_new_full (NULL, "x", -1, NULL, -1);
  g_autoptr(SseEvent) empty_type = sse_event_new_full ("", "x", -1, NULL, -1);
  g_autoptr(SseEvent) message_type = sse_event_new_full ("message", "x", -1, NULL, -1);
  g_autoptr(SseEvent) cleaned_empty = sse_event_new_full ("\r\n", "x", -1, NULL, -1);
  g_autoptr(SseEvent) spaces = sse_event_new_full (" a b ", "x", -1, NULL, -1);

  /* Never NULL, never empty. */
  g_assert_cmpstr (sse_event_get_event_type (null_type), ==, "message");
  g_assert_cmpstr (sse_event_get_event_type (empty_type), ==, "message");
  g_assert_cmpstr (sse_event_get_event_type (message_type), ==, "message");
  g_assert_cmpstr (sse_event_get_event_type (cleaned_empty), ==, "message");
  g_assert_cmpstr (sse_event_get_event_type (spaces), ==, " a b ");
}

static void
test_new_full_cleans_type_and_id (void)
{
  g_autoptr(SseEvent) event = sse_event_new_full ("up\rda\nte\r\n", "x", -1, "4\r\n2\n", -1);
  g_autoptr(SseEvent) empty_id = sse_event_new_full (NULL, "x", -1, "", -1);
  g_autoptr(SseEvent) cleaned_id = sse_event_new_full (NULL, "x", -1, "\r\n", -1);

  /* CR and LF cannot be written in a type or id: they are removed. */
  g_assert_cmpstr (sse_event_get_event_type (event), ==, "update");
  g_assert_cmpstr (sse_event_get_id (event), ==, "42");
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, "42");

  /* An empty id is an id (it resets the client's last event ID). */
  g_assert_cmpstr (sse_event_get_id (empty_id), ==, "");
  g_assert_cmpstr (sse_event_get_last_event_id (empty_id), ==, "");
  g_assert_cmpstr (sse_event_get_id (cleaned_id), ==, "");
}

static void
test_new_full_normalizes_data (void)
{
  g_autoptr(SseEvent) crlf = sse_event_new_full (NULL, "a\r\nb\rc\nd", -1, NULL, -1);
  g_autoptr(SseEvent) runs = sse_event_new_full (NULL, "\r\r\n\n\r", -1, NULL, -1);
  g_autoptr(SseEvent) trailing = sse_event_new_full (NULL, "x\r", -1, NULL, -1);
  g_autoptr(SseEvent) split_crlf = sse_event_new_full (NULL, "x\r\ny", 2, NULL, -1);

  /* As any parser gives them back: CRLF and lone CR become LF. */
  assert_data (crlf, "a\nb\nc\nd", 7);
  assert_data (runs, "\n\n\n\n", 4);
  assert_data (trailing, "x\n", 2);
  assert_data (split_crlf, "x\n", 2);
}

static void
test_new_full_data_with_nul (void)
{
  g_autoptr(SseEvent) event = sse_event_new_full (NULL, "a\0b\r\n\0", 6, NULL, -1);
  g_autoptr(GBytes) bytes = sse_event_get_data_bytes (event);

  assert_data (event, "a\0b\n\0", 5);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 5);
  /* The string view stops at the first NUL. */
  g_assert_cmpstr (sse_event_get_data (event), ==, "a");
}

static void
test_new_full_repairs_utf8 (void)
{
  g_autoptr(SseEvent) event = sse_event_new_full ("t\xFF", "a\xE2\x82" "b\xF0\x80" "c",
                                                  -1, "\xC0" "1", -1);

  /* One U+FFFD per maximal subpart, as a parser decodes them. */
  g_assert_cmpstr (sse_event_get_event_type (event), ==, "t" FFFD);
  g_assert_cmpstr (sse_event_get_data (event), ==, "a" FFFD "b" FFFD FFFD "c");
  g_assert_cmpstr (sse_event_get_id (event), ==, FFFD "1");
  g_assert_cmpstr (sse_event_get_last_event_id (event), ==, FFFD "1");
}

static void
test_new_full_retry (void)
{
  g_autoptr(SseEvent) none = sse_event_new_full (NULL, "x", -1, NULL, -1);
  g_autoptr(SseEvent) zero = sse_event_new_full (NULL, "x", -1, NULL, 0);
  g_autoptr(SseEvent) max = sse_event_new_full (NULL, "x", -1, NULL, G_MAXINT64);

  g_assert_cmpint (sse_event_get_retry (none), ==, -1);
  g_assert_cmpint (sse_event_get_retry (zero), ==, 0);
  g_assert_cmpint (sse_event_get_retry (max), ==, G_MAXINT64);
}

static void
test_new_full_programming_errors (void)
{
  SseEvent *event;

  /* A retry below -1 is a programming error. */
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*retry >= -1*");
  event = sse_event_new_full (NULL, "x", -1, NULL, -2);
  g_test_assert_expected_messages ();
  g_assert_null (event);

  /* So is a length without data. */
  g_test_expect_message ("Sse", G_LOG_LEVEL_CRITICAL, "*data != NULL*");
  event = sse_event_new_full (NULL, NULL, 3, NULL, -1);
  g_test_assert_expected_messages ();
  g_assert_null (event);
}

/* The checked constructor ------------------------------------------------ */

static void
test_new_checked_accepts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = NULL;
  g_autoptr(SseEvent) plain = NULL;
  g_autoptr(SseEvent) minimal = NULL;

  /* Line breaks and NUL in the data are fine: they are data lines. */
  event = sse_event_new_checked ("update", "a\r\nb\0c", 6, "7", 1000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  plain = sse_event_new_full ("update", "a\r\nb\0c", 6, "7", 1000);
  g_assert_true (sse_event_equal (event, plain));
  assert_data (event, "a\nb\0c", 5);

  minimal = sse_event_new_checked (NULL, NULL, -1, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sse_event_get_event_type (minimal), ==, "message");
  assert_data (minimal, "", 0);
  g_assert_null (sse_event_get_id (minimal));
  g_assert_cmpint (sse_event_get_retry (minimal), ==, -1);

  g_clear_pointer (&minimal, sse_event_unref);
  minimal = sse_event_new_checked ("\xC3\xA9", "\xF0\x9F\x98\x80", -1, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sse_event_get_event_type (minimal), ==, "\u00E9");
  g_assert_cmpstr (sse_event_get_id (minimal), ==, "");
}

typedef struct {
  const char *type;
  const char *data;
  const char *id;
  gint64      retry;
} CheckedCase;

static void
test_new_checked_refuses (void)
{
  static const CheckedCase cases[] = {
    { "a\nb", "x", NULL, -1 },
    { "a\rb", "x", NULL, -1 },
    { "ab\r\n", "x", NULL, -1 },
    { NULL, "x", "1\n", -1 },
    { NULL, "x", "\r", -1 },
    { "t\xFF", "x", NULL, -1 },
    { NULL, "x", "\xC0\xAF", -1 },
    { NULL, "a\xE2\x82", NULL, -1 },
    { NULL, "\xED\xA0\x80", NULL, -1 },
    { NULL, "x", NULL, -2 },
    { NULL, "x", NULL, G_MININT64 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      SseEvent *event;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      event = sse_event_new_checked (cases[i].type, cases[i].data, -1, cases[i].id,
                                     cases[i].retry, &error);
      g_assert_null (event);
      g_assert_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT);
      g_assert_cmpstr (error->message, !=, "");
    }

  /* Invalid UTF-8 after a NUL in the data is found too. */
  {
    g_autoptr(GError) error = NULL;
    SseEvent *event = sse_event_new_checked (NULL, "a\0\xFF", 3, NULL, -1, &error);

    g_assert_null (event);
    g_assert_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT);
  }

  /* Without a GError. */
  g_assert_null (sse_event_new_checked ("a\nb", "x", -1, NULL, -1, NULL));
}

/* Equality and hashing --------------------------------------------------- */

static void
test_equal (void)
{
  g_autoptr(SseEvent) a = sse_event_new_full ("t", "data", -1, "1", 5);
  g_autoptr(SseEvent) same = sse_event_new_full ("t", "data", -1, "1", 5);
  g_autoptr(SseEvent) other_type = sse_event_new_full ("u", "data", -1, "1", 5);
  g_autoptr(SseEvent) other_data = sse_event_new_full ("t", "datb", -1, "1", 5);
  g_autoptr(SseEvent) longer_data = sse_event_new_full ("t", "data\0", 5, "1", 5);
  g_autoptr(SseEvent) other_id = sse_event_new_full ("t", "data", -1, "2", 5);
  g_autoptr(SseEvent) no_id = sse_event_new_full ("t", "data", -1, NULL, 5);
  g_autoptr(SseEvent) empty_id = sse_event_new_full ("t", "data", -1, "", 5);
  g_autoptr(SseEvent) other_retry = sse_event_new_full ("t", "data", -1, "1", 6);
  g_autoptr(SseEvent) no_retry = sse_event_new_full ("t", "data", -1, "1", -1);
  g_autoptr(SseEvent) m1 = sse_event_new_full (NULL, "x", -1, NULL, -1);
  g_autoptr(SseEvent) m2 = sse_event_new_full ("message", "x", -1, NULL, -1);
  g_autoptr(SseEvent) m3 = sse_event_new_full ("", "x\r\n", -1, NULL, -1);
  g_autoptr(SseEvent) m4 = sse_event_new ("x\n");
  g_autoptr(SseEvent) nul1 = sse_event_new_full (NULL, "a\0b", 3, NULL, -1);
  g_autoptr(SseEvent) nul2 = sse_event_new_full (NULL, "a\0c", 3, NULL, -1);

  g_assert_true (sse_event_equal (a, a));
  g_assert_true (sse_event_equal (a, same));
  g_assert_true (sse_event_equal (same, a));
  g_assert_false (sse_event_equal (a, other_type));
  g_assert_false (sse_event_equal (a, other_data));
  g_assert_false (sse_event_equal (a, longer_data));
  g_assert_false (sse_event_equal (longer_data, a));
  g_assert_false (sse_event_equal (a, other_id));
  g_assert_false (sse_event_equal (a, no_id));
  g_assert_false (sse_event_equal (no_id, empty_id));
  g_assert_false (sse_event_equal (empty_id, no_id));
  g_assert_false (sse_event_equal (a, other_retry));
  g_assert_false (sse_event_equal (a, no_retry));
  g_assert_true (sse_event_equal (m1, m2));
  g_assert_true (sse_event_equal (m3, m4));
  g_assert_false (sse_event_equal (m1, m3));
  g_assert_false (sse_event_equal (nul1, nul2));

  g_assert_cmpuint (sse_event_hash (a), ==, sse_event_hash (same));
  g_assert_cmpuint (sse_event_hash (m1), ==, sse_event_hash (m2));
  g_assert_cmpuint (sse_event_hash (m3), ==, sse_event_hash (m4));
}

static void
test_equal_ignores_stream_context (void)
{
  g_autoptr(SseEvent) plain = sse_event_new_full ("t", "x", -1, NULL, -1);
  g_autoptr(SseEvent) received = NULL;
  char *origin = g_ref_string_new ("https://example.com");
  SseEventFields fields = { 0, };

  fields.event_type = "t";
  fields.event_type_len = 1;
  fields.data = "x";
  fields.data_len = 1;
  fields.last_event_id = "17";
  fields.last_event_id_len = 2;
  fields.retry = -1;
  fields.origin = origin;
  received = _sse_event_new_from_fields (&fields);
  g_ref_string_release (origin);

  g_assert_cmpstr (sse_event_get_origin (received), ==, "https://example.com");
  g_assert_cmpstr (sse_event_get_last_event_id (received), ==, "17");
  g_assert_null (sse_event_get_id (received));
  /* The last event ID and the origin are not compared. */
  g_assert_true (sse_event_equal (plain, received));
  g_assert_cmpuint (sse_event_hash (plain), ==, sse_event_hash (received));
}

static void
test_hash_table (void)
{
  g_autoptr(GHashTable) set = g_hash_table_new_full ((GHashFunc) sse_event_hash,
                                                     (GEqualFunc) sse_event_equal,
                                                     (GDestroyNotify) sse_event_unref, NULL);
  guint i;

  for (i = 0; i < 100; i++)
    {
      g_autofree char *data = g_strdup_printf ("%u", i % 10);

      g_hash_table_add (set, sse_event_new_full (i % 20 < 10 ? "a" : "b", data, -1, NULL, -1));
    }
  g_assert_cmpuint (g_hash_table_size (set), ==, 20);
}

/* Memory ----------------------------------------------------------------- */

static void
test_ref_unref (void)
{
  SseEvent *event = sse_event_new ("x");
  SseEvent *ref = sse_event_ref (event);

  g_assert_true (ref == event);
  sse_event_unref (event);
  /* Still alive through the other reference (valgrind/ASan would see). */
  g_assert_cmpstr (sse_event_get_data (ref), ==, "x");
  sse_event_unref (ref);
}

static void
test_data_bytes_keeps_event (void)
{
  SseEvent *event = sse_event_new_full (NULL, "shared\0data", 11, NULL, -1);
  GBytes *bytes = sse_event_get_data_bytes (event);

  /* The bytes share the event's memory, and keep it alive. */
  g_assert_true (g_bytes_get_data (bytes, NULL) == (gconstpointer) sse_event_get_data (event));
  sse_event_unref (event);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "shared\0data", 11);
  g_bytes_unref (bytes);

  /* Empty data gives empty bytes. */
  event = sse_event_new (NULL);
  bytes = sse_event_get_data_bytes (event);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_bytes_unref (bytes);
  sse_event_unref (event);
}

static void
test_autoptr (void)
{
  g_autoptr(GBytes) bytes = NULL;

  {
    g_autoptr(SseEvent) event = sse_event_new ("scoped");

    bytes = sse_event_get_data_bytes (event);
  }
  /* The event left its scope; the data lives on in the bytes only. */
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "scoped", 6);

  {
    g_autoptr(SseEvent) nothing = NULL;

    /* A NULL autoptr is fine. */
    g_assert_null (nothing);
  }
}

static void
test_boxed (void)
{
  g_autoptr(SseEvent) event = sse_event_new_full ("t", "x", -1, "1", 2);
  GValue value = G_VALUE_INIT;
  SseEvent *copy;

  g_assert_true (G_TYPE_IS_BOXED (SSE_TYPE_EVENT));
  g_assert_cmpstr (g_type_name (SSE_TYPE_EVENT), ==, "SseEvent");

  /* Copying is taking a reference. */
  copy = g_boxed_copy (SSE_TYPE_EVENT, event);
  g_assert_true (copy == event);
  g_boxed_free (SSE_TYPE_EVENT, copy);

  g_value_init (&value, SSE_TYPE_EVENT);
  g_value_set_boxed (&value, event);
  g_assert_true (g_value_get_boxed (&value) == event);
  copy = g_value_dup_boxed (&value);
  g_assert_true (copy == event);
  g_value_unset (&value);
  g_assert_cmpstr (sse_event_get_data (copy), ==, "x");
  sse_event_unref (copy);

  /* A value that owns the only reference frees it. */
  g_value_init (&value, SSE_TYPE_EVENT);
  g_value_take_boxed (&value, sse_event_new ("owned"));
  g_assert_cmpstr (sse_event_get_data (g_value_get_boxed (&value)), ==, "owned");
  g_value_unset (&value);
}

static gpointer
ref_unref_many (gpointer data)
{
  SseEvent *event = data;
  guint i;

  /* The thread owns one reference, and hands it back. */
  for (i = 0; i < 10000; i++)
    sse_event_unref (sse_event_ref (event));
  return event;
}

static void
test_threads (void)
{
  SseEvent *event = sse_event_new_full ("t", "x", -1, "1", 2);
  GThread *threads[4];
  guint i;

  /* References are atomic: events can be shared between threads. */
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("ref-unref", ref_unref_many, sse_event_ref (event));
  sse_event_unref (event);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      SseEvent *ref = g_thread_join (threads[i]);

      g_assert_cmpstr (sse_event_get_data (ref), ==, "x");
      sse_event_unref (ref);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event/new/message", test_new);
  g_test_add_func ("/event/new/null-data", test_new_null_data);
  g_test_add_func ("/event/new-full/fields", test_new_full);
  g_test_add_func ("/event/new-full/type", test_new_full_type);
  g_test_add_func ("/event/new-full/cleans-type-and-id", test_new_full_cleans_type_and_id);
  g_test_add_func ("/event/new-full/normalizes-data", test_new_full_normalizes_data);
  g_test_add_func ("/event/new-full/data-with-nul", test_new_full_data_with_nul);
  g_test_add_func ("/event/new-full/repairs-utf8", test_new_full_repairs_utf8);
  g_test_add_func ("/event/new-full/retry", test_new_full_retry);
  g_test_add_func ("/event/new-full/programming-errors", test_new_full_programming_errors);
  g_test_add_func ("/event/new-checked/accepts", test_new_checked_accepts);
  g_test_add_func ("/event/new-checked/refuses", test_new_checked_refuses);
  g_test_add_func ("/event/equal/fields", test_equal);
  g_test_add_func ("/event/equal/ignores-stream-context", test_equal_ignores_stream_context);
  g_test_add_func ("/event/hash/table", test_hash_table);
  g_test_add_func ("/event/ref-unref", test_ref_unref);
  g_test_add_func ("/event/data-bytes/keeps-event", test_data_bytes_keeps_event);
  g_test_add_func ("/event/autoptr", test_autoptr);
  g_test_add_func ("/event/boxed", test_boxed);
  g_test_add_func ("/event/threads", test_threads);

  return g_test_run ();
}
