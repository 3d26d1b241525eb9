/* test-utils.c: an in-process, scriptable HTTP server and main-loop helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-utils.h"

#if defined(__SANITIZE_ADDRESS__)
# define TEST_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define TEST_ASAN 1
# endif
#endif
#ifndef TEST_ASAN
# define TEST_ASAN 0
#endif

/* Listening on the loopback interface ------------------------------------- */

/* Makes @soup_server listen on @port (0: any) of 127.0.0.1; returns its
 * URL, "http://127.0.0.1:PORT/" (https with @https), and the port. */
static char *
listen_on_loopback (SoupServer *soup_server,
                    guint       port,
                    gboolean    https,
                    guint      *port_out)
{
  g_autoptr(GError) error = NULL;
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;
  char *url;

  if (https)
    options |= SOUP_SERVER_LISTEN_HTTPS;
  if (!soup_server_listen_local (soup_server, port, options, &error))
    g_error ("Cannot listen on the loopback interface: %s", error->message);

  uris = soup_server_get_uris (soup_server);
  g_assert_nonnull (uris);
  *port_out = g_uri_get_port (uris->data);
  url = g_strdup_printf ("%s://127.0.0.1:%u/", https ? "https" : "http", *port_out);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

/* A socket service on a port of its own of 127.0.0.1, whose "incoming"
 * goes to @on_incoming with @user_data, started; *@url is
 * "http://127.0.0.1:PORT/". */
static GSocketService *
socket_service_new_on_loopback (GCallback   on_incoming,
                                gpointer    user_data,
                                char      **url)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    g_error ("Cannot listen on the loopback interface: %s", error->message);
  g_signal_connect (service, "incoming", on_incoming, user_data);
  g_socket_service_start (service);

  *url = g_strdup_printf ("http://127.0.0.1:%u/",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  return service;
}

/* Stops listening, and frees @service. */
static void
socket_service_free (GSocketService *service,
                     gpointer        user_data)
{
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_signal_handlers_disconnect_by_data (service, user_data);
  g_object_unref (service);
}

/* Main loop --------------------------------------------------------------- */

struct _TestDeadline
{
  GSource  *source;
  gboolean  expired;
};

static gboolean
deadline_cb (gpointer user_data)
{
  TestDeadline *deadline = user_data;

  deadline->expired = TRUE;
  return G_SOURCE_REMOVE;
}

TestDeadline *
test_deadline_new (guint milliseconds)
{
  TestDeadline *deadline = g_new0 (TestDeadline, 1);

  deadline->source = g_timeout_source_new (milliseconds);
  g_source_set_callback (deadline->source, deadline_cb, deadline, NULL);
  g_source_attach (deadline->source, g_main_context_get_thread_default ());
  return deadline;
}

gboolean
test_deadline_expired (TestDeadline *deadline)
{
  return deadline->expired;
}

void
test_deadline_free (TestDeadline *deadline)
{
  g_source_destroy (deadline->source);
  g_source_unref (deadline->source);
  g_free (deadline);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* A timer that only wakes the thread-default main context up. */
GSource *
test_ticker_new (guint milliseconds)
{
  GSource *ticker = g_timeout_source_new (milliseconds);

  g_source_set_callback (ticker, tick_cb, NULL, NULL);
  g_source_attach (ticker, g_main_context_get_thread_default ());
  return ticker;
}

void
test_ticker_free (GSource *ticker)
{
  g_source_destroy (ticker);
  g_source_unref (ticker);
}

void
test_run_for (guint milliseconds)
{
  TestDeadline *deadline = test_deadline_new (milliseconds);

  while (!test_deadline_expired (deadline))
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  test_deadline_free (deadline);
}

/* Scripts ----------------------------------------------------------------- */

typedef enum {
  STEP_WRITE,
  STEP_WAIT,
  STEP_WAIT_RELEASE,
  STEP_END,
  STEP_DROP,
} StepKind;

typedef struct {
  StepKind  kind;
  GBytes   *bytes;          /* STEP_WRITE */
  guint     milliseconds;   /* STEP_WAIT */
} Step;

struct _TestResponse
{
  gatomicrefcount     ref_count;
  guint               status;
  char               *content_type;
  SoupMessageHeaders *headers;
  GArray             *steps;
  guint               heartbeat;
  gboolean            hang;
};

static void
step_clear (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->bytes, g_bytes_unref);
}

/* A response with @status, no content type and no body. */
TestResponse *
test_response_new (guint status)
{
  TestResponse *response = g_new0 (TestResponse, 1);

  g_atomic_ref_count_init (&response->ref_count);
  response->status = status;
  response->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  response->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (response->steps, step_clear);
  return response;
}

/* 200 OK, text/event-stream, open-ended: without further steps, the
 * server sends the headers and then stays silent. */
TestResponse *
test_response_new_stream (void)
{
  TestResponse *response = test_response_new (SOUP_STATUS_OK);

  test_response_set_content_type (response, "text/event-stream");
  return response;
}

TestResponse *
test_response_new_redirect (guint       status,
                            const char *location)
{
  TestResponse *response = test_response_new (status);

  test_response_add_header (response, "Location", location);
  test_response_end (response);
  return response;
}

/* A whole response, not a stream: @status, then @content_type (NULL: no
 * Content-Type) and @body (NULL: none), and its end. */
TestResponse *
test_response_new_complete (guint       status,
                            const char *content_type,
                            const char *body)
{
  TestResponse *response = test_response_new (status);

  test_response_set_content_type (response, content_type);
  if (body != NULL)
    test_response_write (response, body);
  test_response_end (response);
  return response;
}

TestResponse *
test_response_ref (TestResponse *response)
{
  g_atomic_ref_count_inc (&response->ref_count);
  return response;
}

void
test_response_unref (TestResponse *response)
{
  if (!g_atomic_ref_count_dec (&response->ref_count))
    return;

  g_free (response->content_type);
  soup_message_headers_unref (response->headers);
  g_array_unref (response->steps);
  g_free (response);
}

void
test_response_set_status (TestResponse *response,
                          guint         status)
{
  response->status = status;
}

/* NULL sends no Content-Type at all. */
void
test_response_set_content_type (TestResponse *response,
                                const char   *content_type)
{
  g_free (response->content_type);
  response->content_type = g_strdup (content_type);
}

void
test_response_add_header (TestResponse *response,
                          const char   *name,
                          const char   *value)
{
  soup_message_headers_append (response->headers, name, value);
}

static void
add_step (TestResponse *response,
          Step          step)
{
  g_array_append_val (response->steps, step);
}

/* Sends @len bytes as one chunk. */
void
test_response_write_len (TestResponse *response,
                         const void   *data,
                         gsize         len)
{
  add_step (response, (Step) { STEP_WRITE, g_bytes_new (data, len), 0 });
}

/* Sends @bytes as one chunk, without copying them: one buffer can be sent
 * many times to make a huge body. */
void
test_response_write_bytes (TestResponse *response,
                           GBytes       *bytes)
{
  add_step (response, (Step) { STEP_WRITE, g_bytes_ref (bytes), 0 });
}

/* Sends @len bytes one at a time, @milliseconds of main loop time apart
 * (a slow-loris server). */
void
test_response_write_slowly (TestResponse *response,
                            const void   *data,
                            gsize         len,
                            guint         milliseconds)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      test_response_write_len (response, (const guint8 *) data + i, 1);
      if (i + 1 < len)
        test_response_wait (response, milliseconds);
    }
}

