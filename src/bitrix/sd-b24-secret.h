/* sd-b24-secret.h: the portal credential in the keyring.
 *
 * The webhook address (or the OAuth pair) opens the portal to anyone who has it, so it is
 * kept only in the Secret Service keyring, under the schema org.sdelka.Sdelka.Portal and
 * keyed by the database it belongs to — never in the database, settings or logs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-b24-client.h"

G_BEGIN_DECLS

/* The store's meta key holding the connected portal's address ("https://portal"), never
 * the secret: it tells the app there is a credential to look up in the keyring. */
#define SD_B24_PORTAL_META "sync.portal"
/* The meta key holding the portal ID of the user the credential belongs to (user.current
 * at connect): the person at this computer, whom the app acts as once the sync brought
 * the staff. */
#define SD_B24_USER_META "sync.user"

/* @database: the store's path (made absolute here); @label: what the keyring shows, with
 * no secret in it. */
gboolean  sd_b24_secret_store   (const char    *database,
                                 const char    *label,
                                 const char    *secret,
                                 GCancellable  *cancellable,
                                 GError       **error);
/* NULL without an error when there is none. */
char     *sd_b24_secret_lookup  (const char    *database,
                                 GCancellable  *cancellable,
                                 GError       **error);
/* TRUE also when there was none. */
gboolean  sd_b24_secret_clear   (const char    *database,
                                 GCancellable  *cancellable,
                                 GError       **error);

/* Keeps what makes @client again (its webhook address, or its application's tokens). */
gboolean     sd_b24_secret_store_client (const char    *database,
                                         SdB24Client   *client,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* The client of the stored connection, NULL without an error when there is none. An
 * application's renewed tokens are written back to the keyring as they come. */
SdB24Client *sd_b24_secret_load_client  (const char    *database,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS
