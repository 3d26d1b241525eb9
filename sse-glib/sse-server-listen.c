/* sse-server-listen.c: a SoupServer that takes a burst of connections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * SoupServer's own listen functions leave the listening socket with GLib's
 * default backlog of 10: when every client of a server reconnects at once
 * (after a restart, say), the kernel drops the SYNs past the tenth and the
 * clients retry after 1, 3, 7 … seconds. These functions are the same as
 * libsoup's, on a socket whose backlog is the system's maximum.
 */

#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "sse-server-listen.h"

#define SOMAXCONN_PATH "/proc/sys/net/core/somaxconn"

/**
 * sse_server_get_listen_backlog:
 *
 * The backlog that [func@Sse.server_listen] and its siblings give their
 * sockets: how many connections the kernel completes and keeps for the
 * server to accept. It is the system's maximum, which the kernel would
 * cap a larger backlog to anyway: on Linux,
 * `/proc/sys/net/core/somaxconn` (4096 by default since Linux 5.4; raise
 * it with `sysctl net.core.somaxconn=N` for bigger bursts), elsewhere
 * `SOMAXCONN`.
 *
 * Returns: the backlog
 *
 * Since: 1.0
 */
int
sse_server_get_listen_backlog (void)
{
  g_autofree char *contents = NULL;
  gint64 value;
  char *end;

  if (g_file_get_contents (SOMAXCONN_PATH, &contents, NULL, NULL))
    {
      value = g_ascii_strtoll (contents, &end, 10);
      if (end != contents && value > 0)
        return (int) MIN (value, G_MAXINT);
    }
  return SOMAXCONN;
}

/* A socket bound to @address and listening, with the deep backlog. */
static GSocket *
listening_socket_new (GSocketAddress  *address,
                      GError         **error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  /* As libsoup does: an IPv6 socket does not take IPv4 too, so that both
   * can listen on the same port. */
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);

  g_socket_set_listen_backlog (socket, sse_server_get_listen_backlog ());
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

/**
 * sse_server_listen:
 * @server: a server
 * @address: the address of the interface to listen on
 * @options: listening options; not %SOUP_SERVER_LISTEN_IPV4_ONLY nor
 *   %SOUP_SERVER_LISTEN_IPV6_ONLY (the address says which)
 * @error: return location for an error
 *
 * Makes @server listen on @address, as [method@Soup.Server.listen] does,
 * with the listen backlog at the system's maximum
 * ([func@Sse.server_get_listen_backlog]) instead of GLib's default of 10,
 * so that a burst of clients connecting at once (every client of a server
 * that restarted, say) is served at once instead of after TCP's
 * retransmission delays.
 *
 * The socket is made, bound and put to listen here, then given to
 * [method@Soup.Server.listen_socket]: [method@Soup.Server.get_listeners],
 * [method@Soup.Server.get_uris] and [method@Soup.Server.disconnect] see it
 * as any other.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
sse_server_listen (SoupServer               *server,
                   GSocketAddress           *address,
                   SoupServerListenOptions   options,
                   GError                  **error)
{
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (SOUP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (!(options & (SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_IPV6_ONLY)),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  socket = listening_socket_new (address, error);
  return socket != NULL && soup_server_listen_socket (server, socket, options, error);
}

/* Listens on the IPv4 and the IPv6 address @new_address makes (the
 * loopback or the any address), or on one of them as @options says, on the
 * same port: libsoup's soup_server_listen_ipv4_ipv6(), on deep sockets. */
