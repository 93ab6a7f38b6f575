/* b24-server.h: helpers the HTTP side shares with the control door and the drive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

/* Query string and body (form, multipart or JSON) of @msg as one parameter tree. */
JsonObject *b24_server_read_params (SoupServerMessage *msg);
void b24_server_respond_json (SoupServerMessage *msg,
                              guint              status,
                              JsonNode          *body);

G_END_DECLS
