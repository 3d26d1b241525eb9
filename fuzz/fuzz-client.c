/* fuzz-client.c: SseEventSource against a server that answers any bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A loopback server in the same process and main context answers every
 * request of an SseEventSource with bytes from the input, status line and
 * headers included, split into writes as the input says, and then closes
 * the connection, resets it, or keeps it for the next request. The source
 * runs until it is closed; what it emits on the way is checked against its
 * documentation.
 *
 * The input is five header bytes, then the answers:
 *
 *   byte 0   bits 0-1: max-reconnect-attempts (0, 1, 2, 2);
 *            bit 2: retry-on-server-error;
 *            bit 3: the request is a POST with a body (else a GET)
 *   byte 1   bits 0-3: max-event-size, from sizes[] (0 = the default)
 *   byte 2   bits 0-2: what a handler does, from actions[]: nothing, or
 *            close the source or drop it in the n-th handler of a kind;
 *            bit 3: timeouts: a connect-timeout and a read-timeout of
 *            TIMEOUT_MS, and connections the server keeps stay open until
 *            they fire (see "Quiet" below)
 *   byte 3   bits 0-3: n, for the action (counted from 0)
 *   byte 4   bit 0: last-event-id is set before opening ("seed", or
 *            invalid UTF-8 with bit 1); bit 2: the request template has
 *            SOUP_MESSAGE_NO_REDIRECT; bit 3: the default backoff (else a
 *            backoff function that returns 0)
 *
 * Only the low four bits of a header byte count (digits '0'-'9' and
 * ":;<=>?" spell 0-15); the high bits of all five seed the chunking.
 *
 * Then come the answers, separated by SEPARATOR ("@@NEXT@@"). Request k of
 * the run gets answer k, the last one every later request. An answer is one
 * mode byte, then the bytes to send, in which every "$ORIGIN" is replaced by
 * the server's "http://127.0.0.1:PORT":
 *
 *   mode     bits 0-1: after the answer, close the connection (0 and 3),
 *            keep it for the next request (1), or reset it (2, RST);
 *            bits 2-3: the writes: all at once, or random pieces of at
 *            most 3, 16 or 256 bytes, the client reading between them
 *
 * So "00000" then "0HTTP/1.1 200 OK\r\n..." is a GET, no reconnection,
 * default limits, no action, one answer sent at once and closed.
 *
 * Every connection the client makes, whatever the host in a redirect, goes
 * to the loopback server (the session's remote-connectable), so nothing
 * leaves the process; GIO's TLS backend is its built-in dummy one, so an
 * https: redirect fails at once (see LLVMFuzzerInitialize()). The session
 * is shared by all inputs; each input ends with soup_session_abort() and
 * every connection closed on both sides.
 *
 * FUZZ_CLIENT_TRACE=1 in the environment prints what happens in each run.
 *
 * Quiet: when nothing is ready in the main context, the harness moves
 * things on the way a patient peer would: a source that waits to
 * reconnect (a long Retry-After, a long retry:) is opened again, which
 * reconnects at once; without the timeouts bit, the server closes the
 * connections it keeps. Then every run ends by itself in a few
 * milliseconds; DEADLINE_MS without an end is a hang, reported as a crash.
 *
 * Checked, with the documentation of SseEventSource as the oracle:
 *  - status: only CLOSED -> CONNECTING (in open()), CONNECTING -> OPEN,
 *    RECONNECTING or CLOSED, OPEN -> RECONNECTING or CLOSED, RECONNECTING
 *    -> CONNECTING or CLOSED; notified only when it changes; OPEN only
 *    when the message that answered has 200 and a text/event-stream
 *    content type (the essence checked here again); CLOSED, when the
 *    harness did not close, right after an error;
 *  - error: documented domains and codes only (SSE_ERROR, G_IO_ERROR but
 *    G_IO_ERROR_CANCELLED, G_TLS_ERROR, G_RESOLVER_ERROR,
 *    SOUP_SESSION_ERROR), a non-empty message in UTF-8 without control
 *    characters (servers choose some of its text), emitted while the
 *    status is still CONNECTING or OPEN; an error that ends an attempt is
 *    followed by the status change it explains and nothing else (CLOSED
 *    for refused answers, content types and redirect errors, RECONNECTING
 *    or too-many-attempts otherwise); SSE_ERROR_HTTP_STATUS only for a
 *    status other than 200 that is not a redirect followed, naming it;
 *    SSE_ERROR_CONTENT_TYPE only for a 200; SSE_ERROR_EVENT_TOO_LARGE only
 *    while OPEN with a limit; SSE_ERROR_TOO_MANY_ATTEMPTS exactly after
 *    max-reconnect-attempts + 1 attempts in a row without progress;
 *  - events and comments only while OPEN and before any error that ended
 *    the attempt; an event's id is its last event ID, which is the
 *    source's last-event-id, notified before; the origin is that of the
 *    URL that answered; a retry in the event is the reconnection time;
 *    every event reads back equal after encoding; types, ids and comments
 *    are clean; handlers connected to "event::update" and "event::message"
 *    run exactly for the events of those types; an event the harness keeps
 *    a reference to (every other one) does not change afterwards;
 *  - requests: prepare-request once per attempt, at most
 *    max-reconnect-attempts + 1 of them in a row without progress, with
 *    Last-Event-ID exactly the last event ID (none when empty); at most
 *    20 redirects per attempt,
 *    each with the method the Fetch rules give, and without Authorization
 *    or Cookie once a redirect left the origin; every request head on the
 *    wire has CRLF line ends only and at most one Last-Event-ID;
 *  - the backoff function gets the attempt number and the reconnection
 *    time; reconnect-attempt never passes max-reconnect-attempts, and
 *    counts from 1 again after an attempt that delivered an event or
 *    changed the last event ID (a POST is sent with
 *    SSE_RECONNECT_MODE_RESEND);
 *  - after CLOSED, after close() from a handler, and after a handler
 *    dropped the source, nothing more is emitted; the source is finalized
 *    when the harness lets it go; no file descriptor is left open, and
 *    LeakSanitizer sees every allocation.
 */

#include "config.h"

#include <dirent.h>
#include <sys/socket.h>

#include <sse-glib/sse-glib.h>

#include "sse-event-source-private.h"
#include "fuzz-common.h"
#include "fuzz-events.h"
#include "test-network-monitor.h"

#define HEADER_LEN 5
#define SEPARATOR "@@NEXT@@"
#define ORIGIN_TOKEN "$ORIGIN"
#define TIMEOUT_MS 5
#define DEADLINE_MS 20000
#define MAX_REDIRECTS 20
#define MAX_REQUESTS 256
#define MAX_ATTEMPTS 12

static const guint64 sizes[16] = {
  SSE_PARSER_DEFAULT_MAX_EVENT_SIZE, 0, 1, 2, 8, 16, 17, 64,
  100, 255, 1024, 4096, 65536, 3, 31, 128,
};

static const guint chunk_limits[4] = { 0, 3, 16, 256 };

