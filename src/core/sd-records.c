/* sd-records.c: reading records for display and for the CLI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-store"

#include "sd-records.h"
#include "sd-store-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

static char *
text_at (sqlite3_stmt *stmt,
         int           index)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

void
sd_pipeline_free (SdPipeline *pipeline)
{
  g_free (pipeline->code);
  g_free (pipeline->name);
  g_free (pipeline);
}

void
sd_stage_free (SdStage *stage)
{
  g_free (stage->code);
  g_free (stage->name);
  g_free (stage->color);
  g_free (stage->semantics);
  g_free (stage);
}

void
sd_user_free (SdUser *user)
{
  g_free (user->login);
  g_free (user->full_name);
  g_free (user->position);
  g_free (user->role_code);
  g_free (user->role_name);
  g_free (user);
}

void
sd_deal_free (SdDeal *deal)
{
  g_free (deal->title);
  g_free (deal->stage_name);
  g_free (deal->currency);
  g_free (deal->contact_name);
  g_free (deal->company_title);
  g_free (deal->measurement_at);
  g_free (deal->measurement_address);
  g_free (deal->next_contact_on);
  g_free (deal->source);
  g_free (deal->comments);
  g_free (deal->created_at);
  g_free (deal->updated_at);
  g_free (deal);
}

void
sd_journal_entry_free (SdJournalEntry *entry)
{
  g_free (entry->entity);
  g_free (entry->op);
  g_free (entry->changes);
  g_free (entry->author_name);
  g_free (entry->at);
  g_free (entry->origin);
  g_free (entry);
}

gint64
sd_deal_get_left_to_pay (const SdDeal *deal)
{
  return MAX (deal->amount - deal->paid, 0);
}

/* Runs @stmt to the end, making a record of each row with @make. */
GPtrArray *
sd_store_collect_rows (SdStore        *self,
         sqlite3_stmt   *stmt,
         gpointer      (*make) (sqlite3_stmt *stmt),
         GDestroyNotify  free_func,
         GError        **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, make (stmt));
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read");
      g_ptr_array_unref (rows);
      rows = NULL;
    }
  sqlite3_reset (stmt);
  return rows;
}

gint64
sd_store_query_int (SdStore    *self,
                    const char *sql,
                    gint64      a,
                    gint64      b)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, NULL);
  gint64 value = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

char *
sd_store_query_text (SdStore    *self,
                     const char *sql,
                     gint64      a,
                     const char *b)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, a);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      value = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
    }
  sqlite3_reset (stmt);
  return value;
}

GArray *
sd_store_collect_ids (SdStore      *self,
                      sqlite3_stmt *stmt,
                      GError      **error)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read");
      g_array_unref (ids);
      return NULL;
    }
  return ids;
}

static gpointer
make_pipeline (sqlite3_stmt *stmt)
{
  SdPipeline *pipeline = g_new0 (SdPipeline, 1);

  pipeline->id = sqlite3_column_int64 (stmt, 0);
  pipeline->b24_id = sqlite3_column_int64 (stmt, 1);
  pipeline->code = text_at (stmt, 2);
  pipeline->name = text_at (stmt, 3);
  return pipeline;
}

GPtrArray *
sd_store_list_pipelines (SdStore  *self,
                         GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self,
                                         "SELECT id, b24_id, code, name FROM pipelines "
                                         "ORDER BY sort, id", error);

  return stmt ? sd_store_collect_rows (self, stmt, make_pipeline, (GDestroyNotify) sd_pipeline_free, error)
              : NULL;
}

static gpointer
make_stage (sqlite3_stmt *stmt)
{
  SdStage *stage = g_new0 (SdStage, 1);

  stage->id = sqlite3_column_int64 (stmt, 0);
  stage->pipeline_id = sqlite3_column_int64 (stmt, 1);
  stage->code = text_at (stmt, 2);
  stage->name = text_at (stmt, 3);
  stage->color = text_at (stmt, 4);
  stage->semantics = text_at (stmt, 5);
  stage->sort = sqlite3_column_int64 (stmt, 6);
  return stage;
}

GPtrArray *
sd_store_list_stages (SdStore  *self,
                      gint64    pipeline_id,
                      GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self,
                                         "SELECT id, pipeline_id, code, name, color, semantics, "
                                         "sort FROM stages WHERE pipeline_id = ? ORDER BY sort, id",
                                         error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  return sd_store_collect_rows (self, stmt, make_stage, (GDestroyNotify) sd_stage_free, error);
}

