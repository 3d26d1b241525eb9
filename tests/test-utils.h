/* test-utils.h: in-process servers, main-loop helpers, and a recorder of
 * what an event source emits, for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The server is a SoupServer on a loopback port, driven by the thread-default
 * main context of the thread that made it: tests run that context (with
 * test_wait_until()) and the server answers as they do. Every request is
 * recorded (method, path, headers, body). What it answers is a script, a
 * TestResponse: a status, headers, then steps: write bytes, wait some
 * milliseconds, wait until the test releases it, end the body, or drop the
 * connection in the middle. A response may also hang (never answer).
 *
 * Scripts are given per path, either queued (each request takes the next one;
 * the last one is used again for every later request) or made on the fly by
 * a handler that sees the request (to replay from Last-Event-ID, say):
 *
 *   g_autoptr(TestServer) server = test_server_new ();
 *   TestResponse *r = test_response_new_stream ();
 *
 *   test_response_write (r, "data: hel");
 *   test_response_wait (r, 10);
 *   test_response_write (r, "lo\n\n");
 *   test_response_drop (r);
 *   test_server_queue (server, "/events", r);
 *
 * No sleeps: test_wait_until (condition) runs the main loop until the
 * condition holds, and fails the test if it does not within a generous
 * time.
 */

#pragma once

#include <libsoup/soup.h>
#include <sse-glib/sse-glib.h>

G_BEGIN_DECLS

/* Main loop --------------------------------------------------------------- */

/* How long test_wait_until() waits before failing the test. */
#define TEST_WAIT_TIMEOUT_MS 60000

typedef struct _TestDeadline TestDeadline;

TestDeadline *test_deadline_new     (guint         milliseconds);
gboolean      test_deadline_expired (TestDeadline *deadline);
void          test_deadline_free    (TestDeadline *deadline);

/* Iterates the thread-default main context until @cond holds; aborts the
 * test with the text of @cond when it does not within TEST_WAIT_TIMEOUT_MS. */
#define test_wait_until(cond)                                                  \
  G_STMT_START {                                                               \
    TestDeadline *test_deadline_ = test_deadline_new (TEST_WAIT_TIMEOUT_MS);   \
    while (!(cond))                                                            \
      {                                                                        \
        if (test_deadline_expired (test_deadline_))                            \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__,      \
                   #cond);                                                     \
        g_main_context_iteration (g_main_context_get_thread_default (), TRUE); \
      }                                                                        \
    test_deadline_free (test_deadline_);                                       \
  } G_STMT_END

/* Like test_wait_until(), for a condition that may come true without the
 * main loop waking up (descriptors closed by the kernel, bytes arriving on a
 * socket the main loop does not watch): it also wakes every 10 ms. */
#define test_poll_until(cond)                                                  \
  G_STMT_START {                                                               \
    GSource *test_ticker_ = test_ticker_new (10);                              \
    test_wait_until (cond);                                                    \
    test_ticker_free (test_ticker_);                                           \
  } G_STMT_END

GSource      *test_ticker_new       (guint         milliseconds);
void          test_ticker_free      (GSource      *ticker);

/* Runs the thread-default main context for @milliseconds, to check that
 * something does NOT happen. Never use it to wait for something. */
void test_run_for (guint milliseconds);

/* Scripts ----------------------------------------------------------------- */

typedef struct _TestResponse TestResponse;

TestResponse *test_response_new            (guint               status);
TestResponse *test_response_new_stream     (void);
TestResponse *test_response_new_redirect   (guint               status,
                                            const char         *location);
TestResponse *test_response_new_complete   (guint               status,
                                            const char         *content_type,
                                            const char         *body);
TestResponse *test_response_ref            (TestResponse       *response);
void          test_response_unref          (TestResponse       *response);

void          test_response_set_status     (TestResponse       *response,
                                            guint               status);
void          test_response_set_content_type (TestResponse     *response,
                                            const char         *content_type);
void          test_response_add_header     (TestResponse       *response,
                                            const char         *name,
                                            const char         *value);

void          test_response_write          (TestResponse       *response,
                                            const char         *text);
void          test_response_write_len      (TestResponse       *response,
                                            const void         *data,
                                            gsize               len);
void          test_response_write_bytes    (TestResponse       *response,
                                            GBytes             *bytes);
void          test_response_write_slowly   (TestResponse       *response,
                                            const void         *data,
                                            gsize               len,
                                            guint               milliseconds);
