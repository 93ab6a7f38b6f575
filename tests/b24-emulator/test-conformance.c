/* test-conformance.c: responses compared field by field with the published examples.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static B24Test *emu;

static void
assert_same_error (JsonNode *expected,
                   JsonNode *actual)
{
  g_assert_cmpuint (json_object_get_size (json_node_get_object (actual)), ==, 2);
  g_assert_cmpstr (b24_test_string (actual, "error"), ==, b24_test_string (expected, "error"));
  g_assert_cmpstr (b24_test_string (actual, "error_description"), ==, b24_test_string (expected, "error_description"));
}

/* Writes every writable field of an example row back through add, so that the emulator's
 * row has values (not nulls) where the example has them. */
static char *
fields_from_example (JsonObject *row)
{
  static const char *const skip[] = {
    "ID", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID", "LEAD_ID", "QUOTE_ID",
    "PHOTO", "FACE_ID", "ADDRESS_LOC_ADDR_ID", NULL,
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  GList *members = json_object_get_members (row);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (g_strv_contains (skip, l->data) || g_str_has_prefix (l->data, "PARENT_ID_"))
        continue;
      json_builder_set_member_name (builder, l->data);
      json_builder_add_value (builder, json_node_copy (json_object_get_member (row, l->data)));
    }
  g_list_free (members);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return json_to_string (node, FALSE);
}

static void
add_string_userfield (const char *entity,
                      const char *name)
{
  g_autofree char *method = g_strdup_printf ("crm.%s.userfield.add", entity);
  g_autofree char *body = g_strdup_printf ("{\"fields\":{\"FIELD_NAME\":\"%s\",\"USER_TYPE_ID\":\"string\"}}", name);
  guint status;
  g_autoptr(JsonNode) reply = b24_test_rest (emu, method, body, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (reply, "result"), >, 0);
}

/* The example minus the smart-process link the emulator does not model. */
static void
drop_parent_links (JsonObject *row)
{
  GList *members = json_object_get_members (row);

  for (GList *l = members; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, "PARENT_ID_"))
      json_object_remove_member (row, l->data);
  g_list_free (members);
}

static gint64
add_from_example (const char *entity,
                  JsonNode   *example)
{
  g_autofree char *body = fields_from_example (b24_test_object (example, "result"));
  g_autofree char *method = g_strdup_printf ("crm.%s.add", entity);
  g_autoptr(JsonNode) added = NULL;
  g_autoptr(JsonNode) expected = b24_test_example ("crm.deal.add.200.json");
  guint status;

  added = b24_test_rest (emu, method, body, &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (expected, added, method);
  return b24_test_int (added, "result");
}

static void
test_deal_get (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.deal.get.200.json");
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *body = NULL;
  gint64 id;
  guint status;

  add_string_userfield ("deal", "1721244482250");
  drop_parent_links (b24_test_object (example, "result"));
  id = add_from_example ("deal", example);
  body = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", id);
  reply = b24_test_rest (emu, "crm.deal.get", body, &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "crm.deal.get");
  g_assert_cmpstr (b24_test_string (reply, "result.TITLE"), ==, "New Deal #1");
  g_assert_cmpstr (b24_test_string (reply, "result.OPPORTUNITY"), ==, "1000000.00");
  g_assert_cmpstr (b24_test_string (reply, "result.UF_CRM_1721244482250"), ==, "Hello world!");
  g_assert_cmpstr (b24_test_string (reply, "result.STAGE_SEMANTIC_ID"), ==, "P");
  /* BEGINDATE is a date but comes out as a datetime at portal midnight. */
  g_assert_true (g_str_has_prefix (b24_test_string (reply, "result.BEGINDATE"), "2024-08-30T00:00:00+"));
}

/* The portal's own writes around a row: a title when none was given, and a deleted deal's
 * comments gone with it. */
static void
test_untitled_and_deleted (void)
{
  g_autoptr(JsonNode) deal = NULL, lead = NULL, got = NULL, comment = NULL, deleted = NULL, left = NULL;
  g_autofree char *get = NULL, *add_comment = NULL, *del = NULL, *list = NULL, *title = NULL;
  gint64 id;
  guint status;

  deal = b24_test_rest (emu, "crm.deal.add", "{\"fields\":{\"OPPORTUNITY\":5}}", &status);
  g_assert_cmpuint (status, ==, 200);
  id = b24_test_int (deal, "result");
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", id);
  got = b24_test_rest (emu, "crm.deal.get", get, &status);
  title = g_strdup_printf ("Deal #%" G_GINT64_FORMAT, id);
  g_assert_cmpstr (b24_test_string (got, "result.TITLE"), ==, title);

  lead = b24_test_rest (emu, "crm.lead.add", "{\"fields\":{\"NAME\":\"Ivan\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (get);
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (lead, "result"));
  g_clear_pointer (&got, json_node_unref);
  got = b24_test_rest (emu, "crm.lead.get", get, &status);
  g_free (title);
  title = g_strdup_printf ("Lead #%" G_GINT64_FORMAT, b24_test_int (lead, "result"));
  g_assert_cmpstr (b24_test_string (got, "result.TITLE"), ==, title);

  add_comment = g_strdup_printf ("{\"fields\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ","
                                 "\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"call back\"}}", id);
  comment = b24_test_rest (emu, "crm.timeline.comment.add", add_comment, &status);
  g_assert_cmpuint (status, ==, 200);
  del = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", id);
  deleted = b24_test_rest (emu, "crm.deal.delete", del, &status);
  g_assert_cmpuint (status, ==, 200);
  list = g_strdup_printf ("{\"filter\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ",\"ENTITY_TYPE\":\"deal\"}}", id);
  left = b24_test_rest (emu, "crm.timeline.comment.list", list, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (left, "result")), ==, 0);
}