void
test_response_write (TestResponse *response,
                     const char   *text)
{
  test_response_write_len (response, text, strlen (text));
}

void
test_response_writef (TestResponse *response,
                      const char   *format,
                      ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  add_step (response, (Step) { STEP_WRITE, g_bytes_new_take (text, strlen (text)), 0 });
}

/* Waits @milliseconds of main loop time before the next step (what was
 * written before is sent at once). */
void
test_response_wait (TestResponse *response,
                    guint         milliseconds)
{
  add_step (response, (Step) { STEP_WAIT, NULL, milliseconds });
}

/* Waits until test_server_release() is called (after this step was
 * reached) before the next step. */
void
test_response_wait_release (TestResponse *response)
{
  add_step (response, (Step) { STEP_WAIT_RELEASE, NULL, 0 });
}

/* Ends the body properly (the final chunk of a chunked body). */
void
test_response_end (TestResponse *response)
{
  add_step (response, (Step) { STEP_END, NULL, 0 });
}

/* Once what was written before has been sent, closes the connection in the
 * middle of a chunk, as a crashed server or a broken network would: the
 * client's read fails (G_IO_ERROR_PARTIAL_INPUT). Only for chunked (streaming)
 * responses. */
void
test_response_drop (TestResponse *response)
{
  add_step (response, (Step) { STEP_DROP, NULL, 0 });
}

/* After the last step (unless it ended or dropped the response), sends a
 * comment line every @milliseconds. This also lets the server notice a
 * client that went away. */
void
test_response_heartbeat (TestResponse *response,
                         guint         milliseconds)
{
  response->heartbeat = milliseconds;
}

/* Never answers: the request is read and then nothing at all is sent. */
void
test_response_hang (TestResponse *response)
{
  response->hang = TRUE;
}

/* The server -------------------------------------------------------------- */

typedef struct {
  GQueue          responses;   /* queued TestResponse */
  TestHandler     handler;
  gpointer        user_data;
  GDestroyNotify  destroy;
} Route;

typedef struct {
  TestServer        *server;
  SoupServerMessage *msg;
  TestResponse      *script;
  TestRequest       *request;
  guint              step;
  GSource           *timer;
  guint64            appended;
  guint64            written;
  gboolean           waiting_release;
  gboolean           pending_drop;
  gboolean           done;      /* nothing more to send */
  gboolean           finished;  /* libsoup is done with the message */
} Exchange;

struct _TestServer
{
  SoupServer   *soup_server;
  GMainContext *context;
  char         *url;
  guint         port;
  GHashTable   *routes;      /* path -> Route */
  GPtrArray    *requests;    /* TestRequest, but the forgotten ones */
  guint         n_forgotten; /* requests dropped by test_server_forget() */
  GPtrArray    *exchanges;   /* Exchange, until finished and forgotten */
};

static void
route_free (gpointer data)
{
  Route *route = data;

  g_queue_clear_full (&route->responses, (GDestroyNotify) test_response_unref);
  if (route->destroy != NULL)
    route->destroy (route->user_data);
  g_free (route);
}

static Route *
get_route (TestServer *server,
           const char *path)
{
  Route *route = g_hash_table_lookup (server->routes, path);

  if (route == NULL)
    {
      route = g_new0 (Route, 1);
      g_queue_init (&route->responses);
      g_hash_table_insert (server->routes, g_strdup (path), route);
    }
  return route;
}

static void
request_free (gpointer data)
{
  TestRequest *request = data;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  soup_message_headers_unref (request->headers);
  g_bytes_unref (request->body);
  g_free (request);
}

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static TestRequest *
record_request (TestServer        *server,
                SoupServerMessage *msg)
{
  TestRequest *request = g_new0 (TestRequest, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  request->index = server->n_forgotten + server->requests->len;
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (g_uri_get_path (uri));
  request->query = g_strdup (g_uri_get_query (uri));
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                copy_header, request->headers);
  request->body = soup_message_body_flatten (body);
  g_ptr_array_add (server->requests, request);
  return request;
}

static void exchange_run (Exchange *exchange,
                          gboolean  in_handler);

