/* sd-desktop-notification.h: a bell notification shown on the desktop (GNotification);
 * clicking it activates app.open-deal with the deal's id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sd-notification.h"

G_BEGIN_DECLS

/* The action a desktop notification activates: "app.open-deal", parameter "x". */
#define SD_DESKTOP_NOTIFICATION_ACTION "open-deal"

/* The GNotification for @notification (transfer full). */
GNotification *sd_desktop_notification_new      (const SdNotification *notification);
/* The id the desktop knows it by: the same notification sent twice is shown once. */
char          *sd_desktop_notification_id       (gint64                notification_id);
void           sd_desktop_notification_send     (GApplication         *application,
                                                 const SdNotification *notification);
void           sd_desktop_notification_withdraw (GApplication         *application,
                                                 gint64                notification_id);

G_END_DECLS
