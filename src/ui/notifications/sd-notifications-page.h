/* sd-notifications-page.h: the Notifications section — every notification of the person,
 * newest first, the unread ones marked; only the unread on request; an entry opens its
 * deal (and is then read); one or all can be marked read. The bell shows the same rows:
 * ::changed tells the window that this page marked some read, and sd_..._reload() takes
 * the bell's changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-automation.h"

G_BEGIN_DECLS

#define SD_TYPE_NOTIFICATIONS_PAGE (sd_notifications_page_get_type ())
G_DECLARE_FINAL_TYPE (SdNotificationsPage, sd_notifications_page, SD, NOTIFICATIONS_PAGE, GtkWidget)

/* The newest this many are listed. */
#define SD_NOTIFICATIONS_PAGE_LIMIT 500

GtkWidget *sd_notifications_page_new             (void);
void       sd_notifications_page_set_automation  (SdNotificationsPage *self,
                                                  SdAutomation        *automation);
void       sd_notifications_page_set_user        (SdNotificationsPage *self,
                                                  gint64               user_id);
void       sd_notifications_page_reload          (SdNotificationsPage *self);
void       sd_notifications_page_set_unread_only (SdNotificationsPage *self,
                                                  gboolean             unread_only);
/* The entries listed, and whether entry @index is unread. */
guint      sd_notifications_page_get_n_entries   (SdNotificationsPage *self);
gboolean   sd_notifications_page_entry_is_unread (SdNotificationsPage *self,
                                                  guint                index);
/* What a click on the entry does: marks it read and emits ::open-deal with its deal. */
void       sd_notifications_page_activate_entry  (SdNotificationsPage *self,
                                                  guint                index);
/* What the entry's check button does. */
void       sd_notifications_page_mark_entry_read (SdNotificationsPage *self,
                                                  guint                index);
void       sd_notifications_page_mark_all_read   (SdNotificationsPage *self);
/* R-AUTO-11: the open votes on a promotion the person may vote in are listed above the
 * notifications, each with For and Against; what those buttons do. A refusal is said with
 * ::message. */
guint      sd_notifications_page_get_n_votes     (SdNotificationsPage *self);
gboolean   sd_notifications_page_cast_vote       (SdNotificationsPage *self,
                                                  gint64               vote_id,
                                                  gboolean             yes);

G_END_DECLS
