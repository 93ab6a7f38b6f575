/* test-events.c: incremental changes through the portal's offline event queue (OAuth),
 * comments and tasks among them, our own writes not echoed back, a queue left half-read,
 * and portal deletions of rows with changes not sent yet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-records.h"
#include "sd-store-sync.h"

#include <sqlite3.h>
#include <string.h>

static SdB24Client *
oauth_client (SdTestSync *t)
{
  g_autoptr(JsonNode) token = b24_test_control (t->portal, "token", "{\"user_id\":1,\"expires_in\":3600}");
  g_autofree char *token_url = g_strconcat (t->portal->base, "/oauth/token/", NULL);
  g_autoptr(GError) error = NULL;
  SdB24Client *client;

  client = sd_b24_client_new_oauth (t->portal->base, b24_test_string (token, "access_token"),
                                    b24_test_string (token, "refresh_token"),
                                    b24_test_string (token, "client_id"),
                                    b24_test_string (token, "client_secret"), token_url, &error);
  g_assert_no_error (error);
  return client;
}

static SdSyncReport
sync_with (SdSyncEngine *engine)
{
  g_autoptr(GError) error = NULL;
  SdSyncReport report = { 0 };

  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return report;
}

/* The same changes by another portal user reach an OAuth database through the queue and a
 * webhook database through the DATE_MODIFY scan; the queue needs fewer requests. */
static void
test_queue_changes (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "400", "--seed-contacts", "60",
                                    "--seed-companies", "10", NULL);
  g_autoptr(SdB24Client) client = oauth_client (t);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (t->db, client);
  g_autofree char *hook_db = g_build_filename (t->dir, "webhook.db", NULL);
  g_autoptr(SdStore) hook_store = NULL;
  g_autoptr(SdSyncEngine) hook_engine = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  g_autoptr(GError) error = NULL;
  SdSyncReport report, hook;
  gint64 local;

  hook_store = sd_store_open (hook_db, &error);
  g_assert_no_error (error);
  hook_engine = sd_sync_engine_new (hook_db, t->client);
  /* Neither compares in full after the first sync: what each reads is its own path. */
  sd_sync_engine_set_check_interval (engine, 3600);
  sd_sync_engine_set_check_interval (hook_engine, 3600);

  report = sync_with (engine);
  g_assert_true (report.agree);
  hook = sync_with (hook_engine);
  g_assert_true (hook.agree);

  /* Another user: deals changed (one of them twice: one event), a deal and a company
   * added, a contact renamed. */
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":7,\"fields\":{\"TITLE\":\"Через очередь\"}}");
  b = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":7,\"fields\":{\"OPPORTUNITY\":\"777.00\"}}");
  c = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":350,\"fields\":{\"COMMENTS\":\"Новое\"}}");
  d = sd_test_sync_act (t, 3, "crm.contact.update", "{\"id\":12,\"fields\":{\"NAME\":\"Очередной\"}}");
  e = sd_test_sync_act (t, 3, "crm.company.add", "{\"fields\":{\"TITLE\":\"ООО Из очереди\"}}");
  g_clear_pointer (&a, json_node_unref);
  a = sd_test_sync_act (t, 3, "crm.deal.add", "{\"fields\":{\"TITLE\":\"Новая из очереди\"}}");
  /* More than a page of one kind: the scan needs a second look, the queue does not. */
  for (guint i = 100; i < 160; i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"id\":%u,\"fields\":{\"COMMENTS\":\"Пакет %u\"}}", i, i);
      g_autoptr(JsonNode) changed = sd_test_sync_act (t, 3, "crm.deal.update", params);
    }

  report = sync_with (engine);
  hook = sync_with (hook_engine);
  g_test_message ("queue: %u requests, %u rows; scan: %u requests, %u rows",
                  report.requests, report.pulled, hook.requests, hook.pulled);
  g_assert_true (report.agree);
  g_assert_false (report.checked);
  g_assert_cmpuint (report.pulled, ==, 65);
  g_assert_cmpuint (report.pulled, ==, hook.pulled);
  g_assert_cmpuint (report.requests, <, hook.requests);
  local = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 7);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals WHERE title = 'Через очередь'"
                                          " AND amount = 77700"), ==, 1);
  g_assert_cmpint (local, !=, 0);
  sd_test_sync_assert_agree (t);

  /* Nothing changed since: the queue comes empty with the shared request, which is all
   * an idle sync asks (comments and tasks are queued events too); the scan still looks. */
  report = sync_with (engine);
  hook = sync_with (hook_engine);
  g_test_message ("idle: queue %u requests, scan %u", report.requests, hook.requests);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.requests, ==, 1);
  g_assert_cmpuint (report.requests, <, hook.requests);
  /* The scan's first pages, the task list and the comments ride in the shared request
   * too; what the scan adds here is the 120 s overlap reading again the deals seeded just
   * now (their pages after the first). */
  g_assert_cmpuint (hook.requests, <=, 2);
  sd_test_sync_free (t);
}