static void
exchange_stop_timer (Exchange *exchange)
{
  if (exchange->timer != NULL)
    {
      g_source_destroy (exchange->timer);
      g_clear_pointer (&exchange->timer, g_source_unref);
    }
}

static void
exchange_free (Exchange *exchange)
{
  exchange_stop_timer (exchange);
  g_signal_handlers_disconnect_by_data (exchange->msg, exchange);
  g_object_unref (exchange->msg);
  test_response_unref (exchange->script);
  g_free (exchange);
}

static void
exchange_finished (Exchange *exchange)
{
  if (exchange->finished)
    return;

  exchange->finished = TRUE;
  exchange->done = TRUE;
  exchange->request->finished = TRUE;
  exchange_stop_timer (exchange);
}

static void
on_msg_finished (SoupServerMessage *msg,
                 Exchange          *exchange)
{
  exchange_finished (exchange);
}

static void
drop_connection (Exchange *exchange)
{
  static const char torn_chunk[] = "10\r\n:";
  GSocket *socket = soup_server_message_get_socket (exchange->msg);

  /* The client sees the connection close in the middle of a chunk: the
   * start of a chunk is written past libsoup, then the socket is shut
   * down. (libsoup ends the body properly when a connection is stolen, and
   * a close between two chunks reads as a proper end to libsoup 3.2
   * clients, so neither would be a broken connection to them.) libsoup
   * is done with everything it was given. Then the body is ended: libsoup's
   * write of the last chunk fails on the shut socket, which makes it close
   * the connection (and its descriptor) now, not when the server is freed;
   * nothing more can reach the client. */
  exchange->done = TRUE;
  if (socket != NULL)
    {
      g_socket_send (socket, torn_chunk, strlen (torn_chunk), NULL, NULL);
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      soup_message_body_complete (soup_server_message_get_response_body (exchange->msg));
      soup_server_message_unpause (exchange->msg);
    }
  exchange_finished (exchange);
}

static void
on_wrote_body_data (SoupServerMessage *msg,
                    guint              chunk_size,
                    Exchange          *exchange)
{
  exchange->written += chunk_size;
  if (exchange->pending_drop && exchange->written >= exchange->appended)
    drop_connection (exchange);
}

static void
on_wrote_headers (SoupServerMessage *msg,
                  Exchange          *exchange)
{
  /* A drop before any byte of the body. */
  if (exchange->pending_drop && exchange->written >= exchange->appended)
    drop_connection (exchange);
}

static gboolean
on_step_timer (gpointer user_data)
{
  Exchange *exchange = user_data;

  g_clear_pointer (&exchange->timer, g_source_unref);
  exchange_run (exchange, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_heartbeat (gpointer user_data)
{
  Exchange *exchange = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (exchange->msg);

  soup_message_body_append (body, SOUP_MEMORY_STATIC, ":\n", 2);
  exchange->appended += 2;
  soup_server_message_unpause (exchange->msg);
  return G_SOURCE_CONTINUE;
}

static void
exchange_start_timer (Exchange    *exchange,
                      guint        milliseconds,
                      GSourceFunc  callback)
{
  exchange->timer = g_timeout_source_new (milliseconds);
  g_source_set_callback (exchange->timer, callback, exchange, NULL);
  g_source_attach (exchange->timer, exchange->server->context);
}

static void
exchange_run (Exchange *exchange,
              gboolean  in_handler)
{
  SoupMessageBody *body = soup_server_message_get_response_body (exchange->msg);
  GArray *steps = exchange->script->steps;

  if (exchange->done)
    return;

  while (exchange->step < steps->len)
    {
      Step *step = &g_array_index (steps, Step, exchange->step++);

      switch (step->kind)
        {
        case STEP_WRITE:
          soup_message_body_append_bytes (body, step->bytes);
          exchange->appended += g_bytes_get_size (step->bytes);
          break;

        case STEP_WAIT:
          exchange_start_timer (exchange, step->milliseconds, on_step_timer);
          goto send;

        case STEP_WAIT_RELEASE:
          exchange->waiting_release = TRUE;
          goto send;

        case STEP_END:
          soup_message_body_complete (body);
          exchange->done = TRUE;
          goto send;

        case STEP_DROP:
          exchange->pending_drop = TRUE;
          if (exchange->written >= exchange->appended && !in_handler)
            {
              drop_connection (exchange);
              return;
            }
          goto send;

        default:
          g_assert_not_reached ();
        }
    }

  if (exchange->script->heartbeat != 0)
    exchange_start_timer (exchange, exchange->script->heartbeat, on_heartbeat);

send:
  /* In the handler libsoup has not started to write; later, it paused the
   * message itself when the body ran dry. */
  if (!in_handler && !exchange->finished)
    soup_server_message_unpause (exchange->msg);
}

static TestResponse *
pick_response (TestServer  *server,
               TestRequest *request)
{
  Route *route = g_hash_table_lookup (server->routes, request->path);
  TestResponse *response;

  if (route == NULL)
    {
      response = test_response_new (SOUP_STATUS_NOT_FOUND);
      test_response_end (response);
      return response;
    }

  if (route->handler != NULL)
    {
      response = test_response_new_stream ();
      route->handler (server, request, response, route->user_data);
      return response;
    }

  /* The last queued response stays for every later request. */
  if (route->responses.length > 1)
    return g_queue_pop_head (&route->responses);
  return test_response_ref (g_queue_peek_head (&route->responses));
}

static gboolean
is_streaming (TestResponse *response)
{
  GArray *steps = response->steps;
  guint i;

  if (response->heartbeat != 0 || steps->len == 0)
    return TRUE;

  for (i = 0; i < steps->len; i++)
    if (g_array_index (steps, Step, i).kind != STEP_WRITE &&
        g_array_index (steps, Step, i).kind != STEP_END)
      return TRUE;

  return g_array_index (steps, Step, steps->len - 1).kind != STEP_END;
}

static void
server_callback (SoupServer        *soup_server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  TestServer *server = user_data;
  TestRequest *request = record_request (server, msg);
  TestResponse *response = pick_response (server, request);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Exchange *exchange;

  exchange = g_new0 (Exchange, 1);
  exchange->server = server;
  exchange->msg = g_object_ref (msg);
  exchange->script = response;
  exchange->request = request;
  g_ptr_array_add (server->exchanges, exchange);

  g_signal_connect (msg, "finished", G_CALLBACK (on_msg_finished), exchange);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_msg_finished), exchange);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), exchange);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_wrote_headers), exchange);

  if (response->hang)
    {
      exchange->done = TRUE;
      soup_server_message_pause (msg);
      return;
    }

  soup_server_message_set_status (msg, response->status, NULL);
  soup_message_headers_foreach (response->headers, copy_header, headers);
  if (response->content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", response->content_type);

  if (is_streaming (response))
    {
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
    }
  else
    {
      goffset length = 0;
      guint i;

      for (i = 0; i < response->steps->len; i++)
        {
          Step *step = &g_array_index (response->steps, Step, i);

          if (step->kind == STEP_WRITE)
            length += g_bytes_get_size (step->bytes);
        }
      soup_message_headers_set_content_length (headers, length);
    }
  exchange_run (exchange, TRUE);
}