typedef enum {
  ACTION_NONE,
  ACTION_CLOSE_IN_EVENT,
  ACTION_DROP_IN_EVENT,
  ACTION_CLOSE_IN_COMMENT,
  ACTION_CLOSE_IN_ERROR,
  ACTION_DROP_IN_ERROR,
  ACTION_CLOSE_IN_STATUS,
  ACTION_DROP_IN_STATUS,
} Action;

typedef enum {
  END_CLOSE,
  END_KEEP,
  END_RESET,
} End;

static const char seed_id[] = "seed";
static const char seed_id_invalid[] = "\xff\xfeseed\xc3";
static const char request_body[] = "{\"stream\":true}";

typedef struct _Run Run;

/* What lives as long as the process -------------------------------------- */

static struct {
  GMainContext    *context;
  SoupSession     *session;
  GNetworkMonitor *monitor;
  GSocket         *listener;
  GSource         *accept_source;
  char            *origin;     /* http://127.0.0.1:PORT */
  GUri            *url;        /* origin + /events?token=secret */
  Run             *run;        /* the input under way */
  gboolean         trace;
  gboolean         warming;
} fuzz;

#define TRACE(...)                                                      \
  G_STMT_START {                                                        \
    if (G_UNLIKELY (fuzz.trace))                                        \
      g_printerr ("# " __VA_ARGS__);                                    \
  } G_STMT_END

/* One input -------------------------------------------------------------- */

typedef struct {
  GBytes *bytes;
  End     end;
  guint   max_chunk;   /* 0: all at once */
} Answer;

typedef enum {
  CONN_READING,
  CONN_WRITING,
  CONN_CLOSED,
} ConnState;

typedef struct {
  Run          *run;
  GSocket      *socket;
  GSource      *watch;
  ConnState     state;
  GByteArray   *in;
  const Answer *answer;
  gsize         sent;
} Conn;

struct _Run
{
  /* From the input */
  GPtrArray      *answers;        /* Answer */
  gint            max_attempts;
  gboolean        retry_server_errors;
  gboolean        post;
  guint64         max_event_size;
  Action          action;
  guint           action_n;
  gboolean        timeouts;
  const char     *seed;
  gboolean        no_redirect;
  gboolean        default_backoff;
  guint32         rng;

  /* The server */
  GPtrArray      *conns;          /* Conn */
  guint           n_requests;

  /* The client */
  SseEventSource *source;         /* NULL once dropped */
  SseEventSource *weak;           /* cleared when finalized */
  SseStatus       status;         /* as notified */
  gboolean        in_open;        /* within sse_event_source_open() */
  gboolean        in_close;       /* within sse_event_source_close() */
  gboolean        pending_closed; /* its notification is yet to come */
  gboolean        over;           /* closed, or dropped: nothing more may come */
  gboolean        dropped;
  char           *last_event_id;  /* as notified */

  /* The attempt */
  guint           n_attempts;     /* prepare-request emissions */
  gboolean        progress;       /* this attempt gave an event or a last event ID */
  guint           reconnection;   /* the number of the reconnection under way (0:
                                   * the first attempt), counted from 1 again
                                   * after an attempt that made progress */
  guint           n_sent;         /* requests queued in this attempt */
  SoupMessage    *msg;            /* the last one */
  gboolean        crossed;        /* a redirect left the origin */
  char           *attempt_id;     /* Last-Event-ID it sends, or NULL */

  /* Errors and what must follow them */
  gboolean        ended;          /* an error ended the attempt: a status
                                   * change must come next */
  int             must_close;     /* then: 1 CLOSED, 0 RECONNECTING, -1 either */
  gboolean        too_many;

  /* Events of the types with a detailed handler, as that handler and the
   * generic one counted them */
  guint           n_detailed;
  guint           n_detailed_expected;

  /* An event the harness keeps, with what it held when delivered */
  SseEvent       *kept;
  SseEvent       *kept_copy;
  char           *kept_last_event_id;
  char           *kept_origin;

  /* Counts, for the actions and the trace */
  guint           n_events;
  guint           n_comments;
  guint           n_errors;
  guint           n_status;
  guint           last_backoff;
  gboolean        backoff_called;
};

/* Oracles ---------------------------------------------------------------- */

/* The number of the reconnection after the attempt under way: 1 after an
 * attempt that delivered an event or changed the last event ID (no
 * connection here stays open long enough to count as healthy), the next
 * one otherwise. */
static guint
next_reconnection (Run *run)
{
  return run->progress ? 1 : run->reconnection + 1;
}

/* The MIME type essence is text/event-stream: what comes before any
 * parameter, without the whitespace HTTP allows around it, in any case. */
static gboolean
oracle_is_event_stream (const char *value)
{
  gsize start = 0, end;

  if (value == NULL)
    return FALSE;
  end = strcspn (value, ";");
  while (start < end && (value[start] == ' ' || value[start] == '\t'))
    start++;
  while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
    end--;
  return end - start == strlen ("text/event-stream") &&
         g_ascii_strncasecmp (value + start, "text/event-stream", end - start) == 0;
}

