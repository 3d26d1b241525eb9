/* parse.vala: print the events of a text/event-stream file, or write them
 * back out, in Vala
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The Vala twin of parse-stream.c, through the generated sse-glib-1.vapi.
 * Reads a `text/event-stream` from a file (or standard input, given `-` or
 * nothing) in small pieces, feeds each piece to an Sse.Parser and prints
 * every event and comment in the same format as parse-stream:
 *
 *   event #1: type=update id=42 last-event-id=42
 *     | first line
 *   comment: keep-alive
 *   retry: 5000 ms
 *
 * With --encode, it writes what it parsed back out as a text/event-stream
 * with an Sse.Encoder instead (--crlf: lines end with CR LF): every event,
 * comment and retry time, in stream order. A retry time is written when the
 * parser reports it, and again with the event that carried it; an id that
 * came without data (no event) is not written, as no event carries it.
 *
 *   parse [--encode [--crlf]] [--chunk-size N] [FILE|-]
 *
 * The exit status is 0 when the whole input was read, 1 when it could not
 * be read, and 2 when an event was dropped for being too large.
 */

static bool encode = false;
static bool crlf = false;
static int chunk_size = 7;

const OptionEntry[] options = {
    { "encode", 'e', OptionFlags.NONE, OptionArg.NONE, ref encode,
      "Write the events back out as a text/event-stream", null },
    { "crlf", 0, OptionFlags.NONE, OptionArg.NONE, ref crlf,
      "With --encode, end lines with CR LF", null },
    { "chunk-size", 'c', OptionFlags.NONE, OptionArg.INT, ref chunk_size,
      "Feed the parser N bytes at a time (default: 7)", "N" },
    { null }
};

/* Appends @text, escaping C0 controls and DEL, as parse-stream does. */
static void append_escaped (StringBuilder sb, uint8[] text) {
    foreach (uint8 c in text) {
        if (c == '\t')
            sb.append ("\\t");
        else if (c == '\r')
            sb.append ("\\r");
        else if (c == '\\')
            sb.append ("\\\\");
        else if (c < 0x20 || c == 0x7f)
            sb.append_printf ("\\x%02x", c);
        else
            sb.append_c ((char) c);
    }
}

class Printer : Object {
    private uint n_events = 0;

    public uint count { get { return n_events; } }

    public void print_event (Sse.Event event) {
        var sb = new StringBuilder ();
        unowned string? id = event.get_id ();

        n_events++;
        sb.append_printf ("event #%u: type=", n_events);
        append_escaped (sb, event.get_event_type ().data);
        if (id != null) {
            sb.append (" id=");
            append_escaped (sb, id.data);
        }
        sb.append (" last-event-id=");
        append_escaped (sb, event.get_last_event_id ().data);
        if (event.get_retry () >= 0)
            sb.append (" retry=" + event.get_retry ().to_string ());
        sb.append_c ('\n');

        /* The data as bytes: it may hold NUL, which a string cannot.
         * Lines are separated by LF; empty data is one empty line. */
        unowned uint8[] data = event.get_data_bytes ().get_data () ?? new uint8[0];
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i < data.length && data[i] != '\n')
                continue;
            sb.append ("  |");
            if (i > start) {
                sb.append_c (' ');
                append_escaped (sb, data[start:i]);
            }
            sb.append_c ('\n');
            start = i + 1;
        }

        stdout.puts (sb.str);
    }

    public void print_comment (string text) {
        var sb = new StringBuilder ("comment:");
        if (text != "") {
            sb.append_c (' ');
            append_escaped (sb, text.data);
        }
        sb.append_c ('\n');
        stdout.puts (sb.str);
    }
}

static void write_bytes (Bytes bytes) {
    unowned uint8[]? data = bytes.get_data ();
    if (data != null)
        stdout.write (data);
}

static int main (string[] args) {
    var context = new OptionContext ("[FILE|-]");
    context.set_summary ("Print the events and comments of a text/event-stream.");
    context.add_main_entries (options, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("parse: %s\n", e.message);
        return 1;
    }
    if (args.length > 2 || chunk_size < 1) {
        printerr ("Usage: parse [--encode [--crlf]] [--chunk-size N] [FILE|-]\n");
        return 1;
    }

    FileStream? input;
    if (args.length < 2 || args[1] == "-") {
        input = FileStream.fdopen (0, "rb");
    } else {
        input = FileStream.open (args[1], "rb");
        if (input == null) {
            printerr ("parse: %s: %s\n", args[1], strerror (errno));
            return 1;
        }
    }

    var parser = new Sse.Parser ();
    var printer = new Printer ();
    var encoder = new Sse.Encoder ();
    encoder.line_ending = crlf ? Sse.LineEnding.CRLF : Sse.LineEnding.LF;

    if (encode) {
        parser.event.connect ((event) => write_bytes (encoder.encode_event (event)));
        parser.comment.connect ((text) => write_bytes (encoder.encode_comment (text)));
        parser.notify["retry"].connect (() => write_bytes (encoder.encode_retry ((uint) parser.retry)));
    } else {
        parser.event.connect (printer.print_event);
        parser.comment.connect (printer.print_comment);
        parser.notify["retry"].connect (() => stdout.printf ("retry: %s ms\n", parser.retry.to_string ()));
    }

    var buffer = new uint8[chunk_size];
    bool too_large = false;
    size_t n;
    while ((n = input.read (buffer)) > 0) {
        /* A feed error means that one event was too large and was dropped;
         * the parser goes on with the next one. */
        try {
            parser.feed (buffer[0:n]);
        } catch (Error e) {
            printerr ("parse: %s\n", e.message);
            too_large = true;
        }
    }
    if (input.error () != 0) {
        printerr ("parse: read error\n");
        return 1;
    }

    /* The end of the stream: an event without its closing blank line is
     * discarded, as the standard says. */
    parser.finish ();
    if (!encode)
        stdout.printf ("end of stream: %u events\n", printer.count);

    return too_large ? 2 : 0;
}
