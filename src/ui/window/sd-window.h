/* sd-window.h: the main window: a sidebar of sections and the content beside it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "deal/sd-deal-view.h"
#include "pipeline/sd-kanban.h"
#include "sd-automation.h"
#include "sd-store.h"
#include "sync/sd-sync-status.h"

G_BEGIN_DECLS

#define SD_TYPE_WINDOW (sd_window_get_type ())
G_DECLARE_FINAL_TYPE (SdWindow, sd_window, SD, WINDOW, AdwApplicationWindow)

SdWindow   *sd_window_new             (GtkApplication *application,
                                       GSettings      *settings,
                                       SdStore        *store);

/* The sections of the sidebar, by their stable names ("pipelines", "payments", ...). */
const char *sd_window_get_section     (SdWindow       *self);
void        sd_window_set_section     (SdWindow       *self,
                                       const char     *section);

/* Shows @toast (transfer full) over the content. */
void        sd_window_add_toast       (SdWindow       *self,
                                       AdwToast       *toast);

/* The widget a view name given to --render stands for, or NULL if there is no such view. */
GtkWidget  *sd_window_get_view        (SdWindow       *self,
                                       const char     *view);

SdKanban   *sd_window_get_kanban      (SdWindow       *self);
SdDealView *sd_window_get_deal_view   (SdWindow       *self);
/* The Automation view (SdAutomationView): it shows the rules of the board's pipeline, and
 * the board follows a pipeline chosen there. */
GtkWidget  *sd_window_get_automation_view (SdWindow   *self);
/* The Notifications page (SdNotificationsPage), and the bell in the header (SdBellButton). */
GtkWidget  *sd_window_get_notifications (SdWindow     *self,
                                         GtkWidget   **bell);
/* Opens the deal's card beside the board; a reason is shown if it cannot be. */
gboolean    sd_window_open_deal       (SdWindow       *self,
                                       gint64          deal_id);
/* Acts as @user_id: the board and the card follow what the user's role may do. */
void        sd_window_set_actor       (SdWindow       *self,
                                       gint64          user_id);

/* The engine whose notifications the bell shows and whose rules the Automation view edits. */
void        sd_window_set_automation  (SdWindow       *self,
                                       SdAutomation   *automation);

/* The sync whose state the header shows and whose reloads the views follow. */
void        sd_window_set_sync        (SdWindow         *self,
                                       SdSyncController *sync);
SdSyncStatus *sd_window_get_sync_status (SdWindow       *self);

G_END_DECLS
