/* test-server.c: SseServerStream and SseBroadcaster
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A SoupServer on a loopback port serves the streams (TestStreamServer, in
 * test-utils.h); the clients are a raw SoupSession whose body is fed to an
 * SseParser (so these tests do not depend on SseEventSource), and raw
 * sockets where a client must misbehave (TestRawClient).
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <sse-glib/sse-glib.h>

#include "sse-backlog-private.h"
#include "test-utils.h"

/* The slow-client rule, without a server -------------------------------- */

#define MS (G_USEC_PER_SEC / 1000)

/* Within the limit, or with no limit, a backlog is fine, and forgotten. */
static void
test_backlog_within_limit (void)
{
  SseBacklog backlog = { 0, };
  gint64 recheck = -1;

  g_assert_cmpint (_sse_backlog_check (&backlog, 1000, 1000, 100 * MS, 5 * MS, &recheck), ==,
                   SSE_BACKLOG_FINE);
  g_assert_cmpint (recheck, ==, 0);
  g_assert_cmpint (_sse_backlog_check (&backlog, G_MAXUINT64, 0, 100 * MS, 5 * MS, &recheck), ==,
                   SSE_BACKLOG_FINE);

  /* Over, then back within: the next time over starts afresh. */
  g_assert_cmpint (_sse_backlog_check (&backlog, 2000, 1000, 100 * MS, 10 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (_sse_backlog_check (&backlog, 999, 1000, 100 * MS, 50 * MS, &recheck), ==,
                   SSE_BACKLOG_FINE);
  g_assert_cmpint (backlog.since, ==, 0);
  g_assert_cmpint (_sse_backlog_check (&backlog, 3000, 1000, 100 * MS, 200 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (recheck, ==, 300 * MS);
}

/* Over the limit is not too slow at once: only after a whole timeout in
 * which the backlog did not go down (it stayed, or it grew). */
static void
test_backlog_not_going_down (void)
{
  SseBacklog stays = { 0, }, grows = { 0, };
  gint64 recheck;

  g_assert_cmpint (_sse_backlog_check (&stays, 5000, 1000, 100 * MS, 10 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (recheck, ==, 110 * MS);
  /* Before the timeout: watched, not judged. */
  g_assert_cmpint (_sse_backlog_check (&stays, 9000, 1000, 100 * MS, 109 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (recheck, ==, 110 * MS);
  g_assert_cmpint (_sse_backlog_check (&stays, 5000, 1000, 100 * MS, 110 * MS, &recheck), ==,
                   SSE_BACKLOG_TOO_SLOW);

  g_assert_cmpint (_sse_backlog_check (&grows, 5000, 1000, 100 * MS, 10 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (_sse_backlog_check (&grows, 7000, 1000, 100 * MS, 500 * MS, &recheck), ==,
                   SSE_BACKLOG_TOO_SLOW);
}

/* A client that takes its backlog down, even slowly and never below the
 * limit, gets another timeout each time, from its new size. */
static void
test_backlog_going_down (void)
{
  SseBacklog backlog = { 0, };
  gint64 recheck;

  g_assert_cmpint (_sse_backlog_check (&backlog, 2000000, 1000, 100 * MS, 0, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (_sse_backlog_check (&backlog, 1999999, 1000, 100 * MS, 100 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  g_assert_cmpint (backlog.level, ==, 1999999);
  g_assert_cmpint (recheck, ==, 200 * MS);
  g_assert_cmpint (_sse_backlog_check (&backlog, 5000, 1000, 100 * MS, 200 * MS, &recheck), ==,
                   SSE_BACKLOG_WATCH);
  /* Then it stops reading. */
  g_assert_cmpint (_sse_backlog_check (&backlog, 5000, 1000, 100 * MS, 300 * MS, &recheck), ==,
                   SSE_BACKLOG_TOO_SLOW);
}

/* A timeout of 0: over the limit is too slow right away. */
static void
test_backlog_no_timeout (void)
{
  SseBacklog backlog = { 0, };
  gint64 recheck;

  g_assert_cmpint (_sse_backlog_check (&backlog, 1001, 1000, 0, 7, &recheck), ==,
                   SSE_BACKLOG_TOO_SLOW);
  g_assert_cmpint (_sse_backlog_check (&backlog, 1000, 1000, 0, 8, &recheck), ==,
                   SSE_BACKLOG_FINE);
}

/* What may still wait once the oldest events were dropped: half the limit,
 * so that a client that stays slow is not told of a loss at every event. */
static void
test_backlog_drop_target (void)
{
  g_assert_cmpuint (_sse_backlog_drop_target (1024 * 1024), ==, 512 * 1024);
  g_assert_cmpuint (_sse_backlog_drop_target (1), ==, 0);
}

/* The server ------------------------------------------------------------ */

/* A TestStreamServer whose streams send no heartbeats, unless a test asks
 * for them. */
static TestStreamServer *
server_new (void)
{
  TestStreamServer *server = test_stream_server_new ();

  server->heartbeat = 0;
  return server;
}

/* A client: SoupSession + SseParser --------------------------------------- */

typedef struct {
  SoupSession  *session;
  SoupMessage  *msg;
  GInputStream *body;
  SseParser    *parser;
  GCancellable *cancellable;
  GPtrArray    *events;       /* SseEvent */
  guint         n_comments;
  gboolean      got_headers;
  gboolean      eof;
  GString      *raw;          /* every byte received */
  char          buf[16384];
} Client;

static void
on_event (SseParser *parser,
          SseEvent  *event,
          Client    *client)
{
  g_ptr_array_add (client->events, sse_event_ref (event));
}

static void
on_comment (SseParser  *parser,
            const char *text,
            Client     *client)
{
  client->n_comments++;
}

static void client_read (Client *client);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (n <= 0)
    {
      client->eof = TRUE;
      return;
    }

  g_string_append_len (client->raw, client->buf, n);
  g_assert_true (sse_parser_feed (client->parser, (const guint8 *) client->buf, n, NULL));
  client_read (client);
}

static void
client_read (Client *client)
{
  g_input_stream_read_async (client->body, client->buf, sizeof client->buf, G_PRIORITY_DEFAULT,
                             client->cancellable, read_cb, client);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;

  client->body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);
  client->got_headers = TRUE;
  client_read (client);
}

static gboolean
accept_any_certificate (SoupMessage          *msg,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;
}

/* With @any_certificate, the client accepts whatever certificate the
 * server shows (the test certificates are not trusted). */
static Client *
client_new_full (const char *url,
                 const char *last_event_id,
                 gboolean    any_certificate)
{
  Client *client = g_new0 (Client, 1);

  client->session = soup_session_new_with_options ("timeout", 0, NULL);
  client->msg = soup_message_new ("GET", url);
  client->parser = sse_parser_new ();
  client->cancellable = g_cancellable_new ();
  client->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  client->raw = g_string_new (NULL);
  g_signal_connect (client->parser, "event", G_CALLBACK (on_event), client);
  g_signal_connect (client->parser, "comment", G_CALLBACK (on_comment), client);

  if (last_event_id != NULL)
    soup_message_headers_append (soup_message_get_request_headers (client->msg),
                                 "Last-Event-ID", last_event_id);
  if (any_certificate)
    g_signal_connect (client->msg, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  soup_session_send_async (client->session, client->msg, G_PRIORITY_DEFAULT,
                           client->cancellable, send_cb, client);
  test_wait_until (client->got_headers);

  return client;
}

static Client *
client_new (const char *url,
            const char *last_event_id)
{
  return client_new_full (url, last_event_id, FALSE);
}

static void
client_free (Client *client)
{
  g_cancellable_cancel (client->cancellable);
  /* Let the cancelled read come back before the buffer goes away. */
  if (client->body != NULL)
    {
      while (g_input_stream_has_pending (client->body))
        g_main_context_iteration (NULL, TRUE);
      g_clear_object (&client->body);
    }
  g_object_unref (client->msg);
  soup_session_abort (client->session);
  g_object_unref (client->session);
  g_object_unref (client->parser);
  g_object_unref (client->cancellable);
  g_ptr_array_unref (client->events);
  g_string_free (client->raw, TRUE);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static SseEvent *
client_event (Client *client,
              guint   i)
{
  g_assert_cmpuint (i, <, client->events->len);
  return g_ptr_array_index (client->events, i);
}

/* A lazy client: raw socket, small receive buffer, reads only when asked ---- */

typedef struct {
  GSocketConnection *connection;
  GSocket           *socket;
  SseParser         *parser;
  GPtrArray         *events;        /* SseEvent */
  GString           *raw;           /* every byte received */
  gsize              body_start;    /* where the body starts in @raw, once known */
  gboolean           eof;
} Lazy;

static void
on_lazy_event (SseParser *parser,
               SseEvent  *event,
               Lazy      *lazy)
{
  g_ptr_array_add (lazy->events, sse_event_ref (event));
}

/* Connects to @server, asks for the stream (with @last_event_id unless
 * NULL), and returns once the server made the stream. */
static Lazy *
lazy_new (TestStreamServer *server,
          const char       *last_event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *request = NULL;
  Lazy *lazy = g_new0 (Lazy, 1);
  guint before = server->n_made;

  /* The receive buffer is set before connecting, so that the window the
   * server sees is small from the start (and TCP sends again as soon as
   * the client reads a little). */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  lazy->connection = g_socket_connection_factory_create_connection (socket);
  lazy->socket = g_socket_connection_get_socket (lazy->connection);
  lazy->parser = sse_parser_new ();
  lazy->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  lazy->raw = g_string_new (NULL);
  g_signal_connect (lazy->parser, "event", G_CALLBACK (on_lazy_event), lazy);

  request = g_strdup_printf ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s\r\n",
                             last_event_id ? "Last-Event-ID: " : "",
                             last_event_id ? last_event_id : "",
                             last_event_id ? "\r\n" : "");
  g_socket_send (lazy->socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (lazy->socket, FALSE);

  test_wait_until (server->n_made > before);
  return lazy;
}

/* Reads what is there, without blocking; TRUE if it got anything. */
static gboolean
lazy_read (Lazy *lazy)
{
  char buffer[16 * 1024];
  gboolean got = FALSE;
  gssize n;

  while ((n = g_socket_receive (lazy->socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      gsize before = lazy->raw->len;

      got = TRUE;
      g_string_append_len (lazy->raw, buffer, n);
      if (lazy->body_start == 0)
        {
          const char *end = strstr (lazy->raw->str, "\r\n\r\n");

          if (end == NULL)
            continue;
          lazy->body_start = end + 4 - lazy->raw->str;
          before = lazy->body_start;
        }
      g_assert_true (sse_parser_feed (lazy->parser, (const guint8 *) lazy->raw->str + before,
                                      lazy->raw->len - before, NULL));
    }
  if (n == 0)
    lazy->eof = TRUE;
  return got;
}

static void
lazy_free (Lazy *lazy)
{
  g_io_stream_close (G_IO_STREAM (lazy->connection), NULL, NULL);
  g_object_unref (lazy->connection);
  g_object_unref (lazy->parser);
  g_ptr_array_unref (lazy->events);
  g_string_free (lazy->raw, TRUE);
  g_free (lazy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lazy, lazy_free)

static SseEvent *
lazy_event (Lazy  *lazy,
            guint  i)
{
  g_assert_cmpuint (i, <, lazy->events->len);
  return g_ptr_array_index (lazy->events, i);
}

/* Tests: SseServerStream ----------------------------------------------------- */

static void
test_stream_response_headers (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, NULL);
  SoupMessageHeaders *headers = soup_message_get_response_headers (client->msg);

  g_assert_cmpuint (soup_message_get_status (client->msg), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "text/event-stream");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Accel-Buffering"), ==, "no");
  /* The body runs to the end of the connection: one write an event. */
  g_assert_cmpint (soup_message_headers_get_encoding (headers), ==, SOUP_ENCODING_EOF);
  g_assert_true (soup_message_headers_header_contains (headers, "Connection", "close"));

  /* The headers arrived before any event: the stream opened at once. */
  g_assert_cmpuint (client->events->len, ==, 0);
  g_assert_cmpstr (sse_server_stream_get_last_event_id (test_stream_server_get_stream (server, 0)),
                   ==, "");
}

static void
test_stream_last_event_id (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, "event-41");
  SseServerStream *stream = test_stream_server_get_stream (server, 0);
  g_autofree char *prop = NULL;

  g_assert_cmpstr (sse_server_stream_get_last_event_id (stream), ==, "event-41");
  g_object_get (stream, "last-event-id", &prop, NULL);
  g_assert_cmpstr (prop, ==, "event-41");
}

static void
test_stream_send (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, NULL);
  SseServerStream *stream = test_stream_server_get_stream (server, 0);
  g_autoptr(SseEvent) event = sse_event_new_full ("update", "line one\nline two", -1, "7", -1);

  g_assert_true (sse_server_stream_send_event (stream, event));
  g_assert_true (sse_server_stream_send_comment (stream, "keep-alive"));
  g_assert_true (sse_server_stream_send_retry (stream, 1500));
  g_assert_true (sse_server_stream_send (stream, NULL, "plain", NULL));

  /* Each send goes out at once, without waiting for more. */
  test_wait_until (client->events->len == 2);

  g_assert_true (sse_event_equal (client_event (client, 0), event));
  g_assert_cmpstr (sse_event_get_event_type (client_event (client, 1)), ==, "message");
  g_assert_cmpstr (sse_event_get_data (client_event (client, 1)), ==, "plain");
  g_assert_cmpstr (sse_event_get_last_event_id (client_event (client, 1)), ==, "7");
  g_assert_cmpint (sse_parser_get_retry (client->parser), ==, 1500);
  /* The opening comment and ours. */
  g_assert_cmpuint (client->n_comments, ==, 2);
}

static void
on_closed_note_error (SseServerStream *stream,
                      const GError    *error,
                      int             *error_state)
{
  *error_state = error == NULL ? 0 : 1;
}

static void
test_stream_close (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, NULL);
  SseServerStream *stream = test_stream_server_get_stream (server, 0);
  guint closed = 0;
  int error_state = -1;   /* -1: "closed" not emitted, 0: no error, 1: an error */

  g_signal_connect (stream, "closed", G_CALLBACK (on_closed_note_error), &error_state);
  g_signal_connect_swapped (stream, "closed", G_CALLBACK (g_atomic_int_inc), &closed);

  g_assert_true (sse_server_stream_send (stream, NULL, "last words", NULL));
  sse_server_stream_close (stream);
  g_assert_true (sse_server_stream_is_closed (stream));
  g_assert_cmpuint (closed, ==, 1);
  /* Closed by the application: no error. */
  g_assert_cmpint (error_state, ==, 0);

  /* What was queued before closing still arrives, then the body ends. */
  test_wait_until (client->eof);
  g_assert_cmpuint (client->events->len, ==, 1);
  g_assert_cmpstr (sse_event_get_data (client_event (client, 0)), ==, "last words");

  /* Closed means closed. */
  g_assert_false (sse_server_stream_send (stream, NULL, "too late", NULL));
  g_assert_false (sse_server_stream_send_comment (stream, NULL));
  sse_server_stream_close (stream);
  g_assert_cmpuint (closed, ==, 1);
}

static void
test_stream_unref_ends_response (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, NULL);

  sse_server_stream_send (test_stream_server_get_stream (server, 0), NULL, "bye", NULL);
  g_ptr_array_set_size (server->streams, 0);

  test_wait_until (client->eof);
  g_assert_cmpuint (client->events->len, ==, 1);
}

static void
test_stream_heartbeat (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = NULL;
  SseServerStream *stream;

  server->heartbeat = 20;
  client = client_new (server->url, NULL);
  stream = test_stream_server_get_stream (server, 0);

  /* Nothing is sent by the application: heartbeats keep coming. */
  test_wait_until (client->n_comments >= 4);
  g_assert_cmpuint (client->events->len, ==, 0);
  g_assert_cmpuint (client->raw->len, ==, 2 * client->n_comments);
  for (gsize i = 0; i < client->raw->len; i += 2)
    g_assert_cmpmem (client->raw->str + i, 2, ":\n", 2);

  /* Turning them off stops them. */
  sse_server_stream_set_heartbeat_interval (stream, 0);
  g_assert_cmpuint (sse_server_stream_get_heartbeat_interval (stream), ==, 0);
}

static void
test_stream_client_goes_away (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(GError) closed_error = NULL;
  SseServerStream *stream;
  Client *client;

  server->heartbeat = 10;
  client = client_new (server->url, NULL);
  stream = test_stream_server_get_stream (server, 0);
  g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);
  client_free (client);

  /* The next heartbeat finds out. */
  test_wait_until (closed_error != NULL);
  g_assert_error (closed_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_true (sse_server_stream_is_closed (stream));
  g_assert_false (sse_server_stream_send (stream, NULL, "x", NULL));
}

static void
on_too_slow_count (SseServerStream *stream,
                   guint64          queued_bytes,
                   guint64         *last_queued)
{
  /* Before "closed": the stream is still open. */
  g_assert_false (sse_server_stream_is_closed (stream));
  *last_queued = queued_bytes;
}

/* A client that does not read is not too slow the moment more than
 * max-queued-bytes waits for it (a fast one would not be either), but once
 * that has lasted slow-client-timeout without the backlog going down: then
 * "too-slow" is emitted and the client is disconnected. */
static void
test_stream_slow_client (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Lazy) client = NULL;
  g_autoptr(GError) closed_error = NULL;
  g_autofree char *chunk = g_strnfill (4096, 'x');
  SseServerStream *stream;
  guint64 max_queued = 64 * 1024, too_slow_queued = 0, queued;
  guint sent = 0;

  server->max_queued = max_queued;
  client = lazy_new (server, NULL);
  stream = test_stream_server_get_stream (server, 0);
  sse_server_stream_set_slow_client_timeout (stream, 50);
  g_signal_connect (stream, "too-slow", G_CALLBACK (on_too_slow_count), &too_slow_queued);
  g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);

  /* Send while the kernel's buffers fill up, until more than the limit
   * waits in the process. */
  while (sse_server_stream_get_queued_bytes (stream) <= max_queued)
    {
      g_assert_true (sse_server_stream_send (stream, NULL, chunk, NULL));
      g_assert_cmpuint (++sent, <, 100000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  queued = sse_server_stream_get_queued_bytes (stream);
  g_assert_false (sse_server_stream_is_closed (stream));
  g_assert_cmpuint (too_slow_queued, ==, 0);

  /* Nothing more is sent; the backlog does not go down. */
  test_wait_until (closed_error != NULL);
  g_assert_error (closed_error, SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW);
  g_assert_cmpuint (too_slow_queued, ==, queued);
  g_assert_true (sse_server_stream_is_closed (stream));
  g_assert_false (sse_server_stream_send (stream, NULL, chunk, NULL));
}

typedef struct {
  SoupServerMessage *in_handler;
  SseServerStream   *stream;
  guint              notified;
} MessageCheck;

static void
on_message_notify (GObject      *object,
                   GParamSpec   *pspec,
                   MessageCheck *check)
{
  check->notified++;
}

static void
handle_message_check (SoupServer        *soup_server,
                      SoupServerMessage *msg,
                      const char        *path,
                      GHashTable        *query,
                      gpointer           user_data)
{
  MessageCheck *check = user_data;

  check->stream = sse_server_stream_new (msg);
  check->in_handler = sse_server_stream_get_message (check->stream);
  g_assert_true (check->in_handler == msg);
  g_signal_connect (check->stream, "notify::message", G_CALLBACK (on_message_notify), check);
}

/* The message is the stream's in the handler; once the stream took the
 * connection over it lets go of it (notified once), and still sends. */
static void
test_stream_lets_go_of_message (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autofree char *url = g_strconcat (server->url, "check", NULL);
  g_autoptr(Client) client = NULL;
  MessageCheck check = { NULL, };

  soup_server_add_handler (server->soup_server, "/check", handle_message_check, &check, NULL);
  client = client_new (url, NULL);
  test_wait_until (check.notified == 1);
  g_assert_null (sse_server_stream_get_message (check.stream));
  g_assert_true (sse_server_stream_send (check.stream, NULL, "still here", NULL));
  test_wait_until (client->events->len == 1);
  g_assert_cmpuint (check.notified, ==, 1);
  g_clear_object (&check.stream);
  test_wait_until (client->eof);
}

static void
handle_http2 (SoupServer        *soup_server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  GPtrArray *streams = user_data;
  SseServerStream *stream;

  stream = sse_server_stream_new (msg);
  g_assert_false (sse_server_stream_send (stream, NULL, "first", "1"));
  g_ptr_array_add (streams, stream);
}

/* libsoup 3.2 speaks HTTP/2 when SOUP_SERVER_HTTP2 is set (over TLS), and
 * then ends a response with what its body held when the headers went out:
 * an event stream cannot go that way. The stream refuses it with 505 and
 * is closed from the start (a broadcaster does not take it). */
static void
test_stream_http2 (void)
{
  g_autofree char *cert_file = g_test_build_filename (G_TEST_DIST, "certs", "server.pem", NULL);
  g_autofree char *key_file = g_test_build_filename (G_TEST_DIST, "certs", "server-key.pem", NULL);
  g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(SseBroadcaster) broadcaster = sse_broadcaster_new ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  SseServerStream *stream;

  if (test_skip_without_tls ())
    return;
  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);

  g_setenv ("SOUP_SERVER_HTTP2", "1", TRUE);
  soup_server = soup_server_new ("tls-certificate", certificate, NULL);
  g_unsetenv ("SOUP_SERVER_HTTP2");
  soup_server_add_handler (soup_server, NULL, handle_http2, streams, NULL);
  g_assert_true (sse_server_listen_local (soup_server, 0,
                                          SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                                          &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup_server);
  url = g_strdup_printf ("https://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  client = client_new_full (url, NULL, TRUE);
  if (soup_message_get_http_version (client->msg) != SOUP_HTTP_2_0)
    {
      g_test_skip ("libsoup did not speak HTTP/2");
      return;
    }
  g_assert_cmpuint (soup_message_get_status (client->msg), ==, SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED);
  test_wait_until (client->eof);
  g_assert_cmpuint (client->events->len, ==, 0);

  g_assert_cmpuint (streams->len, ==, 1);
  stream = g_ptr_array_index (streams, 0);
  g_assert_true (sse_server_stream_is_closed (stream));
  g_assert_nonnull (sse_server_stream_get_message (stream));
  sse_broadcaster_add_stream (broadcaster, stream);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (broadcaster), ==, 0);
  soup_server_disconnect (soup_server);
}

/* Issue 13, defect 3: 20,000 events of 120 bytes (2.4 MB, thirty times
 * max-queued-bytes) sent from one main loop iteration all reach a client
 * that reads: it is not "too slow" for what the application did at once. */
static void
test_stream_burst_from_one_iteration (void)
{
  g_autoptr(GError) closed_error = NULL;
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autofree char *data = g_strnfill (100, 'b');
  SseServerStream *stream;
  guint n = 20000, i;

  server->max_queued = 64 * 1024;
  client = client_new (server->url, NULL);
  stream = test_stream_server_get_stream (server, 0);
  g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);

  for (i = 0; i < n; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      g_assert_true (sse_server_stream_send (stream, NULL, data, id));
    }
  g_assert_cmpuint (sse_server_stream_get_queued_bytes (stream), >, 30 * server->max_queued);

  test_wait_until (client->events->len == n || closed_error != NULL);
  g_assert_no_error (closed_error);
  g_assert_false (sse_server_stream_is_closed (stream));
  for (i = 0; i < n; i += 997)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      g_assert_cmpstr (sse_event_get_id (client_event (client, i)), ==, id);
    }
  test_wait_until (sse_server_stream_get_queued_bytes (stream) == 0);
}

/* With SSE_SLOW_CLIENT_DROP_OLDEST, a client that does not read keeps its
 * connection: the oldest events waiting for it are dropped, a "missed"
 * event whose id is the last one dropped takes their place, and what waits
 * stays bounded. When it reads again it gets the events it was sent
 * before, the notice, then the newest, in order. */
static void
test_stream_drop_oldest (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Lazy) client = NULL;
  g_autofree char *data = g_strnfill (1000, 'd');
  SseServerStream *stream;
  guint64 max_queued = 32 * 1024, too_slow_queued = 0;
  guint sent = 0, i, n_missed = 0;
  gboolean after_gap = FALSE;
  guint64 expected = 1;

  server->max_queued = max_queued;
  client = lazy_new (server, NULL);
  stream = test_stream_server_get_stream (server, 0);
  sse_server_stream_set_slow_client_policy (stream, SSE_SLOW_CLIENT_DROP_OLDEST);
  sse_server_stream_set_slow_client_timeout (stream, 20);
  g_assert_cmpstr (sse_server_stream_get_missed_event_type (stream), ==, "missed");
  g_signal_connect (stream, "too-slow", G_CALLBACK (on_too_slow_count), &too_slow_queued);

  /* Send until the stream dropped something, running the main loop. */
  while (too_slow_queued == 0)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", ++sent);
      g_assert_true (sse_server_stream_send (stream, NULL, data, id));
      g_assert_cmpuint (sent, <, 100000);
      test_run_for (1);
    }
  g_assert_cmpuint (too_slow_queued, >, max_queued);
  g_assert_cmpuint (sse_server_stream_get_queued_bytes (stream), <=, max_queued / 2 + 100);
  g_assert_false (sse_server_stream_is_closed (stream));
  g_assert_true (sse_server_stream_send (stream, NULL, "end", "end"));

  /* The client reads everything now. */
  test_poll_until ((lazy_read (client), client->events->len > 0 &&
                    g_strcmp0 (sse_event_get_id (lazy_event (client, client->events->len - 1)), "end") == 0));

  for (i = 0; i + 1 < client->events->len; i++)
    {
      SseEvent *event = lazy_event (client, i);
      guint64 id = g_ascii_strtoull (sse_event_get_id (event), NULL, 10);

      if (g_strcmp0 (sse_event_get_event_type (event), "missed") == 0)
        {
          /* Stands for the events up to its id. */
          g_assert_cmpstr (sse_event_get_data (event), ==, "too-slow");
          g_assert_cmpuint (id, >=, expected);
          expected = id + 1;
          n_missed++;
          after_gap = TRUE;
          continue;
        }
      g_assert_cmpstr (sse_event_get_event_type (event), ==, "message");
      g_assert_cmpuint (id, ==, expected);
      expected++;
    }
  g_assert_cmpuint (expected, ==, sent + 1);
  g_assert_true (after_gap);
  g_assert_cmpuint (n_missed, >=, 1);
  g_assert_false (sse_server_stream_is_closed (stream));
}

/* The body is not chunked: a closed stream ends with its last event and
 * the end of the connection, no chunk terminator after it (issue 13,
 * defect 4: the documentation said otherwise). */
static void
test_stream_close_ends_connection (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Lazy) client = NULL;
  SseServerStream *stream;

  client = lazy_new (server, NULL);
  stream = test_stream_server_get_stream (server, 0);
  sse_server_stream_send (stream, NULL, "last", "9");
  sse_server_stream_close (stream);

  test_poll_until ((lazy_read (client), client->eof));
  g_assert_true (g_str_has_prefix (client->raw->str, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (client->raw->str, "\r\n\r\n:\nid: 9\ndata: last\n\n"));
  g_assert_null (strstr (client->raw->str, "Transfer-Encoding"));
  g_assert_cmpuint (client->events->len, ==, 1);
}

/* Tests: SseBroadcaster -------------------------------------------------------- */

/* Properties through GObject, as bindings use them. */
static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n)
{
  (*n)++;
}

/* Sets the string or enum (by nick) property @name to @value: notified
 * once, and not again for the same value. */
static void
assert_notified_once (gpointer    object,
                      const char *name,
                      const char *value)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_autofree char *signal = g_strdup_printf ("notify::%s", name);
  guint n = 0, i;
  gulong handler = g_signal_connect (object, signal, G_CALLBACK (count_notify), &n);

  g_assert_nonnull (pspec);
  for (i = 0; i < 2; i++)
    {
      if (G_IS_PARAM_SPEC_ENUM (pspec))
        {
          g_autoptr(GEnumClass) klass = g_type_class_ref (pspec->value_type);
          GEnumValue *v = g_enum_get_value_by_nick (klass, value);

          g_assert_nonnull (v);
          g_object_set (object, name, v->value, NULL);
        }
      else
        g_object_set (object, name, value, NULL);
      g_assert_cmpuint (n, ==, 1);
    }
  g_signal_handler_disconnect (object, handler);
}

/* Properties through GObject, as bindings use them. */
static void
test_stream_properties (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = client_new (server->url, "7");
  SseServerStream *stream;
  SoupServerMessage *msg = NULL;
  g_autofree char *last_event_id = NULL;
  guint64 queued_bytes = G_MAXUINT64;

  test_wait_until (client->got_headers);
  stream = g_ptr_array_index (server->streams, 0);

  g_object_get (stream,
                "message", &msg,
                "last-event-id", &last_event_id,
                "queued-bytes", &queued_bytes,
                NULL);
  /* Let go of once the stream took the connection over. */
  g_assert_null (msg);
  g_assert_null (sse_server_stream_get_message (stream));
  g_assert_cmpstr (last_event_id, ==, "7");
  g_assert_cmpuint (queued_bytes, ==, sse_server_stream_get_queued_bytes (stream));
  g_clear_object (&msg);

  test_assert_property_write (stream, "heartbeat-interval", 42);
  test_assert_property_write (stream, "max-queued-bytes", 4096);
  test_assert_property_write (stream, "slow-client-timeout", 250);
  g_assert_cmpuint (sse_server_stream_get_heartbeat_interval (stream), ==, 42);
  g_assert_cmpuint (sse_server_stream_get_max_queued_bytes (stream), ==, 4096);
  g_assert_cmpuint (sse_server_stream_get_slow_client_timeout (stream), ==, 250);

  g_assert_cmpint (sse_server_stream_get_slow_client_policy (stream), ==, SSE_SLOW_CLIENT_DISCONNECT);
  assert_notified_once (stream, "slow-client-policy", "drop-oldest");
  g_assert_cmpint (sse_server_stream_get_slow_client_policy (stream), ==, SSE_SLOW_CLIENT_DROP_OLDEST);

  g_assert_cmpstr (sse_server_stream_get_missed_event_type (stream), ==,
                   SSE_SERVER_STREAM_DEFAULT_MISSED_EVENT_TYPE);
  assert_notified_once (stream, "missed-event-type", "gap");
  g_assert_cmpstr (sse_server_stream_get_missed_event_type (stream), ==, "gap");
  assert_notified_once (stream, "missed-event-type", NULL);
  g_assert_null (sse_server_stream_get_missed_event_type (stream));
  test_assert_n_properties (stream, 8);
}

static void
test_broadcaster_properties (void)
{
  g_autoptr(SseBroadcaster) broadcaster = sse_broadcaster_new ();
  guint n_streams = G_MAXUINT;

  g_object_get (broadcaster, "n-streams", &n_streams, NULL);
  g_assert_cmpuint (n_streams, ==, 0);
  test_assert_property_write (broadcaster, "replay-size", 100);
  g_assert_cmpuint (sse_broadcaster_get_replay_size (broadcaster), ==, 100);
  g_assert_cmpstr (sse_broadcaster_get_missed_event_type (broadcaster), ==, "missed");
  assert_notified_once (broadcaster, "missed-event-type", "resync");
  g_assert_cmpstr (sse_broadcaster_get_missed_event_type (broadcaster), ==, "resync");
  test_assert_n_properties (broadcaster, 3);
}

/* Adding a stream the broadcaster has already, or one that is closed, does
 * nothing: no second copy of each event, no dead member. */
static void
test_broadcaster_add_twice_or_closed (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = NULL;
  SseServerStream *stream;
  guint added = 0;

  server->broadcaster = sse_broadcaster_new ();
  g_signal_connect_swapped (server->broadcaster, "stream-added",
                            G_CALLBACK (g_atomic_int_inc), &added);
  client = client_new (server->url, NULL);
  stream = g_ptr_array_index (server->streams, 0);
  g_assert_cmpuint (added, ==, 1);

  sse_broadcaster_add_stream (server->broadcaster, stream);
  g_assert_cmpuint (added, ==, 1);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 1);

  sse_broadcaster_send (server->broadcaster, NULL, "once", NULL);
  sse_broadcaster_send (server->broadcaster, NULL, "end", NULL);
  /* Twice added would give "once", "once", "end", "end". */
  test_wait_until (client->events->len >= 2);
  g_assert_cmpstr (sse_event_get_data (client_event (client, 0)), ==, "once");
  g_assert_cmpstr (sse_event_get_data (client_event (client, 1)), ==, "end");

  sse_server_stream_close (stream);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 0);
  sse_broadcaster_add_stream (server->broadcaster, stream);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 0);
  g_assert_cmpuint (added, ==, 1);
}

static void
test_broadcaster_fan_out (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;
  g_autoptr(Client) c = NULL;
  guint added = 0;
  guint i;

  server->broadcaster = sse_broadcaster_new ();
  g_signal_connect_swapped (server->broadcaster, "stream-added",
                            G_CALLBACK (g_atomic_int_inc), &added);

  a = client_new (server->url, NULL);
  b = client_new (server->url, NULL);
  c = client_new (server->url, NULL);
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 3);

  for (i = 0; i < 10; i++)
    {
      g_autofree char *data = g_strdup_printf ("event %u", i);
      g_autofree char *id = g_strdup_printf ("%u", i);

      sse_broadcaster_send (server->broadcaster, "tick", data, id);
    }
  sse_broadcaster_send_comment (server->broadcaster, "between");

  test_wait_until (a->events->len == 10 && b->events->len == 10 && c->events->len == 10);
  for (i = 0; i < 10; i++)
    {
      g_autofree char *data = g_strdup_printf ("event %u", i);

      g_assert_cmpstr (sse_event_get_data (client_event (a, i)), ==, data);
      g_assert_true (sse_event_equal (client_event (a, i), client_event (b, i)));
      g_assert_true (sse_event_equal (client_event (a, i), client_event (c, i)));
    }
  test_wait_until (a->n_comments == 2 && b->n_comments == 2 && c->n_comments == 2);
}

static void
test_broadcaster_replay (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) late = NULL;
  g_autoptr(Client) unknown = NULL;
  g_autoptr(Client) fresh = NULL;
  guint i;

  server->broadcaster = sse_broadcaster_new ();
  sse_broadcaster_set_replay_size (server->broadcaster, 5);

  /* Eight events, nobody listening: the last five are kept (4..8). */
  for (i = 1; i <= 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      sse_broadcaster_send (server->broadcaster, NULL, id, id);
    }

  /* A client that saw 5 gets exactly 6, 7 and 8. */
  late = client_new (server->url, "5");
  /* A client whose id fell out of the buffer, or never existed, is told
   * that it missed events, and given the newest id; a new client gets
   * nothing from the past. */
  unknown = client_new (server->url, "2");
  fresh = client_new (server->url, NULL);

  sse_broadcaster_send (server->broadcaster, NULL, "9", "9");

  test_wait_until (late->events->len == 4 && unknown->events->len == 2 && fresh->events->len == 1);
  g_assert_cmpstr (sse_event_get_data (client_event (late, 0)), ==, "6");
  g_assert_cmpstr (sse_event_get_data (client_event (late, 1)), ==, "7");
  g_assert_cmpstr (sse_event_get_data (client_event (late, 2)), ==, "8");
  g_assert_cmpstr (sse_event_get_data (client_event (late, 3)), ==, "9");
  g_assert_cmpstr (sse_event_get_event_type (client_event (unknown, 0)), ==, "missed");
  g_assert_cmpstr (sse_event_get_data (client_event (unknown, 0)), ==, "unknown-last-event-id");
  g_assert_cmpstr (sse_event_get_id (client_event (unknown, 0)), ==, "8");
  g_assert_cmpstr (sse_event_get_data (client_event (unknown, 1)), ==, "9");
  g_assert_cmpstr (sse_event_get_data (client_event (fresh, 0)), ==, "9");

  /* A client up to date gets nothing again. */
  {
    g_autoptr(Client) current = client_new (server->url, "9");

    sse_broadcaster_send (server->broadcaster, NULL, "10", "10");
    test_wait_until (current->events->len == 1);
    g_assert_cmpstr (sse_event_get_data (client_event (current, 0)), ==, "10");
  }

  /* Shrinking the buffer forgets the oldest at once. */
  sse_broadcaster_set_replay_size (server->broadcaster, 1);
  {
    g_autoptr(Client) old = client_new (server->url, "8");
    g_autoptr(Client) recent = client_new (server->url, "10");

    sse_broadcaster_send (server->broadcaster, NULL, "11", "11");
    test_wait_until (old->events->len == 2 && recent->events->len == 1);
    g_assert_cmpstr (sse_event_get_event_type (client_event (old, 0)), ==, "missed");
    g_assert_cmpstr (sse_event_get_id (client_event (old, 0)), ==, "10");
    g_assert_cmpstr (sse_event_get_data (client_event (old, 1)), ==, "11");
    g_assert_cmpstr (sse_event_get_data (client_event (recent, 0)), ==, "11");
  }
}

static void
handle_with_add_message (SoupServer        *soup_server,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query,
                         gpointer           user_data)
{
  sse_broadcaster_add_message (user_data, msg);
}

/* The missed-event notice: its type is the broadcaster's setting for the
 * streams it makes (NULL: no notice at all), and with nothing kept its id
 * is empty, which makes the client forget its Last-Event-ID. Without a
 * replay buffer a client's Last-Event-ID is the application's business:
 * no notice. */
static void
test_broadcaster_stale_cursor (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(SseBroadcaster) broadcaster = sse_broadcaster_new ();
  g_autofree char *url = g_strconcat (server->url, "feed", NULL);
  g_autoptr(Client) empty = NULL;
  g_autoptr(Client) untold = NULL;
  g_autoptr(Client) no_replay = NULL;

  soup_server_add_handler (server->soup_server, "/feed", handle_with_add_message, broadcaster, NULL);

  /* Replay is on, but nothing was sent since the server started. */
  sse_broadcaster_set_replay_size (broadcaster, 10);
  empty = client_new (url, "41");
  test_wait_until (empty->events->len == 1);
  g_assert_cmpstr (sse_event_get_event_type (client_event (empty, 0)), ==, "missed");
  g_assert_cmpstr (sse_event_get_data (client_event (empty, 0)), ==, "unknown-last-event-id");
  g_assert_cmpstr (sse_event_get_id (client_event (empty, 0)), ==, "");
  g_assert_cmpstr (sse_parser_get_last_event_id (empty->parser), ==, "");

  /* The type is the broadcaster's; NULL tells nothing. */
  sse_broadcaster_set_missed_event_type (broadcaster, NULL);
  untold = client_new (url, "41");
  sse_broadcaster_set_replay_size (broadcaster, 0);
  sse_broadcaster_set_missed_event_type (broadcaster, "missed");
  no_replay = client_new (url, "41");
  sse_broadcaster_send (broadcaster, NULL, "1", "1");
  test_wait_until (untold->events->len == 1 && no_replay->events->len == 1 &&
                   empty->events->len == 2);
  g_assert_cmpstr (sse_event_get_data (client_event (untold, 0)), ==, "1");
  g_assert_cmpstr (sse_event_get_data (client_event (no_replay, 0)), ==, "1");
}

static void
sample_queued (SseServerStream *stream,
               guint64         *max)
{
  *max = MAX (*max, sse_server_stream_get_queued_bytes (stream));
}

static gboolean
sample_queued_cb (gpointer user_data)
{
  gpointer *args = user_data;

  sample_queued (args[0], args[1]);
  return G_SOURCE_CONTINUE;
}

/* Issue 13, defect 1: a client that missed more than max-queued-bytes
 * (8,000 events of ~215 bytes, 1.7 MB against 1 MiB) catches up: the
 * replay goes out at the pace it reads, and what waits for it in the
 * process stays small. */
static void
test_broadcaster_replay_paced (void)
{
  g_autoptr(GError) closed_error = NULL;
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) client = NULL;
  g_autofree char *data = g_strnfill (200, 'r');
  SseServerStream *stream;
  guint n = 8000, i;
  guint64 max_queued = 0;
  gpointer args[2];
  GSource *sampler;

  server->broadcaster = sse_broadcaster_new ();
  sse_broadcaster_set_replay_size (server->broadcaster, 10000);
  for (i = 1; i <= n; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      sse_broadcaster_send (server->broadcaster, NULL, data, id);
    }

  client = client_new (server->url, "1");
  stream = test_stream_server_get_stream (server, 0);
  g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);
  args[0] = stream;
  args[1] = &max_queued;
  sample_queued (stream, &max_queued);
  sampler = g_idle_source_new ();
  g_source_set_callback (sampler, sample_queued_cb, args, NULL);
  g_source_attach (sampler, NULL);

  test_wait_until (client->events->len == n - 1 || closed_error != NULL);
  g_source_destroy (sampler);
  g_source_unref (sampler);
  g_assert_no_error (closed_error);
  for (i = 0; i < n - 1; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i + 2);
      g_assert_cmpstr (sse_event_get_id (client_event (client, i)), ==, id);
    }
  g_test_message ("at most %" G_GUINT64_FORMAT " bytes waited during the replay", max_queued);
  g_assert_cmpuint (max_queued, <=, 64 * 1024 + 300);

  /* Caught up: new events come as they are sent. */
  sse_broadcaster_send (server->broadcaster, NULL, "new", "new");
  test_wait_until (client->events->len == n);
  g_assert_cmpstr (sse_event_get_id (client_event (client, n - 1)), ==, "new");
}

