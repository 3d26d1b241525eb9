/* test-signal.c: the event emitter that SseParser and SseEventSource share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The emitter is driven here directly, through a small GObject with an
 * "event" signal like theirs: no parser, no server.
 */

#include "config.h"

#include <string.h>

#include <sse-glib/sse-glib.h>

#include "sse-event-private.h"
#include "sse-signal-private.h"

/* An object with a detailed "event" signal ------------------------------- */

#define TEST_TYPE_EMITTING (test_emitting_get_type ())
G_DECLARE_FINAL_TYPE (TestEmitting, test_emitting, TEST, EMITTING, GObject)

struct _TestEmitting
{
  GObject          parent_instance;
  SseEventEmitter  emitter;
};

static guint event_signal;

G_DEFINE_FINAL_TYPE (TestEmitting, test_emitting, G_TYPE_OBJECT)

static void
test_emitting_finalize (GObject *object)
{
  TestEmitting *self = TEST_EMITTING (object);

  _sse_event_emitter_clear (&self->emitter);
  G_OBJECT_CLASS (test_emitting_parent_class)->finalize (object);
}

static void
test_emitting_class_init (TestEmittingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_emitting_finalize;

  /* As SseParser::event and SseEventSource::event are made. */
  event_signal = g_signal_new ("event",
                               G_TYPE_FROM_CLASS (klass),
                               G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                               0,
                               NULL, NULL,
                               g_cclosure_marshal_VOID__BOXED,
                               G_TYPE_NONE, 1, SSE_TYPE_EVENT);
  g_signal_set_va_marshaller (event_signal,
                              G_TYPE_FROM_CLASS (klass),
                              _sse_marshal_VOID__BOXED_BORROWEDv);
}

static void
test_emitting_init (TestEmitting *self)
{
  _sse_event_emitter_init (&self->emitter);
}

/* An event of @type (NULL: message) with @data. */
static void
emit_str (TestEmitting *self,
          const char   *type,
          const char   *data)
{
  SseEventFields f = { 0, };

  f.event_type = type;
  f.event_type_len = type != NULL ? strlen (type) : 0;
  f.data = data;
  f.data_len = strlen (data);
  f.last_event_id = "";
  f.retry = -1;
  _sse_event_emitter_emit (&self->emitter, self, event_signal, &f, NULL, NULL);
}

/* Handlers --------------------------------------------------------------- */

static void
append_data (TestEmitting *self,
             SseEvent     *event,
             gpointer      user_data)
{
  g_string_append (user_data, sse_event_get_data (event));
}

static void
append_type (TestEmitting *self,
             SseEvent     *event,
             gpointer      user_data)
{
  g_string_append_printf (user_data, "%s;", sse_event_get_event_type (event));
}

static void
keep_event (TestEmitting *self,
            SseEvent     *event,
            gpointer      user_data)
{
  g_ptr_array_add (user_data, sse_event_ref (event));
}

static void
note_pointer (TestEmitting *self,
              SseEvent     *event,
              gpointer      user_data)
{
  *(SseEvent **) user_data = event;
}

/* Tests ------------------------------------------------------------------ */

static void
test_detail (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GString) update = g_string_new (NULL);
  g_autoptr(GString) message = g_string_new (NULL);

  g_signal_connect (self, "event", G_CALLBACK (append_data), all);
  g_signal_connect (self, "event::update", G_CALLBACK (append_data), update);
  g_signal_connect (self, "event::message", G_CALLBACK (append_data), message);

  /* Types that come and go, so that the cached quark is replaced, and
   * types that start like the cached one; "message" by name and as the
   * empty type. */
  emit_str (self, "update", "1");
  emit_str (self, NULL, "2");
  emit_str (self, "update", "3");
  emit_str (self, "other", "4");
  emit_str (self, "update", "5");
  emit_str (self, "updates", "6");
  emit_str (self, "message", "7");
  emit_str (self, "", "8");
  emit_str (self, "Update", "9");
  emit_str (self, "updat", "a");
  emit_str (self, "update", "b");

  g_assert_cmpstr (all->str, ==, "123456789ab");
  g_assert_cmpstr (update->str, ==, "135b");
  g_assert_cmpstr (message->str, ==, "278");
}

static void
test_detail_long_type (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GString) types = g_string_new (NULL);
  g_autofree char *detailed = NULL;
  g_autofree char *x199 = g_strnfill (199, 'x');
  g_autofree char *x200 = g_strnfill (200, 'x');
  g_autofree char *x201 = g_strnfill (201, 'x');
  g_autofree char *x4096 = g_strnfill (4096, 'x');

  /* Long types, and types one byte either side of the one a handler
   * wants. */
  detailed = g_strdup_printf ("event::%s", x200);
  g_signal_connect (self, detailed, G_CALLBACK (append_data), seen);
  g_signal_connect (self, "event", G_CALLBACK (append_type), types);

  emit_str (self, x200, "a");
  emit_str (self, x199, "b");
  emit_str (self, x4096, "c");
  emit_str (self, x200, "d");
  emit_str (self, x201, "e");
  emit_str (self, x200, "f");

  g_assert_cmpstr (seen->str, ==, "adf");
  /* Each event has its own type, whatever the cache held. */
  g_assert_true (g_str_has_prefix (types->str, "xxxx"));
  g_assert_cmpuint (types->len, ==, 200 + 199 + 4096 + 200 + 201 + 200 + 6);
}

