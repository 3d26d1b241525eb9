/* test-reconnect.c: the reconnection policy, without a server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The default backoff's bounds and jitter, when the attempt counter starts
 * again, when the source gives up, and the attempts that do not count.
 */

#include "config.h"

#include "sse-reconnect-private.h"

/* The default backoff, with a jitter from GLib's random numbers. */
static guint
random_backoff (guint attempt,
                guint reconnection_time,
                guint max_reconnection_time)
{
  return _sse_reconnect_backoff (attempt, reconnection_time, max_reconnection_time,
                                 g_random_int ());
}

static void
test_default_backoff (void)
{
  guint attempt, i;

  /* Exponential from the reconnection time, at most 1.5 times the base,
   * never below the reconnection time, capped. */
  for (attempt = 1; attempt <= 40; attempt++)
    for (i = 0; i < 50; i++)
      {
        guint delay = random_backoff (attempt, 100, 5000);
        guint64 base = MIN ((guint64) 100 << MIN (attempt - 1, 32), 5000);

        g_assert_cmpuint (delay, >=, base);
        g_assert_cmpuint (delay, <=, MIN (base + base / 2, 5000));
      }

  /* A server's reconnection time above the cap wins: never wait less. */
  for (i = 0; i < 50; i++)
    g_assert_cmpuint (random_backoff (1, 60000, 30000), ==, 60000);

  /* Huge values do not overflow. */
  g_assert_cmpuint (random_backoff (G_MAXUINT, G_MAXUINT, G_MAXUINT), ==,
                    G_MAXUINT);
  g_assert_cmpuint (random_backoff (1, 0, 0), ==, 0);

  /* "retry: 0": the first attempt at once, the later ones back off. */
  g_assert_cmpuint (random_backoff (1, 0, 30000), ==, 0);
  g_assert_cmpuint (random_backoff (2, 0, 30000), >=, 2);
  g_assert_cmpuint (random_backoff (12, 0, 30000), >=, 2048);
  g_assert_cmpuint (random_backoff (40, 0, 30000), ==, 30000);

  /* The jitter spreads clients: not every delay is the same. */
  {
    guint first = random_backoff (3, 1000, 30000);
    gboolean differs = FALSE;

    for (i = 0; i < 100 && !differs; i++)
      differs = random_backoff (3, 1000, 30000) != first;
    g_assert_true (differs);
  }
}

/* The jitter's range, exactly, from the extremes of the random number. */
static void
test_backoff_jitter_range (void)
{
  static const struct {
    guint attempt, reconnection_time, max;
    guint low, high;
  } cases[] = {
    { 1, 1000, 30000, 1000, 1500 },
    { 2, 1000, 30000, 2000, 3000 },
    { 5, 1000, 30000, 16000, 24000 },
    { 6, 1000, 30000, 30000, 30000 },    /* 32 s: capped, no room for jitter */
    { 5, 1000, 20000, 16000, 20000 },    /* the jitter is capped too */
    { 1, 3, 30000, 3, 4 },
    { 1, 0, 30000, 0, 0 },
    { 2, 0, 30000, 2, 3 },
    { 1, 60000, 30000, 60000, 60000 },   /* the server's time is above the cap */
    { 33, 1, G_MAXUINT, G_MAXUINT, G_MAXUINT },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint low = _sse_reconnect_backoff (cases[i].attempt, cases[i].reconnection_time,
                                          cases[i].max, 0);
      guint high = _sse_reconnect_backoff (cases[i].attempt, cases[i].reconnection_time,
                                           cases[i].max, G_MAXUINT32);
      guint mid = _sse_reconnect_backoff (cases[i].attempt, cases[i].reconnection_time,
                                          cases[i].max, G_MAXUINT32 / 2);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpuint (low, ==, cases[i].low);
      g_assert_cmpuint (high, ==, cases[i].high);
      g_assert_cmpuint (mid, >=, low);
      g_assert_cmpuint (mid, <=, high);
    }
}