static char *
oracle_origin (GUri *uri)
{
  g_autofree char *scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  g_autofree char *host = g_ascii_strdown (g_uri_get_host (uri), -1);
  int port = g_uri_get_port (uri);
  int default_port = g_str_equal (scheme, "https") ? 443 : 80;
  GString *origin = g_string_new (scheme);

  g_string_append (origin, "://");
  if (strchr (host, ':') != NULL)
    g_string_append_printf (origin, "[%s]", host);
  else
    g_string_append (origin, host);
  if (port != -1 && port != default_port)
    g_string_append_printf (origin, ":%d", port);
  return g_string_free (origin, FALSE);
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static const char *
status_name (SseStatus status)
{
  static const char *names[] = { "CONNECTING", "OPEN", "RECONNECTING", "CLOSED" };

  return status <= SSE_STATUS_CLOSED ? names[status] : "?";
}

/* Nothing may come: the source was closed, or let go. */
static void
check_live (Run        *run,
            const char *what)
{
  FUZZ_CHECK (!run->over, "%s after the source was %s", what,
              run->dropped ? "dropped" : "closed");
}

/* The server ------------------------------------------------------------- */

static void conn_watch (Conn *conn, GIOCondition condition, int priority);

static void
conn_close (Conn     *conn,
            gboolean  reset)
{
  if (conn->state == CONN_CLOSED)
    return;

  if (reset)
    {
      struct linger linger = { 1, 0 };

      setsockopt (g_socket_get_fd (conn->socket), SOL_SOCKET, SO_LINGER,
                  &linger, sizeof linger);
    }
  if (conn->watch != NULL)
    {
      g_source_destroy (conn->watch);
      g_clear_pointer (&conn->watch, g_source_unref);
    }
  g_socket_close (conn->socket, NULL);
  conn->state = CONN_CLOSED;
}

static void
conn_free (gpointer data)
{
  Conn *conn = data;

  conn_close (conn, FALSE);
  g_object_unref (conn->socket);
  g_byte_array_unref (conn->in);
  g_free (conn);
}

/* Where a request ends in @data: after its head and its body, or 0 when it
 * is not all there. A TLS handshake (a redirect to https: goes here too)
 * counts as a request, so that the client gets an answer at once. */
static gsize
request_length (const guint8 *data,
                gsize         len,
                gsize        *head_len)
{
  gsize i, head = 0;
  guint64 body = 0;
  const char *p;

  if (len > 0 && data[0] == 0x16)
    {
      *head_len = 0;
      return len;
    }

  for (i = 0; i + 4 <= len; i++)
    if (memcmp (data + i, "\r\n\r\n", 4) == 0)
      {
        head = i + 4;
        break;
      }
  if (head == 0)
    return 0;

  for (p = (const char *) data; p < (const char *) data + head; p++)
    {
      if ((p == (const char *) data || p[-1] == '\n') &&
          (const char *) data + head - p > 15 &&
          g_ascii_strncasecmp (p, "Content-Length:", 15) == 0)
        body = g_ascii_strtoull (p + 15, NULL, 10);
    }
  FUZZ_CHECK (body < 1024 * 1024, "a request body of %" G_GUINT64_FORMAT " bytes", body);

  *head_len = head;
  return len - head >= body ? head + body : 0;
}

/* The head of a request, as the client wrote it. */
static void
check_request_head (const guint8 *data,
                    gsize         len)
{
  const char *head = (const char *) data;
  const char *line = head, *end = head + len - 2;   /* before the last CRLF */
  guint n_last_event_id = 0;

  FUZZ_CHECK (memchr (data, '\0', len) == NULL, "a NUL byte in a request head");
  while (line < end)
    {
      const char *eol = g_strstr_len (line, end - line, "\r\n");
      gsize n;

      FUZZ_CHECK (eol != NULL, "a request head line without CRLF");
      n = eol - line;
      FUZZ_CHECK (memchr (line, '\r', n) == NULL && memchr (line, '\n', n) == NULL,
                  "a stray CR or LF in a request head line: header injection");
      if (n >= 14 && g_ascii_strncasecmp (line, "Last-Event-ID:", 14) == 0)
        n_last_event_id++;
      line = eol + 2;
    }
  FUZZ_CHECK (n_last_event_id <= 1, "%u Last-Event-ID headers in one request", n_last_event_id);
}

static void
conn_start_answer (Conn *conn)
{
  Run *run = conn->run;

  FUZZ_CHECK (run->n_requests < MAX_REQUESTS, "more than %d requests in one run", MAX_REQUESTS);
  conn->answer = g_ptr_array_index (run->answers, MIN (run->n_requests, run->answers->len - 1));
  run->n_requests++;
  conn->sent = 0;
  conn->state = CONN_WRITING;
  TRACE ("server: request %u, answering %" G_GSIZE_FORMAT " bytes\n", run->n_requests,
         g_bytes_get_size (conn->answer->bytes));
  /* At a lower priority than the client's I/O, so that it reads each
   * piece before the next one is written. */
  conn_watch (conn, G_IO_OUT, G_PRIORITY_LOW);
}

/* Answers the requests that are all there. */
static void
conn_process (Conn *conn)
{
  gsize total, head;

  if (conn->state != CONN_READING)
    return;

  total = request_length (conn->in->data, conn->in->len, &head);
  if (total == 0)
    return;

  if (head > 0)
    check_request_head (conn->in->data, head);
  g_byte_array_remove_range (conn->in, 0, total);
  conn_start_answer (conn);
}

static void
conn_answered (Conn *conn)
{
  switch (conn->answer->end)
    {
    case END_KEEP:
      conn->state = CONN_READING;
      conn_watch (conn, G_IO_IN, G_PRIORITY_DEFAULT);
      conn_process (conn);
      break;
    case END_RESET:
      conn_close (conn, TRUE);
      break;
    case END_CLOSE:
    default:
      conn_close (conn, FALSE);
      break;
    }
}

static gboolean
conn_ready (GSocket      *socket,
            GIOCondition  condition,
            gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;

  if (conn->state == CONN_READING)
    {
      guint8 buffer[4096];
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          /* The client closed the connection, or reset it. */
          conn_close (conn, FALSE);
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (conn->in, buffer, n);
      FUZZ_CHECK (conn->in->len < 1024 * 1024, "a request head of over 1 MiB");
      conn_process (conn);
      return G_SOURCE_CONTINUE;
    }

  if (conn->state == CONN_WRITING)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (conn->answer->bytes, &len);
      gsize n = len - conn->sent;
      gssize written;

      if (conn->answer->max_chunk != 0)
        {
          gsize piece = 1 + fuzz_rand (&conn->run->rng) % conn->answer->max_chunk;

          n = MIN (n, piece);
        }
      if (n > 0)
        {
          written = g_socket_send (socket, (const char *) data + conn->sent, n, NULL, &error);
          if (written < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;
          if (written < 0)
            {
              /* The client went away. */
              conn_close (conn, FALSE);
              return G_SOURCE_REMOVE;
            }
          conn->sent += written;
        }
      if (conn->sent == len)
        conn_answered (conn);
      return G_SOURCE_CONTINUE;
    }

  return G_SOURCE_REMOVE;
}

static void
conn_watch (Conn         *conn,
            GIOCondition  condition,
            int           priority)
{
  if (conn->watch != NULL)
    {
      g_source_destroy (conn->watch);
      g_source_unref (conn->watch);
    }
  conn->watch = g_socket_create_source (conn->socket, condition | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_priority (conn->watch, priority);
  g_source_set_callback (conn->watch, G_SOURCE_FUNC (conn_ready), conn, NULL);
  g_source_attach (conn->watch, fuzz.context);
}

static gboolean
on_accept (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (listener, NULL, &error);
      Conn *conn;

      if (socket == NULL)
        break;

      if (fuzz.run == NULL)
        {
          /* Left over from an input that is over. */
          g_socket_close (socket, NULL);
          g_object_unref (socket);
          continue;
        }

      g_socket_set_blocking (socket, FALSE);
      conn = g_new0 (Conn, 1);
      conn->run = fuzz.run;
      conn->socket = socket;
      conn->in = g_byte_array_new ();
      conn->state = CONN_READING;
      g_ptr_array_add (fuzz.run->conns, conn);
      TRACE ("server: connection %u\n", fuzz.run->conns->len);
      conn_watch (conn, G_IO_IN, G_PRIORITY_DEFAULT);
    }
  return G_SOURCE_CONTINUE;
}

/* Closes the connections the server still has; returns whether there was
 * any. */
static gboolean
server_hang_up (Run *run)
{
  gboolean any = FALSE;
  guint i;

  for (i = 0; i < run->conns->len; i++)
    {
      Conn *conn = g_ptr_array_index (run->conns, i);

      if (conn->state != CONN_CLOSED)
        {
          TRACE ("server: hanging up connection %u\n", i + 1);
          conn_close (conn, FALSE);
          any = TRUE;
        }
    }
  return any;
}

/* The client's signals --------------------------------------------------- */

static void
close_in_handler (Run *run)
{
  TRACE ("client: closing from a handler\n");
  run->in_close = TRUE;
  sse_event_source_close (run->source);
  run->in_close = FALSE;
  FUZZ_CHECK (sse_event_source_get_status (run->source) == SSE_STATUS_CLOSED,
              "close() left the status %s",
              status_name (sse_event_source_get_status (run->source)));
  /* From a notify handler, the notification of CLOSED comes when the
   * handler returns ("notify" does not recurse); nothing else may. */
  run->pending_closed = run->status != SSE_STATUS_CLOSED;
  run->over = TRUE;
}

static void
do_action (Run    *run,
           Action  close_action,
           Action  drop_action,
           guint   count)
{
  if (run->action == ACTION_NONE ||
      (run->action != close_action && run->action != drop_action))
    return;
  if (count != run->action_n || run->source == NULL)
    return;

  if (run->action == close_action)
    close_in_handler (run);
  else
    {
      TRACE ("client: dropping the source from a handler\n");
      run->over = TRUE;
      run->dropped = TRUE;
      g_clear_object (&run->source);
    }
}

static void
check_clean (const char *what,
             const char *s)
{
  FUZZ_CHECK (fuzz_is_clean_field (s, strlen (s)), "%s is not clean", what);
}

/* An event is the application's for as long as it keeps a reference: the
 * events that follow must not change it. */
static void
check_kept (Run *run)
{
  g_autoptr(GBytes) bytes = NULL;

  if (run->kept == NULL)
    return;

  FUZZ_CHECK (sse_event_equal (run->kept, run->kept_copy) &&
              g_str_equal (sse_event_get_event_type (run->kept),
                           sse_event_get_event_type (run->kept_copy)) &&
              g_str_equal (sse_event_get_last_event_id (run->kept), run->kept_last_event_id) &&
              g_str_equal (sse_event_get_origin (run->kept), run->kept_origin),
              "an event the application kept changed after it was delivered");
  bytes = sse_event_get_data_bytes (run->kept);
  FUZZ_CHECK (g_bytes_get_size (bytes) == sse_event_get_data_length (run->kept_copy) &&
              memcmp (g_bytes_get_data (bytes, NULL), sse_event_get_data (run->kept_copy),
                      g_bytes_get_size (bytes)) == 0,
              "the data bytes of a kept event changed");
}

static void
keep (Run      *run,
      SseEvent *event)
{
  g_clear_pointer (&run->kept, sse_event_unref);
  g_clear_pointer (&run->kept_copy, sse_event_unref);
  g_clear_pointer (&run->kept_last_event_id, g_free);
  g_clear_pointer (&run->kept_origin, g_free);
  if (event == NULL)
    return;

  run->kept = sse_event_ref (event);
  run->kept_copy = sse_event_new_full (sse_event_get_event_type (event),
                                       sse_event_get_data (event),
                                       sse_event_get_data_length (event),
                                       sse_event_get_id (event),
                                       sse_event_get_retry (event));
  run->kept_last_event_id = g_strdup (sse_event_get_last_event_id (event));
  run->kept_origin = g_strdup (sse_event_get_origin (event));
}

/* Connected to "event::update" and "event::message", before the generic
 * handler, so that it runs first for each event. */
static void
on_event_detailed (SseEventSource *source,
                   SseEvent       *event,
                   Run            *run)
{
  const char *type = sse_event_get_event_type (event);

  FUZZ_CHECK (g_str_equal (type, "update") || g_str_equal (type, "message"),
              "a detailed handler ran for an event of type '%s'", type);
  run->n_detailed++;
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          Run            *run)
{
  const char *id = sse_event_get_id (event);
  const char *last = sse_event_get_last_event_id (event);
  const char *data = sse_event_get_data (event);
  gsize data_len = sse_event_get_data_length (event);
  const char *origin = sse_event_get_origin (event);
  gint64 retry = sse_event_get_retry (event);
  g_autofree char *expected_origin = NULL;

  check_live (run, "an event");
  FUZZ_CHECK (run->status == SSE_STATUS_OPEN, "an event while %s", status_name (run->status));
  FUZZ_CHECK (!run->ended, "an event after the error that ended the attempt");
  TRACE ("client: event '%s', %" G_GSIZE_FORMAT " bytes, id %s\n",
         sse_event_get_event_type (event), data_len, id != NULL ? id : "(none)");

  check_clean ("an event type", sse_event_get_event_type (event));
  FUZZ_CHECK (*sse_event_get_event_type (event) != '\0', "an empty event type");
  FUZZ_CHECK (data[data_len] == '\0', "data not NUL-terminated");
  FUZZ_CHECK (fuzz_utf8_valid (data, data_len), "data not valid UTF-8");
  FUZZ_CHECK (memchr (data, '\r', data_len) == NULL, "CR in data");
  check_clean ("a last event ID", last);
  if (id != NULL)
    {
      check_clean ("an event ID", id);
      FUZZ_CHECK (g_str_equal (id, last), "an event's id '%s' is not its last event ID '%s'",
                  id, last);
    }
  FUZZ_CHECK (g_str_equal (last, sse_event_source_get_last_event_id (source)),
              "an event's last event ID is not the source's");
  FUZZ_CHECK (g_str_equal (last, run->last_event_id),
              "an event's last event ID '%s' was not notified (last notified: '%s')",
              last, run->last_event_id);

  FUZZ_CHECK (origin != NULL, "an event without an origin");
  FUZZ_CHECK (run->msg != NULL, "an event without a request");
  expected_origin = oracle_origin (soup_message_get_uri (run->msg));
  FUZZ_CHECK (g_str_equal (origin, expected_origin), "an event from %s, answered by %s",
              origin, expected_origin);

  FUZZ_CHECK (retry >= -1, "retry %" G_GINT64_FORMAT, retry);
  if (retry >= 0)
    FUZZ_CHECK (sse_event_source_get_reconnection_time (source) == MIN (retry, (gint64) G_MAXUINT),
                "an event with retry %" G_GINT64_FORMAT ", the reconnection time is %u",
                retry, sse_event_source_get_reconnection_time (source));

  fuzz_check_roundtrip (event, "the source");

  if (g_str_equal (sse_event_get_event_type (event), "update") ||
      g_str_equal (sse_event_get_event_type (event), "message"))
    run->n_detailed_expected++;
  FUZZ_CHECK (run->n_detailed == run->n_detailed_expected,
              "the detailed handlers ran %u times for %u events of their types",
              run->n_detailed, run->n_detailed_expected);

  /* Keep every other event, as an application may. */
  check_kept (run);
  if (run->n_events % 2 == 0)
    keep (run, event);

  run->progress = TRUE;
  do_action (run, ACTION_CLOSE_IN_EVENT, ACTION_DROP_IN_EVENT, run->n_events++);
}

static void
on_comment (SseEventSource *source,
            const char     *text,
            Run            *run)
{
  check_live (run, "a comment");
  FUZZ_CHECK (run->status == SSE_STATUS_OPEN, "a comment while %s", status_name (run->status));
  FUZZ_CHECK (!run->ended, "a comment after the error that ended the attempt");
  FUZZ_CHECK (text != NULL, "a NULL comment");
  FUZZ_CHECK (fuzz_utf8_valid (text, strlen (text)), "a comment not valid UTF-8");
  FUZZ_CHECK (strpbrk (text, "\r\n") == NULL, "a line break in a comment");

  do_action (run, ACTION_CLOSE_IN_COMMENT, ACTION_CLOSE_IN_COMMENT, run->n_comments++);
}

static void
on_error (SseEventSource *source,
          const GError   *error,
          Run            *run)
{
  guint status = run->msg != NULL ? soup_message_get_status (run->msg) : 0;

  check_live (run, "an error");
  FUZZ_CHECK (error != NULL, "a NULL error");
  FUZZ_CHECK (error->message != NULL && *error->message != '\0',
              "an error (%s %d) without a message", g_quark_to_string (error->domain),
              error->code);
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL),
              "an error message that is not valid UTF-8: %s", error->message);
  {
    const char *p;

    for (p = error->message; *p != '\0'; p = g_utf8_next_char (p))
      FUZZ_CHECK (!g_unichar_iscntrl (g_utf8_get_char (p)),
                  "a control character in an error message: %s", error->message);
  }
  FUZZ_CHECK (run->status == SSE_STATUS_CONNECTING || run->status == SSE_STATUS_OPEN,
              "an error while %s: %s", status_name (run->status), error->message);
  TRACE ("client: error %s %d: %s\n", g_quark_to_string (error->domain), error->code,
         error->message);

  if (error->domain == SSE_ERROR)
    {
      switch (error->code)
        {
        case SSE_ERROR_EVENT_TOO_LARGE:
          FUZZ_CHECK (!run->ended, "an event too large after the attempt ended");
          FUZZ_CHECK (run->status == SSE_STATUS_OPEN, "an event too large while %s",
                      status_name (run->status));
          FUZZ_CHECK (run->max_event_size != 0, "an event too large without a limit");
          do_action (run, ACTION_CLOSE_IN_ERROR, ACTION_DROP_IN_ERROR, run->n_errors++);
          return;

        case SSE_ERROR_TOO_MANY_ATTEMPTS:
          FUZZ_CHECK (!run->too_many, "too many attempts, twice");
          FUZZ_CHECK (run->max_attempts >= 0 &&
                      next_reconnection (run) == (guint) run->max_attempts + 1,
                      "too many attempts after %u attempts (%u since progress), with "
                      "max-reconnect-attempts %d",
                      run->n_attempts, run->reconnection, run->max_attempts);
          FUZZ_CHECK (!run->ended || run->must_close != 1,
                      "too many attempts after an error that closes the source");
          run->too_many = TRUE;
          run->ended = TRUE;
          run->must_close = 1;
          break;

        case SSE_ERROR_HTTP_STATUS:
          {
            char code[16];

            FUZZ_CHECK (!run->ended, "an error after the error that ended the attempt");
            FUZZ_CHECK (run->msg != NULL && status != SOUP_STATUS_OK,
                        "a status error for status %u: %s", status, error->message);
            FUZZ_CHECK (!is_redirect (status) || run->no_redirect,
                        "a redirect (%u) not followed", status);
            g_snprintf (code, sizeof code, "%u", status);
            FUZZ_CHECK (strstr (error->message, code) != NULL,
                        "a status error that does not name the status %u: %s", status,
                        error->message);
            run->ended = TRUE;
            run->must_close = !(run->retry_server_errors &&
                                (SOUP_STATUS_IS_SERVER_ERROR (status) || status == 408 ||
                                 status == 429));
          }
          break;

        case SSE_ERROR_CONTENT_TYPE:
          FUZZ_CHECK (!run->ended, "an error after the error that ended the attempt");
          FUZZ_CHECK (run->msg != NULL && status == SOUP_STATUS_OK,
                      "a content type error for status %u", status);
          FUZZ_CHECK (!oracle_is_event_stream (soup_message_headers_get_one (
                        soup_message_get_response_headers (run->msg), "Content-Type")),
                      "an event stream refused: %s", error->message);
          run->ended = TRUE;
          run->must_close = 1;
          break;

        default:
          FUZZ_CHECK (FALSE, "undocumented SSE_ERROR code %d: %s", error->code, error->message);
        }
    }
  else
    {
      FUZZ_CHECK (!run->ended, "an error after the error that ended the attempt: %s",
                  error->message);
      run->ended = TRUE;
      if (error->domain == SOUP_SESSION_ERROR)
        {
          gboolean redirect_error = error->code == SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION ||
                                    error->code == SOUP_SESSION_ERROR_REDIRECT_BAD_URI ||
                                    error->code == SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS;

          if (redirect_error)
            FUZZ_CHECK (run->msg != NULL && is_redirect (status) && !run->no_redirect,
                        "a redirect error for status %u: %s", status, error->message);
          if (error->code == SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS)
            FUZZ_CHECK (run->n_sent == MAX_REDIRECTS + 1, "too many redirects after %u requests",
                        run->n_sent);
          run->must_close = redirect_error;
        }
      else if (error->domain == G_IO_ERROR)
        {
          FUZZ_CHECK (error->code != G_IO_ERROR_CANCELLED, "a cancellation reported: %s",
                      error->message);
          if (error->code == G_IO_ERROR_TIMED_OUT)
            FUZZ_CHECK (run->timeouts, "a timeout without timeouts: %s", error->message);
          run->must_close = (error->code == G_IO_ERROR_NOT_SUPPORTED ||
                             error->code == G_IO_ERROR_INVALID_ARGUMENT) ? -1 : 0;
        }
      else if (error->domain == G_TLS_ERROR)
        run->must_close = -1;
      else if (error->domain == G_RESOLVER_ERROR)
        run->must_close = 0;
      else
        FUZZ_CHECK (FALSE, "an error of an undocumented domain, %s %d: %s",
                    g_quark_to_string (error->domain), error->code, error->message);
    }

  do_action (run, ACTION_CLOSE_IN_ERROR, ACTION_DROP_IN_ERROR, run->n_errors++);
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           Run            *run)
{
  SseStatus from = run->status;
  SseStatus to = sse_event_source_get_status (source);
  gboolean ok;

  if (run->pending_closed && to == SSE_STATUS_CLOSED)
    {
      TRACE ("client: %s -> %s, after close()\n", status_name (from), status_name (to));
      run->pending_closed = FALSE;
      run->status = to;
      return;
    }

  check_live (run, "a status change");
  FUZZ_CHECK (from != to, "status %s notified without a change", status_name (to));
  TRACE ("client: %s -> %s\n", status_name (from), status_name (to));

  switch (from)
    {
    case SSE_STATUS_CLOSED:
      ok = to == SSE_STATUS_CONNECTING && run->in_open;
      break;
    case SSE_STATUS_CONNECTING:
      ok = to == SSE_STATUS_OPEN || to == SSE_STATUS_RECONNECTING || to == SSE_STATUS_CLOSED;
      break;
    case SSE_STATUS_OPEN:
      ok = to == SSE_STATUS_RECONNECTING || to == SSE_STATUS_CLOSED;
      break;
    case SSE_STATUS_RECONNECTING:
      ok = to == SSE_STATUS_CONNECTING || to == SSE_STATUS_CLOSED;
      break;
    default:
      ok = FALSE;
    }
  FUZZ_CHECK (ok, "status %s -> %s", status_name (from), status_name (to));

  if (run->in_close)
    FUZZ_CHECK (to == SSE_STATUS_CLOSED, "close() changed the status to %s", status_name (to));
  else if (run->ended)
    {
      /* The change that the error explains. */
      if (run->must_close == 1)
        FUZZ_CHECK (to == SSE_STATUS_CLOSED, "%s after an error that closes the source",
                    status_name (to));
      else if (run->must_close == 0)
        FUZZ_CHECK (to == SSE_STATUS_RECONNECTING, "%s after an error that reconnects",
                    status_name (to));
      else
        FUZZ_CHECK (to == SSE_STATUS_RECONNECTING || to == SSE_STATUS_CLOSED,
                    "%s after an error", status_name (to));
    }
  else if (to == SSE_STATUS_CLOSED)
    FUZZ_CHECK (FALSE, "closed from %s without an error", status_name (from));
  run->ended = FALSE;

  switch (to)
    {
    case SSE_STATUS_OPEN:
      {
        const char *type;

        FUZZ_CHECK (run->msg != NULL && run->n_sent > 0, "open without a request");
        FUZZ_CHECK (soup_message_get_status (run->msg) == SOUP_STATUS_OK, "open on status %u",
                    soup_message_get_status (run->msg));
        type = soup_message_headers_get_one (soup_message_get_response_headers (run->msg),
                                             "Content-Type");
        FUZZ_CHECK (oracle_is_event_stream (type), "open on the content type '%s'",
                    type != NULL ? type : "(none)");
      }
      break;

    case SSE_STATUS_RECONNECTING:
      {
        guint attempt = sse_event_source_get_reconnect_attempt (source);
        guint delay = sse_event_source_get_reconnect_delay (source);

        FUZZ_CHECK (attempt == next_reconnection (run),
                    "reconnect-attempt %u after %u attempts (%u since progress)",
                    attempt, run->n_attempts, run->reconnection);
        run->reconnection = attempt;
        FUZZ_CHECK (run->max_attempts < 0 || attempt <= (guint) run->max_attempts,
                    "reconnect-attempt %u over max-reconnect-attempts %d", attempt,
                    run->max_attempts);
        FUZZ_CHECK (run->backoff_called || run->default_backoff,
                    "reconnecting without asking the backoff function");
        FUZZ_CHECK (delay >= run->last_backoff, "a delay of %u ms, the backoff said %u",
                    delay, run->last_backoff);
        run->backoff_called = FALSE;
      }
      break;

    case SSE_STATUS_CLOSED:
      run->over = TRUE;
      break;

    case SSE_STATUS_CONNECTING:
    default:
      break;
    }

  run->status = to;
  do_action (run, ACTION_CLOSE_IN_STATUS, ACTION_DROP_IN_STATUS, run->n_status++);
}

