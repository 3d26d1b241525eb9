/* sse-version-macros.h: symbol visibility, availability and deprecation macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__SSE_GLIB_INSIDE__) && !defined(SSE_COMPILATION)
# error "Only <sse-glib/sse-glib.h> can be included directly."
#endif

#include <glib.h>

#include "sse-version.h"

/* The storage class of every public symbol. The library is built with its
 * symbols hidden by default; this exports the public ones: with the
 * visibility attribute where the compiler has it, as DLL exports on
 * Windows, and as plain declarations elsewhere. */
#ifndef _SSE_EXTERN
# if defined(_WIN32) || defined(__CYGWIN__)
#  ifdef SSE_COMPILATION
#   define _SSE_EXTERN __declspec(dllexport) extern
#  else
#   define _SSE_EXTERN extern
#  endif
# elif defined(__GNUC__) && __GNUC__ >= 4
#  define _SSE_EXTERN __attribute__((__visibility__("default"))) extern
# else
#  define _SSE_EXTERN extern
# endif
#endif

/**
 * SSE_VERSION_1_0:
 *
 * sse-glib 1.0, encoded with G_ENCODE_VERSION(): a value for
 * `SSE_VERSION_MIN_REQUIRED` and `SSE_VERSION_MAX_ALLOWED`.
 *
 * Since: 1.0
 */
#define SSE_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

/* The version of these headers, as major.minor. */
#define SSE_VERSION_CUR_STABLE (G_ENCODE_VERSION (SSE_MAJOR_VERSION, SSE_MINOR_VERSION))

/**
 * SSE_VERSION_MIN_REQUIRED:
 *
 * The oldest sse-glib a program is meant to build with, one of the
 * `SSE_VERSION_x_y` values; a program may define it before it includes
 * `sse-glib/sse-glib.h`, and by default it is the version of the headers.
 *
 * Functions deprecated in this version or an older one warn where they are
 * used; those deprecated later do not, since the program must still work
 * with a version that has no replacement for them.
 *
 * Since: 1.0
 */
#ifndef SSE_VERSION_MIN_REQUIRED
# define SSE_VERSION_MIN_REQUIRED (SSE_VERSION_CUR_STABLE)
#endif

/**
 * SSE_VERSION_MAX_ALLOWED:
 *
 * The newest sse-glib whose API a program may use, one of the
 * `SSE_VERSION_x_y` values; a program may define it before it includes
 * `sse-glib/sse-glib.h`, and by default it is the version of the headers
 * (or `SSE_VERSION_MIN_REQUIRED`, if that is newer).
 *
 * Functions added after this version warn where they are used ("Not
 * available before x.y"), so that a program that must build with an older
 * sse-glib finds out with the newer one.
 *
 * Since: 1.0
 */
#ifndef SSE_VERSION_MAX_ALLOWED
# if SSE_VERSION_MIN_REQUIRED > SSE_VERSION_CUR_STABLE
#  define SSE_VERSION_MAX_ALLOWED (SSE_VERSION_MIN_REQUIRED)
# else
#  define SSE_VERSION_MAX_ALLOWED (SSE_VERSION_CUR_STABLE)
# endif
#endif

#if SSE_VERSION_MAX_ALLOWED < SSE_VERSION_MIN_REQUIRED
# error "SSE_VERSION_MAX_ALLOWED must be >= SSE_VERSION_MIN_REQUIRED"
#endif

/* The attributes behind the macros below come from GLib, which defines
 * them as nothing for compilers that have none. A program that defines
 * SSE_DISABLE_DEPRECATION_WARNINGS before it includes sse-glib.h is not
 * warned, neither of deprecated nor of unavailable functions. */
#ifdef SSE_DISABLE_DEPRECATION_WARNINGS
# define SSE_DEPRECATED _SSE_EXTERN
# define SSE_DEPRECATED_FOR(f) _SSE_EXTERN
# define SSE_UNAVAILABLE(maj,min) _SSE_EXTERN
#else
# define SSE_DEPRECATED G_DEPRECATED _SSE_EXTERN
/**
 * SSE_DEPRECATED_FOR:
 * @f: the function that replaces the deprecated one
 *
 * Marks a function of sse-glib as deprecated in favour of @f: the compiler
 * warns where it is used, naming @f. For the library's headers.
 *
 * Since: 1.0
 */
# define SSE_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _SSE_EXTERN
/**
 * SSE_UNAVAILABLE:
 * @maj: the major version that added the function
 * @min: the minor version that added the function
 *
 * Marks a function of sse-glib as added in @maj.@min, later than
 * `SSE_VERSION_MAX_ALLOWED`: the compiler warns where it is used. For the
 * library's headers, through `SSE_AVAILABLE_IN_x_y`.
 *
 * Since: 1.0
 */
# define SSE_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _SSE_EXTERN
#endif

/* For symbols that are in every version. */
#define SSE_AVAILABLE_IN_ALL _SSE_EXTERN

/* Every stable minor version adds its macros here, for the library's
 * headers: SSE_AVAILABLE_IN_x_y before what version x.y added, and
 * SSE_DEPRECATED_IN_x_y or SSE_DEPRECATED_IN_x_y_FOR (replacement) before
 * what it deprecated. */

/* 1.0: the first stable API. */
#if SSE_VERSION_MIN_REQUIRED >= SSE_VERSION_1_0
# define SSE_DEPRECATED_IN_1_0 SSE_DEPRECATED
/**
 * SSE_DEPRECATED_IN_1_0_FOR:
 * @f: the function that replaces the deprecated one
 *
 * Marks a function of sse-glib as deprecated since 1.0 in favour of @f:
 * the compiler warns where it is used when `SSE_VERSION_MIN_REQUIRED` is
 * 1.0 or newer. For the library's headers.
 *
 * Since: 1.0
 */
# define SSE_DEPRECATED_IN_1_0_FOR(f) SSE_DEPRECATED_FOR (f)
#else
# define SSE_DEPRECATED_IN_1_0 _SSE_EXTERN
# define SSE_DEPRECATED_IN_1_0_FOR(f) _SSE_EXTERN
#endif

#if SSE_VERSION_MAX_ALLOWED < SSE_VERSION_1_0
# define SSE_AVAILABLE_IN_1_0 SSE_UNAVAILABLE (1, 0)
#else
# define SSE_AVAILABLE_IN_1_0 _SSE_EXTERN
#endif
