# nginx_config.py: nginx for the tests that put it in front of a stream
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil

# Debian's nginx-light (from .ci/install-deps), or None: the tests skip.
NGINX = shutil.which('nginx') or ('/usr/sbin/nginx' if os.path.exists('/usr/sbin/nginx') else None)


def config(directory, http_body, worker_connections=64):
    """A whole nginx.conf that keeps everything (pid, logs, temporary
    files) in @directory and runs in the foreground, as root too; the
    `http` block holds @http_body."""
    user = 'user root;\n' if os.geteuid() == 0 else ''
    return f"""{user}daemon off;
worker_processes 1;
error_log {directory}/error.log info;
pid {directory}/nginx.pid;
events {{ worker_connections {worker_connections}; }}
http {{
  access_log off;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
{http_body}}}
"""
