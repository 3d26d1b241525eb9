#!/usr/bin/python3
# check-recipe.py: run a recipe program against fake_services.py and check
# what it sends, what it prints and how it exits
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-recipe.py RECIPE SCENARIO -- PROGRAM [ARG...]
#
# RECIPE is token-refresh, llm-chat or mcp-resume; PROGRAM (the C program,
# or python3 with the .py, or gjs -m with the .js) gets the recipe's
# arguments appended: the URL of the fake services, started on a free port
# in this process, and the rest. Then the requests the services received
# (method, path, headers, body, and for llm-chat's retry the time between
# them), the program's standard output and error, line by line and
# exactly (so a GLib warning fails the check too), and its exit status
# must be what the scenario expects:
#
#   token-refresh  rotate: 6 events over 3 connections, each with the token
#                  of the moment (renewed by the server before it ended the
#                  previous one), X-Api-Version, Last-Event-ID
#                  refused: a stale token, 401: the error, exit 1
#   llm-chat       ok: one POST with the JSON body and the key; the answer
#                  hold: the same while the server keeps the stream open
#                  after [DONE]: the program must close it
#                  cut: a stream that ends before [DONE]: never POSTed again
#                  bad-key: 401, the API's own message on standard error
#                  rate-limit: 429 with Retry-After: 2 and the API's message,
#                  then the same POST again no sooner, and the answer
#                  not-found: a 404 that is not JSON: the library's message
#   mcp-resume     resume: a POST, then GETs with Last-Event-ID, the session
#                  and the other headers, no body; progress and the result
#                  no-id: a stream without ids ends: no GET, exit 1
#                  tool-error: the JSON-RPC error, exit 1
#                  session-expired: 404 with a JSON-RPC error, exit 1
#                  json: the answer as one JSON message instead of a stream
#
# No sleeps: the program runs to its end, with a deadline.

import json
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_services  # noqa: E402

TIMEOUT = 20
PROMPT = 'Say "hello" to Zoë \\o/'
EVENT_STREAM_AND_JSON = 'application/json, text/event-stream'

SCENARIOS = {
    'token-refresh': ['rotate', 'refused'],
    'llm-chat': ['ok', 'hold', 'cut', 'bad-key', 'rate-limit', 'not-found'],
    'mcp-resume': ['resume', 'no-id', 'tool-error', 'session-expired', 'json'],
}
# The scenario of the services, where it is not 'ok'.
SERVICE_SCENARIO = {'hold': 'hold', 'cut': 'cut', 'rate-limit': 'rate-limit',
                    'no-id': 'no-id', 'json': 'json'}


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def header(request, name):
    for key, value in request['headers'].items():
        if key.lower() == name.lower():
            return value
    return None


def expect_requests(requests, count):
    expect(len(requests) == count,
           f'the services received {len(requests)} requests, not {count}')


def expect_output(result, stdout, stderr, status):
    expect(result.returncode == status, f'exit status {result.returncode}, not {status}')
    if callable(stdout):
        stdout(result.stdout.splitlines())
    else:
        expect(result.stdout.splitlines() == stdout, f'standard output is not {stdout!r}')
    if callable(stderr):
        stderr(result.stderr.splitlines())
    else:
        expect(result.stderr.splitlines() == stderr, f'standard error is not {stderr!r}')


# token-refresh ---------------------------------------------------------------

def token_refresh_args(services, scenario, tmp):
    token_file = services.token_file
    if scenario == 'refused':
        with open(token_file, 'w', encoding='utf-8') as f:
            f.write('token-0\n')    # the one before: expired
    return ['--token-file', token_file, '--max-events', '6', services.url + '/feed'], {}


def check_token_refresh(scenario, result, requests):
    if scenario == 'rotate':
        expect_output(result, [f'event: tick id={n} data={{"n": {n}}}' for n in range(1, 7)],
                      [], 0)
        expect_requests(requests, 3)
        for i, request in enumerate(requests):
            expect(request['method'] == 'GET' and request['path'] == '/feed',
                   f'request {i + 1} is not GET /feed')
            expect(header(request, 'Authorization') == f'Bearer token-{i + 1}',
                   f'request {i + 1} does not carry the token of the moment, token-{i + 1}')
            expect(header(request, 'X-Api-Version') == fake_services.API_VERSION,
                   f'request {i + 1} has no X-Api-Version from the template')
            expect(header(request, 'Last-Event-ID') == [None, '2', '4'][i],
                   f'request {i + 1} has the wrong Last-Event-ID')
            expect('text/event-stream' in (header(request, 'Accept') or ''),
                   f'request {i + 1} does not accept text/event-stream')
    else:
        def one_401(lines):
            expect(len(lines) == 1 and lines[0].startswith('error: ') and '401' in lines[0],
                   'standard error is not one line with the 401')
        expect_output(result, [], one_401, 1)
        expect_requests(requests, 1)
        expect(header(requests[0], 'Authorization') == 'Bearer token-0',
               'the request does not carry the token of the file')


