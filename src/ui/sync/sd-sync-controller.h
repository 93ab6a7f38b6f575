/* sd-sync-controller.h: the app's side of the sync with a Bitrix24 portal.
 *
 * It holds the portal connection (the credential is looked up in the keyring, only for a
 * database that says it is connected), decides when to sync (at start, every N minutes,
 * shortly after local edits, when the network comes back, on demand; never two at once;
 * again later when the portal could not be reached), and tells the views what the sync
 * engine changed through its own connection: the changed rows are announced on the app's
 * store as if they had been written there, or ::reload asks for a full reading when a
 * sync changed too many to list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sd-store.h"
#include "sd-sync-engine.h"

G_BEGIN_DECLS

#define SD_TYPE_SYNC_CONTROLLER (sd_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (SdSyncController, sd_sync_controller, SD, SYNC_CONTROLLER, GObject)

/* @settings (nullable): where the sync interval is read. Nothing happens until _start. */
SdSyncController *sd_sync_controller_new          (SdStore          *store,
                                                   GSettings        *settings);
/* Looks up the credential (in a thread) and, when there is one, syncs and schedules. */
void              sd_sync_controller_start        (SdSyncController *self);

SdStore          *sd_sync_controller_get_store    (SdSyncController *self);
gboolean          sd_sync_controller_get_connected (SdSyncController *self);
/* The connected portal's address ("https://portal.bitrix24.ru"), never the secret. */
const char       *sd_sync_controller_get_portal   (SdSyncController *self);
SdSyncState       sd_sync_controller_get_state    (SdSyncController *self);
double            sd_sync_controller_get_fraction (SdSyncController *self);
/* Seconds left of a sync, -1 when unknown. */
double            sd_sync_controller_get_eta      (SdSyncController *self);
/* What the running sync does, or NULL. */
char             *sd_sync_controller_dup_status   (SdSyncController *self);
/* Local changes not sent yet. */
guint             sd_sync_controller_get_waiting  (SdSyncController *self);
/* Open conflicts waiting for the user's choice. */
guint             sd_sync_controller_get_conflicts (SdSyncController *self);
/* Unix time of the last sync that ended in agreement; 0 if none yet. */
gint64            sd_sync_controller_get_last_sync (SdSyncController *self);
/* Why the last sync failed, in words for people; NULL after a success. */
const char       *sd_sync_controller_get_message  (SdSyncController *self);

void              sd_sync_controller_sync_now     (SdSyncController *self);
void              sd_sync_controller_cancel       (SdSyncController *self);

/* Checks @webhook_url with a real call and keeps it in the keyring (in a thread); then
 * the controller is connected and a first sync starts. A failure's message is what
 * sd_b24_error_explain() says of it. */
void              sd_sync_controller_connect_async  (SdSyncController   *self,
                                                     const char         *webhook_url,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
/* The same for a client made otherwise (an application's, from its consent page). */
void              sd_sync_controller_connect_client_async (SdSyncController   *self,
                                                           SdB24Client        *client,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
/* Finishes either. */
gboolean          sd_sync_controller_connect_finish (SdSyncController *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);
/* Forgets the credential (the local data stays). */
gboolean          sd_sync_controller_disconnect   (SdSyncController *self,
                                                   GError          **error);

/* For tests: seconds from a local edit to its sync (default 5), and from a failed sync
 * to the next try (default 60). */
void              sd_sync_controller_set_delays   (SdSyncController *self,
                                                   guint             debounce_seconds,
                                                   guint             retry_seconds);

G_END_DECLS
