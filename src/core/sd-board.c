/* sd-board.c: the kanban's reads, page by page.
 *
 * The statements are put together from fixed pieces, one for each filter in use, so each
 * shape is prepared once and cached by the store; what people typed is only ever bound.
 * Search hits are written once to a temporary table keyed by the board, so the per-column
 * counts and pages do not run the full-text query again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-board"

#include "sd-board.h"
#include "sd-search.h"

#include <json-glib/json-glib.h>
#include "sd-store-private.h"

struct _SdBoard
{
  GObject   parent_instance;

  SdStore  *store;
  gint64    pipeline_id;
  char     *currency;        /* the pipeline's */
  guint     serial;          /* this board's rows in temp.board_hits */

  gint64    responsible_id;
  gint64    field_id;
  char     *field_value;
  gboolean  searching;
};

enum {
  FILTER_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdBoard, sd_board, G_TYPE_OBJECT)

void
sd_card_free (SdCard *card)
{
  g_free (card->title);
  g_free (card->currency);
  g_free (card->client);
  g_free (card->responsible);
  g_free (card->next_contact_on);
  g_free (card);
}

static void
clear_hits (SdBoard *self)
{
  sqlite3_stmt *stmt;

  if (!self->searching)
    return;
  self->searching = FALSE;
  stmt = sd_store_prepare (self->store, "DELETE FROM temp.board_hits WHERE board = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int (stmt, 1, (int) self->serial);
      sd_store_step_done (self->store, stmt, NULL);
    }
}

static void
sd_board_finalize (GObject *object)
{
  SdBoard *self = SD_BOARD (object);

  clear_hits (self);
  g_clear_object (&self->store);
  g_free (self->field_value);
  g_free (self->currency);
  G_OBJECT_CLASS (sd_board_parent_class)->finalize (object);
}