static void
test_healthy (void)
{
  /* Never opened: never healthy, however long ago it started. */
  g_assert_false (_sse_reconnect_was_healthy (0, G_GINT64_CONSTANT (1) << 40, 5000));
  g_assert_false (_sse_reconnect_was_healthy (1000000, 1000000 + 4999999, 5000));
  g_assert_true (_sse_reconnect_was_healthy (1000000, 1000000 + 5000000, 5000));
  g_assert_true (_sse_reconnect_was_healthy (1000000, 1000000 + 9000000, 5000));
  /* A healthy time of 0: any connection that opened was healthy. */
  g_assert_true (_sse_reconnect_was_healthy (1000000, 1000000, 0));
}

static void
test_next_and_give_up (void)
{
  SseReconnectCount count = { 0, 0 };
  SseReconnectCount next = { 0, 0 };
  guint i;

  /* No limit: attempts go on counting. */
  for (i = 1; i <= 100; i++)
    {
      g_assert_true (_sse_reconnect_next (&count, TRUE, -1, &next));
      g_assert_cmpuint (next.attempt, ==, i);
      g_assert_cmpuint (next.counted, ==, i);
      count = next;
    }

  /* At most 3: the fourth is refused, and the count is left alone. */
  count = (SseReconnectCount) { 0, 0 };
  for (i = 1; i <= 3; i++)
    {
      g_assert_true (_sse_reconnect_next (&count, TRUE, 3, &next));
      count = next;
    }
  next = (SseReconnectCount) { 77, 77 };
  g_assert_false (_sse_reconnect_next (&count, TRUE, 3, &next));
  g_assert_cmpuint (next.attempt, ==, 77);
  g_assert_cmpuint (count.attempt, ==, 3);

  /* 0: never reconnect. */
  count = (SseReconnectCount) { 0, 0 };
  g_assert_false (_sse_reconnect_next (&count, TRUE, 0, &next));
}

static void
test_offline_attempts (void)
{
  SseReconnectCount count = { 0, 0 };
  SseReconnectCount next;
  guint i;

  /* While the network is down, attempts are numbered (the delays grow)
   * but do not count towards the limit. */
  for (i = 1; i <= 10; i++)
    {
      g_assert_true (_sse_reconnect_next (&count, FALSE, 2, &next));
      g_assert_cmpuint (next.attempt, ==, i);
      g_assert_cmpuint (next.counted, ==, 0);
      count = next;
    }

  /* Back online: two more, then the limit. */
  g_assert_true (_sse_reconnect_next (&count, TRUE, 2, &next));
  count = next;
  g_assert_true (_sse_reconnect_next (&count, TRUE, 2, &next));
  count = next;
  g_assert_cmpuint (count.attempt, ==, 12);
  g_assert_cmpuint (count.counted, ==, 2);
  g_assert_false (_sse_reconnect_next (&count, TRUE, 2, &next));
  /* Offline again, it may go on. */
  g_assert_true (_sse_reconnect_next (&count, FALSE, 2, &next));
}

/* After progress, the reconnection time exactly, whatever the attempt and
 * the random number; otherwise the backoff. */
static void
test_delay_after_progress (void)
{
  guint32 randoms[] = { 0, 1, G_MAXUINT32 / 2, G_MAXUINT32 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (randoms); i++)
    {
      g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_PROGRESS, 1, 10, 30000, randoms[i]),
                        ==, 10);
      g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_PROGRESS, 1, 0, 30000, randoms[i]),
                        ==, 0);
      g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_PROGRESS, 1, 60000, 30000,
                                              randoms[i]), ==, 60000);
      g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_HEALTHY, 1, 1000, 30000, randoms[i]),
                        ==, _sse_reconnect_backoff (1, 1000, 30000, randoms[i]));
      g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_NOTHING, 3, 1000, 30000, randoms[i]),
                        ==, _sse_reconnect_backoff (3, 1000, 30000, randoms[i]));
    }
  /* With jitter when nothing was achieved: the extremes differ. */
  g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_NOTHING, 1, 1000, 30000, 0), ==, 1000);
  g_assert_cmpuint (_sse_reconnect_delay (SSE_RECONNECT_NOTHING, 1, 1000, 30000, G_MAXUINT32), ==,
                    1500);
}