static gpointer
make_user (sqlite3_stmt *stmt)
{
  SdUser *user = g_new0 (SdUser, 1);

  user->id = sqlite3_column_int64 (stmt, 0);
  user->login = text_at (stmt, 1);
  user->full_name = text_at (stmt, 2);
  user->position = text_at (stmt, 3);
  user->role_id = sqlite3_column_int64 (stmt, 4);
  user->role_code = text_at (stmt, 5);
  user->role_name = text_at (stmt, 6);
  user->department_id = sqlite3_column_int64 (stmt, 7);
  return user;
}

GPtrArray *
sd_store_list_users (SdStore  *self,
                     GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self,
                                         "SELECT u.id, u.login, u.last_name || ' ' || u.first_name,"
                                         " u.position, u.role_id, r.code, r.name, u.department_id "
                                         "FROM users u LEFT JOIN roles r ON r.id = u.role_id "
                                         "WHERE u.active ORDER BY u.last_name, u.first_name",
                                         error);

  return stmt ? sd_store_collect_rows (self, stmt, make_user, (GDestroyNotify) sd_user_free, error) : NULL;
}

SdDeal *
sd_store_get_deal (SdStore  *self,
                   gint64    id,
                   GError  **error)
{
  sqlite3_stmt *stmt;
  SdDeal *deal;
  int rc;

  stmt = sd_store_prepare (self,
                           "SELECT d.id, d.b24_id, d.title, d.pipeline_id, d.stage_id, s.name,"
                           " d.amount, d.currency,"
                           " (SELECT coalesce(sum(amount), 0) FROM payments p"
                           "   WHERE p.deal_id = d.id AND p.status = 'paid'),"
                           " (SELECT coalesce(sum(amount), 0) FROM payments p"
                           "   WHERE p.deal_id = d.id AND p.status = 'planned'),"
                           " d.contact_id,"
                           " trim(coalesce(c.last_name, '') || ' ' || c.first_name || ' ' ||"
                           "      coalesce(c.second_name, '')),"
                           " d.company_id, co.title, d.measurement_at, d.measurement_address,"
                           " d.next_contact_on, d.source, d.comments, d.created_at, d.updated_at "
                           "FROM deals d JOIN stages s ON s.id = d.stage_id"
                           " LEFT JOIN contacts c ON c.id = d.contact_id"
                           " LEFT JOIN companies co ON co.id = d.company_id "
                           "WHERE d.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, SD_STORE_ERROR, SD_STORE_ERROR_NOT_FOUND,
                     _("There is no deal with the number %" PRId64), id);
      else
        sd_store_set_sqlite_error (self, error, "Cannot read the deal");
      sqlite3_reset (stmt);
      return NULL;
    }
  deal = g_new0 (SdDeal, 1);
  deal->id = sqlite3_column_int64 (stmt, 0);
  deal->b24_id = sqlite3_column_int64 (stmt, 1);
  deal->title = text_at (stmt, 2);
  deal->pipeline_id = sqlite3_column_int64 (stmt, 3);
  deal->stage_id = sqlite3_column_int64 (stmt, 4);
  deal->stage_name = text_at (stmt, 5);
  deal->amount = sqlite3_column_int64 (stmt, 6);
  deal->currency = text_at (stmt, 7);
  deal->paid = sqlite3_column_int64 (stmt, 8);
  deal->planned = sqlite3_column_int64 (stmt, 9);
  deal->contact_id = sqlite3_column_int64 (stmt, 10);
  deal->contact_name = text_at (stmt, 11);
  deal->company_id = sqlite3_column_int64 (stmt, 12);
  deal->company_title = text_at (stmt, 13);
  deal->measurement_at = text_at (stmt, 14);
  deal->measurement_address = text_at (stmt, 15);
  deal->next_contact_on = text_at (stmt, 16);
  deal->source = text_at (stmt, 17);
  deal->comments = text_at (stmt, 18);
  deal->created_at = text_at (stmt, 19);
  deal->updated_at = text_at (stmt, 20);
  sqlite3_reset (stmt);
  return deal;
}

GArray *
sd_store_stage_totals (SdStore  *self,
                       gint64    pipeline_id,
                       GError  **error)
{
  sqlite3_stmt *stmt;
  GArray *totals;
  int rc;

  /* Every stage appears, an empty one with zeros, in board order. */
  stmt = sd_store_prepare (self,
                           "SELECT s.id, coalesce(t.n, 0), coalesce(t.total, 0) FROM stages s"
                           " LEFT JOIN (SELECT stage_id, count(*) AS n, sum(amount) AS total"
                           "            FROM deals WHERE pipeline_id = ?1 GROUP BY stage_id) t"
                           " ON t.stage_id = s.id "
                           "WHERE s.pipeline_id = ?1 ORDER BY s.sort, s.id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  totals = g_array_new (FALSE, FALSE, sizeof (SdStageTotal));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SdStageTotal total = {
        sqlite3_column_int64 (stmt, 0),
        sqlite3_column_int64 (stmt, 1),
        sqlite3_column_int64 (stmt, 2),
      };
      g_array_append_val (totals, total);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot count the deals");
      g_array_unref (totals);
      return NULL;
    }
  return totals;
}

