/* test-client.c: the control door's client-portal actions and the events they raise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static B24Test *emu;
static char *token;

static const char *const watched[] = {
  "ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMCONTACTADD", "ONCRMLEADADD", "ONCRMTIMELINECOMMENTADD", NULL,
};

static JsonNode *
app_call (const char *method,
          const char *json)
{
  g_autofree char *url = g_strdup_printf ("%s/rest/%s?auth=%s", emu->base, method, token);
  guint status;
  JsonNode *reply = b24_test_http (emu, "POST", url, "application/json", json, &status);

  g_assert_cmpuint (status, ==, 200);
  return reply;
}

/* The offline queue drained: "EVENT_NAME:ID" strings, in queue order. */
static GPtrArray *
drain_events (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) reply = app_call ("event.offline.get", "{\"limit\":1000}");
  JsonArray *events = b24_test_array (reply, "result.events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      JsonObject *data = json_object_get_object_member (event, "EVENT_DATA");
      JsonObject *fields = json_object_get_object_member (data, "FIELDS");

      g_ptr_array_add (names, g_strdup_printf ("%s:%s", json_object_get_string_member (event, "EVENT_NAME"),
                                               json_object_get_string_member (fields, "ID")));
    }
  return names;
}

static gboolean
has_event (GPtrArray  *events,
           const char *name,
           gint64      id)
{
  g_autofree char *want = g_strdup_printf ("%s:%" G_GINT64_FORMAT, name, id);

  for (guint i = 0; i < events->len; i++)
    if (strcmp (events->pdata[i], want) == 0)
      return TRUE;
  return FALSE;
}

static JsonNode *
client (const char *action,
        const char *json,
        guint      *status)
{
  g_autofree char *url = g_strdup_printf ("%s/_emulator/client/%s", emu->base, action);

  return b24_test_http (emu, "POST", url, "application/json", json, status);
}

static gint64
make_deal (void)
{
  g_autoptr(JsonNode) contact = NULL, deal = NULL;
  g_autofree char *body = NULL;
  guint status;

  contact = b24_test_rest (emu, "crm.contact.add", "{\"fields\":{\"NAME\":\"Анна\",\"LAST_NAME\":\"Орлова\"}}", &status);
  body = g_strdup_printf ("{\"fields\":{\"TITLE\":\"Ремонт ванной\",\"CONTACT_ID\":%" G_GINT64_FORMAT ","
                          "\"ASSIGNED_BY_ID\":3}}", b24_test_int (contact, "result"));
  deal = b24_test_rest (emu, "crm.deal.add", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_ptr_array_unref (drain_events ());
  return b24_test_int (deal, "result");
}

static void
test_deal_change (void)
{
  gint64 deal = make_deal ();
  g_autofree char *body = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENTS\":\"Прошу перенести замер\","
                                           "\"STAGE_ID\":\"PREPARATION\"}}", deal);
  g_autofree char *get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", deal);
  g_autoptr(JsonNode) answer = NULL, got = NULL, missing = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *client_id = NULL;
  guint status;

  answer = client ("deal", body, &status);
  g_assert_cmpuint (status, ==, 200);
  client_id = g_strdup_printf ("%" G_GINT64_FORMAT, b24_test_int (answer, "user_id"));
  got = b24_test_rest (emu, "crm.deal.get", get, &status);
  g_assert_cmpstr (b24_test_string (got, "result.COMMENTS"), ==, "Прошу перенести замер");
  g_assert_cmpstr (b24_test_string (got, "result.STAGE_ID"), ==, "PREPARATION");
  g_assert_cmpstr (b24_test_string (got, "result.MODIFY_BY_ID"), ==, client_id);
  events = drain_events ();
  g_assert_true (has_event (events, "ONCRMDEALUPDATE", deal));
  g_assert_cmpuint (events->len, ==, 1);

  /* The client is an extranet user named after the deal's contact. */
  {
    g_autofree char *user_body = g_strdup_printf ("{\"ID\":%s}", client_id);
    g_autoptr(JsonNode) user = b24_test_rest (emu, "user.get", user_body, &status);

    g_assert_cmpstr (b24_test_string (user, "result.0.NAME"), ==, "Анна");
    g_assert_cmpstr (b24_test_string (user, "result.0.USER_TYPE"), ==, "extranet");
  }
  missing = client ("deal", "{\"deal_id\":99999999,\"fields\":{}}", &status);
  g_assert_cmpuint (status, ==, 400);
}

