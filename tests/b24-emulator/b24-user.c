/* b24-user.c: user.get, user.current, department.get.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-envelope.h"
#include "b24-filter.h"
#include "b24-params.h"

#include <string.h>

#define RO B24_FIELD_READONLY

static const B24Field user_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO },
  { "XML_ID", B24_FIELD_STRING, "string", 0 },
  { "ACTIVE", B24_FIELD_BOOL_NATIVE, "boolean", 0 },
  { "NAME", B24_FIELD_STRING, "string", 0 },
  { "LAST_NAME", B24_FIELD_STRING, "string", 0 },
  { "SECOND_NAME", B24_FIELD_STRING, "string", 0 },
  { "EMAIL", B24_FIELD_STRING, "string", 0 },
  { "LAST_LOGIN", B24_FIELD_DATETIME, "datetime", 0 },
  { "DATE_REGISTER", B24_FIELD_DATETIME, "datetime", 0 },
  { "IS_ONLINE", B24_FIELD_CHAR, "char", 0 },
  /* These three are not ISO on a real portal either ("24.08.2023 13:19:39"). */
  { "TIMESTAMP_X", B24_FIELD_STRING, "string", 0 },
  { "LAST_ACTIVITY_DATE", B24_FIELD_STRING, "string", 0 },
  { "PERSONAL_BIRTHDAY", B24_FIELD_STRING, "string", 0 },
  { "UF_EMPLOYMENT_DATE", B24_FIELD_STRING, "string", 0 },
  { "PERSONAL_GENDER", B24_FIELD_STRING, "string", 0 },
  { "PERSONAL_MOBILE", B24_FIELD_STRING, "string", 0 },
  { "WORK_POSITION", B24_FIELD_STRING, "string", 0 },
  { "UF_DEPARTMENT", B24_FIELD_JSON, "integer", B24_FIELD_MULTIPLE },
  { "USER_TYPE", B24_FIELD_STRING, "string", 0 },
  { "IS_ADMIN", B24_FIELD_CHAR, "char", B24_FIELD_HIDDEN },
  { NULL },
};

const B24Entity b24_entity_user = {
  .table = "user",
  .fields = user_fields,
};

static const B24Field department_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO },
  { "NAME", B24_FIELD_STRING, "string", 0 },
  { "SORT", B24_FIELD_INT_NATIVE, "integer", 0 },
  { "PARENT", B24_FIELD_INT, "integer", B24_FIELD_OMIT_NULL },
  { "UF_HEAD", B24_FIELD_INT, "integer", B24_FIELD_OMIT_NULL },
  { NULL },
};

const B24Entity b24_entity_department = {
  .table = "department",
  .fields = department_fields,
};

/* Builds {"FIELD":"ASC|DESC"} from the sort/order pair these methods take. */
static JsonNode *
sort_order (JsonObject *params)
{
  g_autofree char *sort = b24_node_dup_string (b24_params_get (params, "sort", TRUE));
  g_autofree char *order = b24_node_dup_string (b24_params_get (params, "order", TRUE));
  JsonObject *object = json_object_new ();

  if (sort != NULL)
    {
      g_autofree char *field = g_ascii_strup (sort, -1);

      json_object_set_string_member (object, field, order != NULL ? order : "ASC");
    }
  return b24_node_take_object (object);
}

/* The top-level parameters that are not control keys, used as a filter. */
static JsonNode *
loose_filter (JsonObject *params)
{
  static const char *const reserved[] = {
    "sort", "order", "start", "admin_mode", "auth", "auth_connector", "select", NULL,
  };
  JsonObject *filter = json_object_new ();
  GList *members = json_object_get_members (params);

  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *lower = g_ascii_strdown (l->data, -1);

      if (!g_strv_contains (reserved, lower))
        json_object_set_member (filter, l->data,
                                json_node_copy (json_object_get_member (params, l->data)));
    }
  g_list_free (members);
  return b24_node_take_object (filter);
}

static void
run_list (B24Call         *call,
          B24Reply        *reply,
          const B24Entity *entity,
          JsonNode        *filter)
{
  g_autoptr(JsonNode) order = sort_order (call->params);
  B24Page page;

  b24_list_query (call, entity, filter, order, NULL, b24_params_get (call->params, "start", TRUE),
                  NULL, &page);
  b24_page_to_reply (&page, reply);
}

static void
user_get (B24Call  *call,
          B24Reply *reply)
{
  JsonNode *filter = b24_params_get (call->params, "filter", TRUE);
  g_autoptr(JsonNode) loose = NULL;

  if (filter == NULL)
    filter = loose = loose_filter (call->params);
  run_list (call, reply, &b24_entity_user, filter);
}

static void
user_current (B24Call  *call,
              B24Reply *reply)
{
  B24Select select = { .all_std = TRUE };
  JsonObject *user = b24_entity_get (call, &b24_entity_user, call->user_id, &select);

  b24_select_clear (&select);
  if (user == NULL)
    {
      b24_reply_error (reply, 401, "authorization_error", "Unable to authorize user");
      return;
    }
  b24_reply_set_result (reply, b24_node_take_object (user));
}

static void
department_get (B24Call  *call,
                B24Reply *reply)
{
  g_autoptr(JsonNode) filter = loose_filter (call->params);

  run_list (call, reply, &b24_entity_department, filter);
}

static const B24Method user_methods[] = {
  { "user.get", "user", user_get },
  { "user.current", "user", user_current },
  { "department.get", "department", department_get },
};

void
b24_user_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, user_methods, G_N_ELEMENTS (user_methods));
}
