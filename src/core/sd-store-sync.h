/* sd-store-sync.h: what the sync with a portal reads and keeps in the store: server ids,
 * the outbox, and the conflicts waiting for the user.
 *
 * Server ids and remote timestamps are bookkeeping, not a user's change: they are written
 * without a journal entry. Conflict values are JSON literals (null, 5, "text").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-records.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  char   *entity;
  gint64  entity_id;
  char   *field;
  char   *local_value;
  char   *remote_value;
  gint64  remote_author_id;   /* the portal's user id, 0 if unknown */
  char   *remote_author;      /* that user's name here, if known */
  char   *remote_at;
  char   *created_at;
} SdConflict;

void        sd_conflict_free            (SdConflict *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdConflict, sd_conflict_free)

/* The local id of the row with server id @b24_id; 0 if there is none. */
gint64      sd_store_find_b24           (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       b24_id);
/* The server id of a row; FALSE if it has none (yet). */
gboolean    sd_store_get_b24_id         (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         gint64      *out_b24_id);
/* The portal's DATE_MODIFY last pulled for a row, or NULL. */
char       *sd_store_get_remote_modified (SdStore    *self,
                                          SdEntity    entity,
                                          gint64      id);
/* Sets the server id (when @b24_id >= 0) and the remote time (when not NULL) of a row. */
gboolean    sd_store_set_b24_state      (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         gint64       b24_id,
                                         const char  *remote_modified,
                                         GError     **error);
/* sd_store_insert of a row the portal sent, with its server id and remote time in the same
 * statement (the table must have those columns). */
gint64      sd_store_insert_remote      (SdStore     *self,
                                         SdEntity     entity,
                                         SdChanges   *changes,
                                         gint64       b24_id,
                                         const char  *remote_modified,
                                         GError     **error);
/* The server ids of every row of @entity that has one, ascending (gint64). */
GArray     *sd_store_list_b24_ids       (SdStore     *self,
                                         SdEntity     entity,
                                         GError     **error);
/* The stage of @pipeline_id with the portal's STATUS_ID, or 0. */
gint64      sd_store_find_stage_b24     (SdStore     *self,
                                         gint64       pipeline_id,
                                         const char  *status_id);
/* Whether someone here renamed a row (a journal update of "name" from this side, origin
 * "local"): a pipeline's or stage's name the portal's renames must not overwrite. */
gboolean    sd_store_renamed_here       (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id);
/* Pipelines with no server id that hold deals waiting to be created there (ids, ascending):
 * the ones the portal needs a category for. */
GArray     *sd_store_list_unlinked_pipelines (SdStore *self,
                                              GError **error);
/* The portal STATUS_ID of a stage, or NULL. */
char       *sd_store_get_stage_b24      (SdStore     *self,
                                         gint64       stage_id);

/* The outbox: local entries of @entities not pushed yet, oldest first (SdJournalEntry). */
GPtrArray  *sd_store_list_outbox        (SdStore     *self,
                                         const char * const *entities,
                                         guint        limit,
                                         GError     **error);
guint       sd_store_count_outbox       (SdStore     *self,
                                         const char * const *entities);
gboolean    sd_store_mark_pushed        (SdStore     *self,
                                         gint64       journal_id,
                                         GError     **error);
/* Remembered (and committed) before a creation is sent, so that a crash after sending
 * leads to a look-up rather than a second creation. */
gboolean    sd_store_mark_push_attempted (SdStore    *self,
                                          gint64      journal_id,
                                          GError    **error);
gboolean    sd_store_get_push_attempted (SdStore     *self,
                                         gint64       journal_id);
/* The fields of a row changed here and not pushed yet, each with its value before the
 * first of those changes (field -> SdValue *): what the portal had when we last agreed. */
GHashTable *sd_store_outbox_base        (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         GError     **error);
/* The current value of one column of a row. */
gboolean    sd_store_read_value         (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         const char  *field,
                                         SdValue     *out_value,
                                         GError     **error);

/* A value as a JSON literal, and back. */
char       *sd_value_to_json            (const SdValue *value);
gboolean    sd_value_from_json          (const char    *json,
                                         SdValue       *out_value);

/* The field name of the conflict "the portal deleted this row, which has changes here not
 * sent yet": local_value 0 (kept here), remote_value 1 (deleted there). Keeping the local
 * side forgets the row's server id and queues its creation (with every field) in place of
 * its unsent changes; taking the portal's side deletes the row here and drops them. */
#define SD_CONFLICT_DELETED "deleted"

/* The field name of the conflict "the portal refused the changes made here to this row
 * (no rights)": local_value 0, remote_value a JSON string holding the row's columns as the
 * portal has them, as a JSON object. Keeping the local side sends the changes again;
 * taking the portal's writes those columns as a remote change and drops the unsent
 * changes. */
#define SD_CONFLICT_REFUSED "refused"

