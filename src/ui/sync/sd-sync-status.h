/* sd-sync-status.h: the sync status in the header bar: online, offline or syncing (with
 * progress and, for a first sync, the time left), the changes waiting to be sent, the
 * last sync; Sync now, Cancel, or the way to Preferences when no portal is connected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-sync-controller.h"

G_BEGIN_DECLS

#define SD_TYPE_SYNC_STATUS (sd_sync_status_get_type ())
G_DECLARE_FINAL_TYPE (SdSyncStatus, sd_sync_status, SD, SYNC_STATUS, GtkWidget)

GtkWidget  *sd_sync_status_new            (void);
/* @controller (nullable): none shows "not connected". */
void        sd_sync_status_set_controller (SdSyncStatus     *self,
                                           SdSyncController *controller);
/* What the header button says ("Synced 5 minutes ago"), for tests. */
const char *sd_sync_status_get_summary    (SdSyncStatus     *self);
/* The panel the button opens, and opening it (for renders and tests). */
GtkWidget  *sd_sync_status_get_panel      (SdSyncStatus     *self);
void        sd_sync_status_popup          (SdSyncStatus     *self);

/* "just now", "5 minutes ago", "3 hours ago", else the date: @then relative to @now. */
char       *sd_sync_status_format_ago     (gint64            then,
                                           gint64            now);

G_END_DECLS
