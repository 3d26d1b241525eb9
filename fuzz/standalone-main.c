/* standalone-main.c: runs a fuzz target over files, without libFuzzer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked with a fuzz target, this makes a program that any compiler builds
 * and that the test suite runs over the corpus kept in the tree (the seeds
 * and every input that once crashed), under ASan/UBSan and valgrind too:
 *
 *   fuzz-parser-standalone FILE|DIRECTORY...
 *
 * Directories are read in name order, not recursively. It prints TAP, one
 * test per file; a failed check aborts the program, after its name was
 * printed.
 */

#include "config.h"

#include <glib.h>

#include "fuzz-common.h"

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (GPtrArray  *paths,
         const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (paths, g_strdup (path));
      return;
    }

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (1);
    }

  entries = g_ptr_array_new ();
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *full = g_build_filename (path, name, NULL);

      if (name[0] != '.' && g_file_test (full, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (entries, full);
      else
        g_free (full);
    }
  g_ptr_array_sort (entries, compare_paths);
  g_ptr_array_extend_and_steal (paths, g_steal_pointer (&entries));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint i;

  if (argc < 2)
    {
      g_printerr ("Usage: %s FILE|DIRECTORY...\n", argv[0]);
      return 2;
    }

  LLVMFuzzerInitialize (&argc, &argv);

  for (i = 1; i < (guint) argc; i++)
    collect (paths, argv[i]);
  if (paths->len == 0)
    {
      g_printerr ("No input files\n");
      return 1;
    }

  g_print ("1..%u\n", paths->len);
  for (i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_print ("not ok %u - %s: %s\n", i + 1, path, error->message);
          continue;
        }

      /* Where a crash happened, when it does. */
      g_printerr ("# running %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
      LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
      g_print ("ok %u - %s\n", i + 1, path);
    }

  return 0;
}