static gpointer
make_journal_entry (sqlite3_stmt *stmt)
{
  SdJournalEntry *entry = g_new0 (SdJournalEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->entity = text_at (stmt, 1);
  entry->entity_id = sqlite3_column_int64 (stmt, 2);
  entry->deal_id = sqlite3_column_int64 (stmt, 3);
  entry->op = text_at (stmt, 4);
  entry->changes = text_at (stmt, 5);
  entry->author_id = sqlite3_column_int64 (stmt, 6);
  entry->author_name = text_at (stmt, 7);
  entry->at = text_at (stmt, 8);
  entry->origin = text_at (stmt, 9);
  return entry;
}

GPtrArray *
sd_store_list_journal (SdStore  *self,
                       gint64    after_id,
                       gint64    deal_id,
                       guint     limit,
                       GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = sd_store_prepare (self,
                           "SELECT j.id, j.entity, j.entity_id, j.deal_id, j.op, j.changes,"
                           " j.author_id, u.last_name || ' ' || u.first_name, j.at, j.origin "
                           "FROM journal j LEFT JOIN users u ON u.id = j.author_id "
                           "WHERE j.id > ?1 AND (?2 = 0 OR j.deal_id = ?2) ORDER BY j.id LIMIT ?3",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, deal_id);
  sqlite3_bind_int64 (stmt, 3, limit);
  return sd_store_collect_rows (self, stmt, make_journal_entry, (GDestroyNotify) sd_journal_entry_free, error);
}

/* The id in the first column of the first row of @sql, whose ?1 is @code (when not NULL)
 * and whose ?2 is @scope; 0 when there is none. */
gint64
sd_store_get_last_journal_id (SdStore *self)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT coalesce(max(id), 0) FROM journal", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

static gint64
find_id (SdStore    *self,
         const char *sql,
         gint64      scope,
         const char *code)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  if (code != NULL)
    sqlite3_bind_text (stmt, 1, code, -1, SQLITE_TRANSIENT);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, scope);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

gint64
sd_store_find_pipeline (SdStore    *self,
                        const char *code)
{
  return find_id (self, "SELECT id FROM pipelines WHERE code = ?", 0, code);
}

gint64
sd_store_find_stage (SdStore    *self,
                     gint64      pipeline_id,
                     const char *code)
{
  return find_id (self, "SELECT id FROM stages WHERE code = ?1 AND pipeline_id = ?2",
                  pipeline_id, code);
}

gint64
sd_store_find_role (SdStore    *self,
                    const char *code)
{
  return find_id (self, "SELECT id FROM roles WHERE code = ?", 0, code);
}

gint64
sd_store_find_user (SdStore    *self,
                    const char *login)
{
  return find_id (self, "SELECT id FROM users WHERE login = ?", 0, login);
}

gint64
sd_store_find_custom_field (SdStore    *self,
                            gint64      pipeline_id,
                            const char *code)
{
  /* The expression matches the unique index custom_fields_code. */
  return find_id (self, "SELECT id FROM custom_fields "
                        "WHERE coalesce(pipeline_id, 0) = ?2 AND code = ?1",
                  pipeline_id, code);
}

gint64
sd_store_find_field_option (SdStore    *self,
                            gint64      field_id,
                            const char *code)
{
  return find_id (self, "SELECT id FROM custom_field_options WHERE field_id = ?2 AND code = ?1",
                  field_id, code);
}

gint64
sd_store_find_access (SdStore *self,
                      gint64   role_id,
                      gint64   stage_id)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "SELECT id FROM access "
                                               "WHERE role_id = ? AND stage_id = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, role_id);
  sqlite3_bind_int64 (stmt, 2, stage_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

GArray *
sd_store_list_access (SdStore  *self,
                      gint64    pipeline_id,
                      GError  **error)
{
  sqlite3_stmt *stmt;
  GArray *rows;
  int rc;

  stmt = sd_store_prepare (self,
                           "SELECT a.id, a.role_id, a.stage_id, a.actions FROM access a"
                           " JOIN stages s ON s.id = a.stage_id "
                           "WHERE s.pipeline_id = ? ORDER BY s.sort, s.id, a.role_id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  rows = g_array_new (FALSE, FALSE, sizeof (SdAccessRow));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SdAccessRow row = {
        sqlite3_column_int64 (stmt, 0),
        sqlite3_column_int64 (stmt, 1),
        sqlite3_column_int64 (stmt, 2),
        (SdAccessAction) sqlite3_column_int64 (stmt, 3),
      };
      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self, error, "Cannot read the access rows");
      g_array_unref (rows);
      return NULL;
    }
  return rows;
}

