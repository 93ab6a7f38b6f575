/* b24-batch.c: the batch method: up to 50 commands, $result references, halt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-emulator.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

#define BATCH_MAX 50

typedef struct {
  JsonObject *result;
  JsonObject *error;
  JsonObject *total;
  JsonObject *next;
  JsonObject *time;
} B24BatchParts;

/* Follows [key][path…] through the results so far; a missing element is the empty string. */
static char *
resolve_reference (JsonObject *results,
                   const char *key,
                   const char *path)
{
  JsonNode *node = json_object_get_member (results, key);
  const char *p = path;

  while (node != NULL && *p == '[')
    {
      const char *close = strchr (p, ']');
      g_autofree char *part = NULL;

      if (close == NULL)
        return g_strdup ("");
      part = g_strndup (p + 1, close - p - 1);
      p = close + 1;
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), part);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint64 index = g_ascii_strtoull (part, NULL, 10);

          node = index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
        }
      else
        node = NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("");
  return b24_node_dup_string (node);
}

static gboolean
replace_cb (const GMatchInfo *match,
            GString          *out,
            gpointer          user_data)
{
  g_autofree char *key = g_match_info_fetch (match, 1);
  g_autofree char *path = g_match_info_fetch (match, 2);
  g_autofree char *value = resolve_reference (user_data, key, path);

  g_string_append (out, value);
  return FALSE;
}

static void
substitute (GRegex     *regex,
            JsonNode   *node,
            JsonObject *results)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        substitute (regex, json_object_get_member (object, l->data), results);
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           && strstr (json_node_get_string (node), "$result[") != NULL)
    {
      g_autofree char *text = g_regex_replace_eval (regex, json_node_get_string (node), -1, 0, 0,
                                                    replace_cb, results, NULL);

      if (text != NULL)
        json_node_set_string (node, text);
    }
}

static JsonObject *
error_object (const char *code,
              const char *description)
{
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "error", code);
  json_object_set_string_member (error, "error_description", description != NULL ? description : "");
  return error;
}

/* PHP encodes an empty map as [] and a map keyed 0..n-1 as a list. */
static JsonNode *
php_array (JsonObject *object)
{
  GList *members = json_object_get_members (object);
  gboolean is_list = TRUE;
  guint i = 0;
  JsonNode *node;

  for (GList *l = members; l != NULL; l = l->next, i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", i);

      if (strcmp (l->data, expected) != 0)
        is_list = FALSE;
    }
  if (is_list)
    {
      JsonArray *array = json_array_new ();

      for (GList *l = members; l != NULL; l = l->next)
        json_array_add_element (array, json_node_copy (json_object_get_member (object, l->data)));
      node = b24_node_take_array (array);
    }
  else
    node = b24_node_take_object (json_object_ref (object));
  g_list_free (members);
  return node;
}

static void
run_command (B24Call       *outer,
             GRegex        *regex,
             const char    *key,
             const char    *command,
             B24BatchParts *parts,
             gboolean      *failed)
{
  const char *query = strchr (command, '?');
  g_autofree char *method_name = query != NULL ? g_strndup (command, query - command) : g_strdup (command);
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonNode) params_node = NULL;
  const B24Method *method = b24_emu_find_method (outer->emu, method_name);
  B24Call call = *outer;
  B24Reply reply;
  double start = b24_time_now ();

  b24_reply_init (&reply);
  b24_params_add_query (params, query != NULL ? query + 1 : NULL);
  params_node = b24_node_take_object (json_object_ref (params));
  substitute (regex, params_node, parts->result);
  call.params = params;
  call.method = method;
  if (json_object_has_member (params, "auth_connector"))
    call.auth_connector = json_object_get_string_member (params, "auth_connector");

  if (method == NULL)
    b24_reply_error (&reply, 404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
  else if (strcmp (method->name, "batch") == 0 || (method->flags & B24_METHOD_NO_BATCH) != 0)
    b24_reply_error (&reply, 405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage");
  else
    b24_emu_invoke (&call, &reply);

  if (b24_reply_failed (&reply))
    {
      json_object_set_object_member (parts->error, key, error_object (reply.error, reply.error_description));
      *failed = TRUE;
    }
  else
    {
      json_object_set_member (parts->result, key,
                              reply.result != NULL ? json_node_ref (reply.result) : b24_json_empty_list ());
      if (reply.total >= 0)
        json_object_set_int_member (parts->total, key, reply.total);
      if (reply.next >= 0)
        json_object_set_int_member (parts->next, key, reply.next);
      json_object_set_object_member (parts->time, key,
                                     b24_envelope_time (outer->emu, start, b24_time_now (), reply.operating,
                                                        reply.operating_reset_at > 0 ? reply.operating_reset_at
                                                                                     : (gint64) start + 600));
    }
  b24_reply_clear (&reply);
}

static void
batch (B24Call  *call,
       B24Reply *reply)
{
  JsonNode *cmd = b24_params_get (call->params, "cmd", FALSE);
  gboolean halt = FALSE;
  B24BatchParts parts = {
    json_object_new (), json_object_new (), json_object_new (), json_object_new (), json_object_new (),
  };
  g_autoptr(GRegex) regex = g_regex_new ("\\$result\\[([^\\]]*)\\]((?:\\[[^\\]]*\\])*)", 0, 0, NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) commands = b24_node_list (cmd);
  JsonObject *result;

  b24_node_get_bool (b24_params_get (call->params, "halt", FALSE), &halt);
  if (cmd != NULL && JSON_NODE_HOLDS_OBJECT (cmd))
    {
      GList *members = json_object_get_members (json_node_get_object (cmd));

      for (GList *l = members; l != NULL; l = l->next)
        g_ptr_array_add (keys, g_strdup (l->data));
      g_list_free (members);
    }
  else
    for (guint i = 0; i < commands->len; i++)
      g_ptr_array_add (keys, g_strdup_printf ("%u", i));

  for (guint i = 0; i < commands->len; i++)
    {
      g_autofree char *command = b24_node_dup_string (commands->pdata[i]);
      gboolean failed = FALSE;

      if (i >= BATCH_MAX)
        {
          json_object_set_object_member (parts.error, keys->pdata[i],
                                         error_object ("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"));
          continue;
        }
      run_command (call, regex, keys->pdata[i], command != NULL ? command : "", &parts, &failed);
      if (failed && halt)
        break;
    }

  result = json_object_new ();
  json_object_set_member (result, "result", php_array (parts.result));
  json_object_set_member (result, "result_error", php_array (parts.error));
  json_object_set_member (result, "result_total", php_array (parts.total));
  json_object_set_member (result, "result_next", php_array (parts.next));
  json_object_set_member (result, "result_time", php_array (parts.time));
  json_object_unref (parts.result);
  json_object_unref (parts.error);
  json_object_unref (parts.total);
  json_object_unref (parts.next);
  json_object_unref (parts.time);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

static const B24Method batch_methods[] = {
  { "batch", "basic", batch, B24_METHOD_NO_BATCH },
};

void
b24_batch_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, batch_methods, G_N_ELEMENTS (batch_methods));
}