static void
on_last_event_id (SseEventSource *source,
                  GParamSpec     *pspec,
                  Run            *run)
{
  const char *id = sse_event_source_get_last_event_id (source);

  check_live (run, "a last-event-id change");
  FUZZ_CHECK (!g_str_equal (id, run->last_event_id), "last-event-id notified without a change");
  run->progress = TRUE;
  FUZZ_CHECK (run->status == SSE_STATUS_OPEN, "last-event-id changed while %s",
              status_name (run->status));
  check_clean ("last-event-id", id);
  g_free (run->last_event_id);
  run->last_event_id = g_strdup (id);
}

static void
on_reconnection_time (SseEventSource *source,
                      GParamSpec     *pspec,
                      Run            *run)
{
  check_live (run, "a reconnection-time change");
  FUZZ_CHECK (run->status == SSE_STATUS_OPEN, "reconnection-time changed while %s",
              status_name (run->status));
}

static void
on_prepare_request (SseEventSource *source,
                    SoupMessage    *msg,
                    Run            *run)
{
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (msg);
  const char *sent_id = soup_message_headers_get_one (hdrs, "Last-Event-ID");
  const char *accept = soup_message_headers_get_one (hdrs, "Accept");

  check_live (run, "prepare-request");
  FUZZ_CHECK (run->status == SSE_STATUS_CONNECTING, "prepare-request while %s",
              status_name (run->status));
  run->n_attempts++;
  run->progress = FALSE;
  FUZZ_CHECK (run->max_attempts < 0 || run->reconnection <= (guint) run->max_attempts,
              "reconnection %u with max-reconnect-attempts %d", run->reconnection,
              run->max_attempts);
  TRACE ("client: attempt %u\n", run->n_attempts);

  if (*run->last_event_id == '\0')
    FUZZ_CHECK (sent_id == NULL, "Last-Event-ID '%s' without a last event ID", sent_id);
  else
    FUZZ_CHECK (sent_id != NULL && g_str_equal (sent_id, run->last_event_id),
                "Last-Event-ID '%s', the last event ID is '%s'", sent_id ? sent_id : "(none)",
                run->last_event_id);
  FUZZ_CHECK (accept != NULL && g_str_equal (accept, "text/event-stream"), "Accept: %s",
              accept ? accept : "(none)");

  run->n_sent = 0;
  run->crossed = FALSE;
  g_clear_object (&run->msg);
  g_free (run->attempt_id);
  run->attempt_id = g_strdup (sent_id);

  /* A server that gives an event on every connection is reconnected to for
   * ever, as a browser does (attempts that made progress are not counted):
   * the harness ends such a run after a few of them, while every attempt
   * can still follow all its redirects. */
  if (run->n_attempts > MAX_ATTEMPTS || run->n_requests + MAX_REDIRECTS + 1 >= MAX_REQUESTS)
    close_in_handler (run);
}

