/* sd-automation-db.c: the engine's SQL, on the store's connection.
 *
 * The engine's tables are its own state, written next to the store's journaled writes in
 * one transaction; a rule run, its timer and its effects commit or roll back together.
 * That needs the store's connection, which is why this file (and sd-notification.c, for
 * the bell's reads) uses the core's private header; nothing else in the layer does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-db.h"
#include "sd-store-private.h"

#include <string.h>

static char *
text_at (sqlite3_stmt *stmt,
         int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

static void
put (GHashTable *facts,
     const char *name,
     char       *value)
{
  if (value != NULL)
    g_hash_table_insert (facts, g_strdup (name), value);
}

static void
put_int (GHashTable *facts,
         const char *name,
         gint64      value)
{
  g_hash_table_insert (facts, g_strdup (name), g_strdup_printf ("%" G_GINT64_FORMAT, value));
}

static void
put_custom_fields (SdStore    *store,
                   GHashTable *facts,
                   const char *sql,
                   gint64      id,
                   const char *prefix)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, sql, NULL);

  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *name = g_strconcat (prefix, sqlite3_column_text (stmt, 0), NULL);
      char *value = text_at (stmt, 1);

      /* A custom field overrides a column of the same name (a contact's client_type). */
      if (value != NULL)
        g_hash_table_replace (facts, g_steal_pointer (&name), value);
    }
  sqlite3_reset (stmt);
}

