/* sd-store-private.h: what the core's own files share about the store; not for the
 * layers above.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "sd-store.h"

G_BEGIN_DECLS

sqlite3      *sd_store_get_db        (SdStore     *self);

/* A cached prepared statement, reset and with bindings cleared; owned by the store. */
sqlite3_stmt *sd_store_prepare       (SdStore     *self,
                                      const char  *sql,
                                      GError     **error);
/* The same for SQL that is @format (a string literal, told apart by its address) with
 * the entity's table for its one %s: neither formatted nor hashed again. */
sqlite3_stmt *sd_store_prepare_table (SdStore     *self,
                                      const char  *format,
                                      SdEntity     entity,
                                      GError     **error);
gboolean      sd_store_exec          (SdStore     *self,
                                      const char  *sql,
                                      GError     **error);
/* Steps a statement expected to finish (not to return rows). */
gboolean      sd_store_step_done     (SdStore      *self,
                                      sqlite3_stmt *stmt,
                                      GError      **error);
void          sd_store_set_sqlite_error (SdStore  *self,
                                         GError  **error,
                                         const char *what);

/* Runs @stmt to the end, a record a row made by @make; NULL with @error on failure. */
GPtrArray    *sd_store_collect_rows  (SdStore        *self,
                                      sqlite3_stmt   *stmt,
                                      gpointer      (*make) (sqlite3_stmt *stmt),
                                      GDestroyNotify  free_func,
                                      GError        **error);
/* One value: the first column of the first row of @sql with ?1 = @a and ?2 = @b bound
 * (where the statement has them); 0, or NULL for no row or an empty text. */
gint64        sd_store_query_int     (SdStore        *self,
                                      const char     *sql,
                                      gint64          a,
                                      gint64          b);
char         *sd_store_query_text    (SdStore        *self,
                                      const char     *sql,
                                      gint64          a,
                                      const char     *b);
/* The first column of every row of @stmt, as gint64s; NULL with @error on a failed read. */
GArray       *sd_store_collect_ids   (SdStore        *self,
                                      sqlite3_stmt   *stmt,
                                      GError        **error);
/* The open conflicts (alias k) that concern the deal @deal (an SQL expression): on the deal,
 * on one of its fields, comments or tasks, or on its contact or company (whose card is the
 * deal's). The board's badge and the card's list share it. */
#define SD_DEAL_CONFLICT_SQL(deal) \
  "k.resolved_at IS NULL AND ((k.entity = 'deal' AND k.entity_id = " deal ")" \
  " OR (k.entity = 'deal_field' AND k.entity_id IN (SELECT id FROM deal_fields WHERE deal_id = " deal "))" \
  " OR (k.entity = 'timeline' AND k.entity_id IN (SELECT id FROM timeline WHERE deal_id = " deal "))" \
  " OR (k.entity = 'task' AND k.entity_id IN (SELECT id FROM tasks WHERE deal_id = " deal "))" \
  " OR (k.entity = 'contact' AND k.entity_id = (SELECT contact_id FROM deals WHERE id = " deal "))" \
  " OR (k.entity = 'company' AND k.entity_id = (SELECT company_id FROM deals WHERE id = " deal ")))"
/* Runs migrations from_version + 1 … to_version. */
gboolean      sd_store_migrate       (SdStore     *self,
                                      guint        from_version,
                                      guint        to_version,
                                      GError     **error);
/* For the tests of a migration: a database brought up to @version only. */
SdStore      *sd_store_open_at_version (const char *path,
                                        guint       version,
                                        GError    **error);

void          sd_store_queue_change  (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      SdChangeOp   op);
const char   *sd_store_get_origin    (SdStore     *self);
void          sd_store_invalidate_access (SdStore *self);

/* Search index upkeep (sd-search.c); writes queue rows, the commit re-indexes them.
 * @inserted: the row was created now, so it has no entry yet unless this transaction
 * deleted a row of the same id first. */
void          sd_store_queue_search  (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      gboolean     inserted);
gint64        sd_search_rowid        (SdEntity     entity,
                                      gint64       id);
SdEntity      sd_search_entity_of_rowid (gint64    rowid);
/* @indexed: whether the row may have an entry to replace (removing one that is not
 * there costs the index as much as writing one). */
gboolean      sd_search_reindex      (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      gboolean     indexed,
                                      GError     **error);

G_END_DECLS
