/* sd-b24-secret.h: the portal credential in the keyring.
 *
 * The webhook address (or the OAuth pair) opens the portal to anyone who has it, so it is
 * kept only in the Secret Service keyring, under the schema org.sdelka.Sdelka.Portal and
 * keyed by the database it belongs to — never in the database, settings or logs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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

G_END_DECLS