GHashTable *
sd_automation_db_deal_facts (SdStore  *store,
                             gint64    deal_id,
                             GError  **error)
{
  g_autoptr(GHashTable) facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  gint64 contact_id, amount, paid, responsible, invoice;

  stmt = sd_store_prepare (store,
                           "SELECT d.title, d.amount, d.currency, d.source, s.code, s.name,"
                           " d.comments, d.next_contact_on, d.measurement_at,"
                           " d.measurement_address, d.pipeline_id, d.stage_id,"
                           " d.stage_changed_at, p.code, d.contact_id,"
                           " (SELECT coalesce(sum(amount), 0) FROM payments"
                           "   WHERE deal_id = d.id AND status = 'paid'),"
                           " trim(c.first_name || ' ' || coalesce(c.last_name, '')),"
                           " c.first_name, c.last_name, c.client_type, c.priority, c.address,"
                           " co.title, co.inn, co.address, co.email, co.phone, d.company_id "
                           "FROM deals d JOIN stages s ON s.id = d.stage_id"
                           " JOIN pipelines p ON p.id = d.pipeline_id"
                           " LEFT JOIN contacts c ON c.id = d.contact_id"
                           " LEFT JOIN companies co ON co.id = d.company_id "
                           "WHERE d.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   "There is no deal with the number %" G_GINT64_FORMAT, deal_id);
      return NULL;
    }
  put (facts, "title", text_at (stmt, 0));
  put (facts, "deal", text_at (stmt, 0));
  amount = sqlite3_column_int64 (stmt, 1);
  if (amount > 0)
    put_int (facts, "amount", amount);
  put (facts, "currency", text_at (stmt, 2));
  put (facts, "source", text_at (stmt, 3));
  put (facts, "stage", text_at (stmt, 4));
  put (facts, "stage_name", text_at (stmt, 5));
  put (facts, "comments", text_at (stmt, 6));
  put (facts, "next_contact_on", text_at (stmt, 7));
  put (facts, "measurement_at", text_at (stmt, 8));
  put (facts, "measurement_address", text_at (stmt, 9));
  put_int (facts, "#pipeline_id", sqlite3_column_int64 (stmt, 10));
  put_int (facts, "#stage_id", sqlite3_column_int64 (stmt, 11));
  put (facts, "#entered_at", text_at (stmt, 12));
  put (facts, "#pipeline", text_at (stmt, 13));
  contact_id = sqlite3_column_int64 (stmt, 14);
  paid = sqlite3_column_int64 (stmt, 15);
  put_int (facts, "paid", paid);
  put_int (facts, "left_to_pay", MAX (amount - paid, 0));
  put (facts, "contact.name", text_at (stmt, 16));
  put (facts, "contact", text_at (stmt, 16));
  put (facts, "contact.first_name", text_at (stmt, 17));
  put (facts, "contact.last_name", text_at (stmt, 18));
  put (facts, "contact.client_type", text_at (stmt, 19));
  if (contact_id != 0)
    put_int (facts, "contact.priority", sqlite3_column_int64 (stmt, 20));
  put (facts, "contact.address", text_at (stmt, 21));
  put (facts, "company.title", text_at (stmt, 22));
  put (facts, "company", text_at (stmt, 22));
  put (facts, "company.inn", text_at (stmt, 23));
  put (facts, "company.address", text_at (stmt, 24));
  put (facts, "company.email", text_at (stmt, 25));
  put (facts, "company.phone", text_at (stmt, 26));
  if (sqlite3_column_int64 (stmt, 27) != 0)
    put_int (facts, "#company_id", sqlite3_column_int64 (stmt, 27));
  sqlite3_reset (stmt);

  if (contact_id != 0)
    {
      put_int (facts, "#contact_id", contact_id);
      put (facts, "contact.email", sd_automation_db_contact_channel (store, contact_id, "email"));
      put (facts, "contact.phone", sd_automation_db_contact_channel (store, contact_id, "phone"));
      put_custom_fields (store, facts,
                         "SELECT f.code, v.value FROM contact_fields v"
                         " JOIN custom_fields f ON f.id = v.field_id WHERE v.contact_id = ?",
                         contact_id, "contact.");
    }
  put_custom_fields (store, facts,
                     "SELECT f.code, v.value FROM deal_fields v"
                     " JOIN custom_fields f ON f.id = v.field_id WHERE v.deal_id = ?",
                     deal_id, "");
  /* The sync swaps this for the portal's public link to the file when it sends. */
  invoice = sd_store_query_int (store, "SELECT id FROM files WHERE deal_id = ?1 AND kind = 'invoice'"
                                       " ORDER BY id DESC LIMIT 1", deal_id, 0);
  if (invoice != 0)
    g_hash_table_insert (facts, g_strdup ("invoice_link"),
                         g_strdup_printf ("sdelka-file:%" G_GINT64_FORMAT, invoice));
  responsible = sd_automation_db_responsible (store, deal_id);
  if (responsible != 0)
    {
      put_int (facts, "#responsible_id", responsible);
      put (facts, "responsible", sd_automation_db_user_name (store, responsible));
      put (facts, "head", sd_automation_db_user_name (store,
                                                      sd_automation_db_head_of (store, responsible)));
    }
  return g_steal_pointer (&facts);
}

void
sd_deal_place_clear (SdDealPlace *place)
{
  g_clear_pointer (&place->pipeline, g_free);
  g_clear_pointer (&place->stage, g_free);
  g_clear_pointer (&place->entered_at, g_free);
}

gboolean
sd_automation_db_deal_place (SdStore      *store,
                             gint64        deal_id,
                             SdDealPlace  *out,
                             GError      **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT p.code, s.code, d.stage_id,"
                                                " d.stage_changed_at FROM deals d"
                                                " JOIN stages s ON s.id = d.stage_id"
                                                " JOIN pipelines p ON p.id = d.pipeline_id"
                                                " WHERE d.id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                   "There is no deal with the number %" G_GINT64_FORMAT, deal_id);
      return FALSE;
    }
  out->pipeline = text_at (stmt, 0);
  out->stage = text_at (stmt, 1);
  out->stage_id = sqlite3_column_int64 (stmt, 2);
  out->entered_at = text_at (stmt, 3);
  sqlite3_reset (stmt);
  return TRUE;
}

gint64
sd_automation_db_count_files (SdStore    *store,
                              gint64      deal_id,
                              const char *kind)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT count(*) FROM files "
                                                "WHERE deal_id = ?1 AND kind = ?2", NULL);
  gint64 count = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

