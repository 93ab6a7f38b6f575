/* sd-bell-button.h: the bell in the header — the person's unread notifications, counted
 * on the button and listed in its popover; an entry opens its deal. New notifications
 * also go to the desktop (GNotification) while the window is not in front.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-automation.h"

G_BEGIN_DECLS

#define SD_TYPE_BELL_BUTTON (sd_bell_button_get_type ())
G_DECLARE_FINAL_TYPE (SdBellButton, sd_bell_button, SD, BELL_BUTTON, GtkWidget)

GtkWidget    *sd_bell_button_new            (void);

/* Whose bell it is, and the engine that tells of new notifications for them. */
void          sd_bell_button_set_automation (SdBellButton *self,
                                             SdAutomation *automation);
SdAutomation *sd_bell_button_get_automation (SdBellButton *self);
void          sd_bell_button_set_user       (SdBellButton *self,
                                             gint64        user_id);
gint64        sd_bell_button_get_user       (SdBellButton *self);

guint         sd_bell_button_get_unread     (SdBellButton *self);
/* Reads the notifications again (the store may have changed under another writer). */
void          sd_bell_button_reload         (SdBellButton *self);
/* Marks every listed notification read. */
void          sd_bell_button_mark_all_read  (SdBellButton *self);
/* Opens an entry of the list as a click does: marks it read and emits ::open-deal. */
void          sd_bell_button_activate_entry (SdBellButton *self,
                                             guint         index);

G_END_DECLS
