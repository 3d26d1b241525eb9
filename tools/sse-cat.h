/* sse-cat.h: what the modes of sse-cat share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * sse-cat.c parses the command line and runs one mode: sse-cat-client.c
 * prints a stream, sse-cat-serve.c serves lines as events and
 * sse-cat-relay.c serves the events of another server again, and
 * sse-cat-demo.c shows reconnection offline. sse-cat-feed.c is the server
 * side that serving and relaying share.
 */

#pragma once

#include <json-glib/json-glib.h>

#include <sse-glib/sse-glib.h>

G_BEGIN_DECLS

/* Exit statuses, as documented in --help. */
enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_INTERRUPTED = 130,
};

/* The command line (sse-cat.c) */
extern char **opt_headers;
extern char *opt_method;
extern char *opt_data;
extern char *opt_last_event_id;
extern char *opt_cacert;
extern gint64 opt_max_events;
extern double opt_connect_timeout;   /* NAN: the library's default */
extern double opt_read_timeout;
extern char *opt_reconnect_mode;
extern gboolean opt_no_reconnect;
extern gboolean opt_retry_on_server_error;
extern gboolean opt_verbose;
extern gboolean opt_json;
extern gboolean opt_raw;
extern int opt_port;
extern char *opt_listen;
extern int opt_replay_size;
extern int opt_retry;                /* -1: none */
extern double opt_wait_for_origin;   /* NAN: the default */

/* Messages (sse-cat.c): "sse-cat: TEXT" on standard error, after what
 * standard output holds; a usage error adds where to find help. */
void status_line        (const char *format,
                         ...) G_GNUC_PRINTF (1, 2);
void usage_error        (const char *format,
                         ...) G_GNUC_PRINTF (1, 2);
/* A timeout option in seconds, as the library's milliseconds. FALSE when
 * it cannot be one; *ms is left alone when the option was not given. */
gboolean timeout_option (const char  *name,
                         double       seconds,
                         guint       *ms,
                         GError     **error);
/* Ctrl-C: the handler runs once and removes itself, so whoever owns the
 * source id clears it there; a second Ctrl-C then gets the default action
 * (the process ends at once), a way out should the first not suffice. */
void report_interrupted (void);

/* Client mode (sse-cat-client.c) */

typedef enum {
  FORMAT_TEXT,
  FORMAT_JSON,
  FORMAT_RAW,
} Format;

/* Shared state of a run */
typedef struct {
  GMainLoop      *loop;
  SseEventSource *source;
  SseEncoder     *encoder;
  JsonGenerator  *generator;
  Format          format;
  gint64          n_events;
  gint64          max_events;
  int             exit_status;
  GError         *last_error;     /* of the latest failed attempt */
  SoupMessage    *refused;        /* its answer, when it had a body, */
  GBytes         *refused_body;   /* and that body, until printed */
  gboolean        opened;         /* the latest attempt reached OPEN */
  guint           requests;       /* prepare-request, so far */
  gboolean        interrupted;
  guint           sigint_id;      /* owned here; 0 once the handler ran */
  gboolean        verbose;
  gboolean        demo;
  guint           reconnects;
  SoupMessage    *last_msg;      /* of the latest attempt */
  char           *demo_last_id;
  gboolean        demo_order_ok;
} Client;

/* The source for @url with the client options applied (-H, -X, -d,
 * --cacert, --last-event-id, the timeouts, the reconnect mode); NULL after
 * a usage error was printed. client_options_clear() frees what the options
 * took. */
SseEventSource *client_source_new    (const char     *url);
void            client_options_clear (void);

/* Reports the status of @source on standard error, and quits @client->loop
 * (which the caller sets) when it closed by itself, with
 * @client->exit_status saying how it ended. */
void client_setup         (Client         *client,
                           SseEventSource *source);
/* Prints the events, as the options say (--max-events quits the loop). */
void client_print_events  (Client         *client);
/* Ctrl-C closes the source and quits the loop, with EXIT_INTERRUPTED. */
void client_handle_ctrl_c (Client         *client);
void client_clear         (Client         *client);
int  run_client           (const char     *url);

/* The server side of --serve and --relay (sse-cat-feed.c) */

typedef struct _Feed Feed;

/* Whether --port, --listen, --replay-size and --retry will do; FALSE after
 * a usage error was printed. */
gboolean feed_check_options (void);

/* A broadcaster keeping --replay-size events, whose first (which nobody
 * receives: new clients start after it) has the ID @start_id. Ctrl-C and
 * SIGTERM stop it from now on. */
Feed    *feed_new           (const char      *start_id);
/* Raises the open-file limit, listens where --listen and --port say, with
 * the system's maximum backlog, and says where; FALSE after an error was
 * printed. */
gboolean feed_listen        (Feed            *feed);

/* Sends @event to every client, and keeps it. */
void     feed_send          (Feed            *feed,
                             SseEvent        *event);
/* Whether a kept event has the ID @id. */
gboolean feed_keeps         (Feed            *feed,
                             const char      *id);
/* Whether events are kept at all (--replay-size is not 0). */
gboolean feed_replays       (Feed            *feed);

/* Called with the stream of each client that connects, before it is added
 * to the broadcaster: returns TRUE when it took the stream itself (and
 * will feed_add() it later). */
typedef gboolean (*FeedAcceptFunc) (SseServerStream *stream,
                                    gpointer         user_data);
void     feed_set_accept_func (Feed          *feed,
                               FeedAcceptFunc accept,
                               gpointer       user_data);
/* Adds @stream to the broadcaster: it gets what was sent after its
 * Last-Event-ID, or is told it missed events. */
void     feed_add           (Feed            *feed,
                             SseServerStream *stream);

GMainLoop *feed_get_loop     (Feed            *feed);

/* Runs the main loop until Ctrl-C, SIGTERM or feed_stop(); returns the exit
 * status (EXIT_INTERRUPTED after Ctrl-C, EXIT_OK after SIGTERM). Once
 * stopped, the signals have their default action again: a second one ends
 * the process at once. */
int      feed_run           (Feed            *feed);
void     feed_stop          (Feed            *feed,
                             int              exit_status);
/* Whether a signal or feed_stop() stopped it. */
gboolean feed_is_stopped    (Feed            *feed);
/* Takes no more clients, ends every stream once what was queued for it
 * was written (or it took nothing for its slow-client timeout), and
 * returns when all are closed. */
void     feed_drain         (Feed            *feed);
void     feed_free          (Feed            *feed);

/* Serve mode (sse-cat-serve.c) */
int  run_serve    (const char     *path);

/* Relay mode (sse-cat-relay.c) */
int  run_relay    (const char     *url);

/* Demo mode (sse-cat-demo.c) */
int  run_demo     (void);

G_END_DECLS
