/* test-version.c: the run-time version functions against the headers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <sse-glib/sse-glib.h>

/* The test is built with the library it runs with: the functions and the
 * macros must tell the same version. */
static void
test_get_version (void)
{
  g_autofree char *version = NULL;

  g_assert_cmpuint (sse_get_major_version (), ==, SSE_MAJOR_VERSION);
  g_assert_cmpuint (sse_get_minor_version (), ==, SSE_MINOR_VERSION);
  g_assert_cmpuint (sse_get_micro_version (), ==, SSE_MICRO_VERSION);

  version = g_strdup_printf ("%u.%u.%u", sse_get_major_version (), sse_get_minor_version (),
                             sse_get_micro_version ());
  g_assert_cmpstr (version, ==, SSE_VERSION_S);
}

static void
test_check_version (void)
{
  const guint major = SSE_MAJOR_VERSION, minor = SSE_MINOR_VERSION, micro = SSE_MICRO_VERSION;

  /* The version itself and every older one. */
  g_assert_true (sse_check_version (major, minor, micro));
  g_assert_true (sse_check_version (0, 0, 0));
  g_assert_true (sse_check_version (major, 0, 0));
  if (micro > 0)
    g_assert_true (sse_check_version (major, minor, micro - 1));
  if (minor > 0)
    g_assert_true (sse_check_version (major, minor - 1, G_MAXUINT));
  if (major > 0)
    g_assert_true (sse_check_version (major - 1, G_MAXUINT, G_MAXUINT));

  /* Anything newer, in any part. */
  g_assert_false (sse_check_version (major, minor, micro + 1));
  g_assert_false (sse_check_version (major, minor + 1, 0));
  g_assert_false (sse_check_version (major + 1, 0, 0));

  /* The same answers as the macro. */
  g_assert_true (SSE_CHECK_VERSION (SSE_MAJOR_VERSION, SSE_MINOR_VERSION, SSE_MICRO_VERSION));
  g_assert_false (SSE_CHECK_VERSION (SSE_MAJOR_VERSION, SSE_MINOR_VERSION + 1, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/version/get", test_get_version);
  g_test_add_func ("/version/check", test_check_version);

  return g_test_run ();
}