static void
sd_board_class_init (SdBoardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sd_board_finalize;

  /**
   * SdBoard::filter-changed:
   *
   * The filters changed: every column's deals may have.
   */
  signals[FILTER_CHANGED] = g_signal_new ("filter-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
sd_board_init (SdBoard *self)
{
  static guint next_serial;

  self->serial = ++next_serial;
}

SdBoard *
sd_board_new (SdStore *store,
              gint64   pipeline_id)
{
  SdBoard *self;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);

  self = g_object_new (SD_TYPE_BOARD, NULL);
  self->store = g_object_ref (store);
  self->pipeline_id = pipeline_id;
  stmt = sd_store_prepare (store, "SELECT currency FROM pipelines WHERE id = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, pipeline_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        self->currency = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  if (self->currency == NULL)
    self->currency = g_strdup ("RUB");
  return self;
}

const char *
sd_board_get_currency (SdBoard *self)
{
  g_return_val_if_fail (SD_IS_BOARD (self), NULL);

  return self->currency;
}

SdStore *
sd_board_get_store (SdBoard *self)
{
  g_return_val_if_fail (SD_IS_BOARD (self), NULL);

  return self->store;
}

gint64
sd_board_get_pipeline (SdBoard *self)
{
  g_return_val_if_fail (SD_IS_BOARD (self), 0);

  return self->pipeline_id;
}

void
sd_board_set_responsible (SdBoard *self,
                          gint64   user_id)
{
  g_return_if_fail (SD_IS_BOARD (self));

  if (self->responsible_id == user_id)
    return;
  self->responsible_id = user_id;
  g_signal_emit (self, signals[FILTER_CHANGED], 0);
}

void
sd_board_set_field (SdBoard    *self,
                    gint64      field_id,
                    const char *value)
{
  g_return_if_fail (SD_IS_BOARD (self));

  if (field_id == 0 || value == NULL)
    {
      field_id = 0;
      value = NULL;
    }
  if (self->field_id == field_id && g_strcmp0 (self->field_value, value) == 0)
    return;
  self->field_id = field_id;
  g_free (self->field_value);
  self->field_value = g_strdup (value);
  g_signal_emit (self, signals[FILTER_CHANGED], 0);
}

gboolean
sd_board_set_search (SdBoard     *self,
                     const char  *text,
                     GError     **error)
{
  g_autofree char *match = NULL;
  sqlite3_stmt *stmt;
  gboolean was_searching;

  g_return_val_if_fail (SD_IS_BOARD (self), FALSE);

  was_searching = self->searching;
  clear_hits (self);
  match = sd_search_build_match (text);
  if (match == NULL)
    {
      if (was_searching)
        g_signal_emit (self, signals[FILTER_CHANGED], 0);
      return TRUE;
    }

  if (!sd_store_exec (self->store,
                      "CREATE TEMP TABLE IF NOT EXISTS board_hits ("
                      "  board INTEGER NOT NULL, id INTEGER NOT NULL,"
                      "  PRIMARY KEY (board, id)) WITHOUT ROWID", error))
    return FALSE;
  /* The same reading of the index as sd_store_search_deals(), kept here whole. */
  stmt = sd_store_prepare (self->store,
                           "WITH hits AS (SELECT rowid AS r FROM search WHERE search MATCH ?1) "
                           "INSERT INTO temp.board_hits (board, id) "
                           "SELECT ?2, id FROM deals WHERE pipeline_id = ?3 AND ("
                           "  id IN (SELECT r / 4 FROM hits WHERE r % 4 = 1)"
                           "  OR contact_id IN (SELECT r / 4 FROM hits WHERE r % 4 = 2)"
                           "  OR company_id IN (SELECT r / 4 FROM hits WHERE r % 4 = 3))",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, (int) self->serial);
  sqlite3_bind_int64 (stmt, 3, self->pipeline_id);
  if (!sd_store_step_done (self->store, stmt, error))
    return FALSE;
  self->searching = TRUE;
  g_signal_emit (self, signals[FILTER_CHANGED], 0);
  return TRUE;
}

gboolean
sd_board_is_filtered (SdBoard *self)
{
  g_return_val_if_fail (SD_IS_BOARD (self), FALSE);

  return self->responsible_id != 0 || self->field_id != 0 || self->searching;
}

/* "SELECT ... FROM deals d ... WHERE d.stage_id = :stage" followed by the clauses of the
 * filters in use, then @tail. @by_pipeline also names the pipeline (which the stage
 * implies), so that the (pipeline, stage, amount) index covers counts and sums; without
 * it the (stage, id) index covers what goes by id. */
static sqlite3_stmt *
prepare_filtered (SdBoard     *self,
                  const char  *head,
                  gboolean     by_pipeline,
                  const char  *tail,
                  gint64       stage_id,
                  GError     **error)
{
  g_autoptr(GString) sql = g_string_new (head);
  sqlite3_stmt *stmt;
  int index;

  g_string_append (sql, " WHERE d.stage_id = :stage");
  if (by_pipeline)
    g_string_append (sql, " AND d.pipeline_id = :pipeline");
  if (self->responsible_id != 0)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM deal_responsibles r"
                          " WHERE r.deal_id = d.id AND r.user_id = :responsible)");
  if (self->field_id != 0)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM deal_fields f WHERE f.deal_id = d.id"
                          " AND f.field_id = :field AND f.value = :value)");
  if (self->searching)
    g_string_append (sql, " AND d.id IN (SELECT id FROM temp.board_hits WHERE board = :board)");
  g_string_append (sql, tail);

  stmt = sd_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return NULL;
  if ((index = sqlite3_bind_parameter_index (stmt, ":pipeline")) > 0)
    sqlite3_bind_int64 (stmt, index, self->pipeline_id);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":stage"), stage_id);
  if ((index = sqlite3_bind_parameter_index (stmt, ":responsible")) > 0)
    sqlite3_bind_int64 (stmt, index, self->responsible_id);
  if ((index = sqlite3_bind_parameter_index (stmt, ":field")) > 0)
    sqlite3_bind_int64 (stmt, index, self->field_id);
  if ((index = sqlite3_bind_parameter_index (stmt, ":value")) > 0)
    sqlite3_bind_text (stmt, index, self->field_value, -1, SQLITE_TRANSIENT);
  if ((index = sqlite3_bind_parameter_index (stmt, ":board")) > 0)
    sqlite3_bind_int (stmt, index, (int) self->serial);
  return stmt;
}