char *
sd_automation_db_file_ids (SdStore           *store,
                           gint64             deal_id,
                           const char *const *kinds)
{
  g_autoptr(GString) json = g_string_new ("[");
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT id, kind FROM files WHERE deal_id = ? "
                                                "ORDER BY id", NULL);

  if (stmt == NULL || kinds == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (g_strv_contains (kinds, (const char *) sqlite3_column_text (stmt, 1)))
      g_string_append_printf (json, "%s%" G_GINT64_FORMAT, json->len > 1 ? "," : "",
                              (gint64) sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  if (json->len == 1)
    return NULL;
  g_string_append_c (json, ']');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

gint64
sd_automation_db_responsible (SdStore *store,
                              gint64   deal_id)
{
  return sd_store_query_int (store, "SELECT user_id FROM deal_responsibles WHERE deal_id = ?1 "
                                    "ORDER BY part <> 'main', id LIMIT 1", deal_id, 0);
}

gint64
sd_automation_db_responsible_row (SdStore *store,
                                  gint64   deal_id)
{
  return sd_store_query_int (store, "SELECT id FROM deal_responsibles WHERE deal_id = ?1 "
                                    "ORDER BY part <> 'main', id LIMIT 1", deal_id, 0);
}

char *
sd_automation_db_field_code (SdStore *store,
                             gint64   deal_field_id)
{
  return sd_store_query_text (store, "SELECT f.code FROM deal_fields v JOIN custom_fields f"
                                     " ON f.id = v.field_id WHERE v.id = ?1", deal_field_id, NULL);
}

char *
sd_automation_db_stage_code (SdStore *store,
                             gint64   stage_id)
{
  return sd_store_query_text (store, "SELECT code FROM stages WHERE id = ?1", stage_id, NULL);
}

gint64
sd_automation_db_deal_field_row (SdStore *store,
                                 gint64   deal_id,
                                 gint64   field_id)
{
  return sd_store_query_int (store, "SELECT id FROM deal_fields WHERE deal_id = ?1 AND field_id = ?2",
                             deal_id, field_id);
}

gint64
sd_automation_db_contact_field_row (SdStore *store,
                                    gint64   contact_id,
                                    gint64   field_id)
{
  return sd_store_query_int (store, "SELECT id FROM contact_fields WHERE contact_id = ?1 AND field_id = ?2",
                             contact_id, field_id);
}

gboolean
sd_automation_db_user_has_position (SdStore    *store,
                                    gint64      user_id,
                                    const char *position)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT position = ? FROM users WHERE id = ?", NULL);
  gboolean has = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, position, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    has = sqlite3_column_int (stmt, 0) == 1;
  sqlite3_reset (stmt);
  return has;
}

/* The group is the candidate's role: its other active people vote. */
gboolean
sd_automation_db_may_vote (SdStore    *store,
                           gint64      vote_id,
                           const char *rule,
                           gint64      voter_id,
                           gint64      candidate_id)
{
  return voter_id != candidate_id
         && sd_store_query_int (store, "SELECT count(*) FROM users v JOIN users c ON c.id = ?2"
                                       " WHERE v.id = ?1 AND v.active AND v.role_id = c.role_id",
                                voter_id, candidate_id) == 1;
}

gint64
sd_automation_db_head_of (SdStore *store,
                          gint64   user_id)
{
  gint64 department = sd_store_query_int (store, "SELECT department_id FROM users WHERE id = ?",
                                          user_id, 0);

  /* Up the tree until a department has a head other than the person. */
  for (guint depth = 0; department != 0 && depth < 64; depth++)
    {
      gint64 head = sd_store_query_int (store, "SELECT head_user_id FROM departments WHERE id = ?",
                                        department, 0);
      if (head != 0 && head != user_id)
        return head;
      department = sd_store_query_int (store, "SELECT parent_id FROM departments WHERE id = ?",
                                       department, 0);
    }
  return 0;
}

GArray *
sd_automation_db_users_with_role (SdStore    *store,
                                  const char *role_code)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT u.id FROM users u"
                                                " JOIN roles r ON r.id = u.role_id"
                                                " WHERE r.code = ?1 AND u.active"
                                                " ORDER BY u.id", NULL);

  if (stmt == NULL)
    return ids;
  sqlite3_bind_text (stmt, 1, role_code, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return ids;
}

