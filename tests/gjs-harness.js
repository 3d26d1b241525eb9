// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The small test harness the GJS tests share: assertions, a way to record
// failures inside signal handlers (which GJS would otherwise swallow), and
// a runner that prints TAP and exits with status 1 when a test failed.

import GLib from 'gi://GLib';
import System from 'system';

export class AssertionError extends Error {}

// Failures raised inside signal handlers.
let callbackFailures = [];

export function fail(message) {
    throw new AssertionError(message);
}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        fail(message);
}

export function repr(value) {
    if (value instanceof Uint8Array)
        return `Uint8Array [${Array.from(value).join(', ')}]`;
    return JSON.stringify(value);
}

export function assertEqual(actual, expected, what = 'value') {
    if (repr(actual) !== repr(expected))
        fail(`${what}: expected ${repr(expected)}, got ${repr(actual)}`);
}

export function assertThrowsGError(func, domain, code, what) {
    try {
        func();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: expected a GLib.Error, got ${e}`);
        assertEqual(e.domain, domain, `${what}: error domain`);
        assertEqual(e.code, code, `${what}: error code`);
        assert(e.matches(domain, code), `${what}: GLib.Error.matches()`);
        assert(e.message.length > 0, `${what}: the error has a message`);
        return e;
    }
    return fail(`${what}: no error was thrown`);
}

// Wraps a signal handler or callback so that a failed assertion inside it
// is recorded, and fails the test under way.
export function guarded(handler) {
    return (...args) => {
        try {
            return handler(...args);
        } catch (e) {
            callbackFailures.push(e);
            return undefined;
        }
    };
}

// The first failure recorded inside a handler during the test under way.
export function firstCallbackFailure() {
    return callbackFailures.length > 0 ? callbackFailures[0] : null;
}

// Iterates the default main context until condition() holds; fails after
// timeoutMs, and at once when a handler failed.
export function runUntil(condition, what, timeoutMs = 20000) {
    const context = GLib.MainContext.default();
    let expired = false;
    const id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, timeoutMs, () => {
        expired = true;
        return GLib.SOURCE_REMOVE;
    });
    try {
        while (!condition()) {
            if (expired)
                fail(`timed out waiting for ${what}`);
            if (firstCallbackFailure() !== null)
                throw firstCallbackFailure();
            context.iteration(true);
        }
    } finally {
        if (!expired)
            GLib.source_remove(id);
    }
}

const tests = [];

export function test(name, func) {
    tests.push({name, func});
}

// Runs every test, prints TAP, and exits with status 1 if any failed.
export function run() {
    let failures = 0;

    tests.forEach(({name, func}, i) => {
        let error = null;
        callbackFailures = [];
        try {
            func();
        } catch (e) {
            error = e;
        }
        if (!error)
            error = firstCallbackFailure();
        if (error) {
            failures++;
            print(`not ok ${i + 1} ${name}`);
            printerr(`# ${name}: ${error instanceof AssertionError ? error.message : error}`);
            if (!(error instanceof AssertionError) && error.stack)
                printerr(error.stack.replace(/^/gm, '#   '));
        } else {
            print(`ok ${i + 1} ${name}`);
        }
    });
    System.gc();
    print(`1..${tests.length}`);

    if (failures > 0) {
        printerr(`# ${failures} of ${tests.length} tests failed`);
        System.exit(1);
    }
}