/* The consent page's code: where the application asked, with its state; good for one
 * exchange only. */
static void
test_authorization_code (void)
{
  g_autofree char *authorize = g_strdup_printf ("%s/oauth/authorize/?client_id=local.emulator00000001.00000001"
                                                "&state=s%%2F1&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A9%%2Fback"
                                                "&user_id=3", emu->base);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", authorize);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) back = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(JsonNode) first = NULL, again = NULL;
  g_autofree char *exchange = NULL;
  guint status;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  body = soup_session_send_and_read (emu->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 302);
  back = g_uri_parse (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"),
                      G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_path (back), ==, "/back");
  g_assert_cmpint (g_uri_get_port (back), ==, 9);
  params = g_uri_parse_params (g_uri_get_query (back), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "s/1");
  g_assert_nonnull (g_hash_table_lookup (params, "member_id"));

  exchange = g_strdup_printf ("%s/oauth/token/?grant_type=authorization_code&client_id=local.emulator00000001.00000001"
                              "&client_secret=emulator-client-secret&code=%s", emu->base,
                              (char *) g_hash_table_lookup (params, "code"));
  first = b24_test_http (emu, "GET", exchange, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (first, "user_id"), ==, 3);
  g_assert_nonnull (b24_test_string (first, "refresh_token"));
  again = b24_test_http (emu, "GET", exchange, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (again, "error"), ==, "invalid_grant");
}

static void
test_deal_list (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.deal.list.200.json");
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  reply = b24_test_rest (emu, "crm.deal.list",
                         "{\"select\":[\"ID\",\"TITLE\",\"TYPE_ID\",\"CATEGORY_ID\",\"STAGE_ID\",\"OPPORTUNITY\","
                         "\"IS_MANUAL_OPPORTUNITY\",\"ASSIGNED_BY_ID\",\"DATE_CREATE\"],"
                         "\"filter\":{\"CATEGORY_ID\":1,\"STAGE_ID\":\"C1:NEW\",\">OPPORTUNITY\":1000},"
                         "\"order\":{\"ID\":\"ASC\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "crm.deal.list");
  for (guint i = 0; i < json_array_get_length (b24_test_array (reply, "result")); i++)
    {
      JsonObject *row = json_array_get_object_element (b24_test_array (reply, "result"), i);

      g_assert_cmpuint (json_object_get_size (row), ==, 9);
      g_assert_cmpstr (json_object_get_string_member (row, "STAGE_ID"), ==, "C1:NEW");
    }
  g_assert_false (json_object_has_member (json_node_get_object (reply), "next"));
}

static void
test_deal_delete_invalid (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.deal.delete.400-invalid-id.json");
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) missing = NULL;
  guint status;

  reply = b24_test_rest (emu, "crm.deal.delete", "{\"id\":0}", &status);
  g_assert_cmpuint (status, ==, 400);
  assert_same_error (example, reply);
  missing = b24_test_rest (emu, "crm.deal.get", "{\"id\":99999999}", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (missing, "error"), ==, "");
  g_assert_cmpstr (b24_test_string (missing, "error_description"), ==, "Not found");
}

