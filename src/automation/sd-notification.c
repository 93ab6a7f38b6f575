/* sd-notification.c: reading and marking the bell's notifications.
 *
 * The notifications table is the automation's (migration 3), outside the store's write
 * API, so this file reads it on the store's connection like sd-automation-db.c does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-notification.h"
#include "sd-store-private.h"

void
sd_notification_free (SdNotification *notification)
{
  if (notification == NULL)
    return;
  g_free (notification->text);
  g_free (notification->rule);
  g_free (notification->created_at);
  g_free (notification->read_at);
  g_free (notification);
}

static GPtrArray *
collect (sqlite3_stmt *stmt)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_notification_free);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SdNotification *n = g_new0 (SdNotification, 1);

      n->id = sqlite3_column_int64 (stmt, 0);
      n->user_id = sqlite3_column_int64 (stmt, 1);
      n->deal_id = sqlite3_column_int64 (stmt, 2);
      n->text = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      n->rule = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      n->created_at = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      n->read_at = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      g_ptr_array_add (list, n);
    }
  sqlite3_reset (stmt);
  return list;
}

GPtrArray *
sd_notification_list_unread (SdStore  *store,
                             gint64    user_id,
                             GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT id, user_id, deal_id, text, rule,"
                                                " created_at, read_at FROM notifications"
                                                " WHERE user_id = ? AND read_at IS NULL"
                                                " ORDER BY id DESC", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, user_id);
  return collect (stmt);
}

GPtrArray *
sd_notification_list (SdStore   *store,
                      gint64     user_id,
                      gboolean   unread_only,
                      guint      limit,
                      GError   **error)
{
  sqlite3_stmt *stmt;

  if (unread_only)
    stmt = sd_store_prepare (store, "SELECT id, user_id, deal_id, text, rule, created_at, read_at"
                                    " FROM notifications WHERE user_id = ? AND read_at IS NULL"
                                    " ORDER BY id DESC LIMIT ?", error);
  else
    stmt = sd_store_prepare (store, "SELECT id, user_id, deal_id, text, rule, created_at, read_at"
                                    " FROM notifications WHERE user_id = ?"
                                    " ORDER BY id DESC LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  return collect (stmt);
}

gint64
sd_notification_mark_all_read (SdStore  *store,
                               gint64    user_id,
                               GError  **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "UPDATE notifications SET read_at = ?"
                                                " WHERE user_id = ? AND read_at IS NULL", error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!sd_store_step_done (store, stmt, error))
    return -1;
  return sqlite3_changes (sd_store_get_db (store));
}

gint64
sd_notification_count_unread (SdStore *store,
                              gint64   user_id)
{
  return sd_store_query_int (store, "SELECT count(*) FROM notifications"
                                    " WHERE user_id = ?1 AND read_at IS NULL", user_id, 0);
}

gboolean
sd_notification_mark_read (SdStore  *store,
                           gint64    notification_id,
                           GError  **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "UPDATE notifications SET read_at = ?"
                                                " WHERE id = ? AND read_at IS NULL", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, notification_id);
  return sd_store_step_done (store, stmt, error);
}
