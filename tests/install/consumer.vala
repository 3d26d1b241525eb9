/* consumer.vala: a Vala program outside the tree, built against the
 * installed sse-glib-1.vapi (valac --pkg sse-glib-1)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run by tests/test-install.sh; exits 0 and prints "consumer-vala: ok" when
 * everything matched.
 */

int main () {
    var parser = new Sse.Parser ();
    var events = new GenericArray<Sse.Event> ();
    parser.event["greeting"].connect ((event) => events.add (event));

    try {
        parser.feed ("event: greeting\nid: 7\ndata: hello\n\ndata: not a greeting\n\n".data);
    } catch (Error e) {
        printerr ("consumer-vala: %s\n", e.message);
        return 1;
    }
    if (events.length != 1 || events[0].get_data () != "hello" || events[0].get_id () != "7") {
        printerr ("consumer-vala: unexpected events\n");
        return 1;
    }

    var encoder = new Sse.Encoder ();
    var wire = encoder.encode_event (events[0]);
    if (wire.compare (new Bytes ("event: greeting\nid: 7\ndata: hello\n\n".data)) != 0) {
        printerr ("consumer-vala: unexpected encoding\n");
        return 1;
    }

    try {
        new Sse.Event.checked ("a\nb", "x", -1, null, -1);
        printerr ("consumer-vala: no error for an invalid event\n");
        return 1;
    } catch (Sse.Error.INVALID_EVENT e) {
        /* expected */
    } catch (Error e) {
        printerr ("consumer-vala: wrong error: %s\n", e.message);
        return 1;
    }

    print ("consumer-vala: ok\n");
    return 0;
}
