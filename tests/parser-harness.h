/* parser-harness.h: feeds streams to an SseParser in chunks and records
 * everything it reports, for test-parser and test-encoder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <sse-glib/sse-glib.h>

G_BEGIN_DECLS

/* How to set a parser up before a stream is fed to it. */
typedef struct {
  const char *last_event_id;      /* seeds the property when not NULL */
  guint64     max_event_size;     /* applied when set_max_event_size */
  gboolean    set_max_event_size;
  gboolean    finish;             /* call sse_parser_finish() at the end */
} HarnessOptions;

/* A recorder listens to a parser and writes what it reports, in order, into
 * a transcript with one line per item:
 *
 *   event 'TYPE' data='DATA' id='ID' last='LAST' retry=N   (id=- when NULL)
 *   comment 'TEXT'
 *   notify retry=N
 *   notify last-event-id='ID'
 *
 * and, from recorder_finish_log(), a last line with the parser's state:
 *
 *   end last-event-id='ID' retry=N
 *
 * Strings are quoted by harness_escape(). The errors returned by feeds are
 * counted apart, as how many feeds report one depends on the chunking. */
typedef struct {
  SseParser *parser;
  GString   *log;
  GPtrArray *events;              /* SseEvent, owned */
  GPtrArray *comments;            /* char *, owned */
  guint      n_errors;
  GError    *last_error;
} Recorder;

Recorder   *recorder_new          (SseParser            *parser);
void        recorder_free         (Recorder             *recorder);
gboolean    recorder_feed         (Recorder             *recorder,
                                   const void           *data,
                                   gsize                 len);
gboolean    recorder_feed_str     (Recorder             *recorder,
                                   const char           *str);
char       *recorder_finish_log   (Recorder             *recorder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

/* Quotes @len bytes of @s: printable ASCII as is, valid UTF-8 characters
 * as is, \\ \' \n \r \0 escaped and every other byte as \xHH. */
char       *harness_escape        (const char           *s,
                                   gsize                 len);

/* Parses @input cut at the @n_cuts offsets of @cuts (ascending) with a new
 * parser and returns its transcript. @n_errors, if not NULL, receives the
 * number of feeds that failed. */
char       *harness_parse         (const guint8         *input,
                                   gsize                 len,
                                   const gsize          *cuts,
                                   guint                 n_cuts,
                                   const HarnessOptions *options,
                                   guint                *n_errors);

/* Parses @input as one feed, then cut in two at every offset, then one
 * byte per feed, and asserts that every transcript equals @expected (the
 * one-feed transcript when @expected is NULL), and that feeds failed in
 * every run or in none. */
void        harness_assert_parse  (const guint8         *input,
                                   gsize                 len,
                                   const HarnessOptions *options,
                                   const char           *expected);

/* Parses @input in random chunks (g_test_rand_*) and returns the
 * transcript. */
char       *harness_parse_random  (const guint8         *input,
                                   gsize                 len,
                                   const HarnessOptions *options,
                                   guint                *n_errors);

/* harness_assert_parse() on a NUL-terminated stream, with default
 * options. */
#define assert_parse(input, expected) \
  harness_assert_parse ((const guint8 *) (input), strlen (input), NULL, (expected))

/* The same with an explicit length, for streams with NUL bytes. */
#define assert_parse_len(input, expected) \
  harness_assert_parse ((const guint8 *) (input), sizeof (input) - 1, NULL, (expected))

/* Scales an iteration count: more with -m thorough, fewer under valgrind. */
guint       harness_iterations    (guint                 normal);

G_END_DECLS
