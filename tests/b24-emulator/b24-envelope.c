/* b24-envelope.c: replies and the JSON envelope around them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-envelope.h"
#include "b24-time.h"

void
b24_reply_init (B24Reply *reply)
{
  *reply = (B24Reply) { .total = -1, .next = -1 };
}

void
b24_reply_clear (B24Reply *reply)
{
  g_clear_pointer (&reply->result, json_node_unref);
  g_clear_pointer (&reply->error, g_free);
  g_clear_pointer (&reply->error_description, g_free);
  b24_reply_init (reply);
}

gboolean
b24_reply_failed (const B24Reply *reply)
{
  return reply->error != NULL;
}

void
b24_reply_set_result (B24Reply *reply,
                      JsonNode *result)
{
  g_clear_pointer (&reply->result, json_node_unref);
  reply->result = result;
}

void
b24_reply_set_int (B24Reply *reply,
                   gint64    value)
{
  b24_reply_set_result (reply, json_node_init_int (json_node_alloc (), value));
}

void
b24_reply_set_true (B24Reply *reply)
{
  b24_reply_set_result (reply, json_node_init_boolean (json_node_alloc (), TRUE));
}

void
b24_reply_error (B24Reply   *reply,
                 guint       status,
                 const char *code,
                 const char *description)
{
  g_clear_pointer (&reply->result, json_node_unref);
  g_free (reply->error);
  g_free (reply->error_description);
  reply->status = status;
  reply->error = g_strdup (code);
  reply->error_description = g_strdup (description);
}

void
b24_reply_crm_error (B24Reply   *reply,
                     const char *description)
{
  b24_reply_error (reply, 400, "", description);
}

JsonObject *
b24_envelope_time (B24Emu *emu,
                   double  start,
                   double  finish,
                   double  operating,
                   gint64  operating_reset_at)
{
  JsonObject *time = json_object_new ();
  g_autofree char *date_start = b24_time_format (emu, (gint64) start);
  g_autofree char *date_finish = b24_time_format (emu, (gint64) finish);

  json_object_set_double_member (time, "start", start);
  json_object_set_double_member (time, "finish", finish);
  json_object_set_double_member (time, "duration", finish - start);
  json_object_set_double_member (time, "processing", finish - start);
  json_object_set_string_member (time, "date_start", date_start);
  json_object_set_string_member (time, "date_finish", date_finish);
  json_object_set_int_member (time, "operating_reset_at", operating_reset_at);
  json_object_set_double_member (time, "operating", operating);
  return time;
}

JsonNode *
b24_envelope_build (const B24Reply *reply,
                    JsonObject     *time)
{
  JsonObject *body = json_object_new ();

  if (reply->error != NULL)
    {
      json_object_set_string_member (body, "error", reply->error);
      json_object_set_string_member (body, "error_description",
                                     reply->error_description != NULL ? reply->error_description : "");
      if (time != NULL)
        json_object_unref (time);
    }
  else
    {
      json_object_set_member (body, "result",
                              reply->result != NULL ? json_node_copy (reply->result)
                                                    : b24_json_empty_list ());
      if (reply->next >= 0)
        json_object_set_int_member (body, "next", reply->next);
      if (reply->total >= 0)
        json_object_set_int_member (body, "total", reply->total);
      if (time != NULL)
        json_object_set_object_member (body, "time", time);
    }
  return b24_node_take_object (body);
}

char *
b24_json_to_string (JsonNode *node,
                    gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

JsonNode *
b24_node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

JsonNode *
b24_node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

JsonNode *
b24_node_string (const char *text)
{
  if (text == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_init_string (json_node_alloc (), text);
}

JsonNode *
b24_json_empty_list (void)
{
  return b24_node_take_array (json_array_new ());
}
