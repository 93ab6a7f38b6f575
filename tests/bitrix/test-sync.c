/* test-sync.c: pull, push, conflicts and deletions against the emulator; every test ends
 * by comparing the database with the portal's dump.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-playbook.h"
#include "sd-records.h"
#include "sd-store-sync.h"

static void
test_first_sync (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10000", "--seed-contacts", "2000",
                                    "--seed-companies", "300", NULL);
  SdSyncReport report = sd_test_sync_run (t);

  g_assert_true (report.agree);
  g_assert_cmpuint (report.pulled, >=, 12300);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 10000);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels"), >, 2000);
  /* 2 500 rows a request: the whole first sync fits in the portal's burst. */
  g_assert_cmpuint (report.requests, <, 50);
  g_assert_cmpfloat (sd_sync_engine_get_fraction (t->engine), ==, 1.0);
  g_assert_cmpint (sd_sync_engine_get_state (t->engine), ==, SD_SYNC_STATE_ONLINE);
  g_assert_cmpint (sd_sync_engine_get_last_sync (t->engine), >, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static void
test_incremental (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "500", "--seed-contacts", "100",
                                    "--seed-companies", "5", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;

  g_assert_true (report.agree);
  /* Another portal user changes things. */
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":7,\"fields\":{\"TITLE\":\"Замена окон\",\"STAGE_ID\":\"EXECUTING\"}}");
  b = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":400,\"fields\":{\"OPPORTUNITY\":\"12345.50\"}}");
  c = sd_test_sync_act (t, 4, "crm.deal.add", "{\"fields\":{\"TITLE\":\"Новая сделка\",\"CONTACT_ID\":5}}");
  d = sd_test_sync_act (t, 4, "crm.contact.update", "{\"id\":9,\"fields\":{\"LAST_NAME\":\"Смирнова\"}}");
  e = sd_test_sync_act (t, 4, "crm.requisite.add", "{\"fields\":{\"ENTITY_TYPE_ID\":4,\"ENTITY_ID\":2,"
                        "\"PRESET_ID\":1,\"NAME\":\"Организация\",\"RQ_INN\":\"7736050003\",\"RQ_KPP\":\"773601001\"}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  /* Only what changed (and the overlap) came again, in a handful of requests. */
  g_assert_cmpuint (report.pulled, >=, 4);
  g_assert_cmpuint (report.pulled, <, 50);
  g_assert_cmpuint (report.requests, <, 20);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 501);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT amount FROM deals WHERE b24_id = 400"), ==, 1234550);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM companies WHERE b24_id = 2 "
                                          "AND inn = '7736050003' AND kpp = '773601001'"), ==, 1);
  /* Pulled changes are journaled as remote: nothing waits to go back. */
  g_assert_cmpuint (report.waiting, ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static gint64
first_stage (SdTestSync *t,
             gint64      pipeline)
{
  g_autoptr(GPtrArray) stages = sd_store_list_stages (t->store, pipeline, NULL);

  g_assert_nonnull (stages);
  g_assert_cmpuint (stages->len, >, 2);
  return ((SdStage *) stages->pdata[1])->id;
}

static void
test_push (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "300", "--seed-contacts", "50",
                                    "--seed-companies", "10", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  gint64 pipeline, stage, contact;
  gint64 created[50];

  g_assert_true (report.agree);
  pipeline = sd_store_find_b24 (t->store, SD_ENTITY_PIPELINE, 0);
  stage = first_stage (t, pipeline);

  /* Offline: 500 edits of existing deals ... */
  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 1 + i % 300);
      g_autofree char *title = g_strdup_printf ("Правка %u", i);

      if (i % 3 == 0)
        sd_changes_set_text (changes, "title", title);
      else if (i % 3 == 1)
        sd_changes_set_int (changes, "amount", 100000 + i * 100);
      else
        sd_changes_set_text (changes, "comments", title);
      g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal, changes, &error));
      g_assert_no_error (error);
    }
  /* ... a new contact, and 50 new deals, some of them for that contact. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "first_name", "Пётр");
    sd_changes_set_text (changes, "last_name", "Офлайнов");
    contact = sd_store_insert (t->store, SD_ENTITY_CONTACT, changes, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Создана без сети %u", i);

      sd_changes_set_text (changes, "title", title);
      sd_changes_set_int (changes, "pipeline_id", pipeline);
      sd_changes_set_int (changes, "stage_id", stage);
      sd_changes_set_int (changes, "amount", 5000000 + i);
      if (i % 5 == 0)
        sd_changes_set_int (changes, "contact_id", contact);
      created[i] = sd_store_insert (t->store, SD_ENTITY_DEAL, changes, &error);
      g_assert_no_error (error);
    }
  /* An edit after the creation rides along with it. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "comments", "уточнить адрес");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, created[3], changes, &error));
  }
  g_assert_cmpuint (sd_store_count_outbox (t->store, (const char *[]) { "deal", "contact", NULL }),
                    ==, 552);

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  g_assert_cmpuint (report.pushed, ==, 552);
  for (guint i = 0; i < 50; i++)
    {
      gint64 b24_id = 0;
      g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_DEAL, created[i], &b24_id));
      g_assert_cmpint (b24_id, >, 300);
    }
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 350);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals d JOIN contacts c "
                                          "ON c.id = d.contact_id WHERE c.last_name = 'Офлайнов'"), ==, 10);
  sd_test_sync_assert_agree (t);

  /* Nothing is sent twice. */
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pushed, ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static void
test_conflicts (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "50", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(JsonObject) remote = NULL;
  gint64 deal_a = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 10);
  gint64 deal_b = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 20);
  SdConflict *conflict;

  g_assert_true (report.agree);
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "title", "Наше название");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal_a, changes, &error));
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "comments", "наш комментарий");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal_b, changes, &error));
  }
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":10,\"fields\":{\"TITLE\":\"Их название\"}}");
  b = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":20,\"fields\":{\"TITLE\":\"Их другое поле\"}}");

  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 1);
  conflicts = sd_store_list_conflicts (t->store, SD_ENTITY_DEAL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = conflicts->pdata[0];
  g_assert_cmpint (conflict->entity_id, ==, deal_a);
  g_assert_cmpstr (conflict->field, ==, "title");
  g_assert_cmpstr (conflict->local_value, ==, "\"Наше название\"");
  g_assert_cmpstr (conflict->remote_value, ==, "\"Их название\"");
  g_assert_cmpint (conflict->remote_author_id, ==, 3);
  g_assert_nonnull (conflict->remote_author);
  g_assert_nonnull (conflict->remote_at);
  /* Nothing overwritten on either side while the user has not chosen. */
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals WHERE b24_id = 10 AND title = 'Наше название'"), ==, 1);
  remote = sd_test_sync_remote_row (t, "deal", 10);
  g_assert_cmpstr (json_object_get_string_member (remote, "TITLE"), ==, "Их название");
  g_clear_pointer (&remote, json_object_unref);
  /* Different fields merged: their title here, our comment there. */
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals WHERE b24_id = 20 AND title = 'Их другое поле' AND comments = 'наш комментарий'"), ==, 1);
  remote = sd_test_sync_remote_row (t, "deal", 20);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENTS"), ==, "наш комментарий");
  g_assert_cmpstr (json_object_get_string_member (remote, "TITLE"), ==, "Их другое поле");
  g_clear_pointer (&remote, json_object_unref);

  /* The user keeps our value: it goes to the portal. */
  g_assert_true (sd_store_resolve_conflict (t->store, conflict->id, TRUE, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  remote = sd_test_sync_remote_row (t, "deal", 10);
  g_assert_cmpstr (json_object_get_string_member (remote, "TITLE"), ==, "Наше название");
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static void
test_conflict_take_remote (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(JsonNode) a = NULL;
  gint64 deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 5);

  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "amount", 77700);
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal, changes, &error));
  }
  a = sd_test_sync_act (t, 2, "crm.deal.update", "{\"id\":5,\"fields\":{\"OPPORTUNITY\":\"999.00\"}}");
  report = sd_test_sync_run (t);
  g_assert_cmpuint (report.conflicts, ==, 1);
  conflicts = sd_store_list_conflicts (t->store, SD_ENTITY_DEAL, deal, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  g_assert_true (sd_store_resolve_conflict (t->store, ((SdConflict *) conflicts->pdata[0])->id,
                                            FALSE, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT amount FROM deals WHERE b24_id = 5"), ==, 99900);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static void
test_deletions (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "100", "--seed-contacts", "30", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL;
  g_autoptr(GError) error = NULL;
  gint64 local;

  g_assert_true (report.agree);
  a = sd_test_sync_act (t, 3, "crm.deal.delete", "{\"id\":15}");
  b = sd_test_sync_act (t, 3, "crm.deal.delete", "{\"id\":99}");
  c = sd_test_sync_act (t, 3, "crm.contact.delete", "{\"id\":4}");
  /* And one deleted here, offline. */
  local = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 50);
  g_assert_true (sd_store_delete (t->store, SD_ENTITY_DEAL, local, &error));
  g_assert_no_error (error);

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.deleted, ==, 3);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 97);
  g_assert_null (sd_test_sync_remote_row (t, "deal", 50));
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}


