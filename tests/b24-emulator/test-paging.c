/* test-paging.c: 10 000 deals walked by start and by >ID with start=-1; filters; batch halt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#define N_DEALS 10000

static B24Test *emu;

static void
test_walk_by_start (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start = 0;
  guint pages = 0;

  while (start >= 0 && pages < N_DEALS / 50 + 2)
    {
      g_autofree char *body = g_strdup_printf ("{\"order\":{\"ID\":\"ASC\"},\"select\":[\"ID\"],\"start\":%" G_GINT64_FORMAT "}", start);
      g_autoptr(JsonNode) page = b24_test_rest (emu, "crm.deal.list", body, NULL);
      JsonArray *rows = b24_test_array (page, "result");
      JsonObject *root = json_node_get_object (page);

      g_assert_cmpint (b24_test_int (page, "total"), ==, N_DEALS);
      g_assert_cmpuint (json_array_get_length (rows), <=, 50);
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          gint64 id = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (rows, i), "ID"), NULL, 10);

          g_array_append_val (ids, id);
        }
      pages++;
      if (json_object_has_member (root, "next"))
        {
          g_assert_cmpuint (json_array_get_length (rows), ==, 50);
          g_assert_cmpint (json_object_get_int_member (root, "next"), ==, start + 50);
          start = json_object_get_int_member (root, "next");
        }
      else
        start = -1;
    }
  g_assert_cmpuint (pages, ==, N_DEALS / 50);
  g_assert_cmpuint (ids->len, ==, N_DEALS);
  for (guint i = 0; i < ids->len; i++)
    {
      g_assert_false (g_hash_table_contains (seen, &g_array_index (ids, gint64, i)));
      g_hash_table_add (seen, &g_array_index (ids, gint64, i));
      if (i > 0)
        g_assert_cmpint (g_array_index (ids, gint64, i), >, g_array_index (ids, gint64, i - 1));
    }
}

static void
test_walk_by_id (void)
{
  gint64 last = 0, count = 0;
  guint pages = 0;
  gboolean more = TRUE;

  while (more && pages < N_DEALS / 50 + 2)
    {
      g_autofree char *body = g_strdup_printf ("{\"order\":{\"ID\":\"ASC\"},\"filter\":{\">ID\":%" G_GINT64_FORMAT "},"
                                               "\"select\":[\"ID\",\"DATE_MODIFY\"],\"start\":-1}", last);
      g_autoptr(JsonNode) page = b24_test_rest (emu, "crm.deal.list", body, NULL);
      JsonArray *rows = b24_test_array (page, "result");
      guint n = json_array_get_length (rows);

      /* start=-1: no counting, total 0, never a next. */
      g_assert_cmpint (b24_test_int (page, "total"), ==, 0);
      g_assert_false (json_object_has_member (json_node_get_object (page), "next"));
      for (guint i = 0; i < n; i++)
        {
          gint64 id = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (rows, i), "ID"), NULL, 10);

          g_assert_cmpint (id, ==, last + 1);
          last = id;
          count++;
        }
      more = n == 50;
      pages++;
    }
  g_assert_cmpint (count, ==, N_DEALS);
}

static gint64
count_matching (const char *filter)
{
  g_autofree char *body = g_strdup_printf ("{\"filter\":%s,\"select\":[\"ID\"]}", filter);
  g_autoptr(JsonNode) page = b24_test_rest (emu, "crm.deal.list", body, NULL);

  return b24_test_int (page, "total");
}