void
sd_field_option_free (SdFieldOption *option)
{
  g_free (option->code);
  g_free (option->label);
  g_free (option);
}

void
sd_custom_field_free (SdCustomField *field)
{
  g_free (field->entity);
  g_free (field->code);
  g_free (field->name);
  g_free (field->kind);
  g_ptr_array_unref (field->options);
  g_free (field);
}

static gpointer
make_custom_field (sqlite3_stmt *stmt)
{
  SdCustomField *field = g_new0 (SdCustomField, 1);

  field->id = sqlite3_column_int64 (stmt, 0);
  field->pipeline_id = sqlite3_column_int64 (stmt, 1);
  field->entity = text_at (stmt, 2);
  field->code = text_at (stmt, 3);
  field->name = text_at (stmt, 4);
  field->kind = text_at (stmt, 5);
  field->required = sqlite3_column_int (stmt, 6) != 0;
  field->options = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_field_option_free);
  return field;
}

static gpointer
make_field_option (sqlite3_stmt *stmt)
{
  SdFieldOption *option = g_new0 (SdFieldOption, 1);

  option->id = sqlite3_column_int64 (stmt, 0);
  option->code = text_at (stmt, 1);
  option->label = text_at (stmt, 2);
  return option;
}

GPtrArray *
sd_store_list_field_options (SdStore  *self,
                             gint64    field_id,
                             GError  **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self,
                                         "SELECT id, code, label FROM custom_field_options "
                                         "WHERE field_id = ? ORDER BY sort, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, field_id);
  return sd_store_collect_rows (self, stmt, make_field_option, (GDestroyNotify) sd_field_option_free, error);
}

GPtrArray *
sd_store_list_custom_fields (SdStore  *self,
                             gint64    pipeline_id,
                             GError  **error)
{
  sqlite3_stmt *stmt;
  GPtrArray *fields;

  stmt = sd_store_prepare (self,
                           "SELECT id, coalesce(pipeline_id, 0), entity, code, name, kind,"
                           " required FROM custom_fields "
                           "WHERE pipeline_id = ? OR pipeline_id IS NULL ORDER BY sort, id",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pipeline_id);
  fields = sd_store_collect_rows (self, stmt, make_custom_field, (GDestroyNotify) sd_custom_field_free, error);
  if (fields == NULL)
    return NULL;

  for (guint i = 0; i < fields->len; i++)
    {
      SdCustomField *field = fields->pdata[i];
      GPtrArray *options = sd_store_list_field_options (self, field->id, error);

      if (options == NULL)
        {
          g_ptr_array_unref (fields);
          return NULL;
        }
      g_ptr_array_unref (field->options);
      field->options = options;
    }
  return fields;
}

char *
sd_store_describe (SdStore  *self,
                   SdEntity  entity,
                   gint64    id)
{
  const char *sql;
  sqlite3_stmt *stmt;
  char *text = NULL;

  switch (entity)
    {
    case SD_ENTITY_DEAL:
      sql = "SELECT title FROM deals WHERE id = ?";
      break;
    case SD_ENTITY_CONTACT:
      sql = "SELECT trim(coalesce(last_name, '') || ' ' || first_name || ' ' ||"
            " coalesce(second_name, '')) FROM contacts WHERE id = ?";
      break;
    case SD_ENTITY_COMPANY:
      sql = "SELECT title FROM companies WHERE id = ?";
      break;
    case SD_ENTITY_USER:
      sql = "SELECT last_name || ' ' || first_name FROM users WHERE id = ?";
      break;
    case SD_ENTITY_STAGE:
      sql = "SELECT name FROM stages WHERE id = ?";
      break;
    case SD_ENTITY_PIPELINE:
      sql = "SELECT name FROM pipelines WHERE id = ?";
      break;
    case SD_ENTITY_TASK:
      sql = "SELECT title FROM tasks WHERE id = ?";
      break;
    default:
      return NULL;
    }
  stmt = sd_store_prepare (self, sql, NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = text_at (stmt, 0);
  sqlite3_reset (stmt);
  return text;
}
