/* bench-subscribers.c: a burst of raw subscribers against an SSE server
 *
 *   bench-subscribers --url http://127.0.0.1:PORT --pid PID --impl NAME
 *                     [--n 10000] [--path /subscribe] [--broadcasts 5]
 *
 * The load generator of the `server` set of bench/run: one process, raw
 * non-blocking sockets and epoll, so that it costs the server nothing but
 * the connections themselves, whichever server it measures (bench-server, or
 * the better-sse twin in node/better-sse-server.mjs).
 *
 *  1. Opens one subscriber and closes it (one-time costs of the server are
 *     not charged to the others), waits a moment, reads the server's RSS
 *     (/proc/PID/statm).
 *  2. Connects N sockets in one burst (N connect() calls in a row, then
 *     each sends its GET when it is connected) and records when each got
 *     the response headers of a 200 text/event-stream: *served*. A
 *     connection refused or reset, or a status other than 200, fails the
 *     run; SYNs that the server's accept queue dropped show as seconds
 *     (TCP retries after 1, 3, 7 s).
 *  3. Lets the N idle subscribers settle for a second, reads the RSS
 *     again: (RSS with N idle − RSS before) / N is the server's memory per
 *     idle subscriber.
 *  4. Asks URL/broadcast (a separate connection) for one event, several
 *     times, 200 ms apart. The server puts its CLOCK_MONOTONIC time in
 *     microseconds in the data ("<seq> <µs>"); each subscriber's receive
 *     time minus that is its delay. The run reports the median over the
 *     broadcasts of the p50 and of the maximum (the time to reach all N).
 *
 * Prints one "impl=NAME key=value …" line for bench/run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bench-common.h"

typedef enum {
  SUB_CONNECTING,
  SUB_HEADERS,
  SUB_OPEN,
  SUB_CLOSED,
} SubState;

typedef struct {
  int      fd;
  SubState state;
  guint    head_len;        /* bytes of the response head kept in @line */
  guint    line_len;        /* bytes of the current body line */
  char     line[512];
  gint64   served_us;       /* when the headers had arrived */
  guint    n_events;        /* broadcast events received */
} Sub;

typedef struct {
  struct sockaddr_in addr;
  const char        *request;
  gsize              request_len;
  int                epfd;
  Sub               *subs;
  guint              n;
  guint              served;
  guint              failed;
  /* The broadcast under way */
  guint              seq;
  guint              received;
  gint64            *delays;
} Bench;

static gint64
now_us (void)
{
  return bench_now_us ();
}

static void
sub_fail (Bench      *b,
          Sub        *s,
          const char *what)
{
  if (s->state == SUB_CLOSED)
    return;
  if (b->failed < 5)
    fprintf (stderr, "bench-subscribers: subscriber %u: %s\n", (guint) (s - b->subs), what);
  b->failed++;
  epoll_ctl (b->epfd, EPOLL_CTL_DEL, s->fd, NULL);
  close (s->fd);
  s->fd = -1;
  s->state = SUB_CLOSED;
}

