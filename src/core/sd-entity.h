/* sd-entity.h: what the write API may change, table by table.
 *
 * The column lists are the whitelist the store builds its statements from; no name that
 * reaches SQL comes from anywhere else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sd-access.h"

G_BEGIN_DECLS

typedef enum
{
  SD_ENTITY_ROLE,
  SD_ENTITY_DEPARTMENT,
  SD_ENTITY_USER,
  SD_ENTITY_PIPELINE,
  SD_ENTITY_STAGE,
  SD_ENTITY_ACCESS,
  SD_ENTITY_CUSTOM_FIELD,
  SD_ENTITY_CUSTOM_FIELD_OPTION,
  SD_ENTITY_CONTACT,
  SD_ENTITY_CONTACT_CHANNEL,
  SD_ENTITY_CONTACT_FIELD,
  SD_ENTITY_COMPANY,
  SD_ENTITY_DEAL,
  SD_ENTITY_DEAL_RESPONSIBLE,
  SD_ENTITY_DEAL_FIELD,
  SD_ENTITY_DEAL_ANSWER,
  SD_ENTITY_PAYMENT,
  SD_ENTITY_FILE,
  SD_ENTITY_TIMELINE,
  SD_ENTITY_TASK,
  SD_N_ENTITIES
} SdEntity;

typedef enum
{
  SD_COLUMN_INTEGER,
  SD_COLUMN_TEXT,
} SdColumnType;

typedef enum
{
  SD_COLUMN_JOURNALED = 0,
  SD_COLUMN_HOUSEKEEPING = 1 << 0,  /* kept by the store, not a user's change */
} SdColumnFlags;

typedef struct
{
  const char   *name;
  SdColumnType  type;
  SdColumnFlags flags;
} SdColumnInfo;

/* Who may write an entity's rows. */
typedef enum
{
  SD_SCOPE_CONFIG,     /* set-up data (playbooks, staff): the system actor only */
  SD_SCOPE_PARTY,      /* contacts, companies: a role that may edit at some stage */
  SD_SCOPE_DEAL,       /* a deal: its stage's rules */
  SD_SCOPE_DEAL_PART,  /* a row of a deal: its deal's stage, for write_action */
} SdWriteScope;

typedef struct
{
  const char         *name;         /* as written in the journal: "deal" */
  const char         *table;
  const SdColumnInfo *columns;
  guint               n_columns;
  SdWriteScope        scope;
  SdAccessAction      write_action; /* for SD_SCOPE_DEAL_PART */
  const char         *parent_column;/* column naming the owning row (deal_id, contact_id) */
  SdEntity            parent;
} SdEntityInfo;

const SdEntityInfo *sd_entity_info        (SdEntity     entity);
gboolean            sd_entity_from_name   (const char  *name,
                                           SdEntity    *out_entity);
const SdColumnInfo *sd_entity_find_column (SdEntity     entity,
                                           const char  *column);

G_END_DECLS