static TestServer *
server_new (GTlsCertificate *certificate,
            guint            port)
{
  TestServer *server = g_new0 (TestServer, 1);

  server->context = g_main_context_ref_thread_default ();
  server->soup_server = soup_server_new ("tls-certificate", certificate, NULL);
  server->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, route_free);
  server->requests = g_ptr_array_new_with_free_func (request_free);
  server->exchanges = g_ptr_array_new_with_free_func ((GDestroyNotify) exchange_free);

  soup_server_add_handler (server->soup_server, NULL, server_callback, server, NULL);
  server->url = listen_on_loopback (server->soup_server, port, certificate != NULL,
                                    &server->port);

  return server;
}

/* A server on 127.0.0.1, on a port of its own, run by the thread-default
 * main context. */
TestServer *
test_server_new (void)
{
  return server_new (NULL, 0);
}

TestServer *
test_server_new_https (GTlsCertificate *certificate)
{
  return server_new (certificate, 0);
}

/* A server on a given port of 127.0.0.1: to restart a server where the
 * previous one was (test_server_get_port()). */
TestServer *
test_server_new_on_port (guint port)
{
  return server_new (NULL, port);
}

void
test_server_free (TestServer *server)
{
  guint i;

  for (i = 0; i < server->exchanges->len; i++)
    exchange_stop_timer (g_ptr_array_index (server->exchanges, i));
  soup_server_disconnect (server->soup_server);
  g_ptr_array_unref (server->exchanges);
  g_object_unref (server->soup_server);
  g_hash_table_unref (server->routes);
  g_ptr_array_unref (server->requests);
  g_main_context_unref (server->context);
  g_free (server->url);
  g_free (server);
}

/* "http://127.0.0.1:PORT/" */
const char *
test_server_get_url (TestServer *server)
{
  return server->url;
}

/* The URL of @path (which starts with a slash) on the server. */
char *
test_server_get_url_for (TestServer *server,
                         const char *path)
{
  g_assert (path[0] == '/');
  return g_strconcat (server->url, path + 1, NULL);
}

guint
test_server_get_port (TestServer *server)
{
  return server->port;
}

SoupServer *
test_server_get_soup_server (TestServer *server)
{
  return server->soup_server;
}

/* Requests to @path get @response, in the order they were queued; the last
 * one stays for every later request. Takes ownership of @response. */
void
test_server_queue (TestServer   *server,
                   const char   *path,
                   TestResponse *response)
{
  Route *route = get_route (server, path);

  g_assert (route->handler == NULL);
  g_queue_push_tail (&route->responses, response);
}

/* Queues for @path (as test_server_queue() does) a stream, as
 * test_response_new_stream() makes it, that first sends @text (unless
 * NULL); returns it, for the test to add more steps before a request
 * comes. */
TestResponse *
test_server_queue_stream (TestServer *server,
                          const char *path,
                          const char *text)
{
  TestResponse *response = test_response_new_stream ();

  if (text != NULL)
    test_response_write (response, text);
  test_server_queue (server, path, response);
  return response;
}

/* Requests to @path get what @handler makes of them. */
void
test_server_set_handler (TestServer     *server,
                         const char     *path,
                         TestHandler     handler,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  Route *route = get_route (server, path);

  g_assert (route->handler == NULL && route->responses.length == 0);
  route->handler = handler;
  route->user_data = user_data;
  route->destroy = destroy;
}

/* Lets every response waiting in test_response_wait_release() go on. */
void
test_server_release (TestServer *server)
{
  guint i;

  for (i = 0; i < server->exchanges->len; i++)
    {
      Exchange *exchange = g_ptr_array_index (server->exchanges, i);

      if (exchange->waiting_release && !exchange->finished)
        {
          exchange->waiting_release = FALSE;
          exchange_run (exchange, FALSE);
        }
    }
}

/* Every request received, the forgotten ones included. */
guint
test_server_get_n_requests (TestServer *server)
{
  return server->n_forgotten + server->requests->len;
}

const TestRequest *
test_server_get_request (TestServer *server,
                         guint       index)
{
  g_assert_cmpuint (index, >=, server->n_forgotten);
  g_assert_cmpuint (index, <, test_server_get_n_requests (server));
  return g_ptr_array_index (server->requests, index - server->n_forgotten);
}

const TestRequest *
test_server_get_last_request (TestServer *server)
{
  g_assert_cmpuint (server->requests->len, >, 0);
  return g_ptr_array_index (server->requests, server->requests->len - 1);
}