# llm-chat --------------------------------------------------------------------

def llm_chat_args(services, scenario, tmp):
    key = 'sk-wrong' if scenario == 'bad-key' else fake_services.API_KEY
    base = services.url + ('/v0' if scenario == 'not-found' else '/v1')
    return ['--model', 'test-model', base, PROMPT], {'OPENAI_API_KEY': key}


def expect_chat_request(request, key=fake_services.API_KEY, path='/v1/chat/completions'):
    expect(request['method'] == 'POST' and request['path'] == path,
           f'the request is not POST {path}')
    expect(header(request, 'Authorization') == f'Bearer {key}',
           'the request does not carry the API key as a bearer token')
    expect(header(request, 'Content-Type') == 'application/json',
           'the request body is not sent as application/json')
    expect('text/event-stream' in (header(request, 'Accept') or ''),
           'the request does not accept text/event-stream')
    try:
        body = json.loads(request['body'])
    except ValueError:
        raise Failure('the request body is not JSON')
    expected = {'model': 'test-model', 'stream': True,
                'messages': [{'role': 'user', 'content': PROMPT}]}
    expect(body == expected, f'the request body is {body!r}, not {expected!r}')


def check_llm_chat(scenario, result, requests):
    answer = [fake_services.chat_answer(PROMPT)]
    if scenario in ('ok', 'hold'):
        expect_output(result, answer, [], 0)
        expect_requests(requests, 1)
        expect_chat_request(requests[0])
    elif scenario == 'cut':
        # The role, then two pieces of five characters: "You said: ".
        expect_output(result, [answer[0][:10]], ['error: the answer ended before [DONE]'], 1)
        expect_requests(requests, 1)    # never sent again: it would be paid again
        expect_chat_request(requests[0])
    elif scenario == 'bad-key':
        expect_output(result, [], ['error: Incorrect API key provided: sk-wr***ng. (HTTP 401)'],
                      1)
        expect_requests(requests, 1)
        expect_chat_request(requests[0], key='sk-wrong')
    elif scenario == 'rate-limit':
        def refused_then_retry(lines):
            expect(len(lines) == 2 and
                   lines[0] == 'error: Rate limit reached for requests. (HTTP 429)',
                   'standard error does not start with the API\'s message and the status')
            retry = re.fullmatch(r'retrying in (\d+) ms', lines[1])
            expect(retry is not None, 'standard error does not say when it retries')
            expect(int(retry.group(1)) >= fake_services.RETRY_AFTER * 1000,
                   'the retry comes sooner than Retry-After')
        expect_output(result, answer, refused_then_retry, 0)
        expect_requests(requests, 2)
        for request in requests:
            expect_chat_request(request)
        gap = requests[1]['time'] - requests[0]['time']
        expect(gap >= fake_services.RETRY_AFTER - 0.05,
               f'the request was sent again after {gap:.2f} s, before Retry-After')
    else:
        def library_message(lines):
            expect(len(lines) == 1 and lines[0].startswith('error: ') and '404' in lines[0],
                   'standard error is not one line with the 404')
        expect_output(result, [], library_message, 1)
        expect_requests(requests, 1)
        expect_chat_request(requests[0], path='/v0/chat/completions')


# mcp-resume ------------------------------------------------------------------

def mcp_resume_args(services, scenario, tmp):
    session = 'expired-session' if scenario == 'session-expired' else fake_services.SESSION_ID
    tool = ['nope'] if scenario == 'tool-error' else ['count', '{"to": 3}']
    return ['--session-id', session, services.url + '/mcp'] + tool, {}


def expect_mcp_headers(request, i, session=fake_services.SESSION_ID):
    expect(header(request, 'Accept') == EVENT_STREAM_AND_JSON,
           f'request {i + 1} does not send Accept: {EVENT_STREAM_AND_JSON}')
    expect(header(request, 'Mcp-Session-Id') == session,
           f'request {i + 1} does not send Mcp-Session-Id: {session}')
    expect(header(request, 'MCP-Protocol-Version') == fake_services.PROTOCOL_VERSION,
           f'request {i + 1} does not send MCP-Protocol-Version')


def expect_tool_call(request, name, arguments, session=fake_services.SESSION_ID):
    expect(request['method'] == 'POST' and request['path'] == '/mcp',
           'the first request is not POST /mcp')
    expect_mcp_headers(request, 0, session)
    expect(header(request, 'Content-Type') == 'application/json',
           'the JSON-RPC request is not sent as application/json')
    expect(header(request, 'Last-Event-ID') is None, 'the POST sends a Last-Event-ID')
    try:
        body = json.loads(request['body'])
    except ValueError:
        raise Failure('the POST body is not JSON')
    expected = {'jsonrpc': '2.0', 'id': 1, 'method': 'tools/call',
                'params': {'name': name, 'arguments': arguments, '_meta': {'progressToken': 1}}}
    expect(body == expected, f'the POST body is {body!r}, not {expected!r}')