static gboolean
sub_connect (Bench *b,
             Sub   *s)
{
  struct epoll_event ev = { 0 };

  s->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0)
    {
      perror ("bench-subscribers: socket");
      return FALSE;
    }
  s->state = SUB_CONNECTING;
  if (connect (s->fd, (struct sockaddr *) &b->addr, sizeof b->addr) < 0 && errno != EINPROGRESS)
    {
      sub_fail (b, s, g_strerror (errno));
      return TRUE;
    }
  ev.events = EPOLLOUT;
  ev.data.ptr = s;
  if (epoll_ctl (b->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
    {
      perror ("bench-subscribers: epoll_ctl");
      return FALSE;
    }
  return TRUE;
}

/* A body line: "data: <seq> <µs>" (or "data:<seq> <µs>": the space is
 * optional) of the broadcast under way counts. A chunked body's size lines
 * are lines too, and count for nothing. */
static void
sub_line (Bench      *b,
          Sub        *s,
          const char *line,
          gsize       len,
          gint64      now)
{
  const char *value;
  char *end;
  guint64 seq;
  gint64 sent;

  if (len < 5 || memcmp (line, "data:", 5) != 0)
    return;
  value = line[5] == ' ' ? line + 6 : line + 5;
  seq = g_ascii_strtoull (value, &end, 10);
  if (*end != ' ')
    return;
  sent = g_ascii_strtoll (end + 1, NULL, 10);
  if (end == value || seq != b->seq || s->n_events > seq)
    return;
  s->n_events = seq + 1;
  if (b->delays != NULL)
    b->delays[b->received] = now - sent;
  b->received++;
}

static void
sub_body (Bench      *b,
          Sub        *s,
          const char *data,
          gsize       len,
          gint64      now)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        {
          s->line[MIN (s->line_len, sizeof s->line - 1)] = '\0';
          sub_line (b, s, s->line, MIN (s->line_len, sizeof s->line - 1), now);
          s->line_len = 0;
        }
      else if (s->line_len < sizeof s->line - 1)
        s->line[s->line_len++] = data[i];
      else
        s->line_len++;
    }
}

static void
sub_readable (Bench *b,
              Sub   *s)
{
  char buf[4096];
  gssize n;

  while ((n = recv (s->fd, buf, sizeof buf, 0)) > 0)
    {
      gint64 now = now_us ();
      const char *p = buf;
      gsize len = n;

      if (s->state == SUB_HEADERS)
        {
          gsize take = MIN (len, sizeof s->line - 1 - s->head_len);
          char *end;

          memcpy (s->line + s->head_len, p, take);
          s->head_len += take;
          s->line[s->head_len] = '\0';
          end = strstr (s->line, "\r\n\r\n");
          if (end == NULL)
            {
              if (s->head_len == sizeof s->line - 1)
                sub_fail (b, s, "response head too long");
              continue;
            }
          if (strncmp (s->line, "HTTP/1.1 200", 12) != 0 ||
              g_strstr_len (s->line, end - s->line, "text/event-stream") == NULL)
            {
              *strchr (s->line, '\r') = '\0';
              sub_fail (b, s, s->line);
              return;
            }
          /* What came after the head is body. */
          p = buf + (take - (s->head_len - (end + 4 - s->line)));
          len = n - (p - buf);
          s->state = SUB_OPEN;
          s->served_us = now;
          s->head_len = 0;
          b->served++;
        }
      sub_body (b, s, p, len, now);
    }
  if (n == 0)
    sub_fail (b, s, "the server closed the connection");
  else if (errno != EAGAIN && errno != EWOULDBLOCK)
    sub_fail (b, s, g_strerror (errno));
}

