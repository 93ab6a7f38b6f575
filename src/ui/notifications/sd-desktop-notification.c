/* sd-desktop-notification.c: a bell notification shown on the desktop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-desktop-notification"

#include "config.h"

#include "sd-desktop-notification.h"

#include <glib/gi18n.h>

GNotification *
sd_desktop_notification_new (const SdNotification *notification)
{
  GNotification *desktop;

  g_return_val_if_fail (notification != NULL, NULL);

  desktop = g_notification_new (_("Sdelka"));
  g_notification_set_body (desktop, notification->text);
  if (notification->deal_id != 0)
    {
      g_autofree char *action = g_strconcat ("app.", SD_DESKTOP_NOTIFICATION_ACTION, NULL);

      g_notification_set_default_action_and_target_value (desktop, action,
                                                          g_variant_new_int64 (notification->deal_id));
    }
  return desktop;
}

char *
sd_desktop_notification_id (gint64 notification_id)
{
  return g_strdup_printf ("notification-%" G_GINT64_FORMAT, notification_id);
}

void
sd_desktop_notification_send (GApplication         *application,
                              const SdNotification *notification)
{
  g_autoptr(GNotification) desktop = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (G_IS_APPLICATION (application));
  g_return_if_fail (notification != NULL);

  desktop = sd_desktop_notification_new (notification);
  id = sd_desktop_notification_id (notification->id);
  g_application_send_notification (application, id, desktop);
}

void
sd_desktop_notification_withdraw (GApplication *application,
                                  gint64        notification_id)
{
  g_autofree char *id = NULL;

  g_return_if_fail (G_IS_APPLICATION (application));

  id = sd_desktop_notification_id (notification_id);
  g_application_withdraw_notification (application, id);
}