static void
test_status_list (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.status.list.deal-stage.200.json");
  g_autoptr(JsonNode) reply = NULL;
  JsonArray *want, *got;
  guint status;

  reply = b24_test_rest (emu, "crm.status.list", "{\"order\":{\"SORT\":\"ASC\"},\"filter\":{\"ENTITY_ID\":\"DEAL_STAGE\"}}",
                         &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "crm.status.list");
  want = b24_test_array (example, "result");
  got = b24_test_array (reply, "result");
  g_assert_cmpuint (json_array_get_length (got), ==, json_array_get_length (want));
  g_assert_cmpint (b24_test_int (reply, "total"), ==, json_array_get_length (want));
  for (guint i = 0; i < json_array_get_length (want); i++)
    {
      JsonObject *w = json_array_get_object_element (want, i);
      JsonObject *g = json_array_get_object_element (got, i);

      g_assert_cmpstr (json_object_get_string_member (g, "STATUS_ID"), ==, json_object_get_string_member (w, "STATUS_ID"));
      g_assert_cmpstr (json_object_get_string_member (g, "SEMANTICS"), ==, json_object_get_string_member (w, "SEMANTICS"));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (g, "EXTRA"), "SEMANTICS"), ==,
                       json_object_get_string_member (json_object_get_object_member (w, "EXTRA"), "SEMANTICS"));
    }
}

