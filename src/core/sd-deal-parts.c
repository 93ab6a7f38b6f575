/* sd-deal-parts.c: the rows that belong to a deal, read for the deal card.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-store"

#include "sd-deal-parts.h"
#include "sd-store-private.h"

/* Each query yields id, ref, amount, name, value. */
static const char *const queries[] = {
  [SD_DEAL_PART_RESPONSIBLES] =
    "SELECT r.id, r.user_id, 0, u.last_name || ' ' || u.first_name, r.part"
    " FROM deal_responsibles r JOIN users u ON u.id = r.user_id"
    " WHERE r.deal_id = ? ORDER BY r.id",
  [SD_DEAL_PART_FIELDS] =
    "SELECT id, field_id, 0, NULL, value FROM deal_fields WHERE deal_id = ? ORDER BY id",
  [SD_DEAL_PART_ANSWERS] =
    "SELECT id, 0, 0, question, answer FROM deal_answers WHERE deal_id = ? ORDER BY sort, id",
  [SD_DEAL_PART_PAYMENTS] =
    "SELECT id, 0, amount, status, due_on FROM payments WHERE deal_id = ? ORDER BY due_on, id",
  [SD_DEAL_PART_CHANNELS] =
    "SELECT ch.id, ch.contact_id, 0, ch.kind, ch.value FROM contact_channels ch"
    " JOIN deals d ON d.contact_id = ch.contact_id WHERE d.id = ? ORDER BY ch.id",
};

void
sd_deal_part_free (SdDealPart *part)
{
  g_free (part->name);
  g_free (part->value);
  g_free (part);
}

GPtrArray *
sd_store_list_deal_parts (SdStore        *store,
                          SdDealPartKind  kind,
                          gint64          deal_id,
                          GError        **error)
{
  sqlite3_stmt *stmt;
  GPtrArray *parts;
  int rc;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);
  g_return_val_if_fail (kind < G_N_ELEMENTS (queries), NULL);

  stmt = sd_store_prepare (store, queries[kind], error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, deal_id);
  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_deal_part_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SdDealPart *part = g_new0 (SdDealPart, 1);

      part->id = sqlite3_column_int64 (stmt, 0);
      part->ref = sqlite3_column_int64 (stmt, 1);
      part->amount = sqlite3_column_int64 (stmt, 2);
      part->name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      part->value = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (parts, part);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sd_store_set_sqlite_error (store, error, "Cannot read the parts of a deal");
      g_ptr_array_unref (parts);
      return NULL;
    }
  return parts;
}

char *
sd_store_get_company_inn (SdStore *store,
                          gint64   company_id)
{
  sqlite3_stmt *stmt;
  char *inn = NULL;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);

  stmt = sd_store_prepare (store, "SELECT inn FROM companies WHERE id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, company_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    inn = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return inn;
}