static void
test_detail_not_interned (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("sse-test-emitter-%08x%08x",
                                           g_test_rand_int (), g_test_rand_int ());
  g_autofree char *long_name = g_strdup_printf ("%s-%0200d", name, 0);

  /* The server chooses event types: interning each would leak memory it
   * controls. Twice each, so that a cached miss would show too. */
  g_signal_connect (self, "event", G_CALLBACK (append_data), all);
  emit_str (self, name, "1");
  emit_str (self, name, "2");
  emit_str (self, long_name, "3");
  emit_str (self, long_name, "4");

  g_assert_cmpstr (all->str, ==, "1234");
  g_assert_cmpuint (g_quark_try_string (name), ==, 0);
  g_assert_cmpuint (g_quark_try_string (long_name), ==, 0);
}

static void
test_no_handler (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);

  /* Nothing listens: the event is still made and kept for the next one. */
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), ==, 0);
  emit_str (self, "update", "1");
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), >, 0);
}

static void
test_recycles_unkept (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  SseEvent *first = NULL, *second = NULL;
  gulong id;

  g_signal_connect (self, "event", G_CALLBACK (append_data), all);
  id = g_signal_connect (self, "event", G_CALLBACK (note_pointer), &first);
  emit_str (self, "a", "one");
  g_signal_handler_disconnect (self, id);
  g_signal_connect (self, "event", G_CALLBACK (note_pointer), &second);
  emit_str (self, "b", "two");

  /* Nobody kept the first event: the second is the same storage, rewritten. */
  g_assert_nonnull (first);
  g_assert_true (second == first);
  g_assert_cmpstr (all->str, ==, "onetwo");
}

static void
test_kept_event_untouched (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  SseEvent *a, *b;

  g_signal_connect (self, "event", G_CALLBACK (keep_event), kept);
  emit_str (self, "a", "first");
  emit_str (self, "b", "second");
  emit_str (self, NULL, "third");

  /* A handler that kept an event has it unchanged: each is its own. */
  g_assert_cmpuint (kept->len, ==, 3);
  a = g_ptr_array_index (kept, 0);
  b = g_ptr_array_index (kept, 1);
  g_assert_true (a != b);
  g_assert_cmpstr (sse_event_get_event_type (a), ==, "a");
  g_assert_cmpstr (sse_event_get_data (a), ==, "first");
  g_assert_cmpstr (sse_event_get_event_type (b), ==, "b");
  g_assert_cmpstr (sse_event_get_data (b), ==, "second");
  g_assert_cmpstr (sse_event_get_event_type (g_ptr_array_index (kept, 2)), ==, "message");
  g_assert_cmpstr (sse_event_get_data (g_ptr_array_index (kept, 2)), ==, "third");
}

static void
test_large_event_not_kept (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autofree char *big = g_strnfill (64 * 1024, 'x');
  gsize small_capacity;

  emit_str (self, NULL, "small");
  small_capacity = _sse_event_emitter_get_capacity (&self->emitter);
  g_assert_cmpuint (small_capacity, >, 0);
  g_assert_cmpuint (small_capacity, <, 1024);

  /* A large event is not held on to once it has been emitted. */
  emit_str (self, NULL, big);
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), ==, 0);

  emit_str (self, NULL, "small again");
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), >, 0);
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), <, 1024);

  _sse_event_emitter_clear (&self->emitter);
  g_assert_cmpuint (_sse_event_emitter_get_capacity (&self->emitter), ==, 0);
}

static void
test_origin (void)
{
  g_autoptr(TestEmitting) self = g_object_new (TEST_TYPE_EMITTING, NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  char *origin = g_ref_string_new ("http://example.com");
  SseEventFields f = { 0, };

  g_signal_connect (self, "event", G_CALLBACK (keep_event), kept);
  f.data = "x";
  f.data_len = 1;
  f.last_event_id = "";
  f.retry = -1;
  f.origin = origin;
  _sse_event_emitter_emit (&self->emitter, self, event_signal, &f, NULL, NULL);
  g_ref_string_release (origin);

  /* The event holds the origin it was given, as an event source sets it. */
  g_assert_cmpuint (kept->len, ==, 1);
  g_assert_cmpstr (sse_event_get_origin (g_ptr_array_index (kept, 0)), ==, "http://example.com");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/emitter/detail/by-type", test_detail);
  g_test_add_func ("/emitter/detail/long-type", test_detail_long_type);
  g_test_add_func ("/emitter/detail/not-interned", test_detail_not_interned);
  g_test_add_func ("/emitter/spare/no-handler", test_no_handler);
  g_test_add_func ("/emitter/spare/recycles-unkept", test_recycles_unkept);
  g_test_add_func ("/emitter/spare/kept-event-untouched", test_kept_event_untouched);
  g_test_add_func ("/emitter/spare/large-event-not-kept", test_large_event_not_kept);
  g_test_add_func ("/emitter/origin", test_origin);

  return g_test_run ();
}
