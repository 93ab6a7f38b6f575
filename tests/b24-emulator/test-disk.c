/* test-disk.c: a file put in a deal's drive folder and read back (reference §7.10,
 * disk.folder.uploadfile.200.json and .400-error-not-found.json).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static B24Test *emu;

/* Bytes with a NUL, high bytes and a UTF-8 name, so nothing is mangled on the way. */
static const guchar content[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 'e', 'n', 'd' };

static GBytes *
http_get_bytes (const char *url,
                guint      *status,
                char      **content_type)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  g_assert_nonnull (msg);
  /* The headers the reference says a download needs. */
  soup_message_headers_append (soup_message_get_request_headers (msg), "User-Agent", "sdelka-test/1.0");
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept", "*/*");
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept-Language", "ru");
  body = soup_session_send_and_read (emu->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  return body;
}

/* The common drive's root, then a folder for deal @deal_id under it. */
static gint64
deal_folder (gint64 deal_id)
{
  g_autoptr(JsonNode) storages = NULL, folder = NULL;
  g_autofree char *body = NULL;
  gint64 root;
  guint status;

  storages = b24_test_rest (emu, "disk.storage.getlist", "{\"filter\":{\"ENTITY_TYPE\":\"common\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  root = g_ascii_strtoll (b24_test_string (storages, "result.0.ROOT_OBJECT_ID"), NULL, 10);
  body = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"data\":{\"NAME\":\"Сделка %" G_GINT64_FORMAT "\"}}", root, deal_id);
  folder = b24_test_rest (emu, "disk.folder.addsubfolder", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (folder, "result.TYPE"), ==, "folder");
  return b24_test_int (folder, "result.ID");
}

static void
test_upload_and_read_back (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("disk.folder.uploadfile.200.json");
  g_autoptr(JsonNode) uploaded = NULL, got = NULL, children = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *b64 = g_base64_encode (content, sizeof content);
  g_autofree char *body = NULL;
  g_autofree char *get = NULL;
  g_autofree char *type = NULL;
  g_autofree char *list = NULL;
  gint64 folder = deal_folder (5);
  JsonObject *file;
  guint status;

  body = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"data\":{\"NAME\":\"фото 1.png\"},"
                          "\"fileContent\":[\"фото 1.png\",\"%s\"],\"generateUniqueName\":true}", folder, b64);
  uploaded = b24_test_rest (emu, "disk.folder.uploadFile", body, &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, uploaded, "disk.folder.uploadfile");
  g_assert_cmpstr (b24_test_string (uploaded, "result.NAME"), ==, "фото 1.png");
  g_assert_cmpstr (b24_test_string (uploaded, "result.SIZE"), ==, "14");
  g_assert_cmpint (g_ascii_strtoll (b24_test_string (uploaded, "result.PARENT_ID"), NULL, 10), ==, folder);

  /* disk.file.get: the same keys, every value a string. */
  get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (uploaded, "result.ID"));
  got = b24_test_rest (emu, "disk.file.get", get, &status);
  g_assert_cmpuint (status, ==, 200);
  file = b24_test_object (got, "result");
  {
    GList *members = json_object_get_members (b24_test_object (example, "result"));

    for (GList *l = members; l != NULL; l = l->next)
      {
        JsonNode *value = json_object_get_member (file, l->data);

        g_assert_nonnull (value);
        g_assert_true (JSON_NODE_HOLDS_NULL (value) || json_node_get_value_type (value) == G_TYPE_STRING);
      }
    g_list_free (members);
  }
  g_assert_cmpstr (b24_test_string (got, "result.DELETED_TYPE"), ==, "0");

  bytes = http_get_bytes (b24_test_string (got, "result.DOWNLOAD_URL"), &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), content, sizeof content);
  g_assert_cmpstr (type, ==, "image/png");

  /* The same name again: a unique name, or the documented refusal without generateUniqueName. */
  {
    g_autoptr(JsonNode) second = b24_test_rest (emu, "disk.folder.uploadfile", body, &status);
    g_autofree char *plain = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"data\":{\"NAME\":\"фото 1.png\"},"
                                              "\"fileContent\":[\"фото 1.png\",\"%s\"]}", folder, b64);
    g_autoptr(JsonNode) refused = b24_test_rest (emu, "disk.folder.uploadfile", plain, &status);

    g_assert_cmpstr (b24_test_string (second, "result.NAME"), ==, "фото 1 (1).png");
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (b24_test_string (refused, "error"), ==, "ERROR_COULD_NOT_SAVE_FILE");
  }
  list = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", folder);
  children = b24_test_rest (emu, "disk.folder.getchildren", list, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (children, "result")), ==, 2);
  g_assert_cmpstr (b24_test_string (children, "result.0.ID"), ==, b24_test_string (got, "result.ID"));
}