guint
test_server_count_requests (TestServer *server,
                            const char *path)
{
  guint i, n = 0;

  for (i = 0; i < server->requests->len; i++)
    if (strcmp (((TestRequest *) g_ptr_array_index (server->requests, i))->path, path) == 0)
      n++;
  return n;
}

/* How many responses are still under way (not finished, client still
 * there as far as the server knows). */
guint
test_server_get_n_open (TestServer *server)
{
  guint i, n = 0;

  for (i = 0; i < server->exchanges->len; i++)
    if (!((Exchange *) g_ptr_array_index (server->exchanges, i))->finished)
      n++;
  return n;
}

/* Frees what the server keeps of the exchanges that are over (their
 * messages, and the records of their requests up to the first one still
 * under way), so that a test can make thousands of requests with flat
 * memory. test_server_get_n_requests() still counts the forgotten requests;
 * test_server_get_request() cannot give them any more, and
 * test_server_count_requests() no longer counts them. */
void
test_server_forget (TestServer *server)
{
  guint i = 0, n = 0;

  while (i < server->exchanges->len)
    {
      if (((Exchange *) g_ptr_array_index (server->exchanges, i))->finished)
        g_ptr_array_remove_index (server->exchanges, i);
      else
        i++;
    }

  while (n < server->requests->len &&
         ((TestRequest *) g_ptr_array_index (server->requests, n))->finished)
    n++;
  g_ptr_array_remove_range (server->requests, 0, n);
  server->n_forgotten += n;
}

const char *
test_request_get_header (const TestRequest *request,
                         const char        *name)
{
  return soup_message_headers_get_one (request->headers, name);
}

/* The black hole ---------------------------------------------------------- */

struct _TestBlackHole
{
  GSocketService *service;
  GPtrArray      *connections;
  char           *url;
};

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  TestBlackHole *hole = user_data;

  g_ptr_array_add (hole->connections, g_object_ref (connection));
  return TRUE;
}

/* Accepts connections on 127.0.0.1 and keeps them open without a word. */
TestBlackHole *
test_black_hole_new (void)
{
  TestBlackHole *hole = g_new0 (TestBlackHole, 1);

  hole->connections = g_ptr_array_new_with_free_func (g_object_unref);
  hole->service = socket_service_new_on_loopback (G_CALLBACK (on_incoming), hole, &hole->url);
  return hole;
}

void
test_black_hole_free (TestBlackHole *hole)
{
  guint i;

  socket_service_free (hole->service, hole);
  for (i = 0; i < hole->connections->len; i++)
    g_io_stream_close (g_ptr_array_index (hole->connections, i), NULL, NULL);
  g_ptr_array_unref (hole->connections);
  g_free (hole->url);
  g_free (hole);
}

const char *
test_black_hole_get_url (TestBlackHole *hole)
{
  return hole->url;
}

guint
test_black_hole_get_n_accepted (TestBlackHole *hole)
{
  return hole->connections->len;
}

/* The raw server ---------------------------------------------------------- */

typedef struct {
  GBytes   *bytes;
  guint     byte_interval;
  gboolean  close;
} RawAnswer;

typedef struct {
  TestRawServer     *server;    /* NULL once the server is gone */
  GSocketConnection *connection;
  GCancellable      *cancellable;
  GByteArray        *head;
  guint8             buffer[4096];
  RawAnswer         *answer;
  gsize              sent;
  GSource           *timer;
} RawConnection;

struct _TestRawServer
{
  GSocketService *service;
  GMainContext   *context;
  GQueue          answers;      /* RawAnswer */
  GPtrArray      *requests;     /* GBytes */
  GPtrArray      *connections;  /* RawConnection */
  char           *url;
};

static void
raw_answer_free (gpointer data)
{
  RawAnswer *answer = data;

  g_bytes_unref (answer->bytes);
  g_free (answer);
}

static void
raw_connection_stop (RawConnection *conn)
{
  if (conn->timer != NULL)
    {
      g_source_destroy (conn->timer);
      g_clear_pointer (&conn->timer, g_source_unref);
    }
  g_cancellable_cancel (conn->cancellable);
}

static void
raw_connection_free (gpointer data)
{
  RawConnection *conn = data;

  raw_connection_stop (conn);
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_object_unref (conn->connection);
  g_object_unref (conn->cancellable);
  g_byte_array_unref (conn->head);
  g_free (conn);
}

static void
raw_connection_done (RawConnection *conn)
{
  raw_connection_stop (conn);
  if (conn->answer->close)
    g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
}

/* Writes the next part of the answer: all of it, or one byte. The answers
 * are small and the sockets local, so a blocking write does not block. */