static guint
backoff (SseEventSource *source,
         guint           attempt,
         guint           reconnection_time,
         gpointer        user_data)
{
  Run *run = user_data;

  check_live (run, "a backoff call");
  FUZZ_CHECK (attempt == next_reconnection (run),
              "backoff for attempt %u after %u attempts (%u since progress)",
              attempt, run->n_attempts, run->reconnection);
  FUZZ_CHECK (reconnection_time == sse_event_source_get_reconnection_time (source),
              "backoff given %u ms, the reconnection time is %u ms", reconnection_time,
              sse_event_source_get_reconnection_time (source));
  run->backoff_called = TRUE;
  run->last_backoff = 0;
  return 0;
}

static void
trace_restarted (SoupMessage *msg,
                 gpointer     user_data)
{
  TRACE ("client: libsoup restarts the request\n");
}

/* Every request the session sends, redirects included. */
static void
on_request_queued (SoupSession *session,
                   SoupMessage *msg,
                   gpointer     user_data)
{
  Run *run = fuzz.run;
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (msg);
  const char *method = soup_message_get_method (msg);
  const char *sent_id = soup_message_headers_get_one (hdrs, "Last-Event-ID");
  gboolean has_auth = soup_message_headers_get_one (hdrs, "Authorization") != NULL;
  gboolean has_cookie = soup_message_headers_get_one (hdrs, "Cookie") != NULL;
  g_autofree char *origin = NULL;
  g_autofree char *start = NULL;

  if (run == NULL)
    return;

  check_live (run, "a request");
  FUZZ_CHECK (run->status == SSE_STATUS_CONNECTING, "a request while %s",
              status_name (run->status));
  run->n_sent++;
  FUZZ_CHECK (run->n_sent <= MAX_REDIRECTS + 1, "%u requests in one attempt", run->n_sent);

  if (run->msg != NULL)
    {
      guint status = soup_message_get_status (run->msg);
      const char *before = soup_message_get_method (run->msg);
      const char *expected = before;

      /* A request after the first is a redirect being followed. */
      FUZZ_CHECK (is_redirect (status) && !run->no_redirect,
                  "a new request after status %u", status);
      if ((status == 303 && before != SOUP_METHOD_GET && before != SOUP_METHOD_HEAD) ||
          ((status == 301 || status == 302) && before == SOUP_METHOD_POST))
        expected = SOUP_METHOD_GET;
      FUZZ_CHECK (method == expected, "%s after %s and %u, not %s", method, before, status,
                  expected);
    }
  if (method == SOUP_METHOD_GET)
    FUZZ_CHECK (soup_message_headers_get_one (hdrs, "Content-Type") == NULL,
                "a GET with a content type");

  FUZZ_CHECK (g_strcmp0 (sent_id, run->attempt_id) == 0,
              "Last-Event-ID '%s' after a redirect, '%s' at the start",
              sent_id ? sent_id : "(none)", run->attempt_id ? run->attempt_id : "(none)");

  /* Credentials stay with their origin, and once gone, stay gone. */
  origin = oracle_origin (soup_message_get_uri (msg));
  start = oracle_origin (fuzz.url);
  if (!g_str_equal (origin, start))
    run->crossed = TRUE;
  FUZZ_CHECK (has_auth == !run->crossed && has_cookie == !run->crossed,
              "request %u of the attempt, to %s (%s): Authorization %s, Cookie %s", run->n_sent,
              origin, run->crossed ? "another origin on the way" : "same origin",
              has_auth ? "sent" : "not sent", has_cookie ? "sent" : "not sent");

  if (G_UNLIKELY (fuzz.trace))
    {
      g_autofree char *uri = g_uri_to_string (soup_message_get_uri (msg));

      TRACE ("client: %s %s\n", method, uri);
      g_signal_connect (msg, "restarted", G_CALLBACK (trace_restarted), NULL);
    }
  g_set_object (&run->msg, msg);
}

