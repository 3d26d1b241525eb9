/* sse-cat.c: print a Server-Sent Events stream, serve one, or show a demo
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The command line and its checks; each mode is in a file of its own (see
 * sse-cat.h).
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "sse-cat.h"

/* Command line */
char **opt_headers;
char *opt_method;
char *opt_data;
char *opt_last_event_id;
char *opt_cacert;
gint64 opt_max_events = -1;
double opt_connect_timeout = NAN;   /* NAN: the library's default */
double opt_read_timeout = NAN;
char *opt_reconnect_mode;
gboolean opt_no_reconnect;
gboolean opt_retry_on_server_error;
gboolean opt_verbose;
gboolean opt_json;
gboolean opt_raw;
static gboolean opt_version;
static gboolean opt_serve;
int opt_port = 8080;
char *opt_listen;
int opt_replay_size = 10000;
int opt_retry = -1;
static char *opt_relay;
double opt_wait_for_origin = NAN;
static gboolean opt_demo;
static char **opt_args;

static const GOptionEntry client_entries[] = {
  { "header", 'H', 0, G_OPTION_ARG_STRING_ARRAY, &opt_headers,
    N_("Add a request header (repeatable)"), N_("'NAME: VALUE'") },
  { "method", 'X', 0, G_OPTION_ARG_STRING, &opt_method,
    N_("Use this HTTP method instead of GET"), N_("METHOD") },
  { "data", 'd', 0, G_OPTION_ARG_STRING, &opt_data,
    N_("Send this request body (@FILE reads a file); implies POST, sent once unless "
       "--reconnect-mode=resend"), N_("DATA") },
  { "last-event-id", 0, 0, G_OPTION_ARG_STRING, &opt_last_event_id,
    N_("Resume after this event ID"), N_("ID") },
  { "max-events", 0, 0, G_OPTION_ARG_INT64, &opt_max_events,
    N_("Exit after receiving N events"), N_("N") },
  { "connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_connect_timeout,
    N_("Give up an attempt when the server has not answered within this long, and try "
       "again (default 30; 0 waits for ever)"), N_("SECONDS") },
  { "read-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_read_timeout,
    N_("Reconnect when nothing arrives for this long (heartbeats count; default 300; 0 "
       "waits for ever)"), N_("SECONDS") },
  { "reconnect-mode", 0, 0, G_OPTION_ARG_STRING, &opt_reconnect_mode,
    N_("What to send when a stream ends: auto (the default: a GET again, any other "
       "method never), resend (the whole request, body included), resume-get (a GET "
       "with Last-Event-ID and no body), never"), N_("MODE") },
  { "no-reconnect", 0, 0, G_OPTION_ARG_NONE, &opt_no_reconnect,
    N_("Read one stream, then exit (--reconnect-mode=never)"), NULL },
  { "retry-on-server-error", 0, 0, G_OPTION_ARG_NONE, &opt_retry_on_server_error,
    N_("Retry on 5xx, 408 and 429 answers instead of giving up, in every mode "
       "(nothing was streamed then)"), NULL },
  { "cacert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cacert,
    N_("Trust only the CA certificates in this PEM file, not the system's (for a "
       "development server)"), N_("FILE") },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    N_("Print one JSON object per event"), NULL },
  { "raw", 0, 0, G_OPTION_ARG_NONE, &opt_raw,
    N_("Print the events in the text/event-stream format"), NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    N_("Show the request and response headers, and all of a refused answer's body"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    N_("Show the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_args, NULL, NULL },
  { NULL }
};

static const GOptionEntry server_entries[] = {
  { "serve", 0, 0, G_OPTION_ARG_NONE, &opt_serve,
    N_("Serve each line of FILE (or standard input) as an event, whose ID is the line "
       "number"), NULL },
  { "relay", 0, 0, G_OPTION_ARG_STRING, &opt_relay,
    N_("Subscribe to the stream at URL and serve its events again, with their IDs, so that "
       "clients can fail over between relays"), N_("URL") },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port,
    N_("Port to serve on (default 8080; 0 picks a free one)"), N_("PORT") },
  { "listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen,
    N_("Address to serve on (default 127.0.0.1)"), N_("ADDRESS") },
  { "replay-size", 0, 0, G_OPTION_ARG_INT, &opt_replay_size,
    N_("Keep the latest N events (default 10000): a new client gets them first, one that "
       "resumes gets those after its Last-Event-ID"), N_("N") },
  { "retry", 0, 0, G_OPTION_ARG_INT, &opt_retry,
    N_("Tell each client to reconnect this long after its stream ends (a retry: field; "
       "by default the client chooses)"), N_("MILLISECONDS") },
  { "wait-for-origin", 0, 0, G_OPTION_ARG_DOUBLE, &opt_wait_for_origin,
    N_("How long a client that resumes from an event the relay has not received waits for "
       "it from the origin, before it is told that it missed events (default 5)"),
    N_("SECONDS") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, &opt_demo,
    N_("Run an offline demo: a local feed that drops the connection, and a client that resumes"),
    NULL },
  { NULL }
};

void
status_line (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  fflush (stdout);
  g_printerr ("sse-cat: %s\n", text);
}

void
usage_error (const char *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("sse-cat: %s\n", text);
  g_printerr (_("Try “sse-cat --help” for more information.\n"));
}

/* A timeout option in seconds, as the library's milliseconds. FALSE when
 * it cannot be one; *ms is left alone when the option was not given. */
gboolean
timeout_option (const char  *name,
                double       seconds,
                guint       *ms,
                GError     **error)
{
  if (isnan (seconds))
    return TRUE;
  if (!(seconds >= 0 && seconds <= G_MAXUINT / 1000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s must be between 0 and %u seconds"), name, G_MAXUINT / 1000);
      return FALSE;
    }
  /* A timeout given is never 0 (no timeout) by rounding. */
  *ms = seconds > 0 ? MAX ((guint) (seconds * 1000 + 0.5), 1) : 0;
  return TRUE;
}

void
report_interrupted (void)
{
  fflush (stdout);
  g_printerr ("\n");
  status_line (_("interrupted"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *examples = NULL;
  GOptionGroup *group;
  guint n_args;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  context = g_option_context_new (_("URL | --serve [FILE] | --relay URL | --demo"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Print the events of a Server-Sent Events stream as they arrive, reconnecting like "
      "a browser's EventSource when the connection is lost; or serve lines as events; or "
      "relay a stream to clients of its own."));
  description = g_strjoin ("\n\n",
    _("Status changes and errors go to standard error, events to standard output."),
    _("A request body (-d) is sent as application/json when it is a JSON object or array, "
      "and otherwise as application/x-www-form-urlencoded, as curl -d does; "
      "-H 'Content-Type: TYPE' sets another type."),
    _("When a stream ends or breaks, a GET is sent again, with Last-Event-ID, as a browser "
      "does; a request with another method (-d, -X) is sent once, since sending it again "
      "could repeat what it did (an LLM would answer, and bill, again). --reconnect-mode "
      "chooses otherwise. A server error (with --retry-on-server-error) is retried in "
      "every mode: nothing was streamed then."),
    _("When the server refuses the request, the body of its answer follows the error, "
      "indented: the first 20 lines or 2 KiB, or with -v all that was read (up to 64 KiB), "
      "with control characters replaced by U+FFFD."),
    _("--serve and --relay keep the latest events (--replay-size): a client that connects "
      "without a Last-Event-ID gets them all first, then the new ones as they come, and one "
      "that reconnects gets those it missed. SIGTERM and Ctrl-C stop them gracefully: they "
      "take no more clients, and end every stream once what was sent to it was written, so "
      "that the clients reconnect (to another server) without a loss."),
    _("--relay subscribes to URL (with -H, --cacert, --last-event-id and the timeouts, as a "
      "client does) and serves its events with their IDs, reconnecting with Last-Event-ID "
      "when the connection is lost, so that a client can fail over from one relay to another "
      "and miss nothing. A client that resumes from an event this relay has not received yet "
      "waits for it (--wait-for-origin)."),
    _("Exit status: 0 when the stream ended normally (--max-events reached, the server "
      "answered 204 No Content, or it ended a stream that is not to be reconnected), 1 when "
      "it failed (bad address, refused, an HTTP error, a wrong content type, a broken "
      "stream that is not to be reconnected), 2 for a usage error (a URL that is not a "
      "valid http or https URL included), 130 when interrupted by Ctrl-C; a server "
      "(--serve, --relay) stopped by SIGTERM exits with 0."),
    _("Examples:"), NULL);
  /* The commands are not translated; they follow the heading directly. */
  examples = g_strconcat (description, "\n",
    "  sse-cat https://example.com/events\n"
    "  sse-cat --json -H 'Authorization: Bearer TOKEN' https://example.com/events\n"
    "  sse-cat -d @prompt.json -H 'Authorization: Bearer TOKEN' https://api.example.com/v1/chat/completions\n"
    "  sse-cat --cacert dev-ca.pem https://localhost:8443/events\n"
    "  tail -f app.log | sse-cat --serve --port 8000 -\n"
    "  sse-cat --relay http://origin.example.com:8000/ --listen 0.0.0.0 --port 8001\n"
    "  sse-cat --demo", NULL);
  g_option_context_set_description (context, examples);
  g_option_context_add_main_entries (context, client_entries, GETTEXT_PACKAGE);

  group = g_option_group_new ("server", _("Server and demo options:"),
                              _("Show server and demo options"), NULL, NULL);
  g_option_group_add_entries (group, server_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      usage_error ("%s", error->message);
      return EXIT_USAGE;
    }

  if (opt_version)
    {
      g_print ("sse-cat %s (sse-glib %s, libsoup %u.%u.%u)\n", PACKAGE_VERSION, SSE_VERSION_S,
               soup_get_major_version (), soup_get_minor_version (), soup_get_micro_version ());
      return EXIT_OK;
    }

  if (opt_json && opt_raw)
    {
      usage_error (_("--json and --raw cannot be used together"));
      return EXIT_USAGE;
    }

  n_args = opt_args != NULL ? g_strv_length (opt_args) : 0;

  if (opt_relay != NULL)
    {
      if (opt_serve || opt_demo)
        {
          usage_error (_("--relay cannot be used with --serve or --demo"));
          return EXIT_USAGE;
        }
      if (n_args > 0)
        {
          usage_error (_("--relay takes no other URL or file"));
          return EXIT_USAGE;
        }
      return run_relay (opt_relay);
    }

  if (opt_demo)
    {
      if (n_args > 0 || opt_serve)
        {
          usage_error (_("--demo takes no URL or file"));
          return EXIT_USAGE;
        }
      return run_demo ();
    }

  if (opt_serve)
    {
      if (n_args > 1)
        {
          usage_error (_("--serve takes at most one file"));
          return EXIT_USAGE;
        }
      return run_serve (n_args == 1 ? opt_args[0] : NULL);
    }

  if (n_args != 1)
    {
      usage_error (n_args == 0 ? _("No URL given") : _("Give exactly one URL"));
      return EXIT_USAGE;
    }

  return run_client (opt_args[0]);
}