static void
test_chat (void)
{
  gint64 deal = make_deal ();
  g_autofree char *body = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"text\":\"Когда приедет мастер?\"}", deal);
  g_autofree char *get = g_strdup_printf ("{\"ENTITY_TYPE\":\"CRM\",\"ENTITY_ID\":\"DEAL|%" G_GINT64_FORMAT "\"}", deal);
  g_autofree char *read_url = g_strconcat (emu->base, "/rest/3/three/im.dialog.messages.get", NULL);
  g_autofree char *read_body = NULL;
  g_autoptr(JsonNode) answer = NULL, second = NULL, chat = NULL, read = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint status;

  answer = client ("chat", body, &status);
  g_assert_cmpuint (status, ==, 200);
  second = client ("chat", body, &status);
  g_assert_cmpint (b24_test_int (second, "chat_id"), ==, b24_test_int (answer, "chat_id"));
  chat = b24_test_rest (emu, "im.chat.get", get, &status);
  g_assert_cmpint (b24_test_int (chat, "result.ID"), ==, b24_test_int (answer, "chat_id"));
  /* The deal's responsible (user 3) owns the chat and reads the client's words. */
  read_body = g_strdup_printf ("{\"DIALOG_ID\":\"chat%" G_GINT64_FORMAT "\"}", b24_test_int (answer, "chat_id"));
  read = b24_test_http (emu, "POST", read_url, "application/json", read_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (read, "result.messages")), ==, 2);
  g_assert_cmpstr (b24_test_string (read, "result.messages.0.text"), ==, "Когда приедет мастер?");
  g_assert_cmpint (b24_test_int (read, "result.messages.0.author_id"), ==, b24_test_int (answer, "user_id"));
  g_assert_true (json_node_get_boolean (json_object_get_member (b24_test_object (read, "result.users.0"), "extranet")));
  events = drain_events ();
  g_assert_cmpuint (events->len, ==, 0);
}