gboolean
sd_board_count (SdBoard  *self,
                gint64    stage_id,
                guint    *out_count,
                gint64   *out_sum,
                GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SD_IS_BOARD (self), FALSE);

  stmt = prepare_filtered (self, "SELECT count(*), coalesce(sum(d.amount), 0) FROM deals d",
                           TRUE, "", stage_id, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sd_store_set_sqlite_error (self->store, error, "Cannot count the deals of a stage");
      sqlite3_reset (stmt);
      return FALSE;
    }
  if (out_count != NULL)
    *out_count = (guint) sqlite3_column_int64 (stmt, 0);
  if (out_sum != NULL)
    *out_sum = sqlite3_column_int64 (stmt, 1);
  sqlite3_reset (stmt);
  return TRUE;
}

static char *
today (SdBoard *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (sd_store_now (self->store));

  return g_date_time_format (now, "%Y-%m-%d");
}

GPtrArray *
sd_board_list (SdBoard  *self,
               gint64    stage_id,
               guint     offset,
               guint     limit,
               GError  **error)
{
  g_autofree char *day = NULL;
  sqlite3_stmt *stmt;
  GPtrArray *cards;
  int rc;

  g_return_val_if_fail (SD_IS_BOARD (self), NULL);

  stmt = prepare_filtered (self,
                           "SELECT d.id, d.stage_id, d.title, d.amount, d.currency,"
                           " coalesce(nullif(trim(coalesce(c.last_name, '') || ' ' ||"
                           "   coalesce(c.first_name, '')), ''), co.title),"
                           " coalesce(c.priority, 0),"
                           " (SELECT u.last_name || ' ' || u.first_name"
                           "  FROM deal_responsibles r JOIN users u ON u.id = r.user_id"
                           "  WHERE r.deal_id = d.id ORDER BY r.id LIMIT 1),"
                           " d.next_contact_on, d.next_contact_on < :today,"
                           " EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = d.id"
                           "         AND p.status = 'planned' AND p.due_on < :today),"
                           " EXISTS (SELECT 1 FROM sync_conflicts k WHERE "
                           SD_DEAL_CONFLICT_SQL ("d.id") ") "
                           "FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id"
                           " LEFT JOIN companies co ON co.id = d.company_id", FALSE,
                           " ORDER BY d.id DESC LIMIT :limit OFFSET :offset",
                           stage_id, error);
  if (stmt == NULL)
    return NULL;
  day = today (self);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":today"), day, -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), limit);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":offset"), offset);

  cards = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_card_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SdCard *card = g_new0 (SdCard, 1);

      card->id = sqlite3_column_int64 (stmt, 0);
      card->stage_id = sqlite3_column_int64 (stmt, 1);
      card->title = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      card->amount = sqlite3_column_int64 (stmt, 3);
      card->currency = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      card->client = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      card->priority = sqlite3_column_int (stmt, 6) != 0;
      card->responsible = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      card->next_contact_on = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      card->overdue = sqlite3_column_int (stmt, 9) != 0;
      card->unpaid = sqlite3_column_int (stmt, 10) != 0;
      card->conflict = sqlite3_column_int (stmt, 11) != 0;
      g_ptr_array_add (cards, card);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self->store, error, "Cannot read the deals of a stage");
      g_ptr_array_unref (cards);
      return NULL;
    }
  return cards;
}