/* A contact's phones or e-mails changed on both sides are one conflict on the contact with
 * the field "phone" or "email"; each value is a JSON string holding the list, one
 * "VALUE\tVALUE_TYPE" a line. */
/* Replaces the channels of @kind ("phone", "email") of a contact with @entries
 * ("VALUE\tVALUE_TYPE" each, in order), through the write API. */
gboolean    sd_store_replace_channels   (SdStore            *self,
                                         gint64              contact,
                                         const char         *kind,
                                         const char * const *entries,
                                         GError            **error);

/* Records (or updates) the open conflict on one field of a row. */
gboolean    sd_store_add_conflict       (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         const char  *field,
                                         const SdValue *local_value,
                                         const SdValue *remote_value,
                                         gint64       remote_author_id,
                                         const char  *remote_at,
                                         GError     **error);
/* Open conflicts, of one row when @id is not 0, else of all. */
GPtrArray  *sd_store_list_conflicts     (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         GError     **error);
/* Open conflicts that concern a deal: its own, its fields', comments', tasks', and its
 * contact's and company's (SD_DEAL_CONFLICT_SQL). */
GPtrArray  *sd_store_list_deal_conflicts (SdStore    *self,
                                          gint64      deal_id,
                                          GError    **error);
/* The deals some open conflict concerns, ascending. */
GArray     *sd_store_list_conflicted_deals (SdStore  *self,
                                            GError  **error);
gboolean    sd_store_has_conflict       (SdStore     *self,
                                         SdEntity     entity,
                                         gint64       id,
                                         const char  *field);
guint       sd_store_count_conflicts    (SdStore     *self);
/* Whether the user kept this side's @field of a row against the portal's @remote_value
 * (so seeing that value again is no new conflict). */
gboolean    sd_store_kept_against       (SdStore       *self,
                                         SdEntity       entity,
                                         gint64         id,
                                         const char    *field,
                                         const SdValue *remote_value);
/* The user's choice: keep the local value (it is pushed next), or take the portal's
 * (written as a remote change, so it is not pushed back). */
gboolean    sd_store_resolve_conflict   (SdStore     *self,
                                         gint64       conflict_id,
                                         gboolean     keep_local,
                                         GError     **error);

G_END_DECLS

G_BEGIN_DECLS

/* The ids of the rows of @entity whose @column refers to @id (a deal's contact_id). */
GArray     *sd_store_list_referencing   (SdStore     *self,
                                         SdEntity     entity,
                                         const char  *column,
                                         gint64       id,
                                         GError     **error);

G_END_DECLS

G_BEGIN_DECLS

/* A custom field a playbook maps to a portal user field. */
typedef struct
{
  gint64  field_id;
  gint64  pipeline_id;   /* 0: every pipeline's */
  char   *kind;          /* "string", "number", "date", "bool", "list" */
  char   *b24_field;     /* "UF_CRM_…" */
} SdB24Field;

void        sd_b24_field_free           (SdB24Field *field);
/* The deal fields with a portal user field (SdB24Field). */
GPtrArray  *sd_store_list_b24_fields    (SdStore     *self,
                                         GError     **error);
/* The deal_fields row of one deal and field, or 0. */
gint64      sd_store_find_deal_field    (SdStore     *self,
                                         gint64       deal_id,
                                         gint64       field_id);
/* A list option's code for the portal's item id, and back; NULL if none. */
char       *sd_store_option_code_for_b24 (SdStore    *self,
                                          gint64      field_id,
                                          const char *b24_id);
char       *sd_store_option_b24_for_code (SdStore    *self,
                                          gint64      field_id,
                                          const char *code);

G_END_DECLS

G_BEGIN_DECLS

/* Parts of deals the sync exchanges (timeline comments, tasks). */

/* Server ids of the deals pulled with a DATE_MODIFY at or after @since (the portal's own
 * text, compared as such: one portal writes one offset), ascending. */
GArray     *sd_store_list_deals_modified_since (SdStore    *self,
                                                const char *since,
                                                GError    **error);
/* Up to @limit server ids of deals after server id @after, ascending (a sweep's step). */
GArray     *sd_store_list_deals_after  (SdStore     *self,
                                        gint64       after,
                                        guint        limit,
                                        GError     **error);
/* Whether a local entry for row @id of @entity waits to be pushed; with @attempted, only
 * a creation already sent once. */
/* Whether a local entry for a row of @part (a deal's field, comment…) of deal @deal_id
 * waits to be pushed, the row deleted since or not. */
gboolean    sd_store_has_outbox_part   (SdStore     *self,
                                        SdEntity     part,
                                        gint64       deal_id);
gboolean    sd_store_has_outbox_entry  (SdStore     *self,
                                        SdEntity     entity,
                                        gint64       id,
                                        gboolean     attempted);

G_END_DECLS