/* Input ------------------------------------------------------------------ */

static Answer *
answer_new (const guint8 *data,
            gsize         len)
{
  Answer *answer = g_new0 (Answer, 1);
  guint mode = len > 0 ? data[0] & 0xF : 0;
  GByteArray *bytes = g_byte_array_new ();
  gsize i;

  answer->end = (mode & 3) == 1 ? END_KEEP : (mode & 3) == 2 ? END_RESET : END_CLOSE;
  answer->max_chunk = chunk_limits[(mode >> 2) & 3];

  for (i = len > 0 ? 1 : 0; i < len;)
    {
      if (len - i >= strlen (ORIGIN_TOKEN) &&
          memcmp (data + i, ORIGIN_TOKEN, strlen (ORIGIN_TOKEN)) == 0)
        {
          g_byte_array_append (bytes, (const guint8 *) fuzz.origin, strlen (fuzz.origin));
          i += strlen (ORIGIN_TOKEN);
        }
      else
        g_byte_array_append (bytes, data + i++, 1);
    }
  answer->bytes = g_byte_array_free_to_bytes (bytes);
  return answer;
}

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_bytes_unref (answer->bytes);
  g_free (answer);
}

static Run *
run_new (const guint8 *data,
         gsize         size)
{
  Run *run = g_new0 (Run, 1);
  guint8 header[HEADER_LEN] = { 0, };
  const guint8 *p, *end = data + size;
  guint i;

  memcpy (header, data, MIN (size, HEADER_LEN));
  p = data + MIN (size, HEADER_LEN);

  run->max_attempts = MIN (header[0] & 3, 2);
  run->retry_server_errors = (header[0] & 4) != 0;
  run->post = (header[0] & 8) != 0;
  run->max_event_size = sizes[header[1] & 0xF];
  run->action = header[2] & 7;
  run->timeouts = (header[2] & 8) != 0;
  run->action_n = header[3] & 0xF;
  if (header[4] & 1)
    run->seed = (header[4] & 2) ? seed_id_invalid : seed_id;
  run->no_redirect = (header[4] & 4) != 0;
  run->default_backoff = (header[4] & 8) != 0;
  run->rng = 0x9E3779B9u;
  for (i = 0; i < HEADER_LEN; i++)
    run->rng = run->rng * 31 + (header[i] >> 4);

  run->answers = g_ptr_array_new_with_free_func (answer_free);
  for (;;)
    {
      const guint8 *next = NULL;
      const guint8 *q;

      for (q = p; q + strlen (SEPARATOR) <= end; q++)
        if (memcmp (q, SEPARATOR, strlen (SEPARATOR)) == 0)
          {
            next = q;
            break;
          }
      g_ptr_array_add (run->answers, answer_new (p, (next != NULL ? next : end) - p));
      if (next == NULL)
        break;
      p = next + strlen (SEPARATOR);
    }

  run->conns = g_ptr_array_new_with_free_func (conn_free);
  run->status = SSE_STATUS_CLOSED;
  run->last_event_id = g_strdup ("");
  run->must_close = -1;
  return run;
}

