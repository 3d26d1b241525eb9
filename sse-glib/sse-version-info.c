/* sse-version-info.c: the version of sse-glib a program runs with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sse-version.h"
#include "sse-version-info.h"

/* The macros of sse-version.h give the version a program was compiled
 * against; these functions, compiled into the library, give the version it
 * runs with, which can be newer. Bindings only have the functions. */

/**
 * sse_get_major_version:
 *
 * Gets the major version of the sse-glib library in use: the 1 of 1.2.3.
 *
 * %SSE_MAJOR_VERSION is the major version of the headers a program was
 * compiled with; this is the one of the library it runs with, which may be
 * newer.
 *
 * Returns: the major version
 *
 * Since: 1.0
 */
guint
sse_get_major_version (void)
{
  return SSE_MAJOR_VERSION;
}

/**
 * sse_get_minor_version:
 *
 * Gets the minor version of the sse-glib library in use: the 2 of 1.2.3.
 *
 * See [func@Sse.get_major_version].
 *
 * Returns: the minor version
 *
 * Since: 1.0
 */
guint
sse_get_minor_version (void)
{
  return SSE_MINOR_VERSION;
}

/**
 * sse_get_micro_version:
 *
 * Gets the micro version of the sse-glib library in use: the 3 of 1.2.3.
 *
 * See [func@Sse.get_major_version].
 *
 * Returns: the micro version
 *
 * Since: 1.0
 */
guint
sse_get_micro_version (void)
{
  return SSE_MICRO_VERSION;
}

/**
 * sse_check_version:
 * @major: the major version to check for
 * @minor: the minor version to check for
 * @micro: the micro version to check for
 *
 * Checks that the sse-glib library in use is version @major.@minor.@micro
 * or newer: the run-time counterpart of [func@Sse.CHECK_VERSION], which
 * checks the headers at compile time.
 *
 * ```c
 * if (!sse_check_version (1, 2, 0))
 *   g_warning ("sse-glib 1.2 or newer is needed, this is %u.%u.%u",
 *              sse_get_major_version (), sse_get_minor_version (),
 *              sse_get_micro_version ());
 * ```
 *
 * Returns: %TRUE if the library in use is the version given or newer
 *
 * Since: 1.0
 */
gboolean
sse_check_version (guint major,
                   guint minor,
                   guint micro)
{
  /* Not SSE_CHECK_VERSION(): with unsigned arguments and a version part
   * of 0, its comparisons are always false, which compilers warn about. */
  const guint have[] = { SSE_MAJOR_VERSION, SSE_MINOR_VERSION, SSE_MICRO_VERSION };
  const guint want[] = { major, minor, micro };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (have); i++)
    if (want[i] != have[i])
      return want[i] < have[i];
  return TRUE;
}