static void
test_two_step_upload (void)
{
  gint64 folder = deal_folder (6);
  g_autofree char *body = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"data\":{\"NAME\":\"акт.pdf\"}}", folder);
  g_autoptr(JsonNode) step1 = NULL, step2 = NULL, reused = NULL;
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autoptr(GBytes) part = g_bytes_new_static (content, sizeof content);
  g_autoptr(GBytes) form = NULL;
  g_autoptr(GBytes) downloaded = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint status;

  step1 = b24_test_rest (emu, "disk.folder.uploadfile", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (step1, "result.field"), ==, "file");
  soup_multipart_append_form_file (multipart, "file", "акт.pdf", "application/pdf", part);
  msg = soup_message_new ("POST", b24_test_string (step1, "result.uploadUrl"));
  soup_multipart_to_message (multipart, headers, &form);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Type",
                                soup_message_headers_get_one (headers, "Content-Type"));
  soup_message_set_request_body_from_bytes (msg, NULL, form);
  answer = soup_session_send_and_read (emu->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error);
  g_assert_no_error (error);
  step2 = json_node_copy (json_parser_get_root (parser));
  g_assert_cmpstr (b24_test_string (step2, "result.NAME"), ==, "акт.pdf");
  g_assert_cmpint (b24_test_int (step2, "result.ID"), >, 0);
  downloaded = http_get_bytes (b24_test_string (step2, "result.DOWNLOAD_URL"), &status, NULL);
  g_assert_cmpmem (g_bytes_get_data (downloaded, NULL), g_bytes_get_size (downloaded), content, sizeof content);

  /* The upload URL is spent. */
  {
    g_autoptr(SoupMessage) again = soup_message_new ("POST", b24_test_string (step1, "result.uploadUrl"));
    g_autoptr(GBytes) again_answer = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (again), "Content-Type",
                                  soup_message_headers_get_one (headers, "Content-Type"));
    soup_message_set_request_body_from_bytes (again, NULL, form);
    again_answer = soup_session_send_and_read (emu->session, again, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (again), ==, 401);
  }
  (void) reused;
}

static void
test_errors (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("disk.folder.uploadfile.400-error-not-found.json");
  g_autoptr(JsonNode) missing = NULL, file_missing = NULL, batch = NULL, no_name = NULL;
  g_autofree char *want = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GBytes) none = NULL;
  guint status;

  missing = b24_test_rest (emu, "disk.folder.uploadfile",
                           "{\"id\":987654,\"data\":{\"NAME\":\"x.txt\"},\"fileContent\":[\"x.txt\",\"eA==\"]}", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (missing)), ==, 2);
  g_assert_cmpstr (b24_test_string (missing, "error"), ==, b24_test_string (example, "error"));
  /* The published text with its placeholder X standing for the id sent. */
  want = g_strdup (b24_test_string (example, "error_description"));
  g_assert_nonnull (strstr (want, "`X`"));
  {
    g_autofree char *prefix = g_strndup (want, strstr (want, "`X`") - want);
    g_autofree char *expected = g_strconcat (prefix, "`987654`", NULL);

    g_assert_cmpstr (b24_test_string (missing, "error_description"), ==, expected);
  }
  file_missing = b24_test_rest (emu, "disk.file.get", "{\"id\":987654}", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (file_missing, "error"), ==, "ERROR_NOT_FOUND");
  no_name = b24_test_rest (emu, "disk.folder.addsubfolder", "{\"id\":1,\"data\":{}}", &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (no_name, "error"), ==, "DISK_BASE_SERVICE_22001");

  /* Uploads are refused inside batch. */
  batch = b24_test_rest (emu, "batch", "{\"halt\":0,\"cmd\":{\"up\":\"disk.folder.uploadfile?id=1&fileContent[0]=a.txt"
                                       "&fileContent[1]=eA%3D%3D\"}}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (batch, "result.result_error.up.error"), ==, "ERROR_BATCH_METHOD_NOT_ALLOWED");

  url = g_strconcat (emu->base, "/rest/download.json?token=disk%7Cnosuchtoken", NULL);
  none = http_get_bytes (url, &status, NULL);
  g_assert_cmpuint (status, ==, 404);
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", NULL);
  g_test_add_func ("/emulator/disk/upload-and-read-back", test_upload_and_read_back);
  g_test_add_func ("/emulator/disk/two-step-upload", test_two_step_upload);
  g_test_add_func ("/emulator/disk/errors", test_errors);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
