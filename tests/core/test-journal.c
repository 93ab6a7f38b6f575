/* test-journal.c: every write through the store is journaled, in its transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-store.h"

#include <json-glib/json-glib.h>

typedef struct
{
  guint  entity;
  gint64 id;
  guint  op;
} Heard;

static void
on_changed (SdStore *store,
            guint    entity,
            gint64   id,
            guint    op,
            GArray  *heard)
{
  g_array_append_val (heard, ((Heard) { entity, id, op }));
}

static JsonObject *
last_entry_changes (SdStore *store,
                    char   **out_op,
                    gint64  *out_author)
{
  g_autoptr(GPtrArray) entries = sd_store_list_journal (store, 0, 0, 100000, NULL);
  SdJournalEntry *entry = entries->pdata[entries->len - 1];
  g_autoptr(JsonNode) node = json_from_string (entry->changes, NULL);

  *out_op = g_strdup (entry->op);
  *out_author = entry->author_id;
  return json_object_ref (json_node_get_object (node));
}

static void
assert_change (JsonObject *changes,
               const char *field,
               const char *old_text,
               const char *new_text)
{
  JsonArray *pair = json_object_get_array_member (changes, field);
  JsonNode *old_node, *new_node;

  g_assert_nonnull (pair);
  g_assert_cmpint (json_array_get_length (pair), ==, 2);
  old_node = json_array_get_element (pair, 0);
  new_node = json_array_get_element (pair, 1);
  if (old_text == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (old_node));
  else
    g_assert_cmpstr (json_node_get_string (old_node), ==, old_text);
  if (new_text == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (new_node));
  else
    g_assert_cmpstr (json_node_get_string (new_node), ==, new_text);
}

static void
test_every_write_journaled (SdTestStore  *f,
                            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) edit = sd_changes_new ();
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *op = NULL;
  gint64 author = -1;
  gint64 deal;

  deal = sd_test_store_add_deal (f, "Ремонт квартиры на Тверской", f->stage_new, 50000000);
  changes = last_entry_changes (f->store, &op, &author);
  g_assert_cmpstr (op, ==, "insert");
  g_assert_cmpint (author, ==, 0);
  assert_change (changes, "title", NULL, "Ремонт квартиры на Тверской");
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (changes, "amount"), 1),
                   ==, 50000000);
  g_assert_false (json_object_has_member (changes, "created_at"));
  g_clear_pointer (&changes, json_object_unref);
  g_clear_pointer (&op, g_free);

  sd_store_set_actor (f->store, f->clerk);
  sd_changes_set_text (edit, "title", "Ремонт квартиры на Арбате");
  sd_changes_set_int (edit, "amount", 50000000);  /* unchanged: not journaled */
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, deal, edit, &error));
  g_assert_no_error (error);
  changes = last_entry_changes (f->store, &op, &author);
  g_assert_cmpstr (op, ==, "update");
  g_assert_cmpint (author, ==, f->clerk);
  assert_change (changes, "title", "Ремонт квартиры на Тверской", "Ремонт квартиры на Арбате");
  g_assert_false (json_object_has_member (changes, "amount"));
  g_clear_pointer (&changes, json_object_unref);
  g_clear_pointer (&op, g_free);

  sd_store_set_actor (f->store, f->boss);
  g_assert_true (sd_store_delete (f->store, SD_ENTITY_DEAL, deal, &error));
  g_assert_no_error (error);
  changes = last_entry_changes (f->store, &op, &author);
  g_assert_cmpstr (op, ==, "delete");
  assert_change (changes, "title", "Ремонт квартиры на Арбате", NULL);
  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM journal WHERE entity = 'deal'"),
                   ==, 3);
}

static void
test_journal_json_escapes (SdTestStore  *f,
                           gconstpointer data)
{
  static const char title[] = "ООО \"Кавычки\" \\ путь\nвторая строка\tтаб\x01";
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *op = NULL;
  gint64 author;

  sd_test_store_add_deal (f, title, f->stage_new, 1);
  changes = last_entry_changes (f->store, &op, &author);
  assert_change (changes, "title", NULL, title);
}