static const char *
task_id_of (JsonNode *answer)
{
  return json_object_get_string_member (json_object_get_object_member (
           json_object_get_object_member (json_node_get_object (answer), "result"), "task"), "id");
}

/* Comments and tasks others add, change and delete arrive through the queue, whichever
 * deal they belong to (the comment sweep would reach deal 350 of 400 only after seven
 * syncs), and an idle sync is the one shared request. */
static void
test_queue_comments_tasks (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "400", "--seed-contacts", "20", NULL);
  g_autoptr(SdB24Client) client = oauth_client (t);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (t->db, client);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL, f = NULL, g = NULL, h = NULL;
  g_autofree char *update = NULL, *del = NULL, *start = NULL, *drop = NULL;
  SdSyncReport report;

  sd_sync_engine_set_check_interval (engine, 3600);
  report = sync_with (engine);
  g_assert_true (report.agree);
  report = sync_with (engine);
  g_assert_cmpuint (report.requests, ==, 1);

  a = sd_test_sync_act (t, 3, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":350,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Из очереди\"}}");
  b = sd_test_sync_act (t, 4, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":360,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Тоже из очереди\"}}");
  c = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Задача из очереди\",\"RESPONSIBLE_ID\":4,"
                        "\"UF_CRM_TASK\":[\"D_355\"]}}");
  d = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Вторая из очереди\",\"RESPONSIBLE_ID\":3,"
                        "\"UF_CRM_TASK\":[\"D_356\"]}}");
  report = sync_with (engine);
  g_test_message ("comments and tasks: %u requests, %u rows", report.requests, report.pulled);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pulled, ==, 4);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline t JOIN deals d ON d.id = t.deal_id"
                                          " WHERE d.b24_id = 350 AND t.text = 'Из очереди'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks t JOIN deals d ON d.id = t.deal_id"
                                          " WHERE d.b24_id = 355 AND t.title = 'Задача из очереди'"), ==, 1);
  sd_test_sync_assert_agree (t);

  /* Changed and deleted there. */
  update = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENT\":\"Исправлено там\"}}",
                            json_node_get_int (json_object_get_member (json_node_get_object (a), "result")));
  del = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}",
                         json_node_get_int (json_object_get_member (json_node_get_object (b), "result")));
  start = g_strdup_printf ("{\"taskId\":%s}", task_id_of (c));
  drop = g_strdup_printf ("{\"taskId\":%s}", task_id_of (d));
  e = sd_test_sync_act (t, 3, "crm.timeline.comment.update", update);
  f = sd_test_sync_act (t, 4, "crm.timeline.comment.delete", del);
  g = sd_test_sync_act (t, 4, "tasks.task.start", start);
  h = sd_test_sync_act (t, 3, "tasks.task.delete", drop);
  report = sync_with (engine);
  g_assert_true (report.agree);
  g_assert_false (report.checked);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE kind = 'comment'"
                                          " AND text IN ('Исправлено там', 'Тоже из очереди')"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks WHERE status = 'in_progress'"), ==, 1);
  sd_test_sync_assert_agree (t);

  report = sync_with (engine);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.requests, ==, 1);
  sd_test_sync_free (t);
}

/* Comments another user adds to deals whose comments are not here: each new comment is
 * read with its deal's list in one request (the list's owner a $result reference to the
 * comment's answer), 25 comments a request; a comment on a contact is read and left. */
