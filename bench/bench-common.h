/* bench-common.h: small helpers shared by the benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

/* Nanoseconds on CLOCK_MONOTONIC, for timing passes. */
static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Microseconds on CLOCK_MONOTONIC: the clock that g_get_monotonic_time()
 * and Node's process.hrtime() read on Linux, so timestamps can cross
 * processes on the same machine. */
static inline gint64
bench_now_us (void)
{
  return bench_now_ns () / 1000;
}

static inline int
bench_cmp_double (const void *a,
                  const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static inline int
bench_cmp_gint64 (const void *a,
                  const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* The median of @n values; sorts them. */
static inline double
bench_median (double *v,
              gsize   n)
{
  qsort (v, n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @p-th percentile (nearest rank) of @n sorted values. */
static inline gint64
bench_percentile (const gint64 *sorted,
                  gsize         n,
                  double        p)
{
  gsize rank;

  if (n == 0)
    return 0;
  rank = (gsize) (p / 100.0 * n + 0.999999);
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return sorted[rank - 1];
}

/* Resident set size of this process in bytes, from /proc/self/statm. */
static inline gsize
bench_rss_bytes (void)
{
  unsigned long size = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%lu %lu", &size, &resident) != 2)
    resident = 0;
  fclose (f);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

/* Raises the soft limit of open files to the hard one; returns the new
 * soft limit. */
static inline rlim_t
bench_raise_nofile (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
        getrlimit (RLIMIT_NOFILE, &rl);
    }
  return rl.rlim_cur;
}