static void
test_rollback_leaves_nothing (SdTestStore  *f,
                              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) bad = sd_changes_new ();
  gint64 journal_before = sd_test_count (f->store, "SELECT count(*) FROM journal");
  gint64 deals_before = sd_test_count (f->store, "SELECT count(*) FROM deals");
  g_autoptr(GArray) heard = g_array_new (FALSE, FALSE, sizeof (Heard));

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), heard);

  /* A write the schema refuses: a negative amount. */
  sd_changes_set_text (bad, "title", "Отрицательная");
  sd_changes_set_int (bad, "pipeline_id", f->pipeline);
  sd_changes_set_int (bad, "stage_id", f->stage_new);
  sd_changes_set_int (bad, "amount", -5);
  g_assert_cmpint (sd_store_insert (f->store, SD_ENTITY_DEAL, bad, &error), ==, 0);
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Good writes inside a transaction that is rolled back. */
  g_assert_true (sd_store_begin (f->store, &error));
  sd_test_store_add_deal (f, "Исчезнет", f->stage_new, 100);
  sd_test_store_add_deal (f, "Тоже исчезнет", f->stage_new, 100);
  sd_store_rollback (f->store);

  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM journal"), ==, journal_before);
  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM deals"), ==, deals_before);
  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM search"), ==, 0);
  g_assert_cmpint (heard->len, ==, 0);
  g_signal_handlers_disconnect_by_data (f->store, heard);
}

/* Without savepoints a failed write cannot be undone alone: the whole import goes. */
static void
test_bulk_failure_dooms_transaction (SdTestStore  *f,
                                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) bad = sd_changes_new ();
  gint64 deals_before = sd_test_count (f->store, "SELECT count(*) FROM deals");
  gint64 journal_before = sd_test_count (f->store, "SELECT count(*) FROM journal");

  g_assert_true (sd_store_begin_bulk (f->store, &error));
  sd_test_store_add_deal (f, "Первая", f->stage_new, 1);
  sd_changes_set_text (bad, "title", "");  /* refused: a title is required */
  sd_changes_set_int (bad, "pipeline_id", f->pipeline);
  sd_changes_set_int (bad, "stage_id", f->stage_new);
  g_assert_cmpint (sd_store_insert (f->store, SD_ENTITY_DEAL, bad, &error), ==, 0);
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  sd_test_store_add_deal (f, "Третья", f->stage_new, 1);
  g_assert_false (sd_store_commit (f->store, &error));
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_FAILED);
  g_assert_false (sd_store_in_transaction (f->store));

  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM deals"), ==, deals_before);
  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM journal"), ==, journal_before);

  /* The store is usable afterwards. */
  sd_test_store_add_deal (f, "После", f->stage_new, 1);
  g_assert_cmpint (sd_test_count (f->store, "SELECT count(*) FROM deals"), ==, deals_before + 1);
}

static void
test_notifications_after_commit (SdTestStore  *f,
                                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) heard = g_array_new (FALSE, FALSE, sizeof (Heard));
  g_autoptr(SdChanges) payment = sd_changes_new ();
  gint64 deal, payment_id;

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), heard);
  g_assert_true (sd_store_begin (f->store, &error));
  deal = sd_test_store_add_deal (f, "Партия шин", f->stage_new, 1000000);
  sd_changes_set_int (payment, "deal_id", deal);
  sd_changes_set_int (payment, "amount", 300000);
  sd_changes_set_text (payment, "status", "paid");
  sd_changes_set_text (payment, "due_on", "2026-11-01");
  payment_id = sd_store_insert (f->store, SD_ENTITY_PAYMENT, payment, &error);
  g_assert_no_error (error);
  g_assert_cmpint (heard->len, ==, 0);  /* nothing before the commit */
  g_assert_true (sd_store_commit (f->store, &error));

  /* The deal, the payment, and the deal again because its balance changed. */
  g_assert_cmpint (heard->len, ==, 3);
  g_assert_cmpint (g_array_index (heard, Heard, 0).entity, ==, SD_ENTITY_DEAL);
  g_assert_cmpint (g_array_index (heard, Heard, 0).op, ==, SD_CHANGE_INSERT);
  g_assert_cmpint (g_array_index (heard, Heard, 1).entity, ==, SD_ENTITY_PAYMENT);
  g_assert_cmpint (g_array_index (heard, Heard, 1).id, ==, payment_id);
  g_assert_cmpint (g_array_index (heard, Heard, 2).entity, ==, SD_ENTITY_DEAL);
  g_assert_cmpint (g_array_index (heard, Heard, 2).id, ==, deal);
  g_assert_cmpint (g_array_index (heard, Heard, 2).op, ==, SD_CHANGE_UPDATE);
  g_signal_handlers_disconnect_by_data (f->store, heard);
}

