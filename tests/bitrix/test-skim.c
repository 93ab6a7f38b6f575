/* test-skim.c: the row counts and last IDs skimmed from a batch answer's text agree with
 * what json-glib parses from it, for the shapes the portal sends; other shapes give no
 * skim (the export then waits for the parse).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-skim.h"

#include <json-glib/json-glib.h>

static char *
example (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "b24-emulator", "examples", name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

/* Compares the skim of @text with the parse for every key. */
static void
assert_skim_matches_parse (const char         *text,
                           const char * const *keys,
                           guint               n_keys)
{
  g_autoptr(GArray) skims = sd_b24_skim_batch_lists (text, keys, n_keys);
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  JsonObject *results = json_object_get_object_member (json_object_get_object_member (json_node_get_object (root),
                                                                                         "result"),
                                                       "result");

  g_assert_nonnull (skims);
  for (guint i = 0; i < n_keys; i++)
    {
      const SdB24PageSkim *skim = &g_array_index (skims, SdB24PageSkim, i);
      JsonNode *list = json_object_get_member (results, keys[i]);
      JsonArray *rows;
      JsonObject *last;
      g_autofree char *id = NULL;

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_assert_cmpint (skim->rows, ==, -1);
          continue;
        }
      rows = json_node_get_array (list);
      g_assert_cmpint (skim->rows, ==, json_array_get_length (rows));
      if (skim->rows == 0)
        {
          g_assert_null (skim->last_id);
          continue;
        }
      last = json_array_get_object_element (rows, json_array_get_length (rows) - 1);
      id = JSON_NODE_HOLDS_VALUE (json_object_get_member (last, "ID"))
           && json_node_get_value_type (json_object_get_member (last, "ID")) == G_TYPE_STRING
           ? g_strdup (json_object_get_string_member (last, "ID"))
           : g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (last, "ID"));
      g_assert_cmpstr (skim->last_id, ==, id);
    }
}

/* Pages as the portal writes them, with what could mislead a skim: an ID inside a
 * multi-field after the row's own, quotes and brackets inside strings, numeric IDs, a
 * short page, an empty one, a command that failed, and other members around. */
static void
test_pages (void)
{
  static const char text[] =
    "{\"result\":{\"result\":{"
    "\"c0p0\":[{\"TITLE\":\"[{\",\"ID\":\"7\",\"PHONE\":[{\"ID\":\"502\",\"VALUE_TYPE\":\"WORK\"}],\"UF_CRM_X\":{\"ID\":\"3\"}},"
    "{\"TITLE\":\"\\\"ID\\\":\\\"99\\\" ] }\",\"ID\":\"12\",\"PHONE\":[{\"ID\":\"501\",\"VALUE\":\"+7\"}]}],"
    "\"c0p1\" : [ { \"ID\" : 15 , \"OPPORTUNITY\" : 1.5e3 , \"CLOSED\" : false , \"X\" : null } ] ,"
    "\"c1p0\":[],"
    "\"other\":{\"ID\":\"1\"}"
    "},\"result_error\":{\"c1p1\":{\"error\":\"\",\"error_description\":\"\"}},"
    "\"result_total\":[],\"result_next\":{\"c0p0\":2},"
    "\"result_time\":{\"c0p0\":{\"start\":1.0}}},\"time\":{\"start\":1.0}}";
  static const char *const keys[] = { "c0p0", "c0p1", "c1p0", "c1p1" };
  g_autoptr(GArray) skims = sd_b24_skim_batch_lists (text, keys, G_N_ELEMENTS (keys));

  assert_skim_matches_parse (text, keys, G_N_ELEMENTS (keys));
  g_assert_cmpint (g_array_index (skims, SdB24PageSkim, 0).rows, ==, 2);
  g_assert_cmpstr (g_array_index (skims, SdB24PageSkim, 0).last_id, ==, "12");
  g_assert_cmpstr (g_array_index (skims, SdB24PageSkim, 1).last_id, ==, "15");
  g_assert_cmpint (g_array_index (skims, SdB24PageSkim, 2).rows, ==, 0);
  g_assert_cmpint (g_array_index (skims, SdB24PageSkim, 3).rows, ==, -1);
}

/* Published answers of real portals (tests/b24-emulator/examples). */
static void
test_examples (void)
{
  g_autofree char *batch = example ("batch.200.json");
  g_autofree char *errors = example ("batch.halt0.sub-errors.200.json");
  g_autofree char *as_array = example ("batch.real.int-key-0.result-as-array.json");
  static const char *const keys[] = { "get_user", "get_department" };
  g_autoptr(GArray) skims = sd_b24_skim_batch_lists (batch, keys, G_N_ELEMENTS (keys));

  assert_skim_matches_parse (batch, keys, G_N_ELEMENTS (keys));
  /* An object result is no list; the list has its one row. */
  g_assert_cmpint (g_array_index (skims, SdB24PageSkim, 0).rows, ==, -1);
  g_assert_cmpint (g_array_index (skims, SdB24PageSkim, 1).rows, ==, 1);
  /* Every command failed: PHP's empty array stands for the results; nothing to skim. */
  g_assert_null (sd_b24_skim_batch_lists (errors, keys, G_N_ELEMENTS (keys)));
  /* Integer keys come back as an array of results: not a shape a keyset export sends. */
  g_assert_null (sd_b24_skim_batch_lists (as_array, keys, G_N_ELEMENTS (keys)));
}

/* A cut answer or one that is not a batch's gives nothing, never a wrong count. */
static void
test_malformed (void)
{
  static const char *const keys[] = { "c0p0" };
  static const char whole[] = "{\"result\":{\"result\":{\"c0p0\":[{\"ID\":\"1\"},{\"ID\":\"2\"}]}}}";

  for (gsize cut = 0; cut + 4 < sizeof whole - 1; cut++)
    {
      g_autofree char *text = g_strndup (whole, cut);
      g_autoptr(GArray) skims = sd_b24_skim_batch_lists (text, keys, 1);

      g_assert_null (skims);
    }
  g_assert_null (sd_b24_skim_batch_lists ("{\"error\":\"QUERY_LIMIT_EXCEEDED\"}", keys, 1));
  g_assert_null (sd_b24_skim_batch_lists ("[]", keys, 1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/skim/pages", test_pages);
  g_test_add_func ("/skim/examples", test_examples);
  g_test_add_func ("/skim/malformed", test_malformed);
  return g_test_run ();
}