/* The renovation playbook maps pipeline 1, its stages and its fields: deals of category 1
 * land in its stages with their user fields, and field edits go back. */
static void
test_playbook_mapping (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "40", NULL);
  g_autofree char *path = g_build_filename (g_getenv ("SDELKA_DATADIR"), "playbooks", "renovation.json", NULL);
  g_autoptr(SdPlaybook) pb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, added = NULL, fields = NULL;
  g_autoptr(JsonObject) remote = NULL;
  g_autofree char *add = NULL;
  SdSyncReport report;
  gint64 pipeline, deal, rooms, kind, row, house = 0;
  JsonArray *list;

  pb = sd_playbook_load_file (path, &error);
  g_assert_no_error (error);
  pipeline = sd_playbook_install (pb, t->store, &error);
  g_assert_no_error (error);
  rooms = sd_store_find_custom_field (t->store, pipeline, "rooms");
  kind = sd_store_find_custom_field (t->store, pipeline, "object_kind");
  g_assert_cmpint (rooms, >, 0);

  a = sd_test_sync_act (t, 1, "crm.deal.userfield.add",
                        "{\"fields\":{\"FIELD_NAME\":\"1601290004\",\"USER_TYPE_ID\":\"integer\"}}");
  b = sd_test_sync_act (t, 1, "crm.deal.userfield.add",
                        "{\"fields\":{\"FIELD_NAME\":\"1601290001\",\"USER_TYPE_ID\":\"enumeration\","
                        "\"LIST\":[{\"VALUE\":\"Квартира\",\"XML_ID\":\"flat\"},{\"VALUE\":\"Дом\",\"XML_ID\":\"house\"}]}}");
  fields = sd_test_sync_act (t, 1, "crm.deal.userfield.list", "{\"filter\":{\"FIELD_NAME\":\"UF_CRM_1601290001\"}}");
  list = NULL;
  for (guint i = 0; i < json_array_get_length (b24_test_array (fields, "result")); i++)
    {
      JsonObject *uf = json_array_get_object_element (b24_test_array (fields, "result"), i);
      if (g_strcmp0 (json_object_get_string_member (uf, "FIELD_NAME"), "UF_CRM_1601290001") == 0)
        list = json_object_get_array_member (uf, "LIST");
    }
  g_assert_nonnull (list);
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (list, i), "XML_ID"), "house") == 0)
      house = g_ascii_strtoll (json_object_get_string_member (json_array_get_object_element (list, i), "ID"), NULL, 10);
  g_assert_cmpint (house, >, 0);
  add = g_strdup_printf ("{\"fields\":{\"TITLE\":\"Ремонт квартиры\",\"CATEGORY_ID\":1,\"STAGE_ID\":\"C1:PREPARATION\","
                         "\"UF_CRM_1601290004\":3,\"UF_CRM_1601290001\":%" G_GINT64_FORMAT "}}", house);
  added = sd_test_sync_act (t, 3, "crm.deal.add", add);

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, b24_test_int (added, "result"));
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals d JOIN pipelines p ON p.id = d.pipeline_id "
                                          "JOIN stages s ON s.id = d.stage_id WHERE p.code = 'renovation' "
                                          "AND s.code = 'object_data' AND d.title = 'Ремонт квартиры'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deal_fields f JOIN custom_fields c ON c.id = f.field_id "
                                          "WHERE c.code = 'rooms' AND f.value = '3'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deal_fields f JOIN custom_fields c ON c.id = f.field_id "
                                          "WHERE c.code = 'object_kind' AND f.value = 'house'"), ==, 1);

  /* Edited here: the number and the list option go back in the portal's terms. */
  row = sd_store_find_deal_field (t->store, deal, rooms);
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "value", "5");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL_FIELD, row, changes, &error));
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "value", "flat");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL_FIELD,
                                    sd_store_find_deal_field (t->store, deal, kind), changes, &error));
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pushed, ==, 2);
  remote = sd_test_sync_remote_row (t, "deal", b24_test_int (added, "result"));
  g_assert_cmpstr (json_object_get_string_member (remote, "UF_CRM_1601290004"), ==, "5");
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (remote, "UF_CRM_1601290001"), NULL, 10), !=, house);
  sd_test_sync_assert_agree (t);

  /* A field edited here while the deal is deleted there: the deletion does not win
   * silently; kept, the deal is created there again with that field. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    g_autoptr(GPtrArray) conflicts = NULL;
    g_autoptr(JsonNode) deleted = NULL;
    g_autofree char *params = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_test_int (added, "result"));
    gint64 again = 0;

    sd_changes_set_text (changes, "value", "7");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL_FIELD, row, changes, &error));
    deleted = sd_test_sync_act (t, 3, "crm.deal.delete", params);
    report = sd_test_sync_run (t);
    g_assert_false (report.agree);
    conflicts = sd_store_list_conflicts (t->store, SD_ENTITY_DEAL, deal, &error);
    g_assert_cmpuint (conflicts->len, ==, 1);
    g_assert_cmpstr (((SdConflict *) conflicts->pdata[0])->field, ==, SD_CONFLICT_DELETED);
    g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deal_fields WHERE value = '7'"), ==, 1);
    g_assert_true (sd_store_resolve_conflict (t->store, ((SdConflict *) conflicts->pdata[0])->id, TRUE, &error));
    g_assert_no_error (error);
    report = sd_test_sync_run (t);
    g_assert_true (report.agree);
    g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_DEAL, deal, &again));
    g_assert_cmpint (again, !=, b24_test_int (added, "result"));
    g_clear_pointer (&remote, json_object_unref);
    remote = sd_test_sync_remote_row (t, "deal", again);
    g_assert_cmpstr (json_object_get_string_member (remote, "UF_CRM_1601290004"), ==, "7");
    sd_test_sync_assert_agree (t);
  }
  sd_test_sync_free (t);
}

/* Writes the renovation playbook into @datadir/playbooks, its field mapping with or
 * without "rooms" (what the sync links is read from there at each sync). */