void          test_response_writef         (TestResponse       *response,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void          test_response_wait           (TestResponse       *response,
                                            guint               milliseconds);
void          test_response_wait_release   (TestResponse       *response);
void          test_response_end            (TestResponse       *response);
void          test_response_drop           (TestResponse       *response);
void          test_response_heartbeat      (TestResponse       *response,
                                            guint               milliseconds);
void          test_response_hang           (TestResponse       *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResponse, test_response_unref)

/* The server -------------------------------------------------------------- */

typedef struct _TestServer TestServer;

/* A request as the server received it. */
typedef struct {
  guint               index;      /* order of arrival on the server, from 0 */
  char               *method;
  char               *path;
  char               *query;      /* NULL when there is none */
  SoupMessageHeaders *headers;
  GBytes             *body;
  gboolean            finished;   /* its response is over, or the client left */
} TestRequest;

/* Makes the response to @request. @response starts as
 * test_response_new_stream() would make it. */
typedef void (*TestHandler) (TestServer        *server,
                             const TestRequest *request,
                             TestResponse      *response,
                             gpointer           user_data);

TestServer        *test_server_new               (void);
TestServer        *test_server_new_https         (GTlsCertificate *certificate);
TestServer        *test_server_new_on_port       (guint            port);
void               test_server_free              (TestServer      *server);

const char        *test_server_get_url           (TestServer      *server);
char              *test_server_get_url_for       (TestServer      *server,
                                                  const char      *path);
guint              test_server_get_port          (TestServer      *server);
SoupServer        *test_server_get_soup_server   (TestServer      *server);

void               test_server_queue             (TestServer      *server,
                                                  const char      *path,
                                                  TestResponse    *response);
TestResponse      *test_server_queue_stream      (TestServer      *server,
                                                  const char      *path,
                                                  const char      *text);
void               test_server_set_handler       (TestServer      *server,
                                                  const char      *path,
                                                  TestHandler      handler,
                                                  gpointer         user_data,
                                                  GDestroyNotify   destroy);
void               test_server_release           (TestServer      *server);

guint              test_server_get_n_requests    (TestServer      *server);
const TestRequest *test_server_get_request       (TestServer      *server,
                                                  guint            index);
const TestRequest *test_server_get_last_request  (TestServer      *server);
guint              test_server_count_requests    (TestServer      *server,
                                                  const char      *path);
guint              test_server_get_n_open        (TestServer      *server);
void               test_server_forget            (TestServer      *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

const char        *test_request_get_header       (const TestRequest *request,
                                                  const char        *name);

/* A socket that accepts connections and never reads nor answers. */
typedef struct _TestBlackHole TestBlackHole;

TestBlackHole     *test_black_hole_new           (void);
void               test_black_hole_free          (TestBlackHole   *hole);
const char        *test_black_hole_get_url       (TestBlackHole   *hole);
guint              test_black_hole_get_n_accepted (TestBlackHole  *hole);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestBlackHole, test_black_hole_free)

/* A raw socket server: it records each request's head exactly as the bytes
 * came (request line and headers, up to the blank line), then answers with
 * bytes given as they are (status line and headers included), at once or
 * one byte at a time, and closes the connection or keeps it open. Each
 * connection takes the next queued answer; the last one stays for every
 * later connection. */
typedef struct _TestRawServer TestRawServer;

TestRawServer     *test_raw_server_new           (void);
void               test_raw_server_free          (TestRawServer   *server);
const char        *test_raw_server_get_url       (TestRawServer   *server);
void               test_raw_server_queue         (TestRawServer   *server,
                                                  const char      *answer,
                                                  gsize            len,
                                                  guint            byte_interval,
                                                  gboolean         close);
guint              test_raw_server_get_n_requests (TestRawServer  *server);
GBytes            *test_raw_server_get_request   (TestRawServer   *server,
                                                  guint            index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRawServer, test_raw_server_free)

/* A server of SseServerStreams -------------------------------------------- */

/* A SoupServer on a loopback port, run by the thread-default main context,
 * whose every request (any path) becomes an SseServerStream, made with the
 * fields below as they are when the request comes. Unlike TestServer, it
 * records no requests and has no scripts. */
typedef struct {
  SoupServer     *soup_server;
  char           *url;           /* "http://127.0.0.1:PORT/" */
  guint           port;
  GPtrArray      *streams;       /* SseServerStream: every one made, unless @forget */
  gboolean        forget;        /* keep no reference: for the broadcaster only */
  guint           n_made;        /* streams made, @forget or not */
  SseBroadcaster *broadcaster;   /* when set, new streams are added to it (owned) */
  guint           heartbeat;     /* for new streams; the library's default at first */
  guint64         max_queued;    /* for new streams; the library's default at first */
} TestStreamServer;

TestStreamServer  *test_stream_server_new        (void);
void               test_stream_server_free       (TestStreamServer *server);
SseServerStream   *test_stream_server_get_stream (TestStreamServer *server,
                                                  guint             index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestStreamServer, test_stream_server_free)

/* A handler of SseServerStream::closed: stores a copy of the error in
 * *@out, which must still be NULL (a G_IO_ERROR with code 0 for a close
 * without an error). */
void               test_record_closed_error      (SseServerStream  *stream,
                                                  const GError     *error,
                                                  GError          **out);

/* A raw client of a TestStreamServer: it sends its request, on a socket
 * with a small receive buffer (so that the server has to queue soon), and
 * then reads only when asked to (never, for a client that never reads).
 * test_raw_client_new() returns once the server made the stream. */
typedef struct _TestRawClient TestRawClient;

TestRawClient     *test_raw_client_new           (TestStreamServer *server);
gsize              test_raw_client_read          (TestRawClient    *client);
void               test_raw_client_abort         (TestRawClient    *client);
void               test_raw_client_free          (TestRawClient    *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRawClient, test_raw_client_free)

/* What an event source emits ---------------------------------------------- */

/* Records every signal of a source (and the changes of its status and of
 * its reconnection properties) in the fields below. It expects them all in
 * the thread that made it, and says so in @wrong_thread. */
typedef struct {
  SseEventSource *source;
  GPtrArray      *events;         /* SseEvent */
  GPtrArray      *errors;         /* GError */
  GPtrArray      *comments;       /* char * */
  GArray         *statuses;       /* SseStatus, one per notify::status */
  GArray         *delays;         /* guint: reconnect-delay at each RECONNECTING */
  GArray         *prepare_times;  /* gint64: monotonic time (µs) of each prepare-request */
  GString        *log;            /* what happened, in order, in words: "connecting
                                   * prepare open comment event error attempt=1 delay
                                   * reconnecting closed" */
  gint64          opened_at;      /* monotonic time of the latest OPEN */
  gint64          error_at;       /* monotonic time of the latest error */
  guint           close_after_events;   /* unless 0, the event handler closes the
                                         * source when there are that many events */
  GThread        *thread;         /* the thread that made the recorder */
  gboolean        wrong_thread;   /* a signal came in another thread */
} TestRecorder;

/* Takes @source. Its reconnections wait 1 ms, unless the test sets a
 * backoff of its own (NULL: the default backoff). */
TestRecorder      *test_recorder_new             (SseEventSource   *source);
/* The same, for a new source of @path on @server. */
TestRecorder      *test_recorder_new_for_path    (TestServer       *server,
                                                  const char       *path);
void               test_recorder_free            (TestRecorder     *rec);

/* The source's status; the @i-th event (from 0), its data, the @i-th error
 * (each asserts that there is one); how many times the status changed to
 * @status; how many errors match @domain and @code. */
SseStatus          test_recorder_status          (TestRecorder     *rec);
SseEvent          *test_recorder_event           (TestRecorder     *rec,
                                                  guint             i);
const char        *test_recorder_event_data      (TestRecorder     *rec,
                                                  guint             i);
GError            *test_recorder_error           (TestRecorder     *rec,
                                                  guint             i);
guint              test_recorder_count_status    (TestRecorder     *rec,
                                                  SseStatus         status);
guint              test_recorder_count_errors    (TestRecorder     *rec,
                                                  GQuark            domain,
                                                  int               code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRecorder, test_recorder_free)

/* An SseBackoffFunc: 1 ms, whatever the attempt (the recorder's). */
guint              test_fast_backoff             (SseEventSource   *source,
                                                  guint             attempt,
                                                  guint             reconnection_time,
                                                  gpointer          user_data);

/* Builds ------------------------------------------------------------------ */

/* Whether AddressSanitizer is built in. */
gboolean           test_under_asan               (void);
/* Skips the test, and returns TRUE, where TLS cannot be tested: without a
 * TLS backend (glib-networking), and under AddressSanitizer, whose
 * LeakSanitizer (gcc 12) crashes at exit scanning the dynamic TLS that
 * glib-networking's GnuTLS threads leave (valgrind runs those tests). */
gboolean           test_skip_without_tls         (void);

/* Properties --------------------------------------------------------------- */

/* Writes @value (a number, or a boolean as 0 or 1) to the property @name of
 * @object with g_object_set_property(), twice, as bindings and GtkBuilder
 * do: asserts that it reads back equal through g_object_get_property(),
 * and that "notify" came for the first write only. */
void               test_assert_property_write    (gpointer          object,
                                                  const char       *name,
                                                  gint64            value);
/* Asserts that @object's class has @n properties: a property added without
 * a test fails. */
void               test_assert_n_properties      (gpointer          object,
                                                  guint             n);

/* Process measurements ----------------------------------------------------- */

/* The resident set size of the process in bytes (/proc/self/statm). */
gsize              test_get_rss                  (void);
/* How many file descriptors the process has open (/proc/self/fd). */
guint              test_count_open_fds           (void);
/* How many of them are stream sockets other than listening ones: both ends
 * of every local connection, whatever its state. */
guint              test_count_connection_fds     (void);

G_END_DECLS
