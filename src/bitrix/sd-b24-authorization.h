/* sd-b24-authorization.h: connecting as a Bitrix24 application (OAuth 2.0, reference §1.2).
 *
 * A company that registered Sdelka as a local application on its portal gives it the
 * application's code and key (client_id, client_secret). The person opens the portal's
 * consent page in the browser; the portal sends the browser back to a one-off listener
 * on this machine's loopback interface with a code, which is exchanged for the first pair
 * of tokens. An application, unlike a webhook, may use the portal's offline event queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-b24-client.h"

G_BEGIN_DECLS

/* Bitrix24's token server for cloud portals. */
#define SD_B24_TOKEN_URL "https://oauth.bitrix.info/oauth/token/"

#define SD_TYPE_B24_AUTHORIZATION (sd_b24_authorization_get_type ())
G_DECLARE_FINAL_TYPE (SdB24Authorization, sd_b24_authorization, SD, B24_AUTHORIZATION, GObject)

/* Starts listening for the portal's answer. @token_url: NULL for Bitrix24's own. */
SdB24Authorization *sd_b24_authorization_new        (const char    *portal_url,
                                                     const char    *client_id,
                                                     const char    *client_secret,
                                                     const char    *token_url,
                                                     GError       **error);
/* The consent page to open in the browser. */
const char         *sd_b24_authorization_get_uri    (SdB24Authorization *self);
/* Waits for the browser to come back, then exchanges the code: the result is a client
 * holding the application's tokens. Runs in the thread-default main context. */
void                sd_b24_authorization_wait_async (SdB24Authorization *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
SdB24Client        *sd_b24_authorization_wait_finish (SdB24Authorization *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

/* What sd_b24_error_explain() says, in the words of an application's connection (its
 * portal address, code and key, the consent page) where those of a webhook would mislead. */
char               *sd_b24_authorization_explain     (const GError *error);

G_END_DECLS