static gint64
upload_act (gint64        deal,
            const guchar *bytes,
            gsize         size)
{
  g_autofree char *b64 = g_base64_encode (bytes, size);
  g_autofree char *body = g_strdup_printf ("{\"id\":1,\"data\":{\"NAME\":\"Акт %" G_GINT64_FORMAT ".pdf\"},"
                                           "\"fileContent\":[\"a.pdf\",\"%s\"],\"generateUniqueName\":true}", deal, b64);
  guint status;
  g_autoptr(JsonNode) uploaded = b24_test_rest (emu, "disk.folder.uploadfile", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return b24_test_int (uploaded, "result.ID");
}

static void
test_sign_and_remarks (void)
{
  static const guchar act[] = "%PDF-1.4 act of completed works";
  gint64 deal = make_deal ();
  gint64 file = upload_act (deal, act, sizeof act - 1);
  g_autofree char *sign = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"file_id\":%" G_GINT64_FORMAT ","
                                           "\"signed_at\":\"2026-03-04T10:00:00+03:00\"}", deal, file);
  g_autofree char *remarks = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"file_id\":%" G_GINT64_FORMAT ","
                                              "\"remarks\":\"Не указан объём работ\"}", deal, file);
  g_autofree char *list = g_strdup_printf ("{\"filter\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ",\"ENTITY_TYPE\":\"deal\"}}", deal);
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, act, sizeof act - 1);
  g_autoptr(JsonNode) signed_answer = NULL, remark_answer = NULL, comments = NULL, dump = NULL, bad = NULL, empty = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonArray *rows;
  JsonObject *last = NULL;
  guint status;

  signed_answer = client ("sign", sign, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (signed_answer, "signer"), ==, "Анна Орлова");
  g_assert_cmpstr (b24_test_string (signed_answer, "date"), ==, "2026-03-04T10:00:00+03:00");
  g_assert_cmpstr (b24_test_string (signed_answer, "sha256"), ==, sha);
  remark_answer = client ("remarks", remarks, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (remark_answer, "state"), ==, "remarks");

  comments = b24_test_rest (emu, "crm.timeline.comment.list", list, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (comments, "total"), ==, 2);
  g_assert_true (g_str_has_prefix (b24_test_string (comments, "result.0.COMMENT"), "[Подписано] Акт "));
  g_assert_nonnull (strstr (b24_test_string (comments, "result.0.COMMENT"), sha));
  g_assert_true (g_str_has_prefix (b24_test_string (comments, "result.1.COMMENT"), "[Замечания] "));
  g_assert_nonnull (strstr (b24_test_string (comments, "result.1.COMMENT"), "Не указан объём работ"));

  dump = b24_test_control (emu, "dump", NULL);
  rows = b24_test_array (dump, "document_signature");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (json_object_get_int_member (json_array_get_object_element (rows, i), "DEAL_ID") == deal)
      {
        JsonObject *row = json_array_get_object_element (rows, i);

        if (last == NULL)
          {
            g_assert_cmpstr (json_object_get_string_member (row, "STATE"), ==, "signed");
            g_assert_cmpstr (json_object_get_string_member (row, "FILE_SHA256"), ==, sha);
          }
        last = row;
      }
  g_assert_nonnull (last);
  g_assert_cmpstr (json_object_get_string_member (last, "STATE"), ==, "remarks");

  events = drain_events ();
  g_assert_true (has_event (events, "ONCRMTIMELINECOMMENTADD", b24_test_int (signed_answer, "comment_id")));
  g_assert_true (has_event (events, "ONCRMTIMELINECOMMENTADD", b24_test_int (remark_answer, "comment_id")));

  g_free (sign);
  sign = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"file_id\":987654}", deal);
  bad = client ("sign", sign, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (bad, "error"), ==, "ERROR_NOT_FOUND");
  g_free (remarks);
  remarks = g_strdup_printf ("{\"deal_id\":%" G_GINT64_FORMAT ",\"file_id\":%" G_GINT64_FORMAT "}", deal, file);
  empty = client ("remarks", remarks, &status);
  g_assert_cmpuint (status, ==, 400);
}

static void
test_webform_deal (void)
{
  static const guchar photo1[] = { 0xff, 0xd8, 0xff, 0xe0, 1, 2, 3 };
  static const guchar photo2[] = { 0xff, 0xd8, 0xff, 0xe0, 4, 5, 6, 7 };
  g_autofree char *b1 = g_base64_encode (photo1, sizeof photo1);
  g_autofree char *b2 = g_base64_encode (photo2, sizeof photo2);
  g_autofree char *body = g_strdup_printf ("{\"entity\":\"deal\",\"fields\":{\"NAME\":\"Олег\",\"PHONE\":\"+79001234567\","
                                           "\"CATEGORY_ID\":1,\"COMMENTS\":\"Вмятина на двери\"},"
                                           "\"photos\":[[\"1.jpg\",\"%s\"],[\"2.jpg\",\"%s\"]]}", b1, b2);
  g_autoptr(JsonNode) answer = NULL, deal = NULL, contact = NULL, comments = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *get = NULL;
  g_autofree char *list = NULL;
  guint status;

  answer = client ("webform", body, &status);
  g_assert_cmpuint (status, ==, 200);
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (answer, "deal_id"));
  deal = b24_test_rest (emu, "crm.deal.get", get, &status);
  g_assert_cmpstr (b24_test_string (deal, "result.SOURCE_ID"), ==, "WEBFORM");
  g_assert_cmpstr (b24_test_string (deal, "result.STAGE_ID"), ==, "C1:NEW");
  g_assert_cmpint (g_ascii_strtoll (b24_test_string (deal, "result.CONTACT_ID"), NULL, 10), ==, b24_test_int (answer, "contact_id"));
  g_free (get);
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (answer, "contact_id"));
  contact = b24_test_rest (emu, "crm.contact.get", get, &status);
  g_assert_cmpstr (b24_test_string (contact, "result.PHONE.0.VALUE"), ==, "+79001234567");
  list = g_strdup_printf ("{\"filter\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ",\"ENTITY_TYPE\":\"deal\"}}", b24_test_int (answer, "deal_id"));
  comments = b24_test_rest (emu, "crm.timeline.comment.list", list, &status);
  {
    JsonObject *files = b24_test_object (comments, "result.0.FILES");
    GList *values = json_object_get_values (files);
    guint n = g_list_length (values);
    JsonObject *second = json_node_get_object (g_list_nth_data (values, 1));
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", json_object_get_string_member (second, "urlDownload"));
    g_autoptr(GBytes) bytes = soup_session_send_and_read (emu->session, msg, NULL, NULL);

    g_list_free (values);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), photo2, sizeof photo2);
  }
  events = drain_events ();
  g_assert_true (has_event (events, "ONCRMCONTACTADD", b24_test_int (answer, "contact_id")));
  g_assert_true (has_event (events, "ONCRMDEALADD", b24_test_int (answer, "deal_id")));
  g_assert_true (has_event (events, "ONCRMTIMELINECOMMENTADD", b24_test_int (answer, "comment_id")));
}