static void
test_queue_new_comments (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "400", "--seed-contacts", "20", NULL);
  g_autoptr(SdB24Client) client = oauth_client (t);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (t->db, client);
  g_autoptr(JsonNode) first = NULL;
  g_autofree char *edit = NULL;
  SdSyncReport report;

  sd_sync_engine_set_check_interval (engine, 3600);
  report = sync_with (engine);
  g_assert_true (report.agree);
  report = sync_with (engine);
  g_assert_cmpuint (report.requests, ==, 1);

  /* 24 comments on 20 deals (four of them twice) and one on contact 5 (deal 5 is here). */
  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"fields\":{\"ENTITY_ID\":%u,\"ENTITY_TYPE\":\"deal\","
                                                 "\"COMMENT\":\"Новый %u\"}}", 301 + i % 20, i);
      JsonNode *added = sd_test_sync_act (t, 3, "crm.timeline.comment.add", params);

      if (first == NULL)
        first = added;
      else
        json_node_unref (added);
    }
  json_node_unref (sd_test_sync_act (t, 4, "crm.timeline.comment.add",
                                     "{\"fields\":{\"ENTITY_ID\":5,\"ENTITY_TYPE\":\"contact\","
                                     "\"COMMENT\":\"У контакта\"}}"));
  report = sync_with (engine);
  g_test_message ("25 new comments: %u requests, %u rows", report.requests, report.pulled);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pulled, ==, 24);
  /* The shared request, then one for all 25. */
  g_assert_cmpuint (report.requests, ==, 2);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE kind = 'comment'"
                                          " AND text LIKE 'Новый %'"), ==, 24);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'У контакта'"), ==, 0);
  sd_test_sync_assert_agree (t);

  /* 26 more on other deals and an edit of one here: 25 new a request, the known deal's
   * list in the second's free commands. */
  for (guint i = 0; i < 26; i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"fields\":{\"ENTITY_ID\":%u,\"ENTITY_TYPE\":\"deal\","
                                                 "\"COMMENT\":\"Ещё %u\"}}", 340 + i, i);

      json_node_unref (sd_test_sync_act (t, 3, "crm.timeline.comment.add", params));
    }
  edit = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENT\":\"Исправлен\"}}",
                          json_node_get_int (json_object_get_member (json_node_get_object (first), "result")));
  json_node_unref (sd_test_sync_act (t, 3, "crm.timeline.comment.update", edit));
  report = sync_with (engine);
  g_test_message ("26 new comments and an edit: %u requests, %u rows", report.requests, report.pulled);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pulled, ==, 27);
  g_assert_cmpuint (report.requests, ==, 3);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Исправлен'"), ==, 1);
  sd_test_sync_assert_agree (t);

  report = sync_with (engine);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpuint (report.requests, ==, 1);
  sd_test_sync_free (t);
}

/* Our own push carries the connector: it raises no event, so the next sync reads nothing. */
static void
test_no_echo (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "120", "--seed-contacts", "20", NULL);
  g_autoptr(SdB24Client) client = oauth_client (t);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (t->db, client);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL;
  SdSyncReport report;

  sd_sync_engine_set_check_interval (engine, 3600);
  report = sync_with (engine);
  g_assert_true (report.agree);
  report = sync_with (engine);
  g_assert_cmpuint (report.pulled, ==, 0);

  for (guint i = 1; i <= 30; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Своя правка %u", i);

      sd_changes_set_text (changes, "title", title);
      g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, sd_store_find_b24 (t->store, SD_ENTITY_DEAL, i),
                                      changes, &error));
      g_assert_no_error (error);
    }
  report = sync_with (engine);
  g_assert_cmpuint (report.pushed, ==, 30);
  g_assert_true (report.agree);

  /* The portal queued nothing of ours: nothing is fetched back. Another user's change
   * still comes. */
  report = sync_with (engine);
  g_assert_cmpuint (report.pulled, ==, 0);
  /* As an idle sync (see test_queue_changes): no row is fetched back. */
  g_assert_cmpuint (report.requests, ==, 1);
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":100,\"fields\":{\"TITLE\":\"Чужая правка\"}}");
  report = sync_with (engine);
  g_assert_cmpuint (report.pulled, ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A sync stopped after taking events and before clearing them: the portal does not hand
 * them out again, so the next sync scans and compares in full, and loses nothing. */
static void
test_half_read_queue (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "120", "--seed-contacts", "20", NULL);
  g_autoptr(SdB24Client) client = oauth_client (t);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (t->db, client);
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonObject) taken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *process = NULL;
  g_autofree char *pending = NULL;
  SdSyncReport report;

  sd_sync_engine_set_check_interval (engine, 3600);
  report = sync_with (engine);
  g_assert_true (report.agree);

  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":9,\"fields\":{\"TITLE\":\"Пока шла синхронизация\"}}");
  b = sd_test_sync_act (t, 3, "crm.deal.delete", "{\"id\":10}");
  /* What the stopped sync did: took the events and remembered their process. */
  json_object_set_int_member (params, "clear", 0);
  taken = sd_b24_client_call (client, "event.offline.get", params, SD_B24_CALL_READ, NULL, &error);
  g_assert_no_error (error);
  process = g_strdup (json_object_get_string_member (json_object_get_object_member (taken, "result"),
                                                     "process_id"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (taken, "result"), "events")), ==, 2);
  g_assert_true (sd_store_set_meta (t->store, "sync.offline_process", process, &error));

  report = sync_with (engine);
  g_assert_true (report.agree);
  g_assert_true (report.checked);
  g_assert_cmpuint (report.deleted, ==, 1);
  pending = sd_store_get_meta (t->store, "sync.offline_process");
  g_assert_null (pending);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals WHERE title = 'Пока шла синхронизация'"),
                   ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static SdConflict *
