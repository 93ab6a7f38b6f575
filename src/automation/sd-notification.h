/* sd-notification.h: the bell — in-app notifications the automation wrote for a person,
 * unread until marked read. SdAutomation::notification-added tells of new ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  gint64  user_id;
  gint64  deal_id;     /* the deal to open from the entry; 0 for none */
  char   *text;
  char   *rule;        /* the rule that wrote it */
  char   *created_at;
  char   *read_at;     /* NULL while unread */
} SdNotification;

void       sd_notification_free         (SdNotification *notification);
/* SdNotification, newest first. */
GPtrArray *sd_notification_list_unread  (SdStore        *store,
                                         gint64          user_id,
                                         GError        **error);
/* The person's notifications, read or not (or only the unread with @unread_only), newest
 * first, at most @limit. */
GPtrArray *sd_notification_list         (SdStore        *store,
                                         gint64          user_id,
                                         gboolean        unread_only,
                                         guint           limit,
                                         GError        **error);
/* Marks all of the person's unread notifications read; how many were. */
gint64     sd_notification_mark_all_read (SdStore       *store,
                                          gint64         user_id,
                                          GError       **error);
gint64     sd_notification_count_unread (SdStore        *store,
                                         gint64          user_id);
gboolean   sd_notification_mark_read    (SdStore        *store,
                                         gint64          notification_id,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdNotification, sd_notification_free)

G_END_DECLS