typedef struct {
  SseSlowClientPolicy policy;
} PolicySetter;

static void
set_policy_on_added (SseBroadcaster  *broadcaster,
                     SseServerStream *stream,
                     PolicySetter    *setter)
{
  sse_server_stream_set_slow_client_policy (stream, setter->policy);
}

/* A client that replays, and reads too slowly to catch up before new
 * events push what it still needs out of the buffer: disconnected, or
 * (SSE_SLOW_CLIENT_DROP_OLDEST) told that it missed events and moved on
 * to the oldest kept one. */
static void
replay_falls_behind (SseSlowClientPolicy policy)
{
  g_autoptr(GError) closed_error = NULL;
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Lazy) client = NULL;
  g_autofree char *data = g_strnfill (1000, 'f');
  PolicySetter setter = { policy };
  SseServerStream *stream;
  guint replay = 8000, i, n_missed = 0;
  guint64 expected = 2;

  server->broadcaster = sse_broadcaster_new ();
  sse_broadcaster_set_replay_size (server->broadcaster, replay);
  g_signal_connect (server->broadcaster, "stream-added", G_CALLBACK (set_policy_on_added), &setter);
  for (i = 1; i <= replay; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      sse_broadcaster_send (server->broadcaster, NULL, data, id);
    }

  client = lazy_new (server, "1");
  stream = test_stream_server_get_stream (server, 0);
  g_signal_connect (stream, "closed", G_CALLBACK (test_record_closed_error), &closed_error);

  /* The client's socket fills up; then the buffer turns over. */
  test_run_for (100);
  for (i = replay + 1; i <= 2 * replay; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      sse_broadcaster_send (server->broadcaster, NULL, data, id);
    }

  if (policy == SSE_SLOW_CLIENT_DISCONNECT)
    {
      /* It is found out when it reads again. */
      test_poll_until ((lazy_read (client), closed_error != NULL));
      g_assert_error (closed_error, SSE_ERROR, SSE_ERROR_CLIENT_TOO_SLOW);
      test_poll_until ((lazy_read (client), client->eof));
      return;
    }

  test_poll_until ((lazy_read (client), client->events->len > 0 &&
                    g_strcmp0 (sse_event_get_id (lazy_event (client, client->events->len - 1)),
                               "16000") == 0));
  for (i = 0; i < client->events->len; i++)
    {
      SseEvent *event = lazy_event (client, i);
      guint64 id = g_ascii_strtoull (sse_event_get_id (event), NULL, 10);

      if (g_strcmp0 (sse_event_get_event_type (event), "missed") == 0)
        {
          /* The newest event that left the buffer. */
          g_assert_cmpstr (sse_event_get_data (event), ==, "too-slow");
          g_assert_cmpuint (id, >=, expected);
          expected = id + 1;
          n_missed++;
          continue;
        }
      g_assert_cmpuint (id, ==, expected);
      expected++;
    }
  g_assert_cmpuint (n_missed, ==, 1);
  g_assert_no_error (closed_error);
}