static void
add_payment (SdTestStore *f,
             gint64       deal,
             gint64       amount,
             const char  *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) c = sd_changes_new ();

  sd_changes_set_int (c, "deal_id", deal);
  sd_changes_set_int (c, "amount", amount);
  sd_changes_set_text (c, "status", status);
  sd_changes_set_text (c, "due_on", "2026-12-01");
  g_assert_cmpint (sd_store_insert (f->store, SD_ENTITY_PAYMENT, c, &error), >, 0);
  g_assert_no_error (error);
}

static void
test_paid_and_left_derived (SdTestStore  *f,
                            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDeal) deal = NULL;
  g_autoptr(SdChanges) raise = sd_changes_new ();
  gint64 id = sd_test_store_add_deal (f, "Кузовной ремонт", f->stage_new, 12000000);

  add_payment (f, id, 5000000, "paid");
  add_payment (f, id, 2500000, "paid");
  add_payment (f, id, 4500000, "planned");
  deal = sd_store_get_deal (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deal->paid, ==, 7500000);
  g_assert_cmpint (deal->planned, ==, 4500000);
  g_assert_cmpint (sd_deal_get_left_to_pay (deal), ==, 4500000);
  g_clear_pointer (&deal, sd_deal_free);

  /* The amount grows: what is left follows, nothing was stored twice to update. */
  sd_changes_set_int (raise, "amount", 15000000);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, id, raise, &error));
  deal = sd_store_get_deal (f->store, id, &error);
  g_assert_cmpint (sd_deal_get_left_to_pay (deal), ==, 7500000);
}

static void
test_stage_totals (SdTestStore  *f,
                   gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) totals = NULL;

  sd_test_store_add_deal (f, "A", f->stage_new, 100);
  sd_test_store_add_deal (f, "B", f->stage_new, 250);
  sd_test_store_add_deal (f, "C", f->stage_won, 1000);
  totals = sd_store_stage_totals (f->store, f->pipeline, &error);
  g_assert_no_error (error);
  g_assert_cmpint (totals->len, ==, 3);
  g_assert_cmpint (g_array_index (totals, SdStageTotal, 0).count, ==, 2);
  g_assert_cmpint (g_array_index (totals, SdStageTotal, 0).sum, ==, 350);
  g_assert_cmpint (g_array_index (totals, SdStageTotal, 1).count, ==, 0);
  g_assert_cmpint (g_array_index (totals, SdStageTotal, 2).sum, ==, 1000);
}

static void
test_stage_of_other_pipeline_refused (SdTestStore  *f,
                                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) c = sd_changes_new ();
  gint64 other_pipeline, other_stage, deal;

  sd_changes_set_text (c, "code", "other");
  sd_changes_set_text (c, "name", "Other");
  other_pipeline = sd_store_insert (f->store, SD_ENTITY_PIPELINE, c, &error);
  g_clear_pointer (&c, sd_changes_free);
  c = sd_changes_new ();
  sd_changes_set_int (c, "pipeline_id", other_pipeline);
  sd_changes_set_text (c, "code", "x");
  sd_changes_set_text (c, "name", "X");
  sd_changes_set_int (c, "sort", 1);
  other_stage = sd_store_insert (f->store, SD_ENTITY_STAGE, c, &error);
  g_assert_no_error (error);

  deal = sd_test_store_add_deal (f, "Сделка", f->stage_new, 1);
  g_assert_false (sd_store_move_deal (f->store, deal, other_stage, &error));
  g_assert_error (error, SD_STORE_ERROR, SD_STORE_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, SdTestStore, NULL, sd_test_store_setup, func, sd_test_store_teardown)
  ADD ("/core/journal/every-write-journaled", test_every_write_journaled);
  ADD ("/core/journal/rollback-leaves-nothing", test_rollback_leaves_nothing);
  ADD ("/core/journal/json-escapes", test_journal_json_escapes);
  ADD ("/core/journal/bulk-failure-dooms-transaction", test_bulk_failure_dooms_transaction);
  ADD ("/core/journal/notifications-after-commit", test_notifications_after_commit);
  ADD ("/core/deal/paid-and-left-derived", test_paid_and_left_derived);
  ADD ("/core/deal/stage-totals", test_stage_totals);
  ADD ("/core/deal/stage-of-other-pipeline-refused", test_stage_of_other_pipeline_refused);
  return g_test_run ();
}
