/* bench-gen.c: writes the benchmark workloads, deterministically
 *
 *   bench-gen WORKLOAD COUNT PATH
 *
 * WORKLOAD is one of
 *   small  COUNT × "data: hello world <i>\n\n"
 *   json   COUNT × "id: <i>\nevent: update\ndata: <~220-byte JSON>\n\n"
 *   large  COUNT × one 64 KiB data line
 *   crlf   COUNT × "event: tick\r\ndata: line one <i>\r\ndata: line two\r\n\r\n"
 *   drip   one data line of COUNT bytes
 * and prints "events=N bytes=B data_bytes=D": the number of events, the
 * file size, and the sum of the events' data lengths (what a parser must
 * deliver, for checking the benchmark programs).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#define LARGE_LINE (64 * 1024)

static guint32 rng_state = 1;

/* A fixed LCG: the same bytes on every machine and every run. */
static inline guint32
rng (void)
{
  rng_state = rng_state * 1664525u + 1013904223u;
  return rng_state >> 8;
}

static const char alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
fill_text (char  *buf,
           gsize  len)
{
  gsize i;

  for (i = 0; i < len; i++)
    buf[i] = alphabet[rng () & 63];
}

int
main (int    argc,
      char **argv)
{
  const char *workload;
  guint64 count, i, events = 0, bytes = 0, data_bytes = 0;
  FILE *out;
  char line[1024];
  int n;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s small|json|large|crlf|drip COUNT PATH\n", argv[0]);
      return 2;
    }
  workload = argv[1];
  count = g_ascii_strtoull (argv[2], NULL, 10);
  out = fopen (argv[3], "wb");
  if (out == NULL)
    {
      perror (argv[3]);
      return 1;
    }
  setvbuf (out, NULL, _IOFBF, 1 << 20);

  if (strcmp (workload, "small") == 0)
    {
      for (i = 0; i < count; i++)
        {
          n = snprintf (line, sizeof line, "data: hello world %" G_GUINT64_FORMAT "\n\n", i);
          fwrite (line, 1, n, out);
          bytes += n;
          data_bytes += n - 8;
        }
      events = count;
    }
  else if (strcmp (workload, "json") == 0)
    {
      static const char *const words[] = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta" };

      for (i = 0; i < count; i++)
        {
          char note[48];
          int head, json;

          fill_text (note, 32);
          note[32] = '\0';
          head = snprintf (line, sizeof line, "id: %" G_GUINT64_FORMAT "\nevent: update\ndata: ", i);
          json = snprintf (line + head, sizeof line - head,
                           "{\"id\":%" G_GUINT64_FORMAT ",\"type\":\"update\",\"user\":{\"id\":%u,"
                           "\"name\":\"user-%04u\",\"email\":\"user-%04u@example.org\"},"
                           "\"price\":%u.%02u,\"currency\":\"EUR\",\"tags\":[\"%s\",\"%s\"],"
                           "\"active\":%s,\"seq\":%u,\"note\":\"%s\"}",
                           i, rng () % 100000, (unsigned) (i % 10000), (unsigned) (i % 10000),
                           rng () % 10000, rng () % 100, words[rng () % 6], words[rng () % 6],
                           rng () & 1 ? "true" : "false", rng () % 1000000, note);
          memcpy (line + head + json, "\n\n", 2);
          n = head + json + 2;
          fwrite (line, 1, n, out);
          bytes += n;
          data_bytes += json;
        }
      events = count;
    }
  else if (strcmp (workload, "large") == 0)
    {
      char *buf = g_malloc (LARGE_LINE + 8);

      for (i = 0; i < count; i++)
        {
          memcpy (buf, "data: ", 6);
          fill_text (buf + 6, LARGE_LINE);
          memcpy (buf + 6 + LARGE_LINE, "\n\n", 2);
          fwrite (buf, 1, LARGE_LINE + 8, out);
          bytes += LARGE_LINE + 8;
          data_bytes += LARGE_LINE;
        }
      events = count;
      g_free (buf);
    }
  else if (strcmp (workload, "crlf") == 0)
    {
      for (i = 0; i < count; i++)
        {
          n = snprintf (line, sizeof line,
                        "event: tick\r\ndata: line one %" G_GUINT64_FORMAT "\r\ndata: line two\r\n\r\n", i);
          fwrite (line, 1, n, out);
          bytes += n;
          /* "line one <i>" LF "line two" */
          data_bytes += (n - 13 - 6 - 2 - 16 - 2) + 1 + 8;
        }
      events = count;
    }
  else if (strcmp (workload, "drip") == 0)
    {
      char *buf = g_malloc (count + 8);

      memcpy (buf, "data: ", 6);
      fill_text (buf + 6, count);
      memcpy (buf + 6 + count, "\n\n", 2);
      fwrite (buf, 1, count + 8, out);
      bytes = count + 8;
      data_bytes = count;
      events = 1;
      g_free (buf);
    }
  else
    {
      fprintf (stderr, "unknown workload %s\n", workload);
      return 2;
    }

  if (fclose (out) != 0)
    {
      perror (argv[3]);
      return 1;
    }
  printf ("events=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " data_bytes=%" G_GUINT64_FORMAT "\n",
          events, bytes, data_bytes);
  return 0;
}