only_conflict (SdTestSync *t,
               SdEntity    entity,
               gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = sd_store_list_conflicts (t->store, entity, id, &error);
  SdConflict *conflict;

  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_steal_index (conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, SD_CONFLICT_DELETED);
  g_assert_cmpstr (conflict->local_value, ==, "0");
  g_assert_cmpstr (conflict->remote_value, ==, "1");
  return conflict;
}

/* The portal deletes rows that have changes here not sent yet: neither side wins silently.
 * Kept, the deal is created there again with its edits; given up, the contact goes here. */
static void
test_deleted_with_local_edits (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "60", "--seed-contacts", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(SdConflict) deal_conflict = NULL, contact_conflict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) deal_edit = sd_changes_new ();
  g_autoptr(SdChanges) contact_edit = sd_changes_new ();
  gint64 deal, contact, new_id;
  g_autofree char *filter = NULL;
  g_autoptr(JsonObject) remote = NULL;

  g_assert_true (report.agree);
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 21);
  contact = sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 6);
  sd_changes_set_text (deal_edit, "title", "Правка до удаления");
  g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal, deal_edit, &error));
  sd_changes_set_text (contact_edit, "first_name", "Удалённый");
  g_assert_true (sd_store_update (t->store, SD_ENTITY_CONTACT, contact, contact_edit, &error));
  g_assert_no_error (error);
  a = sd_test_sync_act (t, 3, "crm.deal.delete", "{\"id\":21}");
  b = sd_test_sync_act (t, 3, "crm.contact.delete", "{\"id\":6}");

  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 2);
  g_assert_cmpuint (report.deleted, ==, 0);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 60);
  deal_conflict = only_conflict (t, SD_ENTITY_DEAL, deal);
  contact_conflict = only_conflict (t, SD_ENTITY_CONTACT, contact);

  /* Another sync before the user chose: still two conflicts, nothing sent. */
  report = sd_test_sync_run (t);
  g_assert_cmpuint (report.conflicts, ==, 2);
  g_assert_cmpuint (report.pushed, ==, 0);

  g_assert_true (sd_store_resolve_conflict (t->store, deal_conflict->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sd_store_resolve_conflict (t->store, contact_conflict->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contacts"), ==, 19);

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 0);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_DEAL, deal, &new_id));
  g_assert_cmpint (new_id, >, 60);
  filter = g_strdup_printf ("SELECT count(*) FROM deals WHERE id = %" G_GINT64_FORMAT
                            " AND title = 'Правка до удаления'", deal);
  g_assert_cmpint (sd_test_sync_count (t, filter), ==, 1);
  remote = sd_test_sync_remote_row (t, "deal", new_id);
  g_assert_nonnull (remote);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}


static gchar *
local_name (SdTestSync *t,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return name;
}

/* A pipeline or stage renamed on the portal is renamed here, unless someone renamed it
 * here: that name stays. */