static void
test_broadcaster_replay_falls_behind_disconnect (void)
{
  replay_falls_behind (SSE_SLOW_CLIENT_DISCONNECT);
}

static void
test_broadcaster_replay_falls_behind_drop_oldest (void)
{
  replay_falls_behind (SSE_SLOW_CLIENT_DROP_OLDEST);
}

typedef struct {
  SseBroadcaster  *broadcaster;
  SseServerStream *returned;
  gboolean         called;
  gboolean         finalized;
} AddMessage;

static void
on_added_stream_finalized (gpointer  data,
                           GObject  *where_the_object_was)
{
  ((AddMessage *) data)->finalized = TRUE;
}

static void
close_on_added (SseBroadcaster  *broadcaster,
                SseServerStream *stream,
                AddMessage      *am)
{
  g_object_weak_ref (G_OBJECT (stream), on_added_stream_finalized, am);
  sse_server_stream_close (stream);
}

static void
handle_add_message (SoupServer        *soup_server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  AddMessage *am = user_data;

  am->returned = sse_broadcaster_add_message (am->broadcaster, msg);
  am->called = TRUE;
}

/* Issue 13, defect 2: add_message() never returns a stream that is gone.
 * One that closed while it was added (here a stream-added handler closes
 * it) is NULL. */