static gboolean
raw_connection_write (gpointer user_data)
{
  RawConnection *conn = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn->connection));
  gsize len = g_bytes_get_size (conn->answer->bytes);
  const guint8 *data = g_bytes_get_data (conn->answer->bytes, NULL);
  gsize n = conn->answer->byte_interval == 0 ? len - conn->sent : MIN (1, len - conn->sent);

  if (n > 0 &&
      !g_output_stream_write_all (out, data + conn->sent, n, NULL, NULL, NULL))
    {
      /* The client went away. */
      raw_connection_stop (conn);
      return G_SOURCE_REMOVE;
    }
  conn->sent += n;

  if (conn->sent == len)
    {
      raw_connection_done (conn);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
raw_connection_answer (RawConnection *conn)
{
  TestRawServer *server = conn->server;

  g_assert_cmpuint (server->answers.length, >, 0);
  if (server->answers.length > 1)
    conn->answer = g_queue_pop_head (&server->answers);
  else
    conn->answer = g_queue_peek_head (&server->answers);

  if (conn->answer->byte_interval == 0)
    {
      raw_connection_write (conn);
      return;
    }

  conn->timer = g_timeout_source_new (conn->answer->byte_interval);
  g_source_set_callback (conn->timer, raw_connection_write, conn, NULL);
  g_source_attach (conn->timer, server->context);
}

static void raw_connection_read (RawConnection *conn);

/* The length of the head in @data (up to and including its blank line), or
 * 0 when it is not all there yet. */
static gsize
head_length (const guint8 *data,
             gsize         len)
{
  gsize i;

  for (i = 0; i + 4 <= len; i++)
    if (memcmp (data + i, "\r\n\r\n", 4) == 0)
      return i + 4;
  return 0;
}

static void
on_raw_read (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawConnection *conn = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);
  gsize len;

  if (n <= 0 || conn->server == NULL)
    return;   /* the client went away, or the server did */

  g_byte_array_append (conn->head, conn->buffer, n);
  len = head_length (conn->head->data, conn->head->len);
  if (len == 0)
    {
      g_assert_cmpuint (conn->head->len, <, 64 * 1024);
      raw_connection_read (conn);
      return;
    }

  /* A request without a body: the head is all of it. */
  g_ptr_array_add (conn->server->requests, g_bytes_new (conn->head->data, len));
  raw_connection_answer (conn);
}

static void
raw_connection_read (RawConnection *conn)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->connection)),
                             conn->buffer, sizeof conn->buffer, G_PRIORITY_DEFAULT,
                             conn->cancellable, on_raw_read, conn);
}

static gboolean
on_raw_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  TestRawServer *server = user_data;
  RawConnection *conn = g_new0 (RawConnection, 1);

  conn->server = server;
  conn->connection = g_object_ref (connection);
  conn->cancellable = g_cancellable_new ();
  conn->head = g_byte_array_new ();
  g_ptr_array_add (server->connections, conn);
  raw_connection_read (conn);
  return TRUE;
}

/* A raw server on 127.0.0.1, run by the thread-default main context. */
TestRawServer *
test_raw_server_new (void)
{
  TestRawServer *server = g_new0 (TestRawServer, 1);

  server->context = g_main_context_ref_thread_default ();
  g_queue_init (&server->answers);
  server->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  server->connections = g_ptr_array_new ();
  server->service = socket_service_new_on_loopback (G_CALLBACK (on_raw_incoming), server,
                                                    &server->url);
  return server;
}

void
test_raw_server_free (TestRawServer *server)
{
  guint i;

  socket_service_free (server->service, server);

  /* A read under way still holds its connection: it finds the server gone
   * (and the cancellable cancelled) when it comes back. Let those come
   * back before the memory goes. */
  for (i = 0; i < server->connections->len; i++)
    {
      RawConnection *conn = g_ptr_array_index (server->connections, i);

      raw_connection_stop (conn);
      conn->server = NULL;
    }
  for (i = 0; i < server->connections->len; i++)
    {
      RawConnection *conn = g_ptr_array_index (server->connections, i);
      GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn->connection));

      while (g_input_stream_has_pending (in))
        g_main_context_iteration (server->context, TRUE);
      raw_connection_free (conn);
    }
  g_ptr_array_unref (server->connections);

  g_queue_clear_full (&server->answers, raw_answer_free);
  g_ptr_array_unref (server->requests);
  g_main_context_unref (server->context);
  g_free (server->url);
  g_free (server);
}

/* "http://127.0.0.1:PORT/" */
const char *
test_raw_server_get_url (TestRawServer *server)
{
  return server->url;
}

/* The next connection (and, if this is the last one queued, every later
 * one) gets @answer: its @len bytes at once when @byte_interval is 0, else
 * one byte every @byte_interval milliseconds; then the server closes the
 * connection if @close, or keeps it open without a word. */
void
test_raw_server_queue (TestRawServer *server,
                       const char    *answer,
                       gsize          len,
                       guint          byte_interval,
                       gboolean       close)
{
  RawAnswer *raw = g_new0 (RawAnswer, 1);

  raw->bytes = g_bytes_new (answer, len);
  raw->byte_interval = byte_interval;
  raw->close = close;
  g_queue_push_tail (&server->answers, raw);
}

guint
test_raw_server_get_n_requests (TestRawServer *server)
{
  return server->requests->len;
}

/* The head of request @index (from 0), byte for byte, up to and including
 * the blank line that ends it. */
GBytes *
test_raw_server_get_request (TestRawServer *server,
                             guint          index)
{
  g_assert_cmpuint (index, <, server->requests->len);
  return g_ptr_array_index (server->requests, index);
}

/* The server of SseServerStreams ------------------------------------------ */

static void
stream_server_callback (SoupServer        *soup_server,
                        SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query,
                        gpointer           user_data)
{
  TestStreamServer *server = user_data;
  g_autoptr(SseServerStream) stream = sse_server_stream_new (msg);

  sse_server_stream_set_heartbeat_interval (stream, server->heartbeat);
  sse_server_stream_set_max_queued_bytes (stream, server->max_queued);
  server->n_made++;
  if (!server->forget)
    g_ptr_array_add (server->streams, g_object_ref (stream));
  if (server->broadcaster != NULL)
    sse_broadcaster_add_stream (server->broadcaster, stream);
}

/* A server on 127.0.0.1, on a port of its own. */
TestStreamServer *
test_stream_server_new (void)
{
  TestStreamServer *server = g_new0 (TestStreamServer, 1);

  server->soup_server = soup_server_new (NULL, NULL);
  server->streams = g_ptr_array_new_with_free_func (g_object_unref);
  server->heartbeat = SSE_SERVER_STREAM_DEFAULT_HEARTBEAT_INTERVAL;
  server->max_queued = SSE_SERVER_STREAM_DEFAULT_MAX_QUEUED_BYTES;
  soup_server_add_handler (server->soup_server, NULL, stream_server_callback, server, NULL);
  server->url = listen_on_loopback (server->soup_server, 0, FALSE, &server->port);
  return server;
}