static void
test_portal_renames (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "30", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL;
  g_autoptr(SdChanges) rename = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = NULL, *inspection = NULL, *works = NULL;
  gint64 stage;

  g_assert_true (report.agree);
  stage = sd_store_find_stage_b24 (t->store, sd_store_find_b24 (t->store, SD_ENTITY_PIPELINE, 1), "C1:EXECUTING");
  g_assert_cmpint (stage, !=, 0);
  sd_changes_set_text (rename, "name", "Работы");
  g_assert_true (sd_store_update (t->store, SD_ENTITY_STAGE, stage, rename, &error));
  g_assert_no_error (error);

  a = sd_test_sync_act (t, 1, "crm.category.update",
                        "{\"entityTypeId\":2,\"id\":1,\"fields\":{\"name\":\"Ремонт квартир\"}}");
  b = sd_test_sync_act (t, 1, "crm.status.update", "{\"id\":203,\"fields\":{\"NAME\":\"Осмотр\"}}");
  c = sd_test_sync_act (t, 1, "crm.status.update", "{\"id\":205,\"fields\":{\"NAME\":\"Исполнение\"}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);

  pipeline = local_name (t, "SELECT name FROM pipelines WHERE b24_id = 1");
  inspection = local_name (t, "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id"
                              " WHERE p.b24_id = 1 AND s.b24_status_id = 'C1:PREPARATION'");
  works = local_name (t, "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id"
                         " WHERE p.b24_id = 1 AND s.b24_status_id = 'C1:EXECUTING'");
  g_assert_cmpstr (pipeline, ==, "Ремонт квартир");
  g_assert_cmpstr (inspection, ==, "Осмотр");
  g_assert_cmpstr (works, ==, "Работы");
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Deals of a pipeline made here: the portal gets a category and stages for it, and the
 * deals go there, not to the default pipeline. */
static void
test_local_pipeline_category (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(SdChanges) pipeline_fields = sd_changes_new ();
  g_autoptr(SdChanges) deal_fields = sd_changes_new ();
  g_autoptr(JsonObject) remote = NULL;
  g_autoptr(GError) error = NULL;
  static const char *const codes[] = { "call", "visit", "won", "lost" };
  static const char *const semantics[] = { "process", "process", "won", "lost" };
  gint64 pipeline, stages[4], deal, category, b24_deal;
  g_autofree char *status = NULL;

  g_assert_true (report.agree);
  sd_changes_set_text (pipeline_fields, "code", "windows");
  sd_changes_set_text (pipeline_fields, "name", "Окна");
  sd_changes_set_int (pipeline_fields, "sort", 900);
  pipeline = sd_store_insert (t->store, SD_ENTITY_PIPELINE, pipeline_fields, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(SdChanges) stage = sd_changes_new ();
      g_autofree char *name = g_strdup_printf ("Этап %u", i + 1);

      sd_changes_set_int (stage, "pipeline_id", pipeline);
      sd_changes_set_text (stage, "code", codes[i]);
      sd_changes_set_text (stage, "name", name);
      sd_changes_set_int (stage, "sort", (i + 1) * 10);
      sd_changes_set_text (stage, "semantics", semantics[i]);
      stages[i] = sd_store_insert (t->store, SD_ENTITY_STAGE, stage, &error);
      g_assert_no_error (error);
    }
  sd_changes_set_text (deal_fields, "title", "Окна в офис");
  sd_changes_set_int (deal_fields, "pipeline_id", pipeline);
  sd_changes_set_int (deal_fields, "stage_id", stages[1]);
  deal = sd_store_insert (t->store, SD_ENTITY_DEAL, deal_fields, &error);
  g_assert_no_error (error);

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_PIPELINE, pipeline, &category));
  g_assert_cmpint (category, >, 1);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_DEAL, deal, &b24_deal));
  remote = sd_test_sync_remote_row (t, "deal", b24_deal);
  g_assert_nonnull (remote);
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (remote, "CATEGORY_ID"), NULL, 10), ==, category);
  status = g_strdup_printf ("C%" G_GINT64_FORMAT ":VISIT", category);
  g_assert_cmpstr (json_object_get_string_member (remote, "STAGE_ID"), ==, status);
  sd_test_sync_assert_agree (t);

  /* Nothing more to make: a second sync creates no other category. */
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM pipelines"), ==, 3);
  sd_test_sync_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/events/queue-changes", test_queue_changes);
  g_test_add_func ("/events/no-echo", test_no_echo);
  g_test_add_func ("/events/queue-comments-tasks", test_queue_comments_tasks);
  g_test_add_func ("/events/queue-new-comments", test_queue_new_comments);
  g_test_add_func ("/events/half-read-queue", test_half_read_queue);
  g_test_add_func ("/events/deleted-with-local-edits", test_deleted_with_local_edits);
  g_test_add_func ("/events/portal-renames", test_portal_renames);
  g_test_add_func ("/events/local-pipeline-category", test_local_pipeline_category);
  return g_test_run ();
}
