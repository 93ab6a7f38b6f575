/* sd-sync-map.h: how the rows of the store and of the portal correspond, field by field.
 *
 * References (a deal's contact, stage, pipeline, author) are local ids here and server ids
 * there; they are translated through the server ids kept in the store whenever a row
 * crosses, so a row created offline is referred to by its new server id as soon as it
 * has one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sd-store-sync.h"

G_BEGIN_DECLS

/* The user field that carries a row's client key, so that a creation whose answer was
 * lost is found instead of made twice. */
#define SD_SYNC_KEY_FIELD "UF_CRM_SDELKA_KEY"

/* A kind of CRM row the sync exchanges both ways. */
typedef struct
{
  SdEntity            entity;
  const char         *name;     /* journal name: "deal" */
  const char         *methods;  /* "crm.deal": .list, .add, .update, .delete, .userfield.* */
  const char * const *select;   /* the list's select[] */
} SdSyncKind;

/* Deals, contacts and companies, in the order they are pulled (referenced first). */
const SdSyncKind *sd_sync_kinds          (guint       *n_kinds);
const SdSyncKind *sd_sync_kind_for       (SdEntity     entity);
/* NULL-terminated journal names of the kinds pushed. */
const char * const *sd_sync_pushed_entities (void);
/* NULL-terminated journal names of everything the sync sends (the count of waiting
 * changes): the kinds and the parts of deals. */
const char * const *sd_sync_waiting_entities (void);

/* Fills @changes with the local columns of portal row @row. FALSE (with @error) when the
 * row cannot be placed, e.g. a deal in a stage not pulled yet. */
gboolean    sd_sync_map_pull        (SdStore      *store,
                                     SdEntity      entity,
                                     JsonObject   *row,
                                     SdChanges    *changes,
                                     GError      **error);
/* Adds the portal's form of local @field = @value to @fields; FALSE if the portal does
 * not hold that field (or cannot change it after creation, when !@creating). */
gboolean    sd_sync_map_push_field  (SdStore       *store,
                                     SdEntity       entity,
                                     const char    *field,
                                     const SdValue *value,
                                     gboolean       creating,
                                     JsonObject    *fields);
/* The local columns that cross to the portal, NULL-terminated. */
const char * const *sd_sync_map_fields (SdEntity    entity);

/* Links the installed playbooks to the portal by their mapping sections (docs/PLAYBOOKS.md):
 * the pipeline to its deal category, stages to STATUS_IDs, fields to UF_CRM_ user fields,
 * and list options to the items of those fields in @userfields (crm.deal.userfield.list
 * rows, matched by XML_ID = code or VALUE = label). */
gboolean    sd_sync_map_link_playbooks (SdStore    *store,
                                        JsonArray  *userfields,
                                        GError    **error);
/* A user field's value from the portal in the local form ("1"/"0", YYYY-MM-DD, option
 * code); NULL for none. */
char       *sd_sync_map_uf_pull     (SdStore          *store,
                                     const SdB24Field *field,
                                     JsonNode         *value);
/* A local value in the portal's form; "" for none. */
char       *sd_sync_map_uf_push     (SdStore          *store,
                                     const SdB24Field *field,
                                     const char       *value);

/* A portal value as text (IDs and numbers come as strings or numbers); NULL for null. */
char       *sd_sync_dup_string      (JsonObject   *row,
                                     const char   *member);
/* The id a creation answered (a number, or a number in a string); 0 when it is none. */
gint64      sd_sync_node_id         (JsonNode     *result);
gint64      sd_sync_get_id          (JsonObject   *row,
                                     const char   *member);

G_END_DECLS