static void
test_reset_rules (void)
{
  SseReconnectCount count = { 5, 4 };

  _sse_reconnect_ended (&count, SSE_RECONNECT_NOTHING);
  g_assert_cmpuint (count.attempt, ==, 5);
  g_assert_cmpuint (count.counted, ==, 4);
  _sse_reconnect_ended (&count, SSE_RECONNECT_HEALTHY);
  g_assert_cmpuint (count.attempt, ==, 0);
  g_assert_cmpuint (count.counted, ==, 0);
  count = (SseReconnectCount) { 9, 9 };
  _sse_reconnect_ended (&count, SSE_RECONNECT_PROGRESS);
  g_assert_cmpuint (count.attempt, ==, 0);
  g_assert_cmpuint (count.counted, ==, 0);
}

static void
test_next_request (void)
{
  static const struct {
    SseReconnectMode    mode;
    const char         *method;
    gboolean            server_error;
    gboolean            was_resume;
    gboolean            has_id;
    SseReconnectRequest next;
  } cases[] = {
    /* AUTO: GET and HEAD again, nothing else. */
    { SSE_RECONNECT_MODE_AUTO, "GET", FALSE, FALSE, FALSE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_AUTO, "HEAD", FALSE, FALSE, TRUE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_AUTO, "POST", FALSE, FALSE, TRUE, SSE_RECONNECT_CLOSE },
    { SSE_RECONNECT_MODE_AUTO, "REPORT", FALSE, FALSE, FALSE, SSE_RECONNECT_CLOSE },
    /* RESEND: anything, again. */
    { SSE_RECONNECT_MODE_RESEND, "POST", FALSE, FALSE, FALSE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_RESEND, "GET", FALSE, FALSE, TRUE, SSE_RECONNECT_TEMPLATE },
    /* RESUME_GET: a GET, with something to resume from. */
    { SSE_RECONNECT_MODE_RESUME_GET, "POST", FALSE, FALSE, TRUE, SSE_RECONNECT_RESUME },
    { SSE_RECONNECT_MODE_RESUME_GET, "POST", FALSE, FALSE, FALSE, SSE_RECONNECT_CLOSE },
    { SSE_RECONNECT_MODE_RESUME_GET, "POST", FALSE, TRUE, TRUE, SSE_RECONNECT_RESUME },
    { SSE_RECONNECT_MODE_RESUME_GET, "GET", FALSE, FALSE, FALSE, SSE_RECONNECT_CLOSE },
    /* NEVER. */
    { SSE_RECONNECT_MODE_NEVER, "GET", FALSE, FALSE, TRUE, SSE_RECONNECT_CLOSE },
    /* A server error before any stream: the same request, in every mode. */
    { SSE_RECONNECT_MODE_AUTO, "POST", TRUE, FALSE, FALSE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_NEVER, "GET", TRUE, FALSE, FALSE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_RESUME_GET, "POST", TRUE, FALSE, FALSE, SSE_RECONNECT_TEMPLATE },
    { SSE_RECONNECT_MODE_RESUME_GET, "POST", TRUE, TRUE, TRUE, SSE_RECONNECT_RESUME },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (_sse_reconnect_next_request (cases[i].mode, cases[i].method,
                                                    cases[i].server_error, cases[i].was_resume,
                                                    cases[i].has_id), ==, cases[i].next);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reconnect/backoff/default", test_default_backoff);
  g_test_add_func ("/reconnect/backoff/jitter-range", test_backoff_jitter_range);
  g_test_add_func ("/reconnect/healthy", test_healthy);
  g_test_add_func ("/reconnect/next-and-give-up", test_next_and_give_up);
  g_test_add_func ("/reconnect/offline-attempts", test_offline_attempts);
  g_test_add_func ("/reconnect/delay-after-progress", test_delay_after_progress);
  g_test_add_func ("/reconnect/reset-rules", test_reset_rules);
  g_test_add_func ("/reconnect/next-request", test_next_request);

  return g_test_run ();
}