char *
sd_automation_db_role_of (SdStore *store,
                          gint64   user_id)
{
  return sd_store_query_text (store, "SELECT r.code FROM users u JOIN roles r ON r.id = u.role_id "
                                     "WHERE u.id = ?1", user_id, NULL);
}

char *
sd_automation_db_user_name (SdStore *store,
                            gint64   user_id)
{
  return sd_store_query_text (store, "SELECT trim(first_name || ' ' || last_name) FROM users "
                                     "WHERE id = ?1", user_id, NULL);
}

char *
sd_automation_db_user_contact (SdStore    *store,
                               gint64      user_id,
                               const char *column)
{
  /* Two fixed statements rather than a column name in SQL. */
  if (strcmp (column, "email") == 0)
    return sd_store_query_text (store, "SELECT email FROM users WHERE id = ?1", user_id, NULL);
  return sd_store_query_text (store, "SELECT phone FROM users WHERE id = ?1", user_id, NULL);
}

char *
sd_automation_db_contact_channel (SdStore    *store,
                                  gint64      contact_id,
                                  const char *kind)
{
  return sd_store_query_text (store, "SELECT value FROM contact_channels WHERE contact_id = ?1 "
                                     "AND kind = ?2 ORDER BY id LIMIT 1", contact_id, kind);
}

int
sd_automation_db_claim_run (SdStore     *store,
                            const char  *key,
                            gint64       deal_id,
                            const char  *rule,
                            GError     **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "INSERT OR IGNORE INTO automation_runs "
                                                "(key, deal_id, rule, at) VALUES (?, ?, ?, ?)",
                                         error);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (deal_id != 0)
    sqlite3_bind_int64 (stmt, 2, deal_id);
  sqlite3_bind_text (stmt, 3, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_STATIC);
  if (!sd_store_step_done (store, stmt, error))
    return -1;
  return sqlite3_changes (sd_store_get_db (store)) > 0 ? 1 : 0;
}

void
sd_automation_timer_free (SdAutomationTimer *timer)
{
  if (timer == NULL)
    return;
  g_free (timer->key);
  g_free (timer->rule);
  g_free (timer->entered_at);
  g_free (timer);
}

gboolean
sd_automation_db_add_timer (SdStore                 *store,
                            const SdAutomationTimer *timer,
                            GError                 **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store,
                                         "INSERT OR IGNORE INTO automation_timers (key, deal_id,"
                                         " rule, stage_id, entered_at, due_at, repeat_every)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, timer->key, -1, SQLITE_STATIC);
  if (timer->deal_id != 0)
    sqlite3_bind_int64 (stmt, 2, timer->deal_id);
  sqlite3_bind_text (stmt, 3, timer->rule, -1, SQLITE_STATIC);
  if (timer->stage_id != 0)
    sqlite3_bind_int64 (stmt, 4, timer->stage_id);
  sqlite3_bind_text (stmt, 5, timer->entered_at, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, timer->due_at);
  sqlite3_bind_int64 (stmt, 7, timer->repeat_every);
  return sd_store_step_done (store, stmt, error);
}

SdAutomationTimer *
sd_automation_db_next_due (SdStore  *store,
                           gint64    now,
                           GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store,
                                         "SELECT id, key, deal_id, rule, stage_id, entered_at,"
                                         " due_at, repeat_every, occurrence"
                                         " FROM automation_timers WHERE due_at <= ?"
                                         " ORDER BY due_at, id LIMIT 1", error);
  SdAutomationTimer *timer = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      timer = g_new0 (SdAutomationTimer, 1);
      timer->id = sqlite3_column_int64 (stmt, 0);
      timer->key = text_at (stmt, 1);
      timer->deal_id = sqlite3_column_int64 (stmt, 2);
      timer->rule = text_at (stmt, 3);
      timer->stage_id = sqlite3_column_int64 (stmt, 4);
      timer->entered_at = text_at (stmt, 5);
      timer->due_at = sqlite3_column_int64 (stmt, 6);
      timer->repeat_every = sqlite3_column_int64 (stmt, 7);
      timer->occurrence = sqlite3_column_int64 (stmt, 8);
    }
  sqlite3_reset (stmt);
  return timer;
}

