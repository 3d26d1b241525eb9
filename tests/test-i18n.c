/* test-i18n.c: sse-glib's errors in the user's language
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The library binds its gettext domain, sse-glib-1, to the installed
 * LOCALEDIR. This test points that domain at the catalogues meson built
 * into <build>/po (<lang>/LC_MESSAGES/sse-glib-1.mo) once the library has
 * bound it, then reads errors under LANGUAGE=de and without LANGUAGE.
 *
 * The test runs with LC_ALL=C.UTF-8: glibc ignores LANGUAGE in the plain C
 * locale, but not in C.UTF-8, so no German locale has to be generated on
 * the machine.
 */

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <sse-glib/sse-glib.h>

#define DOMAIN "sse-glib-1"

/* Switches the language of messages. setlocale() also makes gettext forget
 * the translations it looked up under the previous language. */
static void
set_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_assert_nonnull (setlocale (LC_ALL, ""));
}

static char *
invalid_type_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = NULL;

  event = sse_event_new_checked ("up\ndate", "data", -1, NULL, -1, &error);
  g_assert_null (event);
  g_assert_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  return g_strdup (error->message);
}

static char *
negative_retry_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SseEvent) event = NULL;

  event = sse_event_new_checked (NULL, "data", -1, NULL, -2, &error);
  g_assert_null (event);
  g_assert_error (error, SSE_ERROR, SSE_ERROR_INVALID_EVENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  return g_strdup (error->message);
}

static char *
too_large_message (void)
{
  g_autoptr(SseParser) parser = sse_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *input = "data: 0123456789abcdef\n\n";

  sse_parser_set_max_event_size (parser, 10);
  g_assert_false (sse_parser_feed (parser, (const guint8 *) input, strlen (input), &error));
  g_assert_error (error, SSE_ERROR, SSE_ERROR_EVENT_TOO_LARGE);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  return g_strdup (error->message);
}

static void
test_english (void)
{
  g_autofree char *type = NULL;
  g_autofree char *retry = NULL;
  g_autofree char *large = NULL;

  set_language (NULL);
  type = invalid_type_message ();
  retry = negative_retry_message ();
  large = too_large_message ();
  g_assert_cmpstr (type, ==, "The event type contains a line break or invalid UTF-8; "
                             "it cannot be sent in a text/event-stream");
  g_assert_cmpstr (retry, ==, "The retry time -2 is negative; use -1 for none");
  g_assert_true (g_str_has_prefix (large, "An event larger than the limit of "));
  g_assert_true (g_str_has_suffix (large, " was dropped; raise “max-event-size” to accept it"));

  /* An empty LANGUAGE is no language either. */
  set_language ("");
  g_clear_pointer (&type, g_free);
  type = invalid_type_message ();
  g_assert_true (g_str_has_prefix (type, "The event type contains a line break"));
}

static void
test_german (void)
{
  g_autofree char *type = NULL;
  g_autofree char *retry = NULL;
  g_autofree char *large = NULL;
  g_autofree char *english = NULL;

  set_language ("de");
  type = invalid_type_message ();
  retry = negative_retry_message ();
  large = too_large_message ();
  g_test_message ("de: %s", type);
  g_test_message ("de: %s", retry);
  g_test_message ("de: %s", large);

  g_assert_true (g_str_has_prefix (type, "Der Ereignistyp enthält einen Zeilenumbruch"));
  /* The number is formatted with PRId64: the catalogue must have the
   * system-dependent message, not a truncated one. */
  g_assert_true (g_str_has_prefix (retry, "Die Wiederverbindungszeit -2 ist negativ"));
  g_assert_true (g_str_has_prefix (large, "Ein Ereignis, das größer als das Limit von "));
  g_assert_nonnull (strstr (large, "„max-event-size“"));

  /* And back: the language is read on every message, not once. */
  set_language (NULL);
  english = invalid_type_message ();
  g_assert_true (g_str_has_prefix (english, "The event type contains a line break"));
}

static void
test_unknown_language (void)
{
  g_autofree char *type = NULL;

  /* No catalogue for this language: English, then the next one listed. */
  set_language ("xx");
  type = invalid_type_message ();
  g_assert_true (g_str_has_prefix (type, "The event type contains a line break"));

  set_language ("xx:de");
  g_clear_pointer (&type, g_free);
  type = invalid_type_message ();
  g_assert_true (g_str_has_prefix (type, "Der Ereignistyp"));
  set_language (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *localedir = NULL;
  g_autofree char *catalogue = NULL;

  /* Whatever the environment: glibc's built-in C.UTF-8 locale, in which
   * LANGUAGE alone chooses the language of messages. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  /* The library binds its domain to the installed LOCALEDIR on first use
   * (sse_error_quark() is one); rebinding afterwards wins. */
  sse_error_quark ();
  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  catalogue = g_build_filename (localedir, "de", "LC_MESSAGES", DOMAIN ".mo", NULL);
  if (!g_file_test (catalogue, G_FILE_TEST_IS_REGULAR))
    g_error ("%s was not built", catalogue);
  g_assert_nonnull (bindtextdomain (DOMAIN, localedir));
  g_assert_nonnull (bind_textdomain_codeset (DOMAIN, "UTF-8"));

  g_test_add_func ("/i18n/english", test_english);
  g_test_add_func ("/i18n/german", test_german);
  g_test_add_func ("/i18n/unknown-language", test_unknown_language);

  return g_test_run ();
}