static void
test_broadcaster_add_message_closed (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(SseBroadcaster) broadcaster = sse_broadcaster_new ();
  g_autofree char *url = g_strconcat (server->url, "add", NULL);
  g_autoptr(Client) client = NULL;
  AddMessage am = { broadcaster, NULL, FALSE, FALSE };

  soup_server_add_handler (server->soup_server, "/add", handle_add_message, &am, NULL);
  g_signal_connect (broadcaster, "stream-added", G_CALLBACK (close_on_added), &am);

  client = client_new (url, NULL);
  test_wait_until (am.called);
  g_assert_true (am.finalized);
  g_assert_null (am.returned);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (broadcaster), ==, 0);
  test_wait_until (client->eof);
}

static void
on_stream_removed (SseBroadcaster  *broadcaster,
                   SseServerStream *stream,
                   const GError    *error,
                   guint           *removed)
{
  (*removed)++;
}

static void
test_broadcaster_client_leaves (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) stays = NULL;
  Client *leaves;
  guint removed = 0;

  server->broadcaster = sse_broadcaster_new ();
  g_signal_connect (server->broadcaster, "stream-removed", G_CALLBACK (on_stream_removed),
                    &removed);
  stays = client_new (server->url, NULL);
  leaves = client_new (server->url, NULL);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 2);

  client_free (leaves);

  /* Broadcasting finds out that the client left, removes it, and the
   * other client is not disturbed. */
  while (removed == 0)
    {
      sse_broadcaster_send (server->broadcaster, NULL, "ping", NULL);
      test_wait_until (stays->events->len > 0);
      g_ptr_array_set_size (stays->events, 0);
    }
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 1);

  /* remove_stream() stops the sending without closing the stream. */
  sse_broadcaster_remove_stream (server->broadcaster, test_stream_server_get_stream (server, 0));
  g_assert_cmpuint (removed, ==, 2);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 0);
  g_assert_false (sse_server_stream_is_closed (test_stream_server_get_stream (server, 0)));
}