gboolean
sd_automation_db_reschedule (SdStore  *store,
                             gint64    timer_id,
                             gint64    due_at,
                             gint64    occurrence,
                             GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "UPDATE automation_timers SET due_at = ?,"
                                                " occurrence = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, due_at);
  sqlite3_bind_int64 (stmt, 2, occurrence);
  sqlite3_bind_int64 (stmt, 3, timer_id);
  return sd_store_step_done (store, stmt, error);
}

gboolean
sd_automation_db_drop_timer (SdStore  *store,
                             gint64    timer_id,
                             GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "DELETE FROM automation_timers WHERE id = ?",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, timer_id);
  return sd_store_step_done (store, stmt, error);
}

gint64
sd_automation_db_add_notification (SdStore    *store,
                                   gint64      user_id,
                                   gint64      deal_id,
                                   const char *text,
                                   const char *rule,
                                   GError    **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "INSERT INTO notifications (user_id, deal_id,"
                                                " text, rule, created_at) VALUES (?, ?, ?, ?, ?)",
                                         error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (deal_id != 0)
    sqlite3_bind_int64 (stmt, 2, deal_id);
  sqlite3_bind_text (stmt, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_STATIC);
  if (!sd_store_step_done (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (sd_store_get_db (store));
}

gboolean
sd_automation_db_add_outbox (SdStore     *store,
                             gint64       deal_id,
                             const char  *channel,
                             gint64       user_id,
                             gint64       contact_id,
                             const char  *address,
                             const char  *subject,
                             const char  *body,
                             const char  *attachments,
                             const char  *rule,
                             GError     **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "INSERT INTO automation_outbox (deal_id,"
                                                " channel, user_id, contact_id, address, subject,"
                                                " body, attachments, rule, created_at)"
                                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  if (deal_id != 0)
    sqlite3_bind_int64 (stmt, 1, deal_id);
  sqlite3_bind_text (stmt, 2, channel, -1, SQLITE_STATIC);
  if (user_id != 0)
    sqlite3_bind_int64 (stmt, 3, user_id);
  if (contact_id != 0)
    sqlite3_bind_int64 (stmt, 4, contact_id);
  sqlite3_bind_text (stmt, 5, address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, body, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, attachments, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, rule, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_STATIC);
  return sd_store_step_done (store, stmt, error);
}

GArray *
sd_automation_db_rotation (SdStore     *store,
                           const char  *pool,
                           const char  *day,
                           GError     **error)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (SdRotationEntry));
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT user_id, weight, credit"
                                                " FROM automation_rotation"
                                                " WHERE pool = ?1 AND measured_on = ?2"
                                                " ORDER BY user_id", error);

  if (stmt == NULL)
    {
      g_array_unref (entries);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, pool, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SdRotationEntry entry = { sqlite3_column_int64 (stmt, 0),
                                sqlite3_column_double (stmt, 1),
                                sqlite3_column_double (stmt, 2) };
      g_array_append_val (entries, entry);
    }
  sqlite3_reset (stmt);
  return entries;
}