static gboolean
listen_ipv4_ipv6 (SoupServer                *server,
                  GInetAddress            *(*new_address) (GSocketFamily family),
                  guint                      port,
                  SoupServerListenOptions    options,
                  GError                   **error)
{
  g_autoptr(GInetAddress) iaddr4 = NULL;
  g_autoptr(GInetAddress) iaddr6 = NULL;
  guint attempt;

  if (!(options & SOUP_SERVER_LISTEN_IPV6_ONLY))
    iaddr4 = new_address (G_SOCKET_FAMILY_IPV4);
  if (!(options & SOUP_SERVER_LISTEN_IPV4_ONLY))
    iaddr6 = new_address (G_SOCKET_FAMILY_IPV6);

  options &= ~(SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_IPV6_ONLY);

  for (attempt = 0; ; attempt++)
    {
      g_autoptr(GSocket) socket4 = NULL;
      g_autoptr(GSocket) socket6 = NULL;
      g_autoptr(GError) error6 = NULL;
      guint port6 = port;

      if (iaddr4 != NULL)
        {
          g_autoptr(GSocketAddress) addr4 = g_inet_socket_address_new (iaddr4, port);
          g_autoptr(GSocketAddress) bound = NULL;

          socket4 = listening_socket_new (addr4, error);
          if (socket4 == NULL)
            return FALSE;
          bound = g_socket_get_local_address (socket4, error);
          if (bound == NULL)
            return FALSE;
          port6 = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
        }

      if (iaddr6 != NULL)
        {
          g_autoptr(GSocketAddress) addr6 = g_inet_socket_address_new (iaddr6, port6);

          socket6 = listening_socket_new (addr6, &error6);
        }

      if (socket6 == NULL && error6 != NULL)
        {
          /* No IPv6 on this system, and it was not asked for alone. */
          if (socket4 != NULL && g_error_matches (error6, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
            g_clear_error (&error6);
          /* The port the kernel chose for IPv4 is taken on the IPv6
           * side: choose again. */
          else if (socket4 != NULL && port == 0 && attempt < 10 &&
                   g_error_matches (error6, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            continue;
          else
            {
              g_propagate_error (error, g_steal_pointer (&error6));
              return FALSE;
            }
        }

      /* A refusal (HTTPS without a certificate) comes with the first
       * socket, before anything was added. */
      if (socket4 != NULL && !soup_server_listen_socket (server, socket4, options, error))
        return FALSE;
      return socket6 == NULL || soup_server_listen_socket (server, socket6, options, error);
    }
}

/**
 * sse_server_listen_local:
 * @server: a server
 * @port: the port to listen on, or 0 for any free one
 * @options: listening options
 * @error: return location for an error
 *
 * Makes @server listen on the loopback interface (127.0.0.1 and ::1, or
 * one of them with %SOUP_SERVER_LISTEN_IPV4_ONLY or
 * %SOUP_SERVER_LISTEN_IPV6_ONLY), as [method@Soup.Server.listen_local]
 * does, with the deep backlog of [func@Sse.server_listen].
 *
 * ```c
 * g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
 * g_autoptr(GError) error = NULL;
 *
 * soup_server_add_handler (server, "/events", handle_events, broadcaster, NULL);
 * if (!sse_server_listen_local (server, 8000, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
 *   g_printerr ("Cannot listen: %s\n", error->message);
 * ```
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
sse_server_listen_local (SoupServer               *server,
                         guint                     port,
                         SoupServerListenOptions   options,
                         GError                  **error)
{
  g_return_val_if_fail (SOUP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (!(options & SOUP_SERVER_LISTEN_IPV4_ONLY) ||
                        !(options & SOUP_SERVER_LISTEN_IPV6_ONLY), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return listen_ipv4_ipv6 (server, g_inet_address_new_loopback, port, options, error);
}

/**
 * sse_server_listen_all:
 * @server: a server
 * @port: the port to listen on, or 0 for any free one
 * @options: listening options
 * @error: return location for an error
 *
 * Makes @server listen on every interface (0.0.0.0 and ::, or one of them
 * with %SOUP_SERVER_LISTEN_IPV4_ONLY or %SOUP_SERVER_LISTEN_IPV6_ONLY), as
 * [method@Soup.Server.listen_all] does, with the deep backlog of
 * [func@Sse.server_listen].
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
sse_server_listen_all (SoupServer               *server,
                       guint                     port,
                       SoupServerListenOptions   options,
                       GError                  **error)
{
  g_return_val_if_fail (SOUP_IS_SERVER (server), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (!(options & SOUP_SERVER_LISTEN_IPV4_ONLY) ||
                        !(options & SOUP_SERVER_LISTEN_IPV6_ONLY), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return listen_ipv4_ipv6 (server, g_inet_address_new_any, port, options, error);
}
