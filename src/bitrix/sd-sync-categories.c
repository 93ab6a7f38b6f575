/* sd-sync-categories.c: pipelines made here get a deal category on the portal.
 *
 * A pipeline installed from a playbook without a mapping section, or made here, has no
 * portal category. Its deals used to go to the portal's default pipeline; now, before the
 * first of them is pushed, the sync creates the category (crm.category.add) and a status
 * for each stage (crm.status.add, reference §7.2), and links them, so the deals keep their
 * pipeline and stages there. Won and lost stages are sent with SEMANTICS S/F, which the
 * reference does not document (see the emulator README); a portal that ignores it shows
 * them as in progress. A stopped sync between the creation and the link can leave an
 * empty category there (created again next time).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* A STATUS_ID from a stage's code: upper case letters, digits and _, as the portal's own. */
static char *
status_code (const char *code,
             gint64      stage_id)
{
  GString *out = g_string_new (NULL);

  for (const char *c = code; c != NULL && *c != '\0'; c++)
    g_string_append_c (out, g_ascii_isalnum (*c) ? g_ascii_toupper (*c) : '_');
  if (out->len == 0)
    g_string_append_printf (out, "S%" G_GINT64_FORMAT, stage_id);
  return g_string_free (out, FALSE);
}

static gboolean
create_category (SdSyncRun  *run,
                 gint64      pipeline,
                 GError    **error)
{
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  JsonObject *fields = json_object_new ();
  JsonNode *result;
  SdValue name, sort;
  gint64 category = 0;
  g_autofree char *entity_id = NULL;

  if (!sd_store_read_value (run->store, SD_ENTITY_PIPELINE, pipeline, "name", &name, error))
    return FALSE;
  if (!sd_store_read_value (run->store, SD_ENTITY_PIPELINE, pipeline, "sort", &sort, error))
    {
      sd_value_clear (&name);
      return FALSE;
    }
  json_object_set_int_member (params, "entityTypeId", 2);
  json_object_set_string_member (fields, "name", name.text != NULL ? name.text : "Sdelka");
  json_object_set_int_member (fields, "sort", sort.kind == SD_VALUE_NUMBER ? sort.number : 500);
  json_object_set_object_member (params, "fields", fields);
  sd_value_clear (&name);
  sd_value_clear (&sort);
  if ((answer = sd_b24_client_call (run->client, "crm.category.add", params, SD_B24_CALL_WRITE,
                                    run->cancellable, error)) == NULL)
    return FALSE;
  result = json_object_get_member (answer, "result");
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result)
      && json_object_has_member (json_node_get_object (result), "category"))
    {
      JsonObject *made = json_object_get_object_member (json_node_get_object (result), "category");
      category = made != NULL ? sd_sync_get_id (made, "id") : 0;
    }
  if (category <= 0)
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                   _("The portal did not say which pipeline it made"));
      return FALSE;
    }
  g_debug ("pipeline %" G_GINT64_FORMAT " is category %" G_GINT64_FORMAT " there", pipeline, category);

  /* Its stages, in one request. */
  if ((stages = sd_store_list_stages (run->store, pipeline, error)) == NULL)
    return FALSE;
  entity_id = g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
  g_clear_pointer (&batch, sd_b24_batch_free);
  batch = sd_b24_batch_new ();
  for (guint i = 0; i < stages->len && i < SD_B24_BATCH_MAX; i++)
    {
      SdStage *stage = stages->pdata[i];
      g_autoptr(JsonObject) add = json_object_new ();
      JsonObject *status = json_object_new ();
      g_autofree char *key = g_strdup_printf ("s%u", i);
      g_autofree char *code = status_code (stage->code, stage->id);

      json_object_set_string_member (status, "ENTITY_ID", entity_id);
      json_object_set_string_member (status, "STATUS_ID", code);
      json_object_set_string_member (status, "NAME", stage->name != NULL ? stage->name : code);
      json_object_set_int_member (status, "SORT", (i + 1) * 10);
      if (stage->color != NULL)
        json_object_set_string_member (status, "COLOR", stage->color);
      if (g_strcmp0 (stage->semantics, "won") == 0)
        json_object_set_string_member (status, "SEMANTICS", "S");
      else if (g_strcmp0 (stage->semantics, "lost") == 0)
        json_object_set_string_member (status, "SEMANTICS", "F");
      json_object_set_object_member (add, "fields", status);
      sd_b24_batch_add (batch, key, "crm.status.add", add);
      g_ptr_array_add (codes, g_strdup_printf ("C%" G_GINT64_FORMAT ":%s", category, code));
    }
  g_clear_pointer (&answer, json_object_unref);
  if (stages->len > 0
      && (answer = sd_b24_client_batch (run->client, batch, SD_B24_CALL_WRITE, run->cancellable, error)) == NULL)
    return FALSE;

  if (!sd_store_begin (run->store, error))
    return FALSE;
  if (!sd_store_set_b24_state (run->store, SD_ENTITY_PIPELINE, pipeline, category, NULL, error))
    goto failed;
  for (guint i = 0; i < codes->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("s%u", i);
      g_autoptr(GError) command_error = NULL;
      g_autoptr(SdChanges) changes = sd_changes_new ();

      /* A stage the portal refused stays unlinked: deals in it are held back. */
      if (sd_b24_batch_get_result (answer, key, NULL, &command_error) == NULL)
        {
          g_debug ("stage not made there: %s", command_error->message);
          continue;
        }
      sd_changes_set_text (changes, "b24_status_id", codes->pdata[i]);
      if (!sd_store_update (run->store, SD_ENTITY_STAGE, ((SdStage *) stages->pdata[i])->id, changes, error))
        goto failed;
    }
  return sd_sync_run_commit (run, error);

failed:
  sd_store_rollback (run->store);
  return FALSE;
}

gboolean
sd_sync_create_categories (SdSyncRun  *run,
                           GError    **error)
{
  g_autoptr(GArray) pipelines = sd_store_list_unlinked_pipelines (run->store, error);

  if (pipelines == NULL)
    return FALSE;
  for (guint i = 0; i < pipelines->len; i++)
    if (!create_category (run, g_array_index (pipelines, gint64, i), error))
      return FALSE;
  return TRUE;
}
