/* sd-entity.c: the column whitelist of every table the write API touches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-entity.h"

#include <string.h>

#define INT(n) { n, SD_COLUMN_INTEGER, SD_COLUMN_JOURNALED }
#define TEXT(n) { n, SD_COLUMN_TEXT, SD_COLUMN_JOURNALED }
#define KEPT_INT(n) { n, SD_COLUMN_INTEGER, SD_COLUMN_HOUSEKEEPING }
#define KEPT_TEXT(n) { n, SD_COLUMN_TEXT, SD_COLUMN_HOUSEKEEPING }

static const SdColumnInfo role_columns[] = { TEXT ("code"), TEXT ("name") };

static const SdColumnInfo department_columns[] = {
  INT ("b24_id"), INT ("parent_id"), TEXT ("name"), INT ("head_user_id"),
};

static const SdColumnInfo user_columns[] = {
  INT ("b24_id"), TEXT ("login"), TEXT ("first_name"), TEXT ("last_name"),
  TEXT ("second_name"), TEXT ("email"), TEXT ("phone"), TEXT ("position"),
  INT ("department_id"), INT ("role_id"), INT ("sales_plan"), INT ("active"),
};

static const SdColumnInfo pipeline_columns[] = {
  INT ("b24_id"), TEXT ("code"), TEXT ("name"), INT ("sort"), TEXT ("currency"),
};

static const SdColumnInfo stage_columns[] = {
  INT ("pipeline_id"), TEXT ("code"), TEXT ("name"), INT ("sort"), TEXT ("color"),
  TEXT ("semantics"), TEXT ("b24_status_id"),
};

static const SdColumnInfo access_columns[] = {
  INT ("role_id"), INT ("stage_id"), INT ("actions"),
};

static const SdColumnInfo custom_field_columns[] = {
  INT ("pipeline_id"), TEXT ("entity"), TEXT ("code"), TEXT ("name"), TEXT ("kind"),
  INT ("required"), TEXT ("b24_field"), INT ("sort"),
};

static const SdColumnInfo custom_field_option_columns[] = {
  INT ("field_id"), TEXT ("code"), TEXT ("label"), INT ("sort"), TEXT ("b24_id"),
};

static const SdColumnInfo contact_columns[] = {
  INT ("b24_id"), KEPT_TEXT ("remote_modified"), KEPT_INT ("dirty"),
  TEXT ("first_name"), TEXT ("last_name"), TEXT ("second_name"), TEXT ("client_type"),
  INT ("priority"), TEXT ("address"), TEXT ("comments"),
  KEPT_TEXT ("created_at"), KEPT_TEXT ("updated_at"),
};

static const SdColumnInfo contact_channel_columns[] = {
  INT ("contact_id"), TEXT ("kind"), TEXT ("value"), TEXT ("value_type"),
};

static const SdColumnInfo contact_field_columns[] = {
  INT ("contact_id"), INT ("field_id"), TEXT ("value"),
};

static const SdColumnInfo company_columns[] = {
  INT ("b24_id"), KEPT_TEXT ("remote_modified"), KEPT_INT ("dirty"),
  TEXT ("title"), TEXT ("inn"), TEXT ("kpp"), TEXT ("ogrn"), TEXT ("address"),
  TEXT ("bank_name"), TEXT ("bik"), TEXT ("account"), TEXT ("corr_account"),
  TEXT ("phone"), TEXT ("email"),
  KEPT_TEXT ("created_at"), KEPT_TEXT ("updated_at"),
};

static const SdColumnInfo deal_columns[] = {
  INT ("b24_id"), KEPT_TEXT ("remote_modified"), KEPT_INT ("dirty"),
  TEXT ("title"), INT ("pipeline_id"), INT ("stage_id"), INT ("amount"), TEXT ("currency"),
  INT ("contact_id"), INT ("company_id"), TEXT ("source"), TEXT ("comments"),
  TEXT ("measurement_at"), TEXT ("measurement_address"), TEXT ("next_contact_on"),
  TEXT ("closed_on"), INT ("created_by"),
  KEPT_TEXT ("created_at"), KEPT_TEXT ("updated_at"), KEPT_TEXT ("stage_changed_at"),
};

static const SdColumnInfo deal_responsible_columns[] = {
  INT ("deal_id"), INT ("user_id"), TEXT ("part"),
};

static const SdColumnInfo deal_field_columns[] = {
  INT ("deal_id"), INT ("field_id"), TEXT ("value"),
};

static const SdColumnInfo deal_answer_columns[] = {
  INT ("deal_id"), TEXT ("question"), TEXT ("answer"), INT ("sort"),
};

static const SdColumnInfo payment_columns[] = {
  INT ("b24_id"), INT ("deal_id"), INT ("amount"), TEXT ("currency"), TEXT ("status"),
  TEXT ("due_on"), TEXT ("method"), INT ("prepayment"), TEXT ("note"),
};

static const SdColumnInfo file_columns[] = {
  INT ("b24_id"), INT ("deal_id"), TEXT ("kind"), TEXT ("name"), TEXT ("mime_type"),
  INT ("size"), TEXT ("sha256"), TEXT ("local_path"), INT ("created_by"),
  KEPT_TEXT ("created_at"),
};

static const SdColumnInfo timeline_columns[] = {
  INT ("b24_id"), INT ("deal_id"), TEXT ("kind"), TEXT ("text"), INT ("author_id"),
  KEPT_TEXT ("created_at"),
};

static const SdColumnInfo task_columns[] = {
  INT ("b24_id"), INT ("deal_id"), TEXT ("title"), TEXT ("description"),
  INT ("responsible_id"), INT ("creator_id"), TEXT ("status"), INT ("needs_acceptance"),
  TEXT ("deadline"), TEXT ("start_plan"), TEXT ("end_plan"), KEPT_TEXT ("created_at"),
  TEXT ("closed_at"),
};

#define COLUMNS(a) a, G_N_ELEMENTS (a)
#define CONFIG(n, t, c) { n, t, COLUMNS (c), SD_SCOPE_CONFIG, SD_ACCESS_NONE, NULL, 0 }
#define DEAL_PART(n, t, c, a) \
  { n, t, COLUMNS (c), SD_SCOPE_DEAL_PART, a, "deal_id", SD_ENTITY_DEAL }

static const SdEntityInfo entities[SD_N_ENTITIES] = {
  [SD_ENTITY_ROLE] = CONFIG ("role", "roles", role_columns),
  [SD_ENTITY_DEPARTMENT] = CONFIG ("department", "departments", department_columns),
  [SD_ENTITY_USER] = CONFIG ("user", "users", user_columns),
  [SD_ENTITY_PIPELINE] = CONFIG ("pipeline", "pipelines", pipeline_columns),
  [SD_ENTITY_STAGE] = CONFIG ("stage", "stages", stage_columns),
  [SD_ENTITY_ACCESS] = CONFIG ("access", "access", access_columns),
  [SD_ENTITY_CUSTOM_FIELD] = CONFIG ("custom_field", "custom_fields", custom_field_columns),
  [SD_ENTITY_CUSTOM_FIELD_OPTION] = CONFIG ("custom_field_option", "custom_field_options",
                                            custom_field_option_columns),
  [SD_ENTITY_CONTACT] = { "contact", "contacts", COLUMNS (contact_columns),
                          SD_SCOPE_PARTY, SD_ACCESS_EDIT, NULL, 0 },
  [SD_ENTITY_CONTACT_CHANNEL] = { "contact_channel", "contact_channels",
                                  COLUMNS (contact_channel_columns), SD_SCOPE_PARTY,
                                  SD_ACCESS_EDIT, "contact_id", SD_ENTITY_CONTACT },
  [SD_ENTITY_CONTACT_FIELD] = { "contact_field", "contact_fields",
                                COLUMNS (contact_field_columns), SD_SCOPE_PARTY,
                                SD_ACCESS_EDIT, "contact_id", SD_ENTITY_CONTACT },
  [SD_ENTITY_COMPANY] = { "company", "companies", COLUMNS (company_columns),
                          SD_SCOPE_PARTY, SD_ACCESS_EDIT, NULL, 0 },
  [SD_ENTITY_DEAL] = { "deal", "deals", COLUMNS (deal_columns), SD_SCOPE_DEAL,
                       SD_ACCESS_EDIT, "id", SD_ENTITY_DEAL },
  [SD_ENTITY_DEAL_RESPONSIBLE] = DEAL_PART ("deal_responsible", "deal_responsibles",
                                            deal_responsible_columns, SD_ACCESS_EDIT),
  [SD_ENTITY_DEAL_FIELD] = DEAL_PART ("deal_field", "deal_fields", deal_field_columns,
                                      SD_ACCESS_EDIT),
  [SD_ENTITY_DEAL_ANSWER] = DEAL_PART ("deal_answer", "deal_answers", deal_answer_columns,
                                       SD_ACCESS_EDIT),
  [SD_ENTITY_PAYMENT] = DEAL_PART ("payment", "payments", payment_columns, SD_ACCESS_EDIT),
  [SD_ENTITY_FILE] = DEAL_PART ("file", "files", file_columns, SD_ACCESS_ATTACH),
  [SD_ENTITY_TIMELINE] = DEAL_PART ("timeline", "timeline", timeline_columns, SD_ACCESS_CHAT),
  [SD_ENTITY_TASK] = DEAL_PART ("task", "tasks", task_columns, SD_ACCESS_EDIT),
};

const SdEntityInfo *
sd_entity_info (SdEntity entity)
{
  g_return_val_if_fail (entity < SD_N_ENTITIES, NULL);
  return &entities[entity];
}

gboolean
sd_entity_from_name (const char *name,
                     SdEntity   *out_entity)
{
  for (guint i = 0; i < SD_N_ENTITIES; i++)
    if (g_strcmp0 (entities[i].name, name) == 0)
      {
        *out_entity = i;
        return TRUE;
      }
  return FALSE;
}

/* Every write looks up each of its fields: by hash, not by walking the list. */
static GHashTable *
column_index (SdEntity entity)
{
  static GHashTable *indexes[SD_N_ENTITIES];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      for (guint e = 0; e < SD_N_ENTITIES; e++)
        {
          indexes[e] = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint i = 0; i < entities[e].n_columns; i++)
            g_hash_table_insert (indexes[e], (gpointer) entities[e].columns[i].name,
                                 (gpointer) &entities[e].columns[i]);
        }
      g_once_init_leave (&ready, 1);
    }
  return indexes[entity];
}

const SdColumnInfo *
sd_entity_find_column (SdEntity    entity,
                       const char *column)
{
  g_return_val_if_fail (entity < SD_N_ENTITIES, NULL);
  return g_hash_table_lookup (column_index (entity), column);
}
