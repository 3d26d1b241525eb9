/* listen.vala: print the events of a Server-Sent Events stream as they
 * arrive, in Vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The Vala twin of listen.c, through the generated sse-glib-1.vapi: connects
 * to URL with an Sse.EventSource and prints every event and every change of
 * status, in the same format:
 *
 *   status: connecting
 *   status: open
 *   event: tick id=1 data={"n": 1}
 *   status: reconnecting in 312 ms (attempt 1)
 *   status: closed
 *
 *   listen-vala [--max-events N] [--last-event-id ID] URL
 *
 * Exit status: 0 after --max-events events (or Ctrl-C), 1 when the source
 * gave up by itself (an error such as a 404 answer), 2 for a usage error.
 */

static int64 max_events = -1;
static string? last_event_id = null;

const OptionEntry[] options = {
    { "max-events", 'n', OptionFlags.NONE, OptionArg.INT64, ref max_events,
      "Close and exit after N events", "N" },
    { "last-event-id", 0, OptionFlags.NONE, OptionArg.STRING, ref last_event_id,
      "Resume the stream after this event ID", "ID" },
    { null }
};

static int main (string[] args) {
    /* The user's language and character set: the library's messages are
     * translated, and print() writes them as they are (in the "C" locale
     * GLib would turn every non-ASCII character into "?"). */
    Intl.setlocale (LocaleCategory.ALL, "");

    var context = new OptionContext ("URL - print a stream of events");
    context.add_main_entries (options, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    if (args.length != 2) {
        printerr ("Give one URL\n");
        return 2;
    }

    var loop = new MainLoop ();
    var source = new Sse.EventSource (args[1]);
    if (last_event_id != null)
        source.last_event_id = last_event_id;
    int64 n_events = 0;
    bool done = false;

    source.event.connect ((event) => {
        unowned string? id = event.get_id ();
        print ("event: %s id=%s data=%s\n", event.get_event_type (),
               id ?? "-", event.get_data ().replace ("\n", "\\n"));
        n_events++;
        if (max_events > 0 && n_events >= max_events) {
            done = true;
            source.close ();    /* no event follows this */
        }
    });

    /* Emitted before the status changes. */
    source.error.connect ((error) => {
        print ("error: %s %d: %s\n", error.domain.to_string (), error.code, error.message);
    });

    source.notify["status"].connect (() => {
        switch (source.status) {
        case Sse.Status.CONNECTING:
            print ("status: connecting\n");
            break;
        case Sse.Status.OPEN:
            print ("status: open\n");
            break;
        case Sse.Status.RECONNECTING:
            print ("status: reconnecting in %u ms (attempt %u)\n",
                   source.reconnect_delay, source.reconnect_attempt);
            break;
        default:
            print ("status: closed\n");
            loop.quit ();
            break;
        }
    });

    Unix.signal_add (ProcessSignal.INT, () => {
        done = true;
        source.close ();
        return Source.CONTINUE;
    });

    source.open ();
    loop.run ();
    return done ? 0 : 1;
}