static void
test_broadcaster_slow_client_dropped (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(TestRawClient) slow = NULL;
  g_autoptr(Client) fast = NULL;
  g_autofree char *chunk = g_strnfill (4096, 'y');
  guint removed = 0, i;

  server->broadcaster = sse_broadcaster_new ();
  server->max_queued = 32 * 1024;
  g_signal_connect (server->broadcaster, "stream-removed", G_CALLBACK (on_stream_removed),
                    &removed);
  fast = client_new (server->url, NULL);
  slow = test_raw_client_new (server);

  /* The slow client is dropped; the reading one gets every event. */
  for (i = 0; removed == 0; i++)
    {
      sse_broadcaster_send (server->broadcaster, NULL, chunk, NULL);
      test_wait_until (fast->events->len == i + 1);
      g_assert_cmpuint (i, <, 100000);
    }
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 1);
  g_assert_true (sse_server_stream_is_closed (test_stream_server_get_stream (server, 1)));
}

static void
test_broadcaster_close_all (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;

  server->broadcaster = sse_broadcaster_new ();
  a = client_new (server->url, NULL);
  b = client_new (server->url, NULL);
  sse_broadcaster_send (server->broadcaster, NULL, "the end", NULL);
  sse_broadcaster_close_all (server->broadcaster);

  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 0);
  test_wait_until (a->eof && b->eof);
  g_assert_cmpuint (a->events->len, ==, 1);
  g_assert_cmpuint (b->events->len, ==, 1);
}

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = sse_broadcaster_drain_finish (SSE_BROADCASTER (source), result, error);

  g_assert_true (ok == (*error == NULL));
  if (ok)
    *error = g_error_new_literal (G_IO_ERROR, 0, "drained");
}

