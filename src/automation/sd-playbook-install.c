/* sd-playbook-install.c: writing a playbook into the store.
 *
 * Every row goes through the store's write API, so the set-up is journaled like any other
 * change, and all of it in one transaction, so a failure leaves the store as it was.
 * Rows are matched by code and only what differs is written: the store skips unchanged
 * values, so a second install writes no row and no journal entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-playbook"

#include "sd-playbook-private.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  const SdPlaybook *pb;
  SdStore          *store;
  gint64            pipeline_id;
  GHashTable       *stage_ids;  /* code -> gint64 * */
  GHashTable       *role_ids;   /* code -> gint64 * */
} Install;

static void
remember (GHashTable *ids,
          const char *code,
          gint64      id)
{
  g_hash_table_insert (ids, g_strdup (code), g_memdup2 (&id, sizeof id));
}

static gint64
recall (GHashTable *ids,
        const char *code)
{
  gint64 *id = g_hash_table_lookup (ids, code);
  return id != NULL ? *id : 0;
}

/* Inserts when @id is 0, else updates; returns the row's id, or 0. */
static gint64
put (SdStore    *store,
     SdEntity    entity,
     gint64      id,
     SdChanges  *changes,
     GError    **error)
{
  if (id == 0)
    return sd_store_insert (store, entity, changes, error);
  return sd_store_update (store, entity, id, changes, error) ? id : 0;
}

static const char *
text (const SdPlaybookText *t)
{
  return sd_playbook_text_get (t, NULL);
}

static gboolean
install_pipeline (Install  *in,
                  GError  **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  sd_changes_set_text (changes, "code", in->pb->code);
  sd_changes_set_text (changes, "name", text (in->pb->name));
  sd_changes_set_int (changes, "sort", in->pb->sort);
  sd_changes_set_text (changes, "currency", in->pb->currency);
  in->pipeline_id = put (in->store, SD_ENTITY_PIPELINE,
                         sd_store_find_pipeline (in->store, in->pb->code), changes, error);
  return in->pipeline_id != 0;
}

static gboolean
install_stages (Install  *in,
                GError  **error)
{
  for (guint i = 0; i < in->pb->stages->len; i++)
    {
      const SdPlaybookStage *stage = in->pb->stages->pdata[i];
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 id;

      sd_changes_set_int (changes, "pipeline_id", in->pipeline_id);
      sd_changes_set_text (changes, "code", stage->code);
      sd_changes_set_text (changes, "name", text (stage->name));
      sd_changes_set_int (changes, "sort", stage->sort);
      sd_changes_set_text (changes, "color", stage->color);
      sd_changes_set_text (changes, "semantics", stage->semantics);
      id = put (in->store, SD_ENTITY_STAGE,
                sd_store_find_stage (in->store, in->pipeline_id, stage->code), changes, error);
      if (id == 0)
        return FALSE;
      remember (in->stage_ids, stage->code, id);
    }
  return TRUE;
}

static gboolean
install_roles (Install  *in,
               GError  **error)
{
  for (guint i = 0; i < in->pb->roles->len; i++)
    {
      const SdPlaybookRole *role = in->pb->roles->pdata[i];
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 id;

      sd_changes_set_text (changes, "code", role->code);
      sd_changes_set_text (changes, "name", text (role->name));
      id = put (in->store, SD_ENTITY_ROLE, sd_store_find_role (in->store, role->code),
                changes, error);
      if (id == 0)
        return FALSE;
      remember (in->role_ids, role->code, id);
    }
  return TRUE;
}