/* Drops the broadcaster and the streams, then the connections. */
void
test_stream_server_free (TestStreamServer *server)
{
  g_clear_object (&server->broadcaster);
  g_ptr_array_unref (server->streams);
  soup_server_disconnect (server->soup_server);
  g_object_unref (server->soup_server);
  g_free (server->url);
  g_free (server);
}

/* The stream made for request @index (from 0). */
SseServerStream *
test_stream_server_get_stream (TestStreamServer *server,
                               guint             index)
{
  g_assert_cmpuint (index, <, server->streams->len);
  return g_ptr_array_index (server->streams, index);
}

void
test_record_closed_error (SseServerStream  *stream,
                          const GError     *error,
                          GError          **out)
{
  g_assert_null (*out);
  *out = error != NULL ? g_error_copy (error) : g_error_new_literal (G_IO_ERROR, 0, "no error");
}

/* The raw client ---------------------------------------------------------- */

struct _TestRawClient
{
  GSocketConnection *connection;
  GSocket           *socket;
  gsize              received;
};

TestRawClient *
test_raw_client_new (TestStreamServer *server)
{
  static const char request[] =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
  TestRawClient *client = g_new0 (TestRawClient, 1);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  guint before = server->n_made;

  client->connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1",
                                                        server->port, NULL, &error);
  g_assert_no_error (error);
  client->socket = g_socket_connection_get_socket (client->connection);
  g_socket_set_option (client->socket, SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  g_socket_send (client->socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (client->socket, FALSE);

  test_wait_until (server->n_made > before);
  return client;
}

/* Reads what is there without blocking; returns all bytes read so far. */
gsize
test_raw_client_read (TestRawClient *client)
{
  char buffer[16 * 1024];
  gssize n;

  while ((n = g_socket_receive (client->socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    client->received += n;
  return client->received;
}

/* Closes with a reset, as a client that crashed or lost its network: the
 * server's next write fails at once. */
void
test_raw_client_abort (TestRawClient *client)
{
  struct linger linger = { 1, 0 };

  setsockopt (g_socket_get_fd (client->socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_socket_close (client->socket, NULL);
}

void
test_raw_client_free (TestRawClient *client)
{
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_free (client);
}

/* The recorder ------------------------------------------------------------ */

static void
log_word (TestRecorder *rec,
          const char   *word)
{
  if (rec->log->len > 0)
    g_string_append_c (rec->log, ' ');
  g_string_append (rec->log, word);
}

static void
check_thread (TestRecorder *rec)
{
  if (g_thread_self () != rec->thread)
    rec->wrong_thread = TRUE;
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          TestRecorder   *rec)
{
  check_thread (rec);
  g_ptr_array_add (rec->events, sse_event_ref (event));
  log_word (rec, "event");
  if (rec->close_after_events != 0 && rec->events->len == rec->close_after_events)
    sse_event_source_close (source);
}

static void
on_comment (SseEventSource *source,
            const char     *text,
            TestRecorder   *rec)
{
  check_thread (rec);
  g_ptr_array_add (rec->comments, g_strdup (text));
  log_word (rec, "comment");
}

static void
on_error (SseEventSource *source,
          const GError   *error,
          TestRecorder   *rec)
{
  check_thread (rec);
  g_test_message ("error: %s", error->message);
  g_ptr_array_add (rec->errors, g_error_copy (error));
  rec->error_at = g_get_monotonic_time ();
  log_word (rec, "error");
}

static void
on_prepare_request (SseEventSource *source,
                    SoupMessage    *msg,
                    TestRecorder   *rec)
{
  gint64 now = g_get_monotonic_time ();

  check_thread (rec);
  g_array_append_val (rec->prepare_times, now);
  log_word (rec, "prepare");
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           TestRecorder   *rec)
{
  SseStatus status = sse_event_source_get_status (source);
  static const char *names[] = { "connecting", "open", "reconnecting", "closed" };

  check_thread (rec);
  g_array_append_val (rec->statuses, status);
  if (status == SSE_STATUS_OPEN)
    rec->opened_at = g_get_monotonic_time ();
  if (status == SSE_STATUS_RECONNECTING)
    {
      guint delay = sse_event_source_get_reconnect_delay (source);

      g_array_append_val (rec->delays, delay);
    }
  log_word (rec, names[status]);
}

static void
on_attempt (SseEventSource *source,
            GParamSpec     *pspec,
            TestRecorder   *rec)
{
  g_autofree char *word = g_strdup_printf ("attempt=%u",
                                           sse_event_source_get_reconnect_attempt (source));

  log_word (rec, word);
}

static void
on_delay (SseEventSource *source,
          GParamSpec     *pspec,
          TestRecorder   *rec)
{
  log_word (rec, "delay");
}

/* Properties --------------------------------------------------------------- */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n_notified)
{
  (*n_notified)++;
}

void
test_assert_property_write (gpointer    object,
                            const char *name,
                            gint64      number)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_autofree char *signal = g_strdup_printf ("notify::%s", name);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) back = G_VALUE_INIT;
  guint n_notified = 0;
  gulong handler;

  g_assert_nonnull (pspec);
  g_value_init (&value, pspec->value_type);
  g_value_init (&back, pspec->value_type);
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_UINT:
      g_value_set_uint (&value, number);
      break;
    case G_TYPE_INT:
      g_value_set_int (&value, number);
      break;
    case G_TYPE_UINT64:
      g_value_set_uint64 (&value, number);
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (&value, number != 0);
      break;
    case G_TYPE_ENUM:
      g_value_set_enum (&value, number);
      break;
    default:
      g_error ("test_assert_property_write: %s is a %s", name, g_type_name (pspec->value_type));
    }

  handler = g_signal_connect (object, signal, G_CALLBACK (count_notify), &n_notified);
  g_object_set_property (object, name, &value);
  g_assert_cmpuint (n_notified, ==, 1);
  g_object_set_property (object, name, &value);
  g_assert_cmpuint (n_notified, ==, 1);
  g_signal_handler_disconnect (object, handler);

  g_object_get_property (object, name, &back);
  g_assert_cmpint (g_param_values_cmp (pspec, &value, &back), ==, 0);
}

void
test_assert_n_properties (gpointer object,
                          guint    n)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, n);
}