static void
short_slow_timeout_on_added (SseBroadcaster  *broadcaster,
                             SseServerStream *stream,
                             gpointer         user_data)
{
  sse_server_stream_set_slow_client_timeout (stream, 100);
}

/* Draining ends every stream cleanly: readers get everything that was
 * queued for them, then the end of the stream; a client that reads
 * nothing is given up on (after its slow-client-timeout) instead of
 * holding the drain forever; the broadcaster is empty at once. */
static void
test_broadcaster_drain (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;
  g_autoptr(Lazy) stuck = NULL;
  g_autoptr(GError) result = NULL;
  g_autofree char *data = g_strnfill (1000, 'e');
  guint n = 2000, i;

  server->broadcaster = sse_broadcaster_new ();
  server->forget = TRUE;
  g_signal_connect (server->broadcaster, "stream-added",
                    G_CALLBACK (short_slow_timeout_on_added), NULL);
  a = client_new (server->url, NULL);
  b = client_new (server->url, NULL);
  stuck = lazy_new (server, NULL);

  /* Two megabytes each, queued from one iteration: still in the process
   * when the drain starts. */
  for (i = 1; i <= n; i++)
    {
      char id[16];

      g_snprintf (id, sizeof id, "%u", i);
      sse_broadcaster_send (server->broadcaster, NULL, data, id);
    }
  sse_broadcaster_drain_async (server->broadcaster, NULL, on_drained, &result);
  g_assert_cmpuint (sse_broadcaster_get_n_streams (server->broadcaster), ==, 0);

  test_wait_until (result != NULL);
  g_assert_error (result, G_IO_ERROR, 0);
  test_wait_until (a->eof && b->eof);
  g_assert_cmpuint (a->events->len, ==, n);
  g_assert_cmpuint (b->events->len, ==, n);
  g_assert_cmpstr (sse_event_get_id (client_event (a, n - 1)), ==, "2000");
  g_assert_cmpstr (sse_event_get_id (client_event (b, n - 1)), ==, "2000");

  /* Nothing left to wait for: done at once (in the next iteration). */
  g_clear_error (&result);
  sse_broadcaster_drain_async (server->broadcaster, NULL, on_drained, &result);
  test_wait_until (result != NULL);
  g_assert_error (result, G_IO_ERROR, 0);
}

