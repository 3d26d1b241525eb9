/* sse-glib.h: Server-Sent Events for GLib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define __SSE_GLIB_INSIDE__

#include "sse-version.h"
#include "sse-version-macros.h"
#include "sse-version-info.h"
#include "sse-enum-types.h"
#include "sse-error.h"
#include "sse-event.h"
#include "sse-parser.h"
#include "sse-encoder.h"
#include "sse-event-source.h"
#include "sse-server-stream.h"
#include "sse-broadcaster.h"
#include "sse-server-listen.h"

#undef __SSE_GLIB_INSIDE__