static void
run_free (Run *run)
{
  g_ptr_array_unref (run->answers);
  g_ptr_array_unref (run->conns);
  g_clear_object (&run->msg);
  g_free (run->last_event_id);
  g_free (run->attempt_id);
  g_free (run);
}

/* The process ----------------------------------------------------------- */

static guint
count_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);
  return n - 1;   /* the directory's own */
}

static void
make_server (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  fuzz.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                G_SOCKET_PROTOCOL_TCP, &error);
  if (fuzz.listener == NULL ||
      !g_socket_bind (fuzz.listener, address, TRUE, &error) ||
      !g_socket_listen (fuzz.listener, &error) ||
      (bound = g_socket_get_local_address (fuzz.listener, &error)) == NULL)
    g_error ("Cannot listen on the loopback interface: %s", error->message);
  g_socket_set_blocking (fuzz.listener, FALSE);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  fuzz.origin = g_strdup_printf ("http://127.0.0.1:%u", port);
  {
    g_autofree char *url = g_strdup_printf ("%s/events?token=secret", fuzz.origin);

    fuzz.url = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  }

  fuzz.accept_source = g_socket_create_source (fuzz.listener, G_IO_IN, NULL);
  g_source_set_callback (fuzz.accept_source, G_SOURCE_FUNC (on_accept), NULL, NULL);
  g_source_attach (fuzz.accept_source, fuzz.context);

  /* Every connection goes to the server, whatever the URL says. */
  fuzz.session = soup_session_new_with_options ("timeout", 0,
                                                "max-conns", 64,
                                                "max-conns-per-host", 64,
                                                "proxy-resolver", NULL,
                                                "remote-connectable", bound,
                                                NULL);
  g_signal_connect (fuzz.session, "request-queued", G_CALLBACK (on_request_queued), NULL);
}