static void
test_category_list (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.category.list.deal.200.json");
  g_autoptr(JsonNode) reply = NULL;
  JsonArray *categories;
  guint status;
  gboolean saw_default = FALSE;

  reply = b24_test_rest (emu, "crm.category.list", "{\"entityTypeId\":2}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "crm.category.list");
  categories = b24_test_array (reply, "result.categories");
  for (guint i = 0; i < json_array_get_length (categories); i++)
    {
      JsonObject *c = json_array_get_object_element (categories, i);

      if (json_object_get_int_member (c, "id") == 0)
        {
          saw_default = TRUE;
          g_assert_cmpstr (json_object_get_string_member (c, "isDefault"), ==, "Y");
          g_assert_false (json_object_has_member (c, "originId"));
        }
    }
  g_assert_true (saw_default);
}

static void
test_contact_get (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("crm.contact.get.200.json");
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *body = NULL;
  JsonObject *row = b24_test_object (example, "result");
  gint64 id;
  guint status;

  add_string_userfield ("contact", "1720697698689");
  drop_parent_links (row);
  /* Written without IDs: the emulator numbers multi-field entries itself. */
  id = add_from_example ("contact", example);
  body = g_strdup_printf ("{\"ID\":%" G_GINT64_FORMAT "}", id);
  reply = b24_test_rest (emu, "crm.contact.get", body, &status);
  g_assert_cmpuint (status, ==, 200);
  json_object_remove_member (row, "PHOTO");
  json_object_remove_member (row, "FACE_ID");
  b24_test_assert_shape (example, reply, "crm.contact.get");
  g_assert_cmpuint (json_array_get_length (b24_test_array (reply, "result.PHONE")), ==, 2);
  g_assert_cmpstr (b24_test_string (reply, "result.EMAIL.1.VALUE"), ==, "johnsmith@example.work");
  g_assert_cmpstr (b24_test_string (reply, "result.HAS_PHONE"), ==, "Y");
}

static void
test_department_get (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("department.get.with-uf-head.200.json");
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint status;

  reply = b24_test_rest (emu, "department.get", "{\"ID\":2}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "department.get");
  root = b24_test_rest (emu, "department.get", "{\"ID\":1}", &status);
  /* The root department has no PARENT. */
  g_assert_false (json_object_has_member (b24_test_object (root, "result.0"), "PARENT"));
}

static void
test_batch_documented (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("batch.200.json");
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  reply = b24_test_rest (emu, "batch",
                         "{\"halt\":0,\"cmd\":{\"get_user\":\"user.current\","
                         "\"get_department\":\"department.get?ID=$result[get_user][UF_DEPARTMENT][0]\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "batch");
  g_assert_cmpstr (b24_test_string (reply, "result.result.get_department.0.ID"), ==, "1");
}

/* References inside a later command's nested parameters (a filter's values), as a
 * comment's owner is read and its list asked for in one request; a reference to a command
 * that failed is the empty string (emulator rule, §4), matching nothing. */
static void
test_batch_nested_references (void)
{
  g_autoptr(JsonNode) deal = NULL, comment = NULL, reply = NULL;
  g_autofree char *add = NULL, *batch = NULL;
  guint status;

  deal = b24_test_rest (emu, "crm.deal.add", "{\"fields\":{\"TITLE\":\"Со ссылками\"}}", &status);
  add = g_strdup_printf ("{\"fields\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ",\"ENTITY_TYPE\":\"deal\","
                         "\"COMMENT\":\"Первый\"}}", b24_test_int (deal, "result"));
  comment = b24_test_rest (emu, "crm.timeline.comment.add", add, &status);
  g_assert_cmpuint (status, ==, 200);
  batch = g_strdup_printf ("{\"halt\":0,\"cmd\":{"
                           "\"g\":\"crm.timeline.comment.get?id=%" G_GINT64_FORMAT "\","
                           "\"l\":\"crm.timeline.comment.list?filter[ENTITY_ID]=$result[g][ENTITY_ID]"
                           "&filter[ENTITY_TYPE]=$result[g][ENTITY_TYPE]&select[0]=ID&select[1]=COMMENT\","
                           "\"g2\":\"crm.timeline.comment.get?id=99999999\","
                           "\"l2\":\"crm.timeline.comment.list?filter[ENTITY_ID]=$result[g2][ENTITY_ID]"
                           "&filter[ENTITY_TYPE]=$result[g2][ENTITY_TYPE]\"}}",
                           b24_test_int (comment, "result"));
  reply = b24_test_rest (emu, "batch", batch, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (reply, "result.result.l")), ==, 1);
  g_assert_cmpstr (b24_test_string (reply, "result.result.l.0.COMMENT"), ==, "Первый");
  g_assert_cmpstr (b24_test_string (reply, "result.result_error.g2.error"), ==, "NOT_FOUND");
  g_assert_cmpuint (json_array_get_length (b24_test_array (reply, "result.result.l2")), ==, 0);
}

static void
test_batch_scope_errors (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("batch.halt0.sub-errors.200.json");
  g_autofree char *url = g_strconcat (emu->base, "/rest/2/limited/batch", NULL);
  g_autoptr(JsonNode) reply = NULL;
  guint status;

  reply = b24_test_http (emu, "POST", url, "application/json",
                         "{\"halt\":0,\"cmd\":{\"get_user\":\"user.current\","
                         "\"get_department\":\"department.get?ID=$result[get_user][UF_DEPARTMENT][0]\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "batch");
  g_assert_cmpstr (b24_test_string (reply, "result.result_error.get_department.error"), ==, "insufficient_scope");
  g_assert_cmpuint (json_array_get_length (b24_test_array (reply, "result.result")), ==, 0);
}

static void
test_batch_integer_keys (void)
{
  g_autoptr(JsonNode) one = b24_test_example ("batch.real.int-key-0.result-as-array.json");
  g_autoptr(JsonNode) two = b24_test_example ("batch.real.two-sub-errors.json");
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) errors = NULL;
  guint status;

  reply = b24_test_rest (emu, "batch", "{\"halt\":0,\"cmd\":{\"0\":\"crm.dealcategory.stage.list?ID=0&\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (one, reply, "batch");
  errors = b24_test_rest (emu, "batch", "{\"halt\":0,\"cmd\":[\"crm.deal.get?id=0\",\"crm.deal.get?id=99999999\"]}",
                          &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (two, errors, "batch");
  g_assert_cmpstr (b24_test_string (errors, "result.result_error.0.error_description"), ==, "ID is not defined or invalid.");
  g_assert_cmpstr (b24_test_string (errors, "result.result_error.1.error_description"), ==, "Not found");
}

static void
test_auth_errors (void)
{
  g_autoptr(JsonNode) credentials = b24_test_example ("im.chat.add.401-invalid-credentials.json");
  g_autoptr(JsonNode) expired = b24_test_example ("error.401-expired_token.json");
  g_autofree char *bad_url = g_strconcat (emu->base, "/rest/1/wrong/crm.deal.list", NULL);
  g_autofree char *no_auth_url = g_strconcat (emu->base, "/rest/crm.deal.list", NULL);
  g_autofree char *unknown_url = g_strconcat (emu->base, "/rest/crm.deal.list?auth=nosuchtoken", NULL);
  g_autofree char *scope_url = g_strconcat (emu->base, "/rest/2/limited/user.current", NULL);
  g_autofree char *expired_url = NULL;
  g_autoptr(JsonNode) token = b24_test_control (emu, "token", "{\"user_id\":1,\"expires_in\":0}");
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL, f = NULL;
  guint status;

  a = b24_test_http (emu, "GET", bad_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  assert_same_error (credentials, a);
  expired_url = g_strconcat (emu->base, "/rest/crm.deal.list.json?auth=", b24_test_string (token, "access_token"), NULL);
  b = b24_test_http (emu, "GET", expired_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  assert_same_error (expired, b);
  c = b24_test_http (emu, "GET", no_auth_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (b24_test_string (c, "error"), ==, "NO_AUTH_FOUND");
  d = b24_test_http (emu, "GET", unknown_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (b24_test_string (d, "error"), ==, "invalid_token");
  e = b24_test_http (emu, "GET", scope_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (b24_test_string (e, "error"), ==, "insufficient_scope");
  f = b24_test_rest (emu, "no.such.method", NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (b24_test_string (f, "error"), ==, "ERROR_METHOD_NOT_FOUND");
  g_assert_false (json_object_has_member (json_node_get_object (f), "result"));
}

static void
test_oauth_refresh (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("oauth.token.refresh.200.json");
  g_autoptr(JsonNode) token = b24_test_control (emu, "token", "{\"user_id\":3}");
  g_autofree char *url = g_strdup_printf ("%s/oauth/token/?grant_type=refresh_token&client_id=%s&client_secret=%s"
                                          "&refresh_token=%s", emu->base, b24_test_string (token, "client_id"),
                                          b24_test_string (token, "client_secret"),
                                          b24_test_string (token, "refresh_token"));
  g_autofree char *call_url = NULL;
  g_autoptr(JsonNode) fresh = NULL, again = NULL, me = NULL;
  guint status;

  fresh = b24_test_http (emu, "GET", url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, fresh, "oauth");
  g_assert_cmpint (b24_test_int (fresh, "expires_in"), ==, 3600);
  g_assert_cmpint (b24_test_int (fresh, "user_id"), ==, 3);
  /* The old refresh token is rotated out. */
  again = b24_test_http (emu, "GET", url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (again, "error"), ==, "invalid_grant");
  call_url = g_strconcat (emu->base, "/rest/user.current?auth=", b24_test_string (fresh, "access_token"), NULL);
  me = b24_test_http (emu, "GET", call_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (me, "result.ID"), ==, "3");
  g_assert_true (json_node_get_boolean (json_object_get_member (b24_test_object (me, "result"), "ACTIVE")));
}

static void
test_form_encoding (void)
{
  g_autofree char *url = g_strconcat (emu->hook, "crm.deal.add.json", NULL);
  g_autofree char *get_url = NULL;
  g_autoptr(JsonNode) added = NULL, got = NULL;
  guint status;

  added = b24_test_http (emu, "POST", url, "application/x-www-form-urlencoded",
                         "fields[TITLE]=%D0%A1%D0%B4%D0%B5%D0%BB%D0%BA%D0%B0+%26+%D0%BA%D0%BE&fields[OPPORTUNITY]=1500.5"
                         "&fields[CATEGORY_ID]=1", &status);
  g_assert_cmpuint (status, ==, 200);
  get_url = g_strdup_printf ("%sCRM.DEAL.GET?ID=%" G_GINT64_FORMAT, emu->hook, b24_test_int (added, "result"));
  got = b24_test_http (emu, "GET", get_url, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (got, "result.TITLE"), ==, "Сделка & ко");
  g_assert_cmpstr (b24_test_string (got, "result.OPPORTUNITY"), ==, "1500.50");
  g_assert_cmpstr (b24_test_string (got, "result.STAGE_ID"), ==, "C1:NEW");
  g_assert_cmpstr (b24_test_string (got, "result.CLOSED"), ==, "N");
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--webhook", "2:limited:crm", "--seed-deals", "60", NULL);
  g_test_add_func ("/emulator/conformance/deal-get", test_deal_get);
  g_test_add_func ("/emulator/conformance/batch-nested-references", test_batch_nested_references);
  g_test_add_func ("/emulator/conformance/deal-list", test_deal_list);
  g_test_add_func ("/emulator/conformance/untitled-and-deleted", test_untitled_and_deleted);
  g_test_add_func ("/emulator/conformance/deal-delete-invalid", test_deal_delete_invalid);
  g_test_add_func ("/emulator/conformance/status-list", test_status_list);
  g_test_add_func ("/emulator/conformance/category-list", test_category_list);
  g_test_add_func ("/emulator/conformance/contact-get", test_contact_get);
  g_test_add_func ("/emulator/conformance/department-get", test_department_get);
  g_test_add_func ("/emulator/conformance/batch-documented", test_batch_documented);
  g_test_add_func ("/emulator/conformance/batch-scope-errors", test_batch_scope_errors);
  g_test_add_func ("/emulator/conformance/batch-integer-keys", test_batch_integer_keys);
  g_test_add_func ("/emulator/conformance/auth-errors", test_auth_errors);
  g_test_add_func ("/emulator/conformance/oauth-refresh", test_oauth_refresh);
  g_test_add_func ("/emulator/conformance/authorization-code", test_authorization_code);
  g_test_add_func ("/emulator/conformance/form-encoding", test_form_encoding);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
