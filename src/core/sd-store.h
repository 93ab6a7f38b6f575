/* sd-store.h: the local SQLite store and its write API.
 *
 * Every change made through sd_store_insert/update/delete is checked against the access
 * rules for the acting user, written, and journaled in one transaction; listeners hear of
 * it through ::changed after the commit, one emission a changed row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sd-access.h"
#include "sd-changes.h"
#include "sd-entity.h"
#include "sd-error.h"

G_BEGIN_DECLS

typedef enum
{
  SD_CHANGE_INSERT,
  SD_CHANGE_UPDATE,
  SD_CHANGE_DELETE,
} SdChangeOp;

#define SD_TYPE_STORE (sd_store_get_type ())
G_DECLARE_FINAL_TYPE (SdStore, sd_store, SD, STORE, GObject)

SdStore    *sd_store_open            (const char  *path,
                                      GError     **error);
const char *sd_store_get_path        (SdStore     *self);
guint       sd_store_schema_version  (void);

/* The user the store acts as: access rules and journal authorship follow it. */
void        sd_store_set_actor       (SdStore     *self,
                                      gint64       user_id);
gint64      sd_store_get_actor       (SdStore     *self);

/* Where journal entries written from now on come from: "local" (the default: the outbox
 * the sync pushes), "demo", "remote" (pulled from the portal, never pushed back). */
void        sd_store_set_origin      (SdStore     *self,
                                      const char  *origin);
/* Off for a bulk import of rows that already exist elsewhere (a first sync): writes
 * append no journal entries, so nothing is pushed back, no automation event is raised for
 * history, and no timeline line is written. On by default. */
void        sd_store_set_journaling  (SdStore     *self,
                                      gboolean     journaling);
gboolean    sd_store_get_journaling  (SdStore     *self);

/* Fix the store's clock (UTC, seconds since the epoch) for tests and demo data; 0 follows
 * the real clock again. */
void        sd_store_set_time        (SdStore     *self,
                                      gint64       unix_time);
gint64      sd_store_now             (SdStore     *self);
char       *sd_store_now_iso         (SdStore     *self);

/* Transactions nest; only the outermost commit writes, and notifications follow it. A
 * failed commit has already rolled back. */
gboolean    sd_store_begin           (SdStore     *self,
                                      GError     **error);
/* An outermost transaction for large imports: the writes in it get no savepoint each, so
 * one failed write dooms the whole transaction, whose commit then fails. */
gboolean    sd_store_begin_bulk      (SdStore     *self,
                                      GError     **error);
gboolean    sd_store_commit          (SdStore     *self,
                                      GError     **error);
void        sd_store_rollback        (SdStore     *self);
gboolean    sd_store_in_transaction  (SdStore     *self);

gint64      sd_store_insert          (SdStore     *self,
                                      SdEntity     entity,
                                      SdChanges   *changes,
                                      GError     **error);
gboolean    sd_store_update          (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      SdChanges   *changes,
                                      GError     **error);
gboolean    sd_store_delete          (SdStore     *self,
                                      SdEntity     entity,
                                      gint64       id,
                                      GError     **error);
gboolean    sd_store_move_deal       (SdStore     *self,
                                      gint64       deal_id,
                                      gint64       stage_id,
                                      GError     **error);

/* Access: what the acting user may do at a stage; SD_ACTOR_SYSTEM may do everything. */
SdAccessAction sd_store_get_access   (SdStore     *self,
                                      gint64       user_id,
                                      gint64       stage_id);
gboolean    sd_store_check_access    (SdStore     *self,
                                      gint64       stage_id,
                                      SdAccessAction action,
                                      GError     **error);

/* Key/value settings kept in the database (sync cursors, demo marker). */
char       *sd_store_get_meta        (SdStore     *self,
                                      const char  *key);
gboolean    sd_store_set_meta        (SdStore     *self,
                                      const char  *key,
                                      const char  *value,
                                      GError     **error);

G_END_DECLS
