/* sd-search.c: keeping the search index and querying it.
 *
 * The index holds text folded by sd_text_fold_words(), so "иванов" finds "Иванов" and
 * "Семенов" finds "Семёнов", and phone numbers as bare digits, so any way of writing a
 * number finds it; only letters and digits reach it, so the plain ASCII tokenizer splits it.
 * An index rowid is id * 4 + kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-search"

#include "sd-search.h"
#include "sd-store-private.h"
#include "sd-text.h"

#include <string.h>

enum {
  KIND_DEAL = 1,
  KIND_CONTACT = 2,
  KIND_COMPANY = 3,
};

static int
entity_kind (SdEntity entity)
{
  switch (entity)
    {
    case SD_ENTITY_DEAL:
      return KIND_DEAL;
    case SD_ENTITY_CONTACT:
      return KIND_CONTACT;
    case SD_ENTITY_COMPANY:
      return KIND_COMPANY;
    default:
      g_return_val_if_reached (0);
    }
}

static const SdEntity kind_entities[] = {
  [KIND_DEAL] = SD_ENTITY_DEAL,
  [KIND_CONTACT] = SD_ENTITY_CONTACT,
  [KIND_COMPANY] = SD_ENTITY_COMPANY,
};

gint64
sd_search_rowid (SdEntity entity,
                 gint64   id)
{
  return id * 4 + entity_kind (entity);
}

SdEntity
sd_search_entity_of_rowid (gint64 rowid)
{
  return kind_entities[rowid % 4];
}

static void
append_folded (GString    *body,
               const char *text)
{
  g_autofree char *words = NULL;

  if (text == NULL || *text == '\0')
    return;
  /* Words only, one space between: the index's tokenizer then needs no Unicode tables. */
  words = sd_text_fold_words (text);
  if (*words == '\0')
    return;
  g_string_append (body, words);
  g_string_append_c (body, ' ');
}

static void
append_phone (GString    *body,
              const char *phone)
{
  g_autofree char *digits = sd_text_phone_digits (phone);

  g_string_append_printf (body, "%s ", digits);
}

static void
append_columns (GString      *body,
                sqlite3_stmt *stmt)
{
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    append_folded (body, (const char *) sqlite3_column_text (stmt, i));
}

