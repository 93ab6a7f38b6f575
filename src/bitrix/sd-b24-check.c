/* sd-b24-check.c: the connection check shared by `sdelka-cli connect` and Preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-check.h"

/* The portal sends IDs as strings ("1"); a number is taken too. */
static gint64
user_id (JsonObject *user)
{
  JsonNode *id = json_object_get_member (user, "ID");

  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id))
    return 0;
  if (json_node_get_value_type (id) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (id), NULL, 10);
  return json_node_get_int (id);
}

gboolean
sd_b24_client_check (SdB24Client   *client,
                     char         **out_user,
                     gint64        *out_user_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) categories = json_object_new ();
  JsonNode *me;
  static const char *const checks[] = { "user", "crm", "department" };

  g_return_val_if_fail (SD_IS_B24_CLIENT (client), FALSE);

  json_object_set_int_member (categories, "entityTypeId", 2);
  sd_b24_batch_add (batch, "user", "user.current", NULL);
  sd_b24_batch_add (batch, "crm", "crm.category.list", categories);
  sd_b24_batch_add (batch, "department", "department.get", NULL);
  if ((answer = sd_b24_client_batch (client, batch, SD_B24_CALL_READ, cancellable, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    if (sd_b24_batch_get_result (answer, checks[i], NULL, error) == NULL)
      return FALSE;
  me = sd_b24_batch_get_result (answer, "user", NULL, NULL);
  if (out_user_id != NULL)
    *out_user_id = JSON_NODE_HOLDS_OBJECT (me) ? user_id (json_node_get_object (me)) : 0;
  if (out_user != NULL && JSON_NODE_HOLDS_OBJECT (me))
    {
      JsonObject *user = json_node_get_object (me);

      *out_user = g_strstrip (g_strdup_printf ("%s %s",
                                               json_object_get_string_member_with_default (user, "NAME", ""),
                                               json_object_get_string_member_with_default (user, "LAST_NAME", "")));
    }
  return TRUE;
}