guint
test_fast_backoff (SseEventSource *source,
                   guint           attempt,
                   guint           reconnection_time,
                   gpointer        user_data)
{
  return 1;
}

TestRecorder *
test_recorder_new (SseEventSource *source)
{
  TestRecorder *rec = g_new0 (TestRecorder, 1);

  rec->source = source;
  rec->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_unref);
  rec->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  rec->comments = g_ptr_array_new_with_free_func (g_free);
  rec->statuses = g_array_new (FALSE, FALSE, sizeof (SseStatus));
  rec->delays = g_array_new (FALSE, FALSE, sizeof (guint));
  rec->prepare_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  rec->log = g_string_new (NULL);
  rec->thread = g_thread_self ();
  sse_event_source_set_backoff_func (source, test_fast_backoff, NULL, NULL);
  g_signal_connect (source, "event", G_CALLBACK (on_event), rec);
  g_signal_connect (source, "comment", G_CALLBACK (on_comment), rec);
  g_signal_connect (source, "error", G_CALLBACK (on_error), rec);
  g_signal_connect (source, "prepare-request", G_CALLBACK (on_prepare_request), rec);
  g_signal_connect (source, "notify::status", G_CALLBACK (on_status), rec);
  g_signal_connect (source, "notify::reconnect-attempt", G_CALLBACK (on_attempt), rec);
  g_signal_connect (source, "notify::reconnect-delay", G_CALLBACK (on_delay), rec);
  return rec;
}

TestRecorder *
test_recorder_new_for_path (TestServer *server,
                            const char *path)
{
  g_autofree char *url = test_server_get_url_for (server, path);

  return test_recorder_new (sse_event_source_new (url));
}

void
test_recorder_free (TestRecorder *rec)
{
  g_signal_handlers_disconnect_by_data (rec->source, rec);
  g_object_unref (rec->source);
  g_ptr_array_unref (rec->events);
  g_ptr_array_unref (rec->errors);
  g_ptr_array_unref (rec->comments);
  g_array_unref (rec->statuses);
  g_array_unref (rec->delays);
  g_array_unref (rec->prepare_times);
  g_string_free (rec->log, TRUE);
  g_free (rec);
}

SseStatus
test_recorder_status (TestRecorder *rec)
{
  return sse_event_source_get_status (rec->source);
}

SseEvent *
test_recorder_event (TestRecorder *rec,
                     guint         i)
{
  g_assert_cmpuint (i, <, rec->events->len);
  return g_ptr_array_index (rec->events, i);
}

const char *
test_recorder_event_data (TestRecorder *rec,
                          guint         i)
{
  return sse_event_get_data (test_recorder_event (rec, i));
}

GError *
test_recorder_error (TestRecorder *rec,
                     guint         i)
{
  g_assert_cmpuint (i, <, rec->errors->len);
  return g_ptr_array_index (rec->errors, i);
}

/* How many times the status changed to @status. */
guint
test_recorder_count_status (TestRecorder *rec,
                            SseStatus     status)
{
  guint i, n = 0;

  for (i = 0; i < rec->statuses->len; i++)
    if (g_array_index (rec->statuses, SseStatus, i) == status)
      n++;
  return n;
}

guint
test_recorder_count_errors (TestRecorder *rec,
                            GQuark        domain,
                            int           code)
{
  guint i, n = 0;

  for (i = 0; i < rec->errors->len; i++)
    if (g_error_matches (test_recorder_error (rec, i), domain, code))
      n++;
  return n;
}

/* Builds ------------------------------------------------------------------ */

gboolean
test_under_asan (void)
{
  return TEST_ASAN;
}

gboolean
test_skip_without_tls (void)
{
  if (test_under_asan ())
    {
      g_test_skip ("LeakSanitizer cannot scan glib-networking's thread-local storage");
      return TRUE;
    }
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return TRUE;
    }
  return FALSE;
}

/* Process measurements ---------------------------------------------------- */

gsize
test_get_rss (void)
{
  g_autofree char *statm = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size, resident;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, &error))
    g_error ("Cannot read /proc/self/statm: %s", error->message);
  if (sscanf (statm, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size, &resident) != 2)
    g_error ("Cannot parse /proc/self/statm: %s", statm);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

guint
test_count_open_fds (void)
{
  g_autoptr(GError) error = NULL;
  GDir *dir = g_dir_open ("/proc/self/fd", 0, &error);
  guint n = 0;

  if (dir == NULL)
    g_error ("Cannot list /proc/self/fd: %s", error->message);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);

  /* Less the one g_dir_open() used to read the list. */
  return n - 1;
}

guint
test_count_connection_fds (void)
{
  g_autoptr(GError) error = NULL;
  GDir *dir = g_dir_open ("/proc/self/fd", 0, &error);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    g_error ("Cannot list /proc/self/fd: %s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name), type = 0, listening = 0;
      socklen_t len = sizeof type;
      struct stat st;

      if (fstat (fd, &st) != 0 || !S_ISSOCK (st.st_mode) ||
          getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM)
        continue;
      len = sizeof listening;
      if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && !listening)
        n++;
    }
  g_dir_close (dir);
  return n;
}