static void
sub_writable (Bench *b,
              Sub   *s)
{
  struct epoll_event ev = { 0 };
  int err = 0;
  socklen_t len = sizeof err;

  getsockopt (s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0)
    {
      sub_fail (b, s, g_strerror (err));
      return;
    }
  /* The request is small: one send() takes it. */
  if (send (s->fd, b->request, b->request_len, MSG_NOSIGNAL) != (gssize) b->request_len)
    {
      sub_fail (b, s, "could not send the request");
      return;
    }
  s->state = SUB_HEADERS;
  ev.events = EPOLLIN;
  ev.data.ptr = s;
  epoll_ctl (b->epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Runs the event loop until @cond holds or @deadline (µs) passes. */
#define RUN_UNTIL(b, cond, deadline)                                     \
  G_STMT_START {                                                         \
    while (!(cond) && now_us () < (deadline))                            \
      poll_once ((b), (int) MAX (1, ((deadline) - now_us ()) / 1000));   \
  } G_STMT_END

static void
poll_once (Bench *b,
           int    timeout_ms)
{
  struct epoll_event events[256];
  int n, i;

  n = epoll_wait (b->epfd, events, G_N_ELEMENTS (events), MIN (timeout_ms, 50));
  for (i = 0; i < n; i++)
    {
      Sub *s = events[i].data.ptr;

      if (s->state == SUB_CLOSED)
        continue;
      if (s->state == SUB_CONNECTING)
        sub_writable (b, s);
      else
        sub_readable (b, s);
    }
}

/* One request on a connection of its own; returns the response body. */
static char *
http_get (const struct sockaddr_in *addr,
          const char               *path)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Connection: close\r\n\r\n", path);
  GString *response = g_string_new (NULL);
  char buf[4096];
  gssize n;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const char *body;

  if (fd < 0 || connect (fd, (const struct sockaddr *) addr, sizeof *addr) < 0 ||
      send (fd, request, strlen (request), MSG_NOSIGNAL) < 0)
    {
      if (fd >= 0)
        close (fd);
      g_string_free (response, TRUE);
      return NULL;
    }
  while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
    g_string_append_len (response, buf, n);
  close (fd);
  body = strstr (response->str, "\r\n\r\n");
  if (!g_str_has_prefix (response->str, "HTTP/1.1 200") || body == NULL)
    {
      g_string_free (response, TRUE);
      return NULL;
    }
  body = g_strdup (body + 4);
  g_string_free (response, TRUE);
  return (char *) body;
}

/* The server's resident set, in bytes. */
static gsize
server_rss (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/statm", pid);
  g_autofree char *contents = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      sscanf (contents, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static void
idle_for (Bench *b,
          guint  ms)
{
  gint64 until = now_us () + ms * 1000;

  RUN_UNTIL (b, FALSE, until);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *path = g_strdup ("/subscribe");
  g_autofree char *impl = g_strdup ("?");
  gint n = 10000, pid = 0, n_broadcasts = 5, timeout = 60;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "The server's base URL (http://127.0.0.1:PORT)", "URL" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &path, "The event stream's path (default /subscribe)", "PATH" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &pid, "The server's process id, for its RSS", "PID" },
    { "impl", 0, 0, G_OPTION_ARG_STRING, &impl, "Name of the server in the output", "NAME" },
    { "n", 0, 0, G_OPTION_ARG_INT, &n, "Subscribers (default 10000)", "N" },
    { "broadcasts", 0, 0, G_OPTION_ARG_INT, &n_broadcasts, "Broadcasts to time (default 5)", "K" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Give up on a step after this many seconds", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  double *p50s, *maxes, *served_ms, worst;
  Bench b = { 0 };
  gsize rss_before, rss_idle;
  gint64 start, last_served = 0, deadline;
  rlim_t nofile;
  guint i, k;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || url == NULL || pid <= 0 || n < 1 ||
      n_broadcasts < 1)
    {
      fprintf (stderr, "bench-subscribers: %s\n",
               error ? error->message : "--url and --pid are required");
      return 2;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL || g_uri_get_port (uri) <= 0)
    {
      fprintf (stderr, "bench-subscribers: --url wants http://127.0.0.1:PORT\n");
      return 2;
    }
  nofile = bench_raise_nofile ();
  if (nofile < (rlim_t) n + 64)
    {
      fprintf (stderr, "bench-subscribers: only %lu open files allowed\n", (unsigned long) nofile);
      return 1;
    }

  b.addr.sin_family = AF_INET;
  b.addr.sin_port = htons (g_uri_get_port (uri));
  if (inet_pton (AF_INET, g_uri_get_host (uri), &b.addr.sin_addr) != 1)
    {
      fprintf (stderr, "bench-subscribers: %s is not an IPv4 address\n", g_uri_get_host (uri));
      return 2;
    }
  b.request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\n\r\n",
                               path, g_uri_get_host (uri), g_uri_get_port (uri));
  b.request_len = strlen (b.request);
  b.epfd = epoll_create1 (EPOLL_CLOEXEC);
  b.subs = g_new0 (Sub, n + 1);

  /* 1. One subscriber, opened and closed. */
  b.n = 1;
  if (!sub_connect (&b, &b.subs[n]))
    return 1;
  RUN_UNTIL (&b, b.served == 1 || b.failed > 0, now_us () + (gint64) timeout * G_USEC_PER_SEC);
  if (b.served != 1)
    {
      fprintf (stderr, "bench-subscribers: the warm-up subscriber was not served\n");
      return 1;
    }
  epoll_ctl (b.epfd, EPOLL_CTL_DEL, b.subs[n].fd, NULL);
  close (b.subs[n].fd);
  b.subs[n].state = SUB_CLOSED;
  b.served = 0;
  idle_for (&b, 500);
  rss_before = server_rss (pid);

  /* 2. The burst. */
  b.n = n;
  start = now_us ();
  for (i = 0; i < (guint) n; i++)
    if (!sub_connect (&b, &b.subs[i]))
      return 1;
  deadline = start + (gint64) timeout * G_USEC_PER_SEC;
  RUN_UNTIL (&b, b.served + b.failed >= (guint) n, deadline);
  if (b.served < (guint) n)
    {
      fprintf (stderr, "bench-subscribers: %u of %d served, %u failed\n", b.served, n, b.failed);
      return 1;
    }
  served_ms = g_new (double, n);
  for (i = 0; i < (guint) n; i++)
    {
      last_served = MAX (last_served, b.subs[i].served_us);
      served_ms[i] = (b.subs[i].served_us - start) / 1000.0;
    }

  /* 3. Idle. */
  idle_for (&b, 1000);
  rss_idle = server_rss (pid);
  if (b.failed > 0)
    return 1;

  /* 4. Broadcasts. */
  b.delays = g_new (gint64, n);
  p50s = g_new (double, n_broadcasts);
  maxes = g_new (double, n_broadcasts);
  for (k = 0; k < (guint) n_broadcasts; k++)
    {
      g_autofree char *body = NULL;

      b.seq = k;
      b.received = 0;
      body = http_get (&b.addr, "/broadcast");
      if (body == NULL)
        {
          fprintf (stderr, "bench-subscribers: /broadcast failed\n");
          return 1;
        }
      RUN_UNTIL (&b, b.received + b.failed >= (guint) n,
                 now_us () + (gint64) timeout * G_USEC_PER_SEC);
      if (b.received < (guint) n)
        {
          fprintf (stderr, "bench-subscribers: broadcast %u reached %u of %d\n", k, b.received, n);
          return 1;
        }
      qsort (b.delays, n, sizeof (gint64), bench_cmp_gint64);
      p50s[k] = bench_percentile (b.delays, n, 50) / 1000.0;
      maxes[k] = b.delays[n - 1] / 1000.0;
      idle_for (&b, 200);
    }

  worst = 0;
  for (k = 0; k < (guint) n_broadcasts; k++)
    worst = MAX (worst, maxes[k]);
  printf ("impl=%s n=%d served=%u connect_p50_ms=%.1f connect_all_ms=%.1f rss_before_kib=%" G_GSIZE_FORMAT
          " rss_idle_kib=%" G_GSIZE_FORMAT " kib_per_subscriber=%.2f broadcast_p50_ms=%.2f"
          " broadcast_all_ms=%.2f broadcast_worst_ms=%.2f\n",
          impl, n, b.served, bench_median (served_ms, n), (last_served - start) / 1000.0,
          rss_before / 1024, rss_idle / 1024,
          ((double) rss_idle - (double) rss_before) / 1024.0 / n,
          bench_median (p50s, n_broadcasts), bench_median (maxes, n_broadcasts), worst);

  for (i = 0; i < (guint) n; i++)
    if (b.subs[i].state != SUB_CLOSED)
      close (b.subs[i].fd);
  g_free (b.subs);
  g_free (b.delays);
  g_free (p50s);
  g_free (maxes);
  g_free (served_ms);
  g_free ((char *) b.request);
  close (b.epfd);
  return 0;
}
