/* sd-records.h: plain records the store reads for the layers above.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  gint64  b24_id;
  char   *code;
  char   *name;
} SdPipeline;

typedef struct
{
  gint64  id;
  gint64  pipeline_id;
  char   *code;
  char   *name;
  char   *color;
  char   *semantics;  /* "process", "won", "lost" */
  gint64  sort;
} SdStage;

typedef struct
{
  gint64  id;
  char   *login;
  char   *full_name;  /* "Иванова Анна" */
  char   *position;
  gint64  role_id;
  char   *role_code;
  char   *role_name;
  gint64  department_id;
} SdUser;

typedef struct
{
  gint64  id;
  gint64  b24_id;
  char   *title;
  gint64  pipeline_id;
  gint64  stage_id;
  char   *stage_name;
  gint64  amount;      /* kopecks */
  char   *currency;
  gint64  paid;        /* derived from the payments made */
  gint64  planned;     /* derived from the payments still planned */
  gint64  contact_id;
  char   *contact_name;
  gint64  company_id;
  char   *company_title;
  char   *measurement_at;
  char   *measurement_address;
  char   *next_contact_on;
  char   *source;
  char   *comments;
  char   *created_at;
  char   *updated_at;
} SdDeal;

typedef struct
{
  gint64  stage_id;
  gint64  count;
  gint64  sum;         /* kopecks */
} SdStageTotal;

typedef struct
{
  gint64  id;
  char   *entity;
  gint64  entity_id;
  gint64  deal_id;
  char   *op;
  char   *changes;     /* JSON: field -> [old, new] */
  gint64  author_id;
  char   *author_name;
  char   *at;
  char   *origin;
} SdJournalEntry;

void sd_pipeline_free      (SdPipeline     *pipeline);
void sd_stage_free         (SdStage        *stage);
void sd_user_free          (SdUser         *user);
void sd_deal_free          (SdDeal         *deal);
void sd_journal_entry_free (SdJournalEntry *entry);

gint64 sd_deal_get_left_to_pay (const SdDeal *deal);

GPtrArray *sd_store_list_pipelines (SdStore *self, GError **error);
GPtrArray *sd_store_list_stages    (SdStore *self, gint64 pipeline_id, GError **error);
GPtrArray *sd_store_list_users     (SdStore *self, GError **error);
SdDeal    *sd_store_get_deal       (SdStore *self, gint64 id, GError **error);
GArray    *sd_store_stage_totals   (SdStore *self, gint64 pipeline_id, GError **error);

/* The newest journal entry's id, 0 for an empty journal. */
gint64     sd_store_get_last_journal_id (SdStore *self);

/* Entries after @after_id, oldest first; only @deal_id's when it is not 0. */
GPtrArray *sd_store_list_journal   (SdStore *self, gint64 after_id, gint64 deal_id,
                                    guint limit, GError **error);

/* Ids by their stable codes: 0 when there is none. */
gint64 sd_store_find_pipeline (SdStore *self, const char *code);
gint64 sd_store_find_stage    (SdStore *self, gint64 pipeline_id, const char *code);
gint64 sd_store_find_role     (SdStore *self, const char *code);
gint64 sd_store_find_user     (SdStore *self, const char *login);
/* @pipeline_id 0 finds a field shared by every pipeline (a contact's). */
gint64 sd_store_find_custom_field (SdStore *self, gint64 pipeline_id, const char *code);
gint64 sd_store_find_field_option (SdStore *self, gint64 field_id, const char *code);
gint64 sd_store_find_access       (SdStore *self, gint64 role_id, gint64 stage_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdDeal, sd_deal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdUser, sd_user_free)

G_END_DECLS

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  char   *code;
  char   *label;
} SdFieldOption;

typedef struct
{
  gint64     id;
  gint64     pipeline_id; /* 0: shared by every pipeline */
  char      *entity;    /* "deal", "contact": whose values the field holds */
  char      *code;
  char      *name;
  char      *kind;      /* "string", "number", "date", "bool", "list" */
  gboolean   required;
  GPtrArray *options;   /* SdFieldOption, for lists */
} SdCustomField;

/* What people call a row: a deal's title, a person's name, a stage's name. NULL if none. */
char      *sd_store_describe         (SdStore *self, SdEntity entity, gint64 id);

/* One role's rights at one stage: a row of the access table. */
typedef struct
{
  gint64          id;
  gint64          role_id;
  gint64          stage_id;
  SdAccessAction  actions;
} SdAccessRow;

void       sd_field_option_free      (SdFieldOption *option);
void       sd_custom_field_free      (SdCustomField *field);
/* The pipeline's own fields and the ones shared by all pipelines, in form order; a
 * field's entity says whether its values belong to the deal or to its contact. */
GPtrArray *sd_store_list_custom_fields (SdStore *self, gint64 pipeline_id, GError **error);
/* SdFieldOption, in list order. */
GPtrArray *sd_store_list_field_options (SdStore *self, gint64 field_id, GError **error);
/* SdAccessRow, the rows for the stages of @pipeline_id, by stage and role. */
GArray    *sd_store_list_access        (SdStore *self, gint64 pipeline_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdCustomField, sd_custom_field_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdFieldOption, sd_field_option_free)

G_END_DECLS
