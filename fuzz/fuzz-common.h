/* fuzz-common.h: helpers shared by the fuzz targets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

/* A failed check: say what, then abort, which libFuzzer (and the
 * standalone driver's test) reports as a crash with the input that caused
 * it. Checks stay on in every build type, unlike g_assert() under
 * G_DISABLE_ASSERT. */
#define FUZZ_CHECK(cond, ...)                                           \
  G_STMT_START {                                                        \
    if (G_UNLIKELY (!(cond)))                                           \
      {                                                                 \
        fprintf (stderr, "%s:%d: check failed: %s\n  ",                 \
                 __FILE__, __LINE__, #cond);                            \
        fprintf (stderr, __VA_ARGS__);                                  \
        fputc ('\n', stderr);                                           \
        fflush (stderr);                                                \
        abort ();                                                       \
      }                                                                 \
  } G_STMT_END

/* Warnings that input can reach in a library below sse-glib, with no
 * public API that would let sse-glib get in front of them. Each one is a
 * bug of that library, named here so that the fuzzers go on past it
 * (docs/limits.md lists them for users).
 *
 * libsoup 3.2 reads "Content-Length: -3" with g_ascii_strtoull(), which
 * accepts a sign, keeps the negative length, and hands it to g_object_new()
 * for the body stream right after "got-headers". GObject refuses the value
 * with this warning; the stream then reads to the end of the connection. */
static inline gboolean
fuzz_warning_is_foreign (const char *domain,
                         const char *message)
{
  return g_strcmp0 (domain, "GLib-GObject") == 0 && message != NULL &&
         strstr (message, " is invalid or out of range for property 'content-length' "
                          "of type 'gint64'") != NULL;
}

/* Criticals and warnings are bugs (a g_return_if_fail() hit by valid use,
 * say): abort() at once, which libFuzzer catches and saves the input for.
 * (GLib's own fatal handling would stop with SIGTRAP, which libFuzzer does
 * not catch: the run would end without the input.) */
static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;
  gsize i;

  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  for (i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if (fuzz_warning_is_foreign (domain, message))
    return G_LOG_WRITER_HANDLED;

  g_log_writer_default (log_level, fields, n_fields, user_data);
  fflush (stderr);
  abort ();
}

/* What every target does once: the log writer above, and GSlice turned
 * off so that LeakSanitizer sees every allocation. */
static inline void
fuzz_init (void)
{
  g_setenv ("G_SLICE", "always-malloc", FALSE);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* A small deterministic generator (xorshift32), so that the chunking is a
 * function of the input and every crash replays. */
static inline guint32
fuzz_rand (guint32 *state)
{
  guint32 x = *state != 0 ? *state : 0x9E3779B9u;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* Appends @len bytes of @s quoted: printable ASCII as is, everything else
 * as \xHH, so that transcripts stay readable and keep NUL bytes. */
static inline void
fuzz_append_quoted (GString    *out,
                    const char *s,
                    gsize       len)
{
  gsize i;

  g_string_append_c (out, '\'');
  for (i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'')
        g_string_append_c (out, c);
      else
        g_string_append_printf (out, "\\x%02X", c);
    }
  g_string_append_c (out, '\'');
}

/* An oracle for UTF-8 validity that shares no code with sse-glib's own:
 * GLib's validator, segment by segment, as it refuses NUL, which the
 * text/event-stream format allows in data. */
static inline gboolean
fuzz_utf8_valid (const char *s,
                 gsize       len)
{
  const char *end = s + len;

  while (s < end)
    {
      const char *nul = memchr (s, '\0', end - s);
      const char *stop = nul != NULL ? nul : end;

      if (!g_utf8_validate_len (s, stop - s, NULL))
        return FALSE;
      s = nul != NULL ? nul + 1 : end;
    }
  return TRUE;
}

/* A string that can be a field value on the wire: valid UTF-8 without CR,
 * LF or NUL. */
static inline gboolean
fuzz_is_clean_field (const char *s,
                     gsize       len)
{
  return memchr (s, '\0', len) == NULL && memchr (s, '\r', len) == NULL &&
         memchr (s, '\n', len) == NULL && fuzz_utf8_valid (s, len);
}

G_END_DECLS
