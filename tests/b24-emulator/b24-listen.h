/* b24-listen.h: a SoupServer on loopback that leaves nothing of libsoup 3.2's behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Makes @server listen on 127.0.0.1:@port (0: any free port) with @options
 * (SOUP_SERVER_LISTEN_HTTPS or 0) and answer every request with "Connection: close".
 * Returns "http://127.0.0.1:PORT" (https with SOUP_SERVER_LISTEN_HTTPS), or NULL. */
char *b24_listen_loopback (SoupServer               *server,
                           guint16                   port,
                           SoupServerListenOptions   options,
                           GError                  **error);

G_END_DECLS