gboolean
sd_automation_db_save_rotation (SdStore    *store,
                                const char *pool,
                                const char *day,
                                GArray     *entries,
                                GError    **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "DELETE FROM automation_rotation"
                                                " WHERE pool = ? AND measured_on <> ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, pool, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  if (!sd_store_step_done (store, stmt, error))
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      const SdRotationEntry *entry = &g_array_index (entries, SdRotationEntry, i);

      stmt = sd_store_prepare (store, "INSERT OR REPLACE INTO automation_rotation"
                                      " (pool, user_id, weight, credit, measured_on)"
                                      " VALUES (?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, pool, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, entry->user_id);
      sqlite3_bind_double (stmt, 3, entry->weight);
      sqlite3_bind_double (stmt, 4, entry->credit);
      sqlite3_bind_text (stmt, 5, day, -1, SQLITE_STATIC);
      if (!sd_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gint64
sd_automation_db_open_tasks (SdStore *store,
                             gint64   user_id)
{
  return sd_store_query_int (store, "SELECT count(*) FROM tasks WHERE responsible_id = ?1"
                                    " AND status <> 'completed' AND status <> 'deferred'", user_id, 0);
}

gboolean
sd_automation_db_seller_figures (SdStore     *store,
                                 gint64       user_id,
                                 const char  *from_iso,
                                 const char  *to_iso,
                                 gint64      *out_won,
                                 gint64      *out_plan,
                                 gint64      *out_closed,
                                 gint64      *out_on_time,
                                 GError     **error)
{
  sqlite3_stmt *stmt;

  *out_plan = sd_store_query_int (store, "SELECT sales_plan FROM users WHERE id = ?1", user_id, 0);
  stmt = sd_store_prepare (store, "SELECT coalesce(sum(d.amount), 0) FROM deals d"
                                  " JOIN stages s ON s.id = d.stage_id"
                                  " JOIN deal_responsibles r ON r.deal_id = d.id AND r.part = 'main'"
                                  " WHERE r.user_id = ?1 AND s.semantics = 'won'"
                                  " AND d.stage_changed_at >= ?2 AND d.stage_changed_at < ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, from_iso, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, to_iso, -1, SQLITE_STATIC);
  *out_won = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);

  stmt = sd_store_prepare (store, "SELECT count(*), coalesce(sum(deadline IS NULL"
                                  " OR closed_at <= deadline), 0) FROM tasks"
                                  " WHERE responsible_id = ?1 AND status = 'completed'"
                                  " AND closed_at >= ?2 AND closed_at < ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, from_iso, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, to_iso, -1, SQLITE_STATIC);
  *out_closed = *out_on_time = 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_closed = sqlite3_column_int64 (stmt, 0);
      *out_on_time = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

void
sd_outbox_message_free (SdOutboxMessage *message)
{
  g_free (message->channel);
  g_free (message->address);
  g_free (message->subject);
  g_free (message->body);
  g_free (message->rule);
  g_free (message);
}

static gpointer
make_outbox_message (sqlite3_stmt *stmt)
{
  SdOutboxMessage *message = g_new0 (SdOutboxMessage, 1);

  message->id = sqlite3_column_int64 (stmt, 0);
  message->deal_id = sqlite3_column_int64 (stmt, 1);
  message->channel = text_at (stmt, 2);
  message->user_id = sqlite3_column_int64 (stmt, 3);
  message->contact_id = sqlite3_column_int64 (stmt, 4);
  message->address = text_at (stmt, 5);
  message->subject = text_at (stmt, 6);
  message->body = text_at (stmt, 7);
  message->rule = text_at (stmt, 8);
  return message;
}

GPtrArray *
sd_automation_db_pending_outbox (SdStore  *store,
                                 guint     limit,
                                 GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (store, "SELECT id, deal_id, channel, user_id, contact_id,"
                                                " address, subject, body, rule FROM automation_outbox"
                                                " WHERE sent_at IS NULL ORDER BY id LIMIT ?", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  return sd_store_collect_rows (store, stmt, make_outbox_message,
                                (GDestroyNotify) sd_outbox_message_free, error);
}

guint
sd_automation_db_count_pending_outbox (SdStore *store)
{
  return sd_store_query_int (store, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NULL", 0, 0);
}

gboolean
sd_automation_db_mark_outbox_sent (SdStore  *store,
                                   gint64    id,
                                   GError  **error)
{
  g_autofree char *now = sd_store_now_iso (store);
  sqlite3_stmt *stmt = sd_store_prepare (store, "UPDATE automation_outbox SET sent_at = ?"
                                                " WHERE id = ? AND sent_at IS NULL", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  return sd_store_step_done (store, stmt, error);
}
