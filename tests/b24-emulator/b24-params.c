/* b24-params.c: request parameters as one JSON tree, whatever the encoding.
 *
 * Query strings, form bodies and multipart bodies use PHP brackets ("fields[PHONE][0][VALUE]",
 * "select[]"); they are folded into objects so that a handler sees the same tree as for a
 * JSON body. PHP lists from brackets stay objects with "0", "1"… keys, which is how PHP sees
 * them too; b24_node_list() reads both forms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-params.h"

#include <stdlib.h>
#include <string.h>

static JsonObject *
ensure_object (JsonObject *parent,
               const char *key)
{
  JsonNode *node = json_object_get_member (parent, key);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (parent, key, json_object_new ());
      node = json_object_get_member (parent, key);
    }
  return json_node_get_object (node);
}

static char *
next_list_key (JsonObject *object)
{
  gint64 next = 0;
  GList *members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      char *end = NULL;
      gint64 n = g_ascii_strtoll (l->data, &end, 10);

      if (end != l->data && *end == '\0' && n >= next)
        next = n + 1;
    }
  g_list_free (members);
  return g_strdup_printf ("%" G_GINT64_FORMAT, next);
}

void
b24_params_add_path (JsonObject *params,
                     const char *key,
                     const char *value)
{
  const char *bracket = strchr (key, '[');
  g_autofree char *head = NULL;
  JsonObject *target = params;
  const char *p;
  g_autofree char *last = NULL;

  if (bracket == NULL || bracket == key)
    {
      json_object_set_string_member (params, key, value);
      return;
    }

  head = g_strndup (key, bracket - key);
  last = g_steal_pointer (&head);
  p = bracket;
  while (*p == '[')
    {
      const char *close = strchr (p, ']');
      g_autofree char *part = NULL;

      if (close == NULL)
        break;
      part = g_strndup (p + 1, close - p - 1);
      target = ensure_object (target, last);
      g_free (last);
      last = part[0] == '\0' ? next_list_key (target) : g_steal_pointer (&part);
      p = close + 1;
    }
  json_object_set_string_member (target, last, value);
}

void
b24_params_add_query (JsonObject *params,
                      const char *query)
{
  g_auto(GStrv) pairs = NULL;

  if (query == NULL || *query == '\0')
    return;
  pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (pairs[i][0] == '\0')
        continue;
      if (eq != NULL)
        *eq = '\0';
      /* '+' is a space in form encoding; a literal plus arrives as %2B. */
      g_strdelimit (pairs[i], "+", ' ');
      if (eq != NULL)
        g_strdelimit (eq + 1, "+", ' ');
      key = g_uri_unescape_string (pairs[i], NULL);
      value = g_uri_unescape_string (eq != NULL ? eq + 1 : "", NULL);
      if (key == NULL || value == NULL)
        continue;
      b24_params_add_path (params, key, value);
    }
}

gboolean
b24_params_add_json (JsonObject *params,
                     const char *data,
                     gsize       len,
                     GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  GList *members;

  if (len == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, data, len, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (params, l->data,
                            json_node_copy (json_object_get_member (object, l->data)));
  g_list_free (members);
  return TRUE;
}

void
b24_params_add_multipart (JsonObject         *params,
                          SoupMessageHeaders *headers,
                          GBytes             *body)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new_from_message (headers, body);

  if (multipart == NULL)
    return;
  for (int i = 0; i < soup_multipart_get_length (multipart); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part_body;
      g_autoptr(GHashTable) disp_params = NULL;
      const char *name, *filename;
      gsize size;
      const char *data;

      if (!soup_multipart_get_part (multipart, i, &part_headers, &part_body))
        continue;
      if (!soup_message_headers_get_content_disposition (part_headers, NULL, &disp_params))
        continue;
      name = g_hash_table_lookup (disp_params, "name");
      filename = g_hash_table_lookup (disp_params, "filename");
      if (name == NULL)
        continue;
      data = g_bytes_get_data (part_body, &size);
      if (filename != NULL)
        {
          /* A file part becomes ["name", "<base64>"], the fileContent shape. */
          g_autofree char *b64 = g_base64_encode ((const guchar *) data, size);
          g_autofree char *key0 = g_strdup_printf ("%s[0]", name);
          g_autofree char *key1 = g_strdup_printf ("%s[1]", name);

          b24_params_add_path (params, key0, filename);
          b24_params_add_path (params, key1, b64);
        }
      else
        {
          g_autofree char *value = g_strndup (data, size);

          b24_params_add_path (params, name, value);
        }
    }
}

JsonNode *
b24_params_get (JsonObject *params,
                const char *key,
                gboolean    ci)
{
  JsonNode *node;
  GList *members;

  if (params == NULL)
    return NULL;
  node = json_object_get_member (params, key);
  if (node != NULL || !ci)
    return node;
  members = json_object_get_members (params);
  for (GList *l = members; l != NULL && node == NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, key) == 0)
      node = json_object_get_member (params, l->data);
  g_list_free (members);
  return node;
}

JsonObject *
b24_params_get_object (JsonObject *params,
                       const char *key,
                       gboolean    ci)
{
  JsonNode *node = b24_params_get (params, key, ci);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

gboolean
b24_node_is_scalar (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node);
}

char *
b24_node_dup_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
      }
    case G_TYPE_BOOLEAN:
      /* PHP casts true to "1" and false to "". */
      return g_strdup (json_node_get_boolean (node) ? "1" : "");
    default:
      return NULL;
    }
}

gboolean
b24_node_get_int (JsonNode *node,
                  gint64   *out)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      *out = (gint64) json_node_get_double (node);
      return TRUE;
    }
  text = b24_node_dup_string (node);
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  *out = g_ascii_strtoll (text, &end, 10);
  return end != text && *end == '\0';
}

gboolean
b24_node_get_double (JsonNode *node,
                     double   *out)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE
      || json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_double (node);
      return TRUE;
    }
  text = b24_node_dup_string (node);
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  *out = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

gboolean
b24_node_get_bool (JsonNode *node,
                   gboolean *out)
{
  g_autofree char *text = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }
  text = b24_node_dup_string (node);
  if (text == NULL)
    return FALSE;
  *out = g_ascii_strcasecmp (text, "Y") == 0 || g_ascii_strcasecmp (text, "true") == 0
         || strcmp (text, "1") == 0;
  return TRUE;
}

GPtrArray *
b24_node_list (JsonNode *node)
{
  GPtrArray *list = g_ptr_array_new ();

  if (node == NULL)
    return list;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (list, json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        g_ptr_array_add (list, json_object_get_member (object, l->data));
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_VALUE (node))
    g_ptr_array_add (list, node);
  return list;
}