gboolean
sd_board_locate (SdBoard   *self,
                 gint64     stage_id,
                 gint64     deal_id,
                 guint     *out_position,
                 gboolean  *out_present,
                 GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SD_IS_BOARD (self), FALSE);

  /* Newest first: the deals before it are the ones with a greater id. */
  stmt = prepare_filtered (self,
                           "SELECT count(*) FILTER (WHERE d.id > :deal),"
                           " count(*) FILTER (WHERE d.id = :deal) FROM deals d",
                           FALSE, " AND d.id >= :deal", stage_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":deal"), deal_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sd_store_set_sqlite_error (self->store, error, "Cannot find a deal on the board");
      sqlite3_reset (stmt);
      return FALSE;
    }
  if (out_position != NULL)
    *out_position = (guint) sqlite3_column_int64 (stmt, 0);
  if (out_present != NULL)
    *out_present = sqlite3_column_int64 (stmt, 1) > 0;
  sqlite3_reset (stmt);
  return TRUE;
}

GHashTable *
sd_store_count_open_deals (SdStore  *store,
                           GError  **error)
{
  sqlite3_stmt *stmt;
  GHashTable *counts;
  int rc;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);

  /* Stage by stage through the (pipeline, stage, amount) index the board's column totals
   * read too, so the counts share their pages in the cache with the open board's. */
  stmt = sd_store_prepare (store,
                           "SELECT s.pipeline_id, count(*) FROM stages s"
                           " JOIN deals d ON d.pipeline_id = s.pipeline_id AND d.stage_id = s.id "
                           "WHERE s.semantics = 'process' GROUP BY s.pipeline_id", error);
  if (stmt == NULL)
    return NULL;
  counts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *key = g_new (gint64, 1);

      *key = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (counts, key, GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (store, error, "Cannot count the open deals");
      g_hash_table_unref (counts);
      return NULL;
    }
  return counts;
}

static void
add_stage (GArray   *stages,
           JsonNode *node)
{
  gint64 stage;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return;
  stage = json_node_get_int (node);
  g_array_append_val (stages, stage);
}

GArray *
sd_board_touched_stages (SdBoard  *self,
                         gint64    deal_id,
                         GError  **error)
{
  sqlite3_stmt *stmt;
  GArray *stages;
  int rc;

  g_return_val_if_fail (SD_IS_BOARD (self), NULL);

  stages = g_array_new (FALSE, FALSE, sizeof (gint64));
  stmt = sd_store_prepare (self->store, "SELECT stage_id FROM deals WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 stage = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (stages, stage);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self->store, error, "Cannot read a deal's stage");
      goto failed;
    }

  /* The deal's last transaction: its journal entries share their time. */
  stmt = sd_store_prepare (self->store,
                           "SELECT changes FROM journal WHERE deal_id = ?1 AND entity = 'deal'"
                           " AND at = (SELECT max(at) FROM journal"
                           "           WHERE deal_id = ?1 AND entity = 'deal')", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonArray *pair;

      if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0),
                                       -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser))
          || !json_object_has_member (json_node_get_object (root), "stage_id"))
        continue;
      pair = json_object_get_array_member (json_node_get_object (root), "stage_id");
      if (pair == NULL || json_array_get_length (pair) != 2)
        continue;
      add_stage (stages, json_array_get_element (pair, 0));
      add_stage (stages, json_array_get_element (pair, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (self->store, error, "Cannot read a deal's journal");
      goto failed;
    }
  return stages;

failed:
  g_array_unref (stages);
  return NULL;
}

gint64
sd_board_deal_of (SdBoard  *self,
                  SdEntity  entity,
                  gint64    id)
{
  const SdEntityInfo *info = sd_entity_info (entity);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 deal_id = 0;

  g_return_val_if_fail (SD_IS_BOARD (self), 0);

  if (entity == SD_ENTITY_DEAL)
    return id;
  if (info == NULL || info->parent != SD_ENTITY_DEAL || info->parent_column == NULL)
    return 0;
  /* Table and column names come from the entity whitelist, never from data. */
  sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", info->parent_column, info->table);
  stmt = sd_store_prepare (self->store, sql, NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    deal_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return deal_id;
}