def check_mcp_resume(scenario, result, requests):
    if scenario == 'resume':
        expect_output(result, [
            'progress: 1/3',
            'reconnecting in 50 ms after event 1-1',
            'progress: 2/3',
            'progress: 3/3',
            'reconnecting in 50 ms after event 1-3',
            'result: Counted to 3.',
        ], [], 0)
        expect_requests(requests, 3)
        expect_tool_call(requests[0], 'count', {'to': 3})
        for i, last_id in ((1, '1-1'), (2, '1-3')):
            request = requests[i]
            expect(request['method'] == 'GET' and request['path'] == '/mcp',
                   f'request {i + 1} is not GET /mcp: the POST must not be sent again')
            expect_mcp_headers(request, i)
            expect(request['body'] == b'' and header(request, 'Content-Type') is None,
                   f'request {i + 1} carries a body')
            expect(header(request, 'Last-Event-ID') == last_id,
                   f'request {i + 1} does not resume with Last-Event-ID: {last_id}')
    elif scenario == 'no-id':
        expect_output(result, ['progress: 1/3'], [
            'error: the stream ended before the answer, with no event ID to resume from'], 1)
        expect_requests(requests, 1)    # nothing to resume: no GET
        expect_tool_call(requests[0], 'count', {'to': 3})
    elif scenario == 'tool-error':
        expect_output(result, [], ['error: Unknown tool: nope (JSON-RPC error -32602)'], 1)
        expect_requests(requests, 1)
        expect_tool_call(requests[0], 'nope', {})
    elif scenario == 'session-expired':
        expect_output(result, [], ['error: Session not found (HTTP 404)'], 1)
        expect_requests(requests, 1)
        expect_tool_call(requests[0], 'count', {'to': 3}, session='expired-session')
    else:
        expect_output(result, ['result: Counted to 3.'], [], 0)
        expect_requests(requests, 1)
        expect_tool_call(requests[0], 'count', {'to': 3})


RECIPES = {
    'token-refresh': (token_refresh_args, check_token_refresh),
    'llm-chat': (llm_chat_args, check_llm_chat),
    'mcp-resume': (mcp_resume_args, check_mcp_resume),
}


def main():
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[2] != '--' or argv[0] not in SCENARIOS or \
            argv[1] not in SCENARIOS[argv[0]]:
        print('Usage: check-recipe.py RECIPE SCENARIO -- PROGRAM [ARG...]', file=sys.stderr)
        for recipe, scenarios in SCENARIOS.items():
            print(f'  {recipe}: {", ".join(scenarios)}', file=sys.stderr)
        sys.exit(2)
    recipe, scenario, program = argv[0], argv[1], argv[3:]
    make_args, check = RECIPES[recipe]

    with tempfile.TemporaryDirectory(prefix='check-recipe-') as tmp:
        services = fake_services.Services(SERVICE_SCENARIO.get(scenario, 'ok'),
                                          token_file=os.path.join(tmp, 'token'))
        thread = threading.Thread(target=services.serve_forever, daemon=True)
        thread.start()
        args, env = make_args(services, scenario, tmp)
        command = program + args
        try:
            result = subprocess.run(command, capture_output=True, encoding='utf-8',
                                    errors='replace', env=dict(os.environ, **env),
                                    timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            result = None
            timeout = e
        finally:
            services.shutdown()
            services.server_close()
        with services.lock:
            requests = list(services.requests)

    try:
        if result is None:
            raise Failure(f'the program did not exit within {TIMEOUT} s')
        check(scenario, result, requests)
    except Failure as failure:
        print(f'check-recipe: {recipe} {scenario}: {failure}', file=sys.stderr)
        print(f'--- command: {command}', file=sys.stderr)
        if result is None:
            out, err = timeout.stdout or '', timeout.stderr or ''
            out = out.decode(errors='replace') if isinstance(out, bytes) else out
            err = err.decode(errors='replace') if isinstance(err, bytes) else err
        else:
            print(f'--- exit status: {result.returncode}', file=sys.stderr)
            out, err = result.stdout, result.stderr
        print('--- standard output:', file=sys.stderr)
        for line in out.splitlines():
            print('  ' + line, file=sys.stderr)
        print('--- standard error:', file=sys.stderr)
        for line in err.splitlines():
            print('  ' + line, file=sys.stderr)
        print('--- requests received:', file=sys.stderr)
        for request in requests:
            print(f'  {request["method"]} {request["path"]} {request["headers"]} '
                  f'{request["body"]!r}', file=sys.stderr)
        sys.exit(1)
    print(f'check-recipe: {recipe} {scenario}: {" ".join(command)}: ok')


if __name__ == '__main__':
    main()
