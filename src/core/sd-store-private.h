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
/* The first column of every row of @stmt, as gint64s; NULL with @error on a failed read. */
GArray       *sd_store_collect_ids   (SdStore        *self,
                                      sqlite3_stmt   *stmt,
                                      GError        **error);
gboolean      sd_store_migrate       (SdStore     *self,
                                      guint        from_version,
                                      GError     **error);

void          sd_store_queue_change  (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      SdChangeOp   op);
const char   *sd_store_get_origin    (SdStore     *self);
void          sd_store_invalidate_access (SdStore *self);

/* Search index upkeep (sd-search.c); writes queue rows, the commit re-indexes them. */
void          sd_store_queue_search  (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id);
gint64        sd_search_rowid        (SdEntity     entity,
                                      gint64       id);
SdEntity      sd_search_entity_of_rowid (gint64    rowid);
gboolean      sd_search_reindex      (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      GError     **error);

G_END_DECLS