static void
test_filters (void)
{
  gint64 won = count_matching ("{\"STAGE_ID\":\"WON\"}");
  gint64 not_won = count_matching ("{\"!STAGE_ID\":\"WON\"}");
  gint64 repair = count_matching ("{\"CATEGORY_ID\":1}");
  gint64 in_list = count_matching ("{\"@ID\":[1,2,3,99999]}");
  gint64 not_in = count_matching ("{\"!@ID\":[1,2,3]}");
  gint64 range = count_matching ("{\">=ID\":100,\"<ID\":200}");
  gint64 closed = count_matching ("{\"CLOSED\":\"Y\"}");
  gint64 semantic = count_matching ("{\"@STAGE_SEMANTIC_ID\":[\"S\",\"F\"]}");
  gint64 like = count_matching ("{\"%TITLE\":\"КУЗОВНОЙ\"}");
  gint64 pattern = count_matching ("{\"=%TITLE\":\"Кузовной%\"}");
  gint64 before = count_matching ("{\"<DATE_MODIFY\":\"2024-01-20\"}");
  gint64 after = count_matching ("{\">=DATE_MODIFY\":\"2024-01-20T00:00:00+03:00\"}");
  gint64 after_utc = count_matching ("{\">=DATE_MODIFY\":\"2024-01-19T21:00:00+00:00\"}");

  g_assert_cmpint (won, >, 0);
  g_assert_cmpint (won + not_won, ==, N_DEALS);
  g_assert_cmpint (repair, >, 0);
  g_assert_cmpint (repair, <, N_DEALS);
  g_assert_cmpint (in_list, ==, 3);
  g_assert_cmpint (not_in, ==, N_DEALS - 3);
  g_assert_cmpint (range, ==, 100);
  g_assert_cmpint (closed, ==, semantic);
  g_assert_cmpint (like, >, 0);
  /* Substring match folds Cyrillic case; the explicit pattern is anchored at the start. */
  g_assert_cmpint (like, ==, pattern);
  g_assert_cmpint (before + after, ==, N_DEALS);
  g_assert_cmpint (after, ==, after_utc);
}

static void
test_select_masks (void)
{
  g_autoptr(JsonNode) added = b24_test_rest (emu, "crm.deal.userfield.add",
                                             "{\"fields\":{\"FIELD_NAME\":\"COLOR\",\"USER_TYPE_ID\":\"string\"}}", NULL);
  g_autoptr(JsonNode) std = b24_test_rest (emu, "crm.deal.list", "{\"select\":[\"*\"],\"filter\":{\"ID\":1}}", NULL);
  g_autoptr(JsonNode) uf = b24_test_rest (emu, "crm.deal.list", "{\"select\":[\"UF_*\"],\"filter\":{\"ID\":1}}", NULL);
  g_autoptr(JsonNode) both = b24_test_rest (emu, "crm.deal.list", "{\"filter\":{\"ID\":1}}", NULL);
  JsonObject *row;

  g_assert_cmpint (b24_test_int (added, "result"), >, 0);
  row = b24_test_object (std, "result.0");
  g_assert_true (json_object_has_member (row, "TITLE"));
  g_assert_false (json_object_has_member (row, "UF_CRM_COLOR"));
  row = b24_test_object (uf, "result.0");
  g_assert_true (json_object_has_member (row, "UF_CRM_COLOR"));
  g_assert_true (json_object_has_member (row, "ID"));
  g_assert_false (json_object_has_member (row, "TITLE"));
  row = b24_test_object (both, "result.0");
  g_assert_true (json_object_has_member (row, "TITLE"));
  g_assert_true (json_object_has_member (row, "UF_CRM_COLOR"));
}