static void
test_webform_lead (void)
{
  static const guchar photo[] = { 0x89, 'P', 'N', 'G', 9, 9 };
  g_autofree char *b64 = g_base64_encode (photo, sizeof photo);
  g_autofree char *body = g_strdup_printf ("{\"entity\":\"lead\",\"photo_field\":\"UF_CRM_PHOTOS\","
                                           "\"fields\":{\"NAME\":\"Ирина\",\"EMAIL\":\"irina@example.ru\"},"
                                           "\"photos\":[[\"plan.png\",\"%s\"],[\"room.png\",\"%s\"]]}", b64, b64);
  g_autoptr(JsonNode) field = NULL, answer = NULL, lead = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *get = NULL;
  guint status;

  field = b24_test_rest (emu, "crm.lead.userfield.add", "{\"fields\":{\"FIELD_NAME\":\"PHOTOS\",\"USER_TYPE_ID\":\"file\","
                                                        "\"MULTIPLE\":\"Y\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  answer = client ("webform", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_false (json_object_has_member (json_node_get_object (answer), "contact_id"));
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (answer, "lead_id"));
  lead = b24_test_rest (emu, "crm.lead.get", get, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (lead, "result.NAME"), ==, "Ирина");
  g_assert_cmpstr (b24_test_string (lead, "result.SOURCE_ID"), ==, "WEBFORM");
  g_assert_cmpstr (b24_test_string (lead, "result.STATUS_ID"), ==, "NEW");
  g_assert_cmpstr (b24_test_string (lead, "result.EMAIL.0.VALUE"), ==, "irina@example.ru");
  g_assert_cmpuint (json_array_get_length (b24_test_array (lead, "result.UF_CRM_PHOTOS")), ==, 2);
  g_assert_cmpint (b24_test_int (lead, "result.UF_CRM_PHOTOS.1.id"), >, 0);
  events = drain_events ();
  g_assert_true (has_event (events, "ONCRMLEADADD", b24_test_int (answer, "lead_id")));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JsonNode) issued = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--webhook", "3:three", NULL);
  issued = b24_test_control (emu, "token", "{\"user_id\":1}");
  token = g_strdup (b24_test_string (issued, "access_token"));
  for (guint i = 0; watched[i] != NULL; i++)
    {
      g_autofree char *bind = g_strdup_printf ("{\"event\":\"%s\",\"event_type\":\"offline\"}", watched[i]);
      g_autoptr(JsonNode) bound = app_call ("event.bind", bind);
    }
  g_test_add_func ("/emulator/client/deal-change", test_deal_change);
  g_test_add_func ("/emulator/client/chat", test_chat);
  g_test_add_func ("/emulator/client/sign-and-remarks", test_sign_and_remarks);
  g_test_add_func ("/emulator/client/webform-deal", test_webform_deal);
  g_test_add_func ("/emulator/client/webform-lead", test_webform_lead);
  result = g_test_run ();
  b24_test_stop (emu);
  g_free (token);
  return result;
}