/* FALSE in *out_found when the row is gone. */
static gboolean
collect_body (SdStore   *self,
              SdEntity   entity,
              gint64     id,
              GString   *body,
              gboolean  *out_found,
              GError   **error)
{
  sqlite3_stmt *stmt;

  switch (entity)
    {
    case SD_ENTITY_DEAL:
      stmt = sd_store_prepare (self, "SELECT title FROM deals WHERE id = ?", error);
      break;
    case SD_ENTITY_CONTACT:
      stmt = sd_store_prepare (self,
                               "SELECT last_name, first_name, second_name FROM contacts "
                               "WHERE id = ?", error);
      break;
    case SD_ENTITY_COMPANY:
      stmt = sd_store_prepare (self, "SELECT title, inn, email FROM companies WHERE id = ?",
                               error);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  *out_found = sqlite3_step (stmt) == SQLITE_ROW;
  if (*out_found)
    append_columns (body, stmt);
  sqlite3_reset (stmt);
  if (!*out_found)
    return TRUE;

  if (entity == SD_ENTITY_COMPANY)
    {
      stmt = sd_store_prepare (self, "SELECT phone FROM companies WHERE id = ? AND phone IS NOT NULL",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        append_phone (body, (const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  else if (entity == SD_ENTITY_CONTACT)
    {
      stmt = sd_store_prepare (self, "SELECT kind, value FROM contact_channels WHERE contact_id = ?",
                               error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *value = (const char *) sqlite3_column_text (stmt, 1);
          if (strcmp ((const char *) sqlite3_column_text (stmt, 0), "phone") == 0)
            append_phone (body, value);
          else
            append_folded (body, value);
        }
      sqlite3_reset (stmt);
    }
  return TRUE;
}

static gboolean
remove_row (SdStore   *self,
                  SdEntity   entity,
                  gint64     id,
                  GError   **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, "DELETE FROM search WHERE rowid = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sd_search_rowid (entity, id));
  return sd_store_step_done (self, stmt, error);
}

gboolean
sd_search_reindex (SdStore   *self,
                   SdEntity   entity,
                   gint64     id,
                   gboolean   indexed,
                   GError   **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  if (!collect_body (self, entity, id, body, &found, error) || (indexed && !remove_row (self, entity, id, error)))
    return FALSE;
  if (!found)
    return TRUE;
  stmt = sd_store_prepare (self, "INSERT INTO search (rowid, body) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sd_search_rowid (entity, id));
  sqlite3_bind_text (stmt, 2, body->str, -1, SQLITE_STATIC);
  return sd_store_step_done (self, stmt, error);
}

char *
sd_search_build_match (const char *text)
{
  g_autofree char *stripped = NULL;
  g_autofree char *words = NULL;
  g_auto(GStrv) split = NULL;
  g_autoptr(GString) match = g_string_new (NULL);

  if (text == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (text));
  if (*stripped != '\0' && sd_text_looks_like_phone (stripped))
    {
      g_autofree char *digits = sd_text_phone_digits (stripped);
      return g_strdup_printf ("\"%s\"*", digits);
    }

  /* Only letters and digits reach the expression, so nothing typed is FTS syntax. */
  words = sd_text_fold_words (stripped);
  if (*words == '\0')
    return NULL;
  split = g_strsplit (words, " ", -1);
  for (guint i = 0; split[i] != NULL; i++)
    g_string_append_printf (match, "%s\"%s\"*", i > 0 ? " " : "", split[i]);
  return g_string_free (g_steal_pointer (&match), FALSE);
}

static GArray *
run_query (SdStore     *self,
           const char  *sql,
           const char  *match,
           gint64       pipeline_id,
           guint        limit,
           gboolean     decode_kind,
           GError     **error)
{
  sqlite3_stmt *stmt = sd_store_prepare (self, sql, error);
  GArray *hits;

  if (stmt == NULL)
    return NULL;
  hits = g_array_new (FALSE, FALSE, sizeof (SdSearchHit));
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, limit);
  if (pipeline_id != 0)
    sqlite3_bind_int64 (stmt, 3, pipeline_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 value = sqlite3_column_int64 (stmt, 0);
      SdSearchHit hit = { SD_ENTITY_DEAL, value };

      if (decode_kind)
        {
          hit.entity = sd_search_entity_of_rowid (value);
          hit.id = value / 4;
        }
      g_array_append_val (hits, hit);
    }
  if (sqlite3_errcode (sd_store_get_db (self)) != SQLITE_DONE
      && sqlite3_errcode (sd_store_get_db (self)) != SQLITE_OK)
    {
      sd_store_set_sqlite_error (self, error, "Search failed");
      sqlite3_reset (stmt);
      g_array_unref (hits);
      return NULL;
    }
  sqlite3_reset (stmt);
  return hits;
}

GArray *
sd_store_search (SdStore     *self,
                 const char  *text,
                 guint        limit,
                 GError     **error)
{
  g_autofree char *match = sd_search_build_match (text);

  if (match == NULL)
    return g_array_new (FALSE, FALSE, sizeof (SdSearchHit));
  return run_query (self,
                    /* Newest first: every hit matches every word typed, and ranking thousands
                     * of them for a two-letter prefix cost 50 ms a keystroke. */
                    "SELECT rowid FROM search WHERE search MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
                    match, 0, limit, TRUE, error);
}

GArray *
sd_store_search_deals (SdStore     *self,
                       const char  *text,
                       gint64       pipeline_id,
                       guint        limit,
                       GError     **error)
{
  g_autofree char *match = sd_search_build_match (text);

  if (match == NULL)
    return g_array_new (FALSE, FALSE, sizeof (SdSearchHit));
  return run_query (self,
                    "WITH hits AS (SELECT rowid AS r FROM search WHERE search MATCH ?1) "
                    "SELECT id FROM deals WHERE (?3 IS NULL OR pipeline_id = ?3) AND ("
                    "  id IN (SELECT r / 4 FROM hits WHERE r % 4 = 1)"
                    "  OR contact_id IN (SELECT r / 4 FROM hits WHERE r % 4 = 2)"
                    "  OR company_id IN (SELECT r / 4 FROM hits WHERE r % 4 = 3)) "
                    "ORDER BY id LIMIT ?2",
                    match, pipeline_id, limit, FALSE, error);
}