static void
test_batch_references_and_halt (void)
{
  g_autoptr(JsonNode) keyset = NULL;
  g_autoptr(JsonNode) halted = NULL;
  g_autoptr(JsonNode) too_long = NULL;
  GString *cmd = g_string_new ("{\"halt\":0,\"cmd\":{");
  g_autofree char *body = NULL;

  /* php-sdk's keyset export: each page starts after the last ID of the previous one. */
  g_string_append (cmd, "\"c0\":\"crm.deal.list?filter[>ID]=0&order[ID]=ASC&select[0]=ID&start=-1\"");
  for (int i = 1; i < 5; i++)
    g_string_append_printf (cmd, ",\"c%d\":\"crm.deal.list?filter[>ID]=$result[c%d][49][ID]&order[ID]=ASC&select[0]=ID&start=-1\"",
                            i, i - 1);
  g_string_append (cmd, "}}");
  body = g_string_free (cmd, FALSE);
  keyset = b24_test_rest (emu, "batch", body, NULL);
  g_assert_cmpstr (b24_test_string (keyset, "result.result.c4.0.ID"), ==, "201");
  g_assert_cmpstr (b24_test_string (keyset, "result.result.c4.49.ID"), ==, "250");

  halted = b24_test_rest (emu, "batch",
                          "{\"halt\":1,\"cmd\":{\"a\":\"crm.deal.get?id=1\",\"b\":\"crm.deal.get?id=0\","
                          "\"c\":\"crm.deal.get?id=2\"}}", NULL);
  g_assert_cmpstr (b24_test_string (halted, "result.result.a.ID"), ==, "1");
  g_assert_false (json_object_has_member (b24_test_object (halted, "result.result"), "c"));
  g_assert_cmpstr (b24_test_string (halted, "result.result_error.b.error_description"), ==, "ID is not defined or invalid.");

  cmd = g_string_new ("{\"cmd\":{");
  for (int i = 0; i < 52; i++)
    g_string_append_printf (cmd, "%s\"k%d\":\"%s\"", i > 0 ? "," : "", i, i == 0 ? "batch?cmd[x]=user.current" : "user.current");
  g_string_append (cmd, "}}");
  g_free (body);
  body = g_string_free (cmd, FALSE);
  too_long = b24_test_rest (emu, "batch", body, NULL);
  g_assert_cmpstr (b24_test_string (too_long, "result.result_error.k0.error"), ==, "ERROR_BATCH_METHOD_NOT_ALLOWED");
  g_assert_cmpstr (b24_test_string (too_long, "result.result_error.k50.error"), ==, "ERROR_BATCH_LENGTH_EXCEEDED");
  g_assert_cmpstr (b24_test_string (too_long, "result.result_error.k51.error"), ==, "ERROR_BATCH_LENGTH_EXCEEDED");
  g_assert_cmpstr (b24_test_string (too_long, "result.result.k49.ID"), ==, "1");
}

static void
test_write_rules (void)
{
  g_autoptr(JsonNode) added = b24_test_rest (emu, "crm.deal.add", "{\"fields\":{\"CATEGORY_ID\":1}}", NULL);
  gint64 id = b24_test_int (added, "result");
  g_autofree char *update = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"CATEGORY_ID\":0,"
                                             "\"STAGE_ID\":\"C1:WON\",\"NO_SUCH_FIELD\":1}}", id);
  g_autofree char *get = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", id);
  g_autofree char *title = g_strdup_printf ("Deal #%" G_GINT64_FORMAT, id);
  g_autoptr(JsonNode) updated = b24_test_rest (emu, "crm.deal.update", update, NULL);
  g_autoptr(JsonNode) deal = b24_test_rest (emu, "crm.deal.get", get, NULL);
  g_autoptr(JsonNode) deleted = b24_test_rest (emu, "crm.deal.delete", get, NULL);
  guint status;
  g_autoptr(JsonNode) gone = b24_test_rest (emu, "crm.deal.get", get, &status);

  g_assert_true (json_node_get_boolean (json_object_get_member (json_node_get_object (updated), "result")));
  g_assert_cmpstr (b24_test_string (deal, "result.TITLE"), ==, title);
  /* CATEGORY_ID is immutable through crm.deal.update. */
  g_assert_cmpstr (b24_test_string (deal, "result.CATEGORY_ID"), ==, "1");
  g_assert_cmpstr (b24_test_string (deal, "result.STAGE_ID"), ==, "C1:WON");
  g_assert_cmpstr (b24_test_string (deal, "result.STAGE_SEMANTIC_ID"), ==, "S");
  g_assert_cmpstr (b24_test_string (deal, "result.CLOSED"), ==, "Y");
  g_assert_true (json_node_get_boolean (json_object_get_member (json_node_get_object (deleted), "result")));
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (b24_test_string (gone, "error_description"), ==, "Not found");
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--seed-deals", "10000", "--seed-contacts", "500", "--seed-companies", "100", NULL);
  g_test_add_func ("/emulator/paging/walk-by-start", test_walk_by_start);
  g_test_add_func ("/emulator/paging/walk-by-id", test_walk_by_id);
  g_test_add_func ("/emulator/paging/filters", test_filters);
  g_test_add_func ("/emulator/paging/select-masks", test_select_masks);
  g_test_add_func ("/emulator/paging/batch-references-and-halt", test_batch_references_and_halt);
  g_test_add_func ("/emulator/paging/write-rules", test_write_rules);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