static const char warm_up[] =
  "00000" "0HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n";

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  /* GIO's built-in TLS backend, which has no TLS: https:// (in a redirect)
   * fails at once with G_TLS_ERROR_UNAVAILABLE. glib-networking would run
   * each handshake in a pool thread, which clang 14's LeakSanitizer cannot
   * scan (it crashes on the dynamic TLS of the gnutls module); TLS errors
   * are tested in tests/test-faults.c. */
  g_setenv ("GIO_USE_TLS", "dummy", FALSE);
  fuzz.trace = g_getenv ("FUZZ_CLIENT_TRACE") != NULL;
  fuzz.context = g_main_context_default ();
  /* A network that is always there, so that every failed attempt counts
   * (the machine's own monitor may say otherwise). */
  fuzz.monitor = g_object_new (TEST_TYPE_NETWORK_MONITOR, NULL);
  make_server ();

  /* GLib and libsoup open some descriptors once and keep them (the GLib
   * worker context's eventfd, say): let a first run do that. */
  fuzz.warming = TRUE;
  LLVMFuzzerTestOneInput ((const guint8 *) warm_up, strlen (warm_up));
  fuzz.warming = FALSE;
  return 0;
}

static gboolean
on_deadline (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Lets whatever the input left under way finish: cancelled operations
 * report in idle callbacks. */
static void
drain (void)
{
  guint quiet = 0, i;

  for (i = 0; i < 10000 && quiet < 3; i++)
    quiet = g_main_context_iteration (fuzz.context, FALSE) ? 0 : quiet + 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SoupMessage) template = NULL;
  g_autoptr(GBytes) body = NULL;
  GSource *watchdog;
  gint64 deadline;
  guint fds = count_fds ();
  Run *run;

  run = run_new (size > 0 ? data : (const guint8 *) "", size);
  fuzz.run = run;
  TRACE ("run: %u answers, max-reconnect-attempts %d%s%s%s, action %d/%u\n",
         run->answers->len, run->max_attempts, run->post ? ", POST" : "",
         run->timeouts ? ", timeouts" : "", run->no_redirect ? ", no redirects" : "",
         run->action, run->action_n);

  template = soup_message_new_from_uri (run->post ? SOUP_METHOD_POST : SOUP_METHOD_GET, fuzz.url);
  soup_message_headers_append (soup_message_get_request_headers (template),
                               "Authorization", "Bearer secret");
  soup_message_headers_append (soup_message_get_request_headers (template),
                               "Cookie", "session=secret");
  if (run->no_redirect)
    soup_message_add_flags (template, SOUP_MESSAGE_NO_REDIRECT);

  run->source = g_object_new (SSE_TYPE_EVENT_SOURCE,
                              "message", template,
                              "session", fuzz.session,
                              "reconnection-time", 0,
                              "max-reconnection-time", run->default_backoff ? 8 : 0,
                              "max-reconnect-attempts", run->max_attempts,
                              "connect-timeout", run->timeouts ? TIMEOUT_MS : 0,
                              "read-timeout", run->timeouts ? TIMEOUT_MS : 0,
                              "max-event-size", run->max_event_size,
                              "retry-on-server-error", run->retry_server_errors,
                              NULL);
  run->weak = run->source;
  g_object_add_weak_pointer (G_OBJECT (run->source), (gpointer *) &run->weak);
  _sse_event_source_set_network_monitor (run->source, fuzz.monitor);
  /* No connection lasts long enough to reset the count of attempts. */
  _sse_event_source_set_healthy_time (run->source, G_MAXUINT);
  if (run->post)
    {
      body = g_bytes_new_static (request_body, strlen (request_body));
      sse_event_source_set_request_body (run->source, "application/json", body);
      /* A POST is sent once by default: this one goes on every attempt. */
      sse_event_source_set_reconnect_mode (run->source, SSE_RECONNECT_MODE_RESEND);
    }
  if (!run->default_backoff)
    sse_event_source_set_backoff_func (run->source, backoff, run, NULL);
  if (run->seed != NULL)
    {
      sse_event_source_set_last_event_id (run->source, run->seed);
      g_free (run->last_event_id);
      run->last_event_id = g_strdup (sse_event_source_get_last_event_id (run->source));
      check_clean ("a seeded last-event-id", run->last_event_id);
    }

  g_signal_connect (run->source, "event::update", G_CALLBACK (on_event_detailed), run);
  g_signal_connect (run->source, "event::message", G_CALLBACK (on_event_detailed), run);
  g_signal_connect (run->source, "event", G_CALLBACK (on_event), run);
  g_signal_connect (run->source, "comment", G_CALLBACK (on_comment), run);
  g_signal_connect (run->source, "error", G_CALLBACK (on_error), run);
  g_signal_connect (run->source, "prepare-request", G_CALLBACK (on_prepare_request), run);
  g_signal_connect (run->source, "notify::status", G_CALLBACK (on_status), run);
  g_signal_connect (run->source, "notify::last-event-id", G_CALLBACK (on_last_event_id), run);
  g_signal_connect (run->source, "notify::reconnection-time",
                    G_CALLBACK (on_reconnection_time), run);

  watchdog = g_timeout_source_new (DEADLINE_MS);
  g_source_set_callback (watchdog, on_deadline, NULL, NULL);
  g_source_attach (watchdog, fuzz.context);
  deadline = g_get_monotonic_time () + (gint64) DEADLINE_MS * 1000;

  run->in_open = TRUE;
  sse_event_source_open (run->source);
  run->in_open = FALSE;

  while (!run->over)
    {
      FUZZ_CHECK (g_get_monotonic_time () < deadline,
                  "a hang: still %s after %d ms, %u attempts, %u requests",
                  status_name (run->status), DEADLINE_MS, run->n_attempts, run->n_requests);

      if (g_main_context_iteration (fuzz.context, FALSE))
        continue;

      /* Nothing to do: move things on as a patient peer would. */
      if (run->status == SSE_STATUS_RECONNECTING)
        {
          TRACE ("harness: reconnecting now instead of in %u ms\n",
                 sse_event_source_get_reconnect_delay (run->source));
          run->in_open = TRUE;
          sse_event_source_open (run->source);
          run->in_open = FALSE;
          continue;
        }
      if (!run->timeouts && server_hang_up (run))
        continue;

      g_main_context_iteration (fuzz.context, TRUE);
    }

  FUZZ_CHECK (!run->pending_closed, "close() never notified CLOSED");
  check_kept (run);
  keep (run, NULL);

  /* Let go of everything, and check that it goes. */
  g_clear_object (&run->source);
  drain ();
  FUZZ_CHECK (run->weak == NULL, "the source is still alive after its last reference went");
  soup_session_abort (fuzz.session);
  server_hang_up (run);
  drain ();
  soup_session_abort (fuzz.session);
  on_accept (fuzz.listener, G_IO_IN, NULL);

  g_source_destroy (watchdog);
  g_source_unref (watchdog);
  fuzz.run = NULL;
  run_free (run);
  drain ();

  {
    guint now = count_fds ();

    FUZZ_CHECK (now <= fds || fuzz.warming, "%u file descriptors open after the input, %u before", now, fds);
  }
  return 0;
}
