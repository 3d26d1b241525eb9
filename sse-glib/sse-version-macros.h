/* sse-version-macros.h: symbol visibility and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib.h>

#include "sse-version.h"

#ifndef _SSE_EXTERN
# define _SSE_EXTERN __attribute__((visibility("default"))) extern
#endif

#define SSE_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

#define SSE_VERSION_CUR_STABLE (G_ENCODE_VERSION (SSE_MAJOR_VERSION, SSE_MINOR_VERSION))

#ifndef SSE_VERSION_MIN_REQUIRED
# define SSE_VERSION_MIN_REQUIRED (SSE_VERSION_CUR_STABLE)
#endif

#ifndef SSE_VERSION_MAX_ALLOWED
# define SSE_VERSION_MAX_ALLOWED (SSE_VERSION_CUR_STABLE)
#endif

#if SSE_VERSION_MAX_ALLOWED < SSE_VERSION_MIN_REQUIRED
# error "SSE_VERSION_MAX_ALLOWED must be >= SSE_VERSION_MIN_REQUIRED"
#endif

/**
 * SSE_DEPRECATED_FOR:
 * @f: the function that replaces the deprecated one
 *
 * Marks a function of sse-glib as deprecated in favour of @f: the compiler
 * warns where it is used, naming @f. For the library's headers.
 *
 * Since: 1.0
 */
#ifndef __GI_SCANNER__
# define SSE_AVAILABLE_IN_ALL _SSE_EXTERN
# define SSE_DEPRECATED _SSE_EXTERN G_DEPRECATED
# define SSE_DEPRECATED_FOR(f) _SSE_EXTERN G_DEPRECATED_FOR(f)
#else
# define SSE_AVAILABLE_IN_ALL
# define SSE_DEPRECATED
# define SSE_DEPRECATED_FOR(f)
#endif

/* 1.0: the first stable API. */
#define SSE_AVAILABLE_IN_1_0 _SSE_EXTERN