/* Waiting for a drain can be cancelled; the drain goes on. */
static void
test_broadcaster_drain_cancelled (void)
{
  g_autoptr(TestStreamServer) server = server_new ();
  g_autoptr(Lazy) stuck = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) result = NULL;
  g_autofree char *data = g_strnfill (64 * 1024, 'c');
  guint i;

  server->broadcaster = sse_broadcaster_new ();
  server->forget = TRUE;
  stuck = lazy_new (server, NULL);
  for (i = 0; i < 100; i++)
    sse_broadcaster_send (server->broadcaster, NULL, data, NULL);
  test_run_for (50);

  sse_broadcaster_drain_async (server->broadcaster, cancellable, on_drained, &result);
  g_cancellable_cancel (cancellable);
  test_wait_until (result != NULL);
  g_assert_error (result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Tests: listening ---------------------------------------------------------- */

static guint
listener_port (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  guint port;

  g_assert_nonnull (uris);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

/* The backlog is the system's maximum, and the sockets are libsoup's
 * listeners like any other. */
static void
test_listen_backlog (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupServer) both = soup_server_new (NULL, NULL);
  g_autoptr(SoupServer) tls = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *somaxconn = NULL;
  GSList *listeners, *l;
  int backlog = sse_server_get_listen_backlog ();

  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &somaxconn, NULL, NULL))
    g_assert_cmpint (backlog, ==, atoi (somaxconn));
  else
    g_assert_cmpint (backlog, ==, SOMAXCONN);

  g_assert_true (sse_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  listeners = soup_server_get_listeners (server);
  g_assert_cmpuint (g_slist_length (listeners), ==, 1);
  g_assert_cmpint (g_socket_get_listen_backlog (listeners->data), ==, backlog);
  g_assert_cmpint (g_socket_get_family (listeners->data), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpuint (listener_port (server), >, 0);
  g_slist_free (listeners);

  /* Both families, on one port (or IPv4 alone where there is no IPv6). */
  g_assert_true (sse_server_listen_local (both, 0, 0, &error));
  g_assert_no_error (error);
  listeners = soup_server_get_listeners (both);
  g_assert_cmpuint (g_slist_length (listeners), >=, 1);
  for (l = listeners; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (l->data, NULL);

      g_assert_cmpint (g_socket_get_listen_backlog (l->data), ==, backlog);
      g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), ==,
                        listener_port (both));
    }
  g_slist_free (listeners);

  /* HTTPS without a certificate is refused, and nothing is left
   * listening. */
  g_assert_false (sse_server_listen_local (tls, 0, SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (soup_server_get_listeners (tls));
  g_clear_error (&error);

  soup_server_disconnect (server);
  soup_server_disconnect (both);
}

/* A burst: while the server accepts nothing (its main loop does not run),
 * the kernel completes the connections of 200 clients at once (or as many
 * as the system's backlog allows) and keeps them for it. With GLib's
 * default backlog of 10, the eleventh would wait for TCP to retry. Then
 * every one is served. */
static void
test_listen_burst (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SseBroadcaster) broadcaster = sse_broadcaster_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  guint n = MIN (200, (guint) sse_server_get_listen_backlog ()), i, connected = 0;
  gint64 deadline;
  static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  soup_server_add_handler (server, NULL, handle_with_add_message, broadcaster, NULL);
  g_assert_true (sse_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, listener_port (server));

  for (i = 0; i < n; i++)
    {
      GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, &error);

      g_assert_no_error (error);
      g_socket_set_blocking (socket, FALSE);
      if (!g_socket_connect (socket, address, NULL, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
          g_clear_error (&error);
        }
      g_ptr_array_add (sockets, socket);
    }

  /* No main loop: nobody accepts. Each handshake completes in the kernel,
   * or is dropped (and retried only after a second). */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (i = 0; i < n; i++)
    {
      GSocket *socket = g_ptr_array_index (sockets, i);
      gint64 left = MAX (deadline - g_get_monotonic_time (), 0);

      if (g_socket_condition_timed_wait (socket, G_IO_OUT, left, NULL, NULL) &&
          g_socket_check_connect_result (socket, NULL))
        connected++;
    }
  g_assert_cmpuint (connected, ==, n);

  for (i = 0; i < n; i++)
    {
      g_socket_send (g_ptr_array_index (sockets, i), request, strlen (request), NULL, &error);
      g_assert_no_error (error);
    }
  test_wait_until (sse_broadcaster_get_n_streams (broadcaster) == n);

  g_ptr_array_set_size (sockets, 0);
  sse_broadcaster_close_all (broadcaster);
  soup_server_disconnect (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/backlog/within-limit", test_backlog_within_limit);
  g_test_add_func ("/server/backlog/not-going-down", test_backlog_not_going_down);
  g_test_add_func ("/server/backlog/going-down", test_backlog_going_down);
  g_test_add_func ("/server/backlog/no-timeout", test_backlog_no_timeout);
  g_test_add_func ("/server/backlog/drop-target", test_backlog_drop_target);
  g_test_add_func ("/server/stream/response-headers", test_stream_response_headers);
  g_test_add_func ("/server/stream/last-event-id", test_stream_last_event_id);
  g_test_add_func ("/server/stream/send", test_stream_send);
  g_test_add_func ("/server/stream/close", test_stream_close);
  g_test_add_func ("/server/stream/unref-ends-response", test_stream_unref_ends_response);
  g_test_add_func ("/server/stream/heartbeat", test_stream_heartbeat);
  g_test_add_func ("/server/stream/client-goes-away", test_stream_client_goes_away);
  g_test_add_func ("/server/stream/lets-go-of-message", test_stream_lets_go_of_message);
  g_test_add_func ("/server/stream/http2", test_stream_http2);
  g_test_add_func ("/server/stream/slow-client", test_stream_slow_client);
  g_test_add_func ("/server/stream/burst-from-one-iteration", test_stream_burst_from_one_iteration);
  g_test_add_func ("/server/stream/drop-oldest", test_stream_drop_oldest);
  g_test_add_func ("/server/stream/close-ends-connection", test_stream_close_ends_connection);
  g_test_add_func ("/server/stream/properties", test_stream_properties);
  g_test_add_func ("/server/broadcaster/properties", test_broadcaster_properties);
  g_test_add_func ("/server/broadcaster/add-twice-or-closed", test_broadcaster_add_twice_or_closed);
  g_test_add_func ("/server/broadcaster/fan-out", test_broadcaster_fan_out);
  g_test_add_func ("/server/broadcaster/replay", test_broadcaster_replay);
  g_test_add_func ("/server/broadcaster/replay-paced", test_broadcaster_replay_paced);
  g_test_add_func ("/server/broadcaster/stale-cursor", test_broadcaster_stale_cursor);
  g_test_add_func ("/server/broadcaster/replay-falls-behind/disconnect",
                   test_broadcaster_replay_falls_behind_disconnect);
  g_test_add_func ("/server/broadcaster/replay-falls-behind/drop-oldest",
                   test_broadcaster_replay_falls_behind_drop_oldest);
  g_test_add_func ("/server/broadcaster/add-message-closed", test_broadcaster_add_message_closed);
  g_test_add_func ("/server/broadcaster/client-leaves", test_broadcaster_client_leaves);
  g_test_add_func ("/server/broadcaster/slow-client-dropped", test_broadcaster_slow_client_dropped);
  g_test_add_func ("/server/broadcaster/close-all", test_broadcaster_close_all);
  g_test_add_func ("/server/broadcaster/drain", test_broadcaster_drain);
  g_test_add_func ("/server/broadcaster/drain-cancelled", test_broadcaster_drain_cancelled);

  g_test_add_func ("/server/listen/backlog", test_listen_backlog);
  g_test_add_func ("/server/listen/burst", test_listen_burst);

  return g_test_run ();
}
