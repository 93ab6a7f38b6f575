/* b24-listen.c: a SoupServer on loopback that leaves nothing of libsoup 3.2's behind.
 *
 * libsoup 3.2.3 (Debian 12) loses memory in its own listener and connections:
 *  - every socket its listener accepts keeps one reference too many (fixed in 3.4,
 *    b545d5f0 "soup-listener: Plug a leak");
 *  - the listening address it looks up for soup_server_listen_local() and
 *    soup_server_get_uris() is never released (c07ff61f);
 *  - a kept-alive connection that the client closes while idle is never released (fixed
 *    in 3.3.0, d20c6601).
 * So connections are accepted here, by a GSocketService, and handed to the server with
 * soup_server_accept_iostream(); the port is read from our own listener; and every answer
 * closes its connection, since one the server ends itself is released (over loopback a
 * connection a request costs nothing a test notices). Sanitizer runs then need no
 * suppression for libsoup, nor the slow unwinder that would name its frames.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-listen.h"

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           data)
{
  SoupServer *server = data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GIOStream *stream = G_IO_STREAM (connection);

  if (local == NULL || remote == NULL)
    return TRUE;
  if (g_object_get_data (G_OBJECT (service), "b24-https") != NULL)
    {
      g_object_get (server, "tls-certificate", &certificate, NULL);
      tls = g_tls_server_connection_new (stream, certificate, NULL);
      if (tls == NULL)
        return TRUE;
      stream = tls;
    }
  soup_server_accept_iostream (server, stream, local, remote, NULL);
  return TRUE;
}

static void
service_free (gpointer data)
{
  GSocketService *service = data;

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_unref (service);
}

char *
b24_listen_loopback (SoupServer               *server,
                     guint16                   port,
                     SoupServerListenOptions   options,
                     GError                  **error)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) bound = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    {
      service_free (service);
      return NULL;
    }
  if (options & SOUP_SERVER_LISTEN_HTTPS)
    g_object_set_data (G_OBJECT (service), "b24-https", GINT_TO_POINTER (TRUE));
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), server);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), NULL);
  /* Stopped and closed when the server goes. */
  g_object_set_data_full (G_OBJECT (server), "b24-listen-service", service, service_free);
  g_socket_service_start (service);
  return g_strdup_printf ("%s://127.0.0.1:%u", (options & SOUP_SERVER_LISTEN_HTTPS) ? "https" : "http",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}