static void
write_renovation (const char *datadir,
                  gboolean    with_rooms)
{
  g_autofree char *path = g_build_filename (g_getenv ("SDELKA_SOURCE_DATADIR"), "playbooks", "renovation.json", NULL);
  g_autofree char *dir = g_build_filename (datadir, "playbooks", NULL);
  g_autofree char *out = g_build_filename (dir, "renovation.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *fields;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  fields = json_object_get_object_member (json_object_get_object_member (
             json_node_get_object (json_parser_get_root (parser)), "mapping"), "fields");
  if (!with_rooms)
    json_object_remove_member (fields, "rooms");
  text = json_to_string (json_parser_get_root (parser), TRUE);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (out, text, -1, &error));
}

/* A playbook's mapping names one more portal field: the next sync reads the deals again so
 * that the field, filled there long ago, is filled here; the sync after reads no more. */
static void
test_mapping_added (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "120", NULL);
  g_autofree char *datadir = g_build_filename (t->dir, "data", NULL);
  g_autofree char *source = g_strdup (g_getenv ("SDELKA_DATADIR"));
  g_autofree char *path = g_build_filename (source, "playbooks", "renovation.json", NULL);
  g_autoptr(SdPlaybook) pb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) field = NULL;
  gint64 deals[3];
  SdSyncReport report;
  guint idle;

  g_setenv ("SDELKA_SOURCE_DATADIR", source, TRUE);
  write_renovation (datadir, FALSE);
  g_setenv ("SDELKA_DATADIR", datadir, TRUE);
  sd_sync_engine_set_check_interval (t->engine, 3600);
  pb = sd_playbook_load_file (path, &error);
  g_assert_no_error (error);
  sd_playbook_install (pb, t->store, &error);
  g_assert_no_error (error);
  field = sd_test_sync_act (t, 1, "crm.deal.userfield.add",
                            "{\"fields\":{\"FIELD_NAME\":\"1601290004\",\"USER_TYPE_ID\":\"integer\"}}");
  for (guint i = 0; i < G_N_ELEMENTS (deals); i++)
    {
      g_autofree char *add = g_strdup_printf ("{\"fields\":{\"TITLE\":\"Ремонт %u\",\"CATEGORY_ID\":1,"
                                              "\"STAGE_ID\":\"C1:NEW\",\"UF_CRM_1601290004\":%u}}", i, i + 2);
      g_autoptr(JsonNode) added = sd_test_sync_act (t, 3, "crm.deal.add", add);

      deals[i] = b24_test_int (added, "result");
    }

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deal_fields f JOIN custom_fields c ON c.id = f.field_id"
                                          " WHERE c.code = 'rooms' AND f.value IS NOT NULL"), ==, 0);
  report = sd_test_sync_run (t);
  idle = report.requests;

  /* Mapped now: read again, each deal's rooms as the portal has them. */
  write_renovation (datadir, TRUE);
  report = sd_test_sync_run (t);
  g_test_message ("idle %u requests; with the new field %u", idle, report.requests);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.requests, >, idle);
  for (guint i = 0; i < G_N_ELEMENTS (deals); i++)
    {
      g_autoptr(JsonObject) remote = sd_test_sync_remote_row (t, "deal", deals[i]);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM deal_fields f JOIN custom_fields c"
                                              " ON c.id = f.field_id JOIN deals d ON d.id = f.deal_id"
                                              " WHERE c.code = 'rooms' AND d.b24_id = %" G_GINT64_FORMAT
                                              " AND f.value = '%s'", deals[i],
                                              json_object_get_string_member (remote, "UF_CRM_1601290004"));

      g_assert_cmpint (sd_test_sync_count (t, sql), ==, 1);
    }

  /* Once is enough. */
  report = sd_test_sync_run (t);
  g_assert_cmpuint (report.requests, ==, idle);
  g_assert_cmpuint (report.pulled, ==, 0);
  sd_test_sync_assert_agree (t);
  g_setenv ("SDELKA_DATADIR", source, TRUE);
  sd_test_sync_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/first-10000", test_first_sync);
  g_test_add_func ("/sync/incremental", test_incremental);
  g_test_add_func ("/sync/push", test_push);
  g_test_add_func ("/sync/conflicts", test_conflicts);
  g_test_add_func ("/sync/conflict-take-remote", test_conflict_take_remote);
  g_test_add_func ("/sync/deletions", test_deletions);
  g_test_add_func ("/sync/playbook-mapping", test_playbook_mapping);
  g_test_add_func ("/sync/mapping-added", test_mapping_added);
  return g_test_run ();
}