static gboolean
install_options (Install                *in,
                 const SdPlaybookField  *field,
                 gint64                  field_id,
                 GError                **error)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) stored = NULL;

  for (guint i = 0; i < field->options->len; i++)
    {
      const SdPlaybookOption *option = field->options->pdata[i];
      g_autoptr(SdChanges) changes = sd_changes_new ();

      sd_changes_set_int (changes, "field_id", field_id);
      sd_changes_set_text (changes, "code", option->code);
      sd_changes_set_text (changes, "label", text (option->label));
      sd_changes_set_int (changes, "sort", (i + 1) * 10);
      if (put (in->store, SD_ENTITY_CUSTOM_FIELD_OPTION,
               sd_store_find_field_option (in->store, field_id, option->code),
               changes, error) == 0)
        return FALSE;
      g_hash_table_add (listed, option->code);
    }

  /* Deal values keep an option's code, not its row, so a dropped option can go. */
  stored = sd_store_list_field_options (in->store, field_id, error);
  if (stored == NULL)
    return FALSE;
  for (guint i = 0; i < stored->len; i++)
    {
      const SdFieldOption *option = stored->pdata[i];

      if (!g_hash_table_contains (listed, option->code)
          && !sd_store_delete (in->store, SD_ENTITY_CUSTOM_FIELD_OPTION, option->id, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
install_fields (Install  *in,
                GError  **error)
{
  for (guint i = 0; i < in->pb->fields->len; i++)
    {
      const SdPlaybookField *field = in->pb->fields->pdata[i];
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gboolean on_contact = g_str_equal (field->entity, "contact");
      gint64 id;

      /* A contact has no pipeline: its fields are shared by every pipeline (see
       * docs/PLAYBOOKS.md). */
      if (on_contact)
        sd_changes_set_null (changes, "pipeline_id");
      else
        sd_changes_set_int (changes, "pipeline_id", in->pipeline_id);
      sd_changes_set_text (changes, "entity", field->entity);
      sd_changes_set_text (changes, "code", field->code);
      sd_changes_set_text (changes, "name", text (field->name));
      sd_changes_set_text (changes, "kind", field->kind);
      sd_changes_set_int (changes, "required", field->required ? 1 : 0);
      sd_changes_set_int (changes, "sort", field->sort);
      id = put (in->store, SD_ENTITY_CUSTOM_FIELD,
                sd_store_find_custom_field (in->store, on_contact ? 0 : in->pipeline_id,
                                            field->code),
                changes, error);
      if (id == 0 || !install_options (in, field, id, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
install_access (Install  *in,
                GError  **error)
{
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) stored = NULL;

  for (guint i = 0; i < in->pb->access->len; i++)
    {
      const SdPlaybookAccess *row = in->pb->access->pdata[i];
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 role_id = recall (in->role_ids, row->role);
      gint64 stage_id = recall (in->stage_ids, row->stage);
      gint64 id;

      sd_changes_set_int (changes, "role_id", role_id);
      sd_changes_set_int (changes, "stage_id", stage_id);
      sd_changes_set_int (changes, "actions", row->actions);
      id = put (in->store, SD_ENTITY_ACCESS,
                sd_store_find_access (in->store, role_id, stage_id), changes, error);
      if (id == 0)
        return FALSE;
      g_hash_table_add (kept, g_memdup2 (&id, sizeof id));
    }

  /* The playbook is the whole table for its pipeline: a right it no longer grants must
   * not linger in the store. */
  stored = sd_store_list_access (in->store, in->pipeline_id, error);
  if (stored == NULL)
    return FALSE;
  for (guint i = 0; i < stored->len; i++)
    {
      const SdAccessRow *row = &g_array_index (stored, SdAccessRow, i);

      if (!g_hash_table_contains (kept, &row->id)
          && !sd_store_delete (in->store, SD_ENTITY_ACCESS, row->id, error))
        return FALSE;
    }
  return TRUE;
}

gint64
sd_playbook_install (const SdPlaybook  *pb,
                     SdStore           *store,
                     GError           **error)
{
  g_autoptr(GHashTable) stage_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) role_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Install in = { pb, store, 0, stage_ids, role_ids };
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (pb != NULL, 0);
  g_return_val_if_fail (SD_IS_STORE (store), 0);

  if (!sd_store_begin (store, &local_error))
    goto failed;
  if (!install_pipeline (&in, &local_error)
      || !install_stages (&in, &local_error)
      || !install_roles (&in, &local_error)
      || !install_fields (&in, &local_error)
      || !install_access (&in, &local_error))
    {
      sd_store_rollback (store);
      goto failed;
    }
  /* A failed commit has rolled back already. */
  if (!sd_store_commit (store, &local_error))
    goto failed;
  return in.pipeline_id;

failed:
  g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                              _("Cannot install the playbook “%s”: "), pb->code);
  return 0;
}
