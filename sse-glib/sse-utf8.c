/* sse-utf8.c: UTF-8 checking and repair as the Encoding standard does it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib's g_utf8_make_valid() writes one U+FFFD for every invalid byte. The
 * text/event-stream format is specified on top of the Encoding standard's
 * UTF-8 decoder, which writes one U+FFFD per *maximal subpart* of an
 * ill-formed sequence (a truncated three-byte sequence gives one U+FFFD, not
 * two), so that is what is implemented here. The fast path checks ASCII 32
 * bytes at a time with SSE2 (8 without).
 */

#include "config.h"

#include <string.h>

#ifdef __SSE2__
# include <emmintrin.h>
#endif

#include "sse-utf8-private.h"

#define REPLACEMENT_CHARACTER "\xEF\xBF\xBD"

/* Checks the sequence that starts with the non-ASCII byte at @s. Returns its
 * length when it is a complete, well-formed sequence, or 0 and stores in
 * @consumed how many bytes form the maximal ill-formed subpart (at least
 * one) that must be replaced by a single U+FFFD. */
static inline gsize
check_sequence (const guchar *s,
                const guchar *end,
                gsize        *consumed)
{
  guchar c = s[0];
  guchar lower = 0x80, upper = 0xBF;
  gsize needed, i;

  if (c >= 0xC2 && c <= 0xDF)
    needed = 1;
  else if (c >= 0xE0 && c <= 0xEF)
    {
      needed = 2;
      if (c == 0xE0)
        lower = 0xA0;
      else if (c == 0xED)
        upper = 0x9F;
    }
  else if (c >= 0xF0 && c <= 0xF4)
    {
      needed = 3;
      if (c == 0xF0)
        lower = 0x90;
      else if (c == 0xF4)
        upper = 0x8F;
    }
  else
    {
      *consumed = 1;
      return 0;
    }

  for (i = 1; i <= needed; i++)
    {
      if (s + i >= end || s[i] < lower || s[i] > upper)
        {
          /* The byte that broke the sequence is not part of it: it is
           * looked at again as the start of what follows. */
          *consumed = i;
          return 0;
        }
      lower = 0x80;
      upper = 0xBF;
    }

  return needed + 1;
}

static inline const guchar *
skip_ascii (const guchar *p,
            const guchar *end)
{
#ifdef __SSE2__
  /* The sign bits of 32 bytes at a time, then 16 to find the first one. */
  while ((gsize) (end - p) >= 32)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) p);
      __m128i b = _mm_loadu_si128 ((const __m128i *) (p + 16));

      if (_mm_movemask_epi8 (_mm_or_si128 (a, b)) != 0)
        break;
      p += 32;
    }
  while ((gsize) (end - p) >= 16)
    {
      int mask = _mm_movemask_epi8 (_mm_loadu_si128 ((const __m128i *) p));

      if (mask != 0)
        return p + __builtin_ctz (mask);
      p += 16;
    }
#endif
  while ((gsize) (end - p) >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        break;
      p += 8;
    }
  while (p < end && *p < 0x80)
    p++;
  return p;
}

gsize
_sse_utf8_valid_prefix (const char *s,
                        gsize       len)
{
  const guchar *p = (const guchar *) s;
  const guchar *end;

  /* An empty buffer may be NULL, and NULL + 0 is undefined behaviour. */
  if (len == 0)
    return 0;
  end = p + len;

  for (;;)
    {
      gsize seq, consumed;

      p = skip_ascii (p, end);
      if (p == end)
        return len;

      seq = check_sequence (p, end, &consumed);
      if (seq == 0)
        return p - (const guchar *) s;
      p += seq;
    }
}

void
_sse_utf8_append_repaired (GString    *out,
                           const char *s,
                           gsize       len)
{
  const guchar *p = (const guchar *) s;
  const guchar *end;

  if (len == 0)
    return;
  end = p + len;

  while (p < end)
    {
      gsize valid = _sse_utf8_valid_prefix ((const char *) p, end - p);
      gsize consumed = 0;

      g_string_append_len (out, (const char *) p, valid);
      p += valid;
      if (p == end)
        break;

      check_sequence (p, end, &consumed);
      g_string_append_len (out, REPLACEMENT_CHARACTER, 3);
      p += consumed;
    }
}

char *
_sse_utf8_make_valid (const char *s,
                      gssize      len,
                      gsize      *out_len)
{
  GString *out;
  gsize n = len < 0 ? strlen (s) : (gsize) len;

  out = g_string_sized_new (n + 1);
  _sse_utf8_append_repaired (out, s, n);
  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (out, FALSE);
}
