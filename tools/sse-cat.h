/* sse-cat.h: what the modes of sse-cat share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * sse-cat.c parses the command line and runs one mode: sse-cat-client.c
 * prints a stream, sse-cat-serve.c serves lines as events and
 * sse-cat-demo.c shows reconnection offline.
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

/* Messages (sse-cat.c): "sse-cat: TEXT" on standard error, after what
 * standard output holds; a usage error adds where to find help. */
void status_line        (const char *format,
                         ...) G_GNUC_PRINTF (1, 2);
void usage_error        (const char *format,
                         ...) G_GNUC_PRINTF (1, 2);
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

/* Prints the events of @source and reports its status, as the options
 * say; Ctrl-C stops @client->loop. */
void client_setup (Client         *client,
                   SseEventSource *source);
void client_clear (Client         *client);
int  run_client   (const char     *url);

/* Serve mode (sse-cat-serve.c) */
int  run_serve    (const char     *path);

/* Demo mode (sse-cat-demo.c) */
int  run_demo     (void);

G_END_DECLS
