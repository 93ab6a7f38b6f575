/* sd-sync-run.c: small pieces every step of a sync shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include <glib/gi18n-lib.h>
#include <string.h>

void
sd_sync_changes_add (SdChanges     *changes,
                     const char    *field,
                     const SdValue *value)
{
  if (value->kind == SD_VALUE_NUMBER)
    sd_changes_set_int (changes, field, value->number);
  else if (value->kind == SD_VALUE_STRING)
    sd_changes_set_text (changes, field, value->text);
  else
    sd_changes_set_null (changes, field);
}

JsonArray *
sd_sync_string_array (const char * const *strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

/* --- Staff and pipelines -------------------------------------------------------------- */

JsonArray *
sd_sync_result_array (JsonObject  *answer,
                      const char  *key,
                      const char  *wrapper,
                      GError     **error)
{
  JsonNode *result = sd_b24_batch_get_result (answer, key, NULL, error);

  if (result != NULL && wrapper != NULL && JSON_NODE_HOLDS_OBJECT (result))
    result = json_object_get_member (json_node_get_object (result), wrapper);
  if (result == NULL || !JSON_NODE_HOLDS_ARRAY (result))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                     _("The portal sent a list that is not a list"));
      return NULL;
    }
  return json_node_get_array (result);
}

/* Inserts or updates the row with server id @b24_id; returns its local id or 0. */
gint64
sd_sync_upsert (SdSyncRun  *run,
                SdEntity    entity,
                gint64      b24_id,
                SdChanges  *changes,
                GError    **error)
{
  gint64 local = sd_store_find_b24 (run->store, entity, b24_id);

  if (local != 0)
    return sd_store_update (run->store, entity, local, changes, error) ? local : 0;
  sd_changes_set_int (changes, "b24_id", b24_id);
  return sd_store_insert (run->store, entity, changes, error);
}
