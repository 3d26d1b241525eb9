/* sse-utf8-private.h: UTF-8 checking and repair as the Encoding standard does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the length of the longest valid UTF-8 prefix of @s (NUL is a
 * valid character here). Equal to @len when @s is all valid. */
gsize     _sse_utf8_valid_prefix    (const char *s,
                                     gsize       len);

static inline gboolean
_sse_utf8_is_valid (const char *s,
                    gsize       len)
{
  return _sse_utf8_valid_prefix (s, len) == len;
}

/* Appends @s to @out, decoding it the way the WHATWG Encoding standard's
 * UTF-8 decoder does: each maximal ill-formed subsequence becomes one
 * U+FFFD REPLACEMENT CHARACTER, everything else is copied unchanged. */
void      _sse_utf8_append_repaired (GString    *out,
                                     const char *s,
                                     gsize       len);

/* Returns a newly allocated, NUL-terminated, repaired copy of @s. When
 * @len is negative, @s is NUL-terminated. */
char     *_sse_utf8_make_valid      (const char *s,
                                     gssize      len,
                                     gsize      *out_len);

G_END_DECLS
