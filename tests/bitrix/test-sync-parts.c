/* test-sync-parts.c: timeline comments, tasks and the automation outbox against the
 * emulator; every test ends by comparing the database with the portal's dump.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-automation-db.h"
#include "sd-b24-check.h"
#include "sd-b24-secret.h"
#include "sd-store-sync.h"

#include <string.h>

static gint64
remote_count (SdTestSync *t,
              const char *table,
              const char *member,
              const char *value)
{
  g_autofree char *url = g_strconcat (t->portal->base, "/_emulator/dump", NULL);
  guint status = 0;
  g_autoptr(JsonNode) all = b24_test_http (t->portal, "GET", url, NULL, NULL, &status);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (all), table);
  gint64 n = 0;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonNode *node = member != NULL ? json_object_get_member (row, member) : NULL;
      g_autofree char *text = NULL;

      if (member == NULL)
        {
          n++;
          continue;
        }
      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      text = json_node_get_value_type (node) == G_TYPE_INT64
             ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node))
             : g_strdup (json_node_get_string (node));
      if (g_strcmp0 (text, value) == 0)
        n++;
    }
  return n;
}

static gint64
add_comment (SdTestSync *t,
             gint64      deal_b24,
             const char *text)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  sd_changes_set_int (changes, "deal_id", sd_store_find_b24 (t->store, SD_ENTITY_DEAL, deal_b24));
  sd_changes_set_text (changes, "kind", "comment");
  sd_changes_set_text (changes, "text", text);
  id = sd_store_insert (t->store, SD_ENTITY_TIMELINE, changes, &error);
  g_assert_no_error (error);
  return id;
}

/* Another portal user comments, edits and deletes; a sync brings each here. */
static void
test_comments_pulled (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "30", "--seed-contacts", "10", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
  gint64 first;

  g_assert_true (report.agree);
  a = sd_test_sync_act (t, 3, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":5,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Клиент просит перезвонить\"}}");
  b = sd_test_sync_act (t, 4, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":5,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Замер в четверг\"}}");
  c = sd_test_sync_act (t, 4, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":21,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Смета готова\"}}");
  first = json_node_get_int (json_object_get_member (json_node_get_object (a), "result"));
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE kind = 'comment'"), ==, 3);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline t JOIN deals d ON d.id = t.deal_id"
                                          " JOIN users u ON u.id = t.author_id"
                                          " WHERE d.b24_id = 5 AND u.b24_id = 3"
                                          " AND t.text = 'Клиент просит перезвонить'"), ==, 1);
  /* Pulled rows are the portal's: nothing goes back. */
  g_assert_cmpuint (report.waiting, ==, 0);
  sd_test_sync_assert_agree (t);

  /* Edited and deleted there. */
  {
    g_autofree char *update = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENT\":\"Перезвонить после 18:00\"}}", first);
    d = sd_test_sync_act (t, 3, "crm.timeline.comment.update", update);
  }
  {
    gint64 third = json_node_get_int (json_object_get_member (json_node_get_object (c), "result"));
    g_autofree char *del = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", third);
    e = sd_test_sync_act (t, 4, "crm.timeline.comment.delete", del);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE kind = 'comment'"), ==, 2);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Перезвонить после 18:00'"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Without the event queue a sync reads the comments of the deals others changed (and the
 * sweep's), in its shared request; the deals our own push changed do not cost their
 * comments again in the syncs after it. */
static void
test_comments_after_push (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "400", NULL);
  SdSyncReport report;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(GError) error = NULL;

  /* Each sync's own reads only, not the full comparison's. */
  sd_sync_engine_set_check_interval (t->engine, 3600);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  for (guint i = 1; i <= 200; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Правка %u", i);

      sd_changes_set_text (changes, "title", title);
      g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, sd_store_find_b24 (t->store, SD_ENTITY_DEAL, i),
                                      changes, &error));
      g_assert_no_error (error);
    }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.pushed, ==, 200);

  /* The scan reads the 200 again within its overlap (one request); their comments are not
   * asked for again (four requests more). */
  report = sd_test_sync_run (t);
  g_test_message ("the sync after the push: %u requests", report.requests);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.requests, <=, 2);

  /* Another user changes deal 350 and comments on it: far beyond the sweep, read as a
   * changed deal's (a second after our push: one in the same second waits for the
   * sweep). */
  g_usleep (1100 * 1000);
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":350,\"fields\":{\"TITLE\":\"Изменена там\"}}");
  b = sd_test_sync_act (t, 3, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":350,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"К изменённой\"}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'К изменённой'"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Comments written here go there with their ids mapped; edits and deletions follow; one
 * for a deal created offline waits for the deal's id. */
static void
test_comments_pushed (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) remote = NULL;
  gint64 one, two, three, b24_one = 0, b24_two = 0, deal, pipeline, stage;

  g_assert_true (report.agree);
  one = add_comment (t, 3, "Договорились о замере");
  two = add_comment (t, 3, "Уточнить адрес");
  /* A deal made offline, with a comment. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    pipeline = sd_store_find_b24 (t->store, SD_ENTITY_PIPELINE, 0);
    stage = sd_test_sync_count (t, "SELECT id FROM stages WHERE b24_status_id = 'NEW' LIMIT 1");
    sd_changes_set_text (changes, "title", "Сделка без сети");
    sd_changes_set_int (changes, "pipeline_id", pipeline);
    sd_changes_set_int (changes, "stage_id", stage);
    deal = sd_store_insert (t->store, SD_ENTITY_DEAL, changes, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "deal_id", deal);
    sd_changes_set_text (changes, "kind", "comment");
    sd_changes_set_text (changes, "text", "Первый звонок");
    three = sd_store_insert (t->store, SD_ENTITY_TIMELINE, changes, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (sd_sync_engine_get_waiting (t->engine), ==, 0);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_TIMELINE, one, &b24_one));
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_TIMELINE, two, &b24_two));
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE b24_id IS NOT NULL"), ==, 3);
  remote = sd_test_sync_remote_row (t, "timeline_comment", b24_one);
  g_assert_nonnull (remote);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENT"), ==, "Договорились о замере");
  g_assert_cmpstr (json_object_get_string_member (remote, "ENTITY_ID"), ==, "3");
  (void) three;
  sd_test_sync_assert_agree (t);

  /* Edited and deleted here. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "text", "Замер в пятницу в 10:00");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_TIMELINE, one, changes, &error));
    g_assert_no_error (error);
  }
  g_assert_true (sd_store_delete (t->store, SD_ENTITY_TIMELINE, two, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_clear_pointer (&remote, json_object_unref);
  remote = sd_test_sync_remote_row (t, "timeline_comment", b24_one);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENT"), ==, "Замер в пятницу в 10:00");
  g_assert_null (sd_test_sync_remote_row (t, "timeline_comment", b24_two));
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A comment whose add ran on the portal but whose answer never came is adopted, not sent
 * a second time. */
static void
test_comment_lost_answer (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(JsonNode) a = NULL;
  static const char *const entities[] = { "timeline", NULL };
  gint64 id, b24_id = 0;

  g_assert_true (report.agree);
  id = add_comment (t, 4, "Отправлено до обрыва связи");
  /* What a push cut off after the portal executed it leaves behind. */
  outbox = sd_store_list_outbox (t->store, entities, 10, &error);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_true (sd_store_mark_push_attempted (t->store, ((SdJournalEntry *) outbox->pdata[0])->id, &error));
  a = sd_test_sync_act (t, 1, "crm.timeline.comment.add",
                        "{\"fields\":{\"ENTITY_ID\":4,\"ENTITY_TYPE\":\"deal\",\"COMMENT\":\"Отправлено до обрыва связи\"}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (remote_count (t, "timeline_comment", "COMMENT", "Отправлено до обрыва связи"), ==, 1);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_TIMELINE, id, &b24_id));
  g_assert_cmpint (b24_id, ==, json_node_get_int (json_object_get_member (json_node_get_object (a), "result")));
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Tasks another user binds to deals arrive here; status changes follow. */
static void
test_tasks_pulled (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "30", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autofree char *start = NULL;
  const char *task_id;

  g_assert_true (report.agree);
  a = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Позвонить клиенту\",\"RESPONSIBLE_ID\":4,"
                        "\"DEADLINE\":\"2026-12-01T18:00:00+03:00\",\"TASK_CONTROL\":\"Y\","
                        "\"UF_CRM_TASK\":[\"D_7\"]}}");
  b = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Не по сделке\",\"RESPONSIBLE_ID\":3}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks t JOIN deals d ON d.id = t.deal_id"
                                          " JOIN users u ON u.id = t.responsible_id"
                                          " JOIN users c ON c.id = t.creator_id"
                                          " WHERE d.b24_id = 7 AND u.b24_id = 4 AND c.b24_id = 3"
                                          " AND t.needs_acceptance = 1 AND t.status = 'pending'"
                                          " AND t.deadline = '2026-12-01T15:00:00Z'"), ==, 1);
  g_assert_cmpuint (report.waiting, ==, 0);
  sd_test_sync_assert_agree (t);

  task_id = json_object_get_string_member (json_object_get_object_member (
              json_object_get_object_member (json_node_get_object (a), "result"), "task"), "id");
  start = g_strdup_printf ("{\"taskId\":%s}", task_id);
  c = sd_test_sync_act (t, 4, "tasks.task.start", start);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks WHERE status = 'in_progress'"), ==, 1);
  sd_test_sync_assert_agree (t);

  /* Deleted there: the comparison of both sides removes it here. */
  d = sd_test_sync_act (t, 3, "tasks.task.delete", start);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks"), ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Tasks made here (as the automation makes them) go there bound to their deal, with the
 * responsible, creator, deadline and acceptance; a status change follows. */
static void
test_tasks_pushed (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) remote = NULL;
  gint64 task, task_b24 = 0, second;
  JsonArray *bindings;

  g_assert_true (report.agree);
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "deal_id", sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 6));
    sd_changes_set_text (changes, "title", "Подготовить договор");
    sd_changes_set_text (changes, "description", "По шаблону B2B");
    sd_changes_set_int (changes, "responsible_id", sd_store_find_b24 (t->store, SD_ENTITY_USER, 4));
    sd_changes_set_int (changes, "creator_id", sd_store_find_b24 (t->store, SD_ENTITY_USER, 2));
    sd_changes_set_int (changes, "needs_acceptance", 1);
    sd_changes_set_text (changes, "deadline", "2026-12-03T09:00:00Z");
    task = sd_store_insert (t->store, SD_ENTITY_TASK, changes, &error);
    g_assert_no_error (error);
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "deal_id", sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 8));
    sd_changes_set_text (changes, "title", "Уже в работе");
    sd_changes_set_int (changes, "responsible_id", sd_store_find_b24 (t->store, SD_ENTITY_USER, 3));
    sd_changes_set_text (changes, "status", "in_progress");
    second = sd_store_insert (t->store, SD_ENTITY_TASK, changes, &error);
    g_assert_no_error (error);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_TASK, task, &task_b24));
  remote = sd_test_sync_remote_row_by (t, "task", "id", task_b24);
  g_assert_nonnull (remote);
  g_assert_cmpstr (json_object_get_string_member (remote, "title"), ==, "Подготовить договор");
  g_assert_cmpstr (json_object_get_string_member (remote, "responsibleId"), ==, "4");
  g_assert_cmpstr (json_object_get_string_member (remote, "createdBy"), ==, "2");
  g_assert_cmpstr (json_object_get_string_member (remote, "taskControl"), ==, "Y");
  bindings = json_object_get_array_member (remote, "ufCrmTask");
  g_assert_cmpuint (json_array_get_length (bindings), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (bindings, 0), ==, "D_6");
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks WHERE b24_id IS NOT NULL"), ==, 2);
  (void) second;
  sd_test_sync_assert_agree (t);

  /* Done here: it waits for the creator's acceptance there, then is accepted. */
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "status", "completed");
    sd_changes_set_text (changes, "deadline", "2026-12-04T09:00:00Z");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_TASK, task, changes, &error));
    g_assert_no_error (error);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_clear_pointer (&remote, json_object_unref);
  remote = sd_test_sync_remote_row_by (t, "task", "id", task_b24);
  g_assert_cmpstr (json_object_get_string_member (remote, "status"), ==, "5");
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* The automation outbox: the bell and staff e-mail become portal notifications, a client
 * e-mail a timeline line of the deal; each once, sent_at set; a lost answer does not
 * send twice; the feed has no portal place and waits. */
static void
test_messages (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", "--seed-contacts", "5", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autofree char *install = NULL;
  g_autofree char *tag = NULL;
  gint64 deal, user, contact, notify_before;

  g_assert_true (report.agree);
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 2);
  user = sd_store_find_b24 (t->store, SD_ENTITY_USER, 3);
  contact = sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 1);
  notify_before = remote_count (t, "im_notify", NULL, NULL);
  g_assert_true (sd_automation_db_add_outbox (t->store, deal, "im", user, 0, NULL, NULL,
                                              "Новая заявка: сделка 2", NULL, "order_accepted", &error));
  g_assert_true (sd_automation_db_add_outbox (t->store, deal, "email", user, 0, "manager@example.com",
                                              "Новая заявка", "Посмотрите сделку 2", NULL, "order_accepted",
                                              &error));
  g_assert_true (sd_automation_db_add_outbox (t->store, deal, "email", 0, contact, "client@example.com",
                                              "Заявка принята", "Здравствуйте! Мы приняли вашу заявку.",
                                              NULL, "order_accepted", &error));
  g_assert_true (sd_automation_db_add_outbox (t->store, deal, "feed", 0, 0, NULL, NULL, "Спасибо, Анна!",
                                              NULL, "rating", &error));
  /* The bell's message was delivered once before, its answer lost. */
  install = sd_store_get_meta (t->store, "sync.install");
  tag = g_strdup_printf ("{\"USER_ID\":3,\"MESSAGE\":\"Новая заявка: сделка 2\",\"TAG\":\"sdelka:%s:message:%"
                         G_GINT64_FORMAT "\"}", install,
                         sd_test_sync_count (t, "SELECT min(id) FROM automation_outbox"));
  a = sd_test_sync_act (t, 1, "im.notify.system.add", tag);
  g_assert_no_error (error);

  report = sd_test_sync_run (t);
  g_assert_cmpuint (report.messages, ==, 3);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NOT NULL"), ==, 3);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NULL"
                                          " AND channel = 'feed'"), ==, 1);
  /* Two notifications for user 3, the lost one replaced. */
  g_assert_cmpint (remote_count (t, "im_notify", NULL, NULL) - notify_before, ==, 2);
  g_assert_cmpint (remote_count (t, "im_notify", "USER_ID", "3"), ==, 2);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE kind = 'email'"
                                          " AND b24_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (remote_count (t, "timeline_comment", "ENTITY_ID", "2"), ==, 1);
  sd_test_sync_assert_agree (t);

  /* Again: nothing is sent twice. */
  report = sd_test_sync_run (t);
  g_assert_cmpuint (report.messages, ==, 0);
  g_assert_cmpint (remote_count (t, "im_notify", NULL, NULL) - notify_before, ==, 2);
  g_assert_cmpint (remote_count (t, "timeline_comment", "ENTITY_ID", "2"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A client message whose comment was made but whose answer was lost is found, not made
 * again. */
static void
test_message_lost_answer (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", "--seed-contacts", "5", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *key = NULL, *json = NULL;
  gint64 deal, contact, message;

  g_assert_true (report.agree);
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 3);
  contact = sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 2);
  g_assert_true (sd_automation_db_add_outbox (t->store, deal, "sms", 0, contact, "+79001234567", NULL,
                                              "Мастер приедет завтра в 10:00", NULL, "measurement_agreed",
                                              &error));
  message = sd_test_sync_count (t, "SELECT max(id) FROM automation_outbox");
  key = g_strdup_printf ("sync.message.%" G_GINT64_FORMAT, message);
  g_assert_true (sd_store_set_meta (t->store, key, "1", &error));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ENTITY_ID");
  json_builder_add_int_value (builder, 3);
  json_builder_set_member_name (builder, "ENTITY_TYPE");
  json_builder_add_string_value (builder, "deal");
  json_builder_set_member_name (builder, "COMMENT");
  json_builder_add_string_value (builder, "SMS to the client (+79001234567)\n\nМастер приедет завтра в 10:00");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  json = json_to_string (params, FALSE);
  a = sd_test_sync_act (t, 1, "crm.timeline.comment.add", json);

  report = sd_test_sync_run (t);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NULL"), ==, 0);
  g_assert_cmpint (remote_count (t, "timeline_comment", "ENTITY_ID", "3"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static gint64
add_channel (SdTestSync *t,
             gint64      contact,
             const char *kind,
             const char *value,
             const char *type)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  sd_changes_set_int (changes, "contact_id", contact);
  sd_changes_set_text (changes, "kind", kind);
  sd_changes_set_text (changes, "value", value);
  sd_changes_set_text (changes, "value_type", type);
  id = sd_store_insert (t->store, SD_ENTITY_CONTACT_CHANNEL, changes, &error);
  g_assert_no_error (error);
  return id;
}

/* The IDs of a portal contact's multi-field entries, in order. */
static char *
contact_entry_ids (SdTestSync *t,
                   gint64      id)
{
  g_autoptr(JsonObject) row = sd_test_sync_remote_row (t, "contact", id);
  GString *ids = g_string_new (NULL);
  static const char *const multi[] = { "PHONE", "EMAIL" };

  for (guint m = 0; m < G_N_ELEMENTS (multi); m++)
    {
      JsonNode *node = json_object_get_member (row, multi[m]);
      JsonArray *entries = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      for (guint e = 0; entries != NULL && e < json_array_get_length (entries); e++)
        g_string_append_printf (ids, "%s,", json_object_get_string_member (json_array_get_object_element (entries, e), "ID"));
    }
  return g_string_free (ids, FALSE);
}

/* Phones and e-mails of contacts, a company's phone, e-mail and requisite go there; a
 * round done twice (its answer lost) adds nothing twice. */
static void
test_parties_pushed (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", "--seed-contacts", "10", "--seed-companies", "4", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(JsonObject) remote = NULL;
  g_autoptr(GArray) channels = NULL;
  g_autofree char *entry_ids = NULL;
  gint64 contact, company, other, created;
  JsonArray *phones;

  g_assert_true (report.agree);
  contact = sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 2);
  company = sd_store_find_b24 (t->store, SD_ENTITY_COMPANY, 1);
  other = sd_store_find_b24 (t->store, SD_ENTITY_COMPANY, 3);
  /* Company 3 has a requisite there already. */
  a = sd_test_sync_act (t, 3, "crm.requisite.add", "{\"fields\":{\"ENTITY_TYPE_ID\":4,\"ENTITY_ID\":3,"
                        "\"PRESET_ID\":1,\"NAME\":\"Организация\",\"RQ_INN\":\"7736050003\"}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);

  /* Offline: a new mobile, the old channels' first one dropped, the next one retyped. */
  add_channel (t, contact, "phone", "+79001112233", "MOBILE");
  channels = sd_store_list_referencing (t->store, SD_ENTITY_CONTACT_CHANNEL, "contact_id", contact, &error);
  g_assert_cmpuint (channels->len, >=, 2);
  g_assert_true (sd_store_delete (t->store, SD_ENTITY_CONTACT_CHANNEL, g_array_index (channels, gint64, 0), &error));
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "value_type", "HOME");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_CONTACT_CHANNEL, g_array_index (channels, gint64, 1),
                                    changes, &error));
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "phone", "+74950000000");
    sd_changes_set_text (changes, "email", "office@example.ru");
    sd_changes_set_text (changes, "inn", "7707083893");
    sd_changes_set_text (changes, "kpp", "773601001");
    sd_changes_set_text (changes, "ogrn", "1027700132195");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_COMPANY, company, changes, &error));
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "inn", "7736050004");
    g_assert_true (sd_store_update (t->store, SD_ENTITY_COMPANY, other, changes, &error));
  }
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_text (changes, "first_name", "Ольга");
    created = sd_store_insert (t->store, SD_ENTITY_CONTACT, changes, &error);
    g_assert_no_error (error);
    add_channel (t, created, "email", "olga@example.ru", "WORK");
  }
  g_assert_no_error (error);
  /* Meanwhile another user edits that contact there: its channels here are not lost. */
  b = sd_test_sync_act (t, 4, "crm.contact.update", "{\"id\":2,\"fields\":{\"LAST_NAME\":\"Кузнецова\"}}");

  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = '+79001112233'"
                                          " AND value_type = 'MOBILE'"), ==, 1);
  entry_ids = contact_entry_ids (t, 2);
  remote = sd_test_sync_remote_row (t, "company", 1);
  phones = json_object_get_array_member (remote, "PHONE");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (phones, 0), "VALUE"), ==,
                   "+74950000000");
  g_assert_cmpint (remote_count (t, "requisite", "RQ_INN", "7707083893"), ==, 1);
  g_assert_cmpint (remote_count (t, "requisite", "RQ_INN", "7736050004"), ==, 1);
  g_assert_cmpint (remote_count (t, "requisite", "RQ_INN", "7736050003"), ==, 0);
  sd_test_sync_assert_agree (t);

  /* The same rounds again, as after a lost answer: nothing is added twice. */
  g_assert_true (sd_store_set_meta (t->store, "sync.parties.pending",
                                    "[\"contact:2\",\"company:1\",\"company:3\"]", &error));
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (remote_count (t, "requisite", "RQ_INN", "7707083893"), ==, 1);
  g_assert_cmpint (remote_count (t, "requisite", NULL, NULL), ==, 2);
  /* The contact's entries were left as they were, not deleted and added again. */
  {
    g_autofree char *again = contact_entry_ids (t, 2);
    g_assert_cmpstr (again, ==, entry_ids);
  }
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* The one open conflict of row @id of @entity, checked to concern its deal @deal too. */
static SdConflict *
one_conflict (SdTestSync *t,
              SdEntity    entity,
              gint64      id,
              gint64      deal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = sd_store_list_conflicts (t->store, entity, id, &error);
  g_autoptr(GPtrArray) of_deal = sd_store_list_deal_conflicts (t->store, deal, &error);
  SdConflict *conflict;

  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_steal_index (conflicts, 0);
  /* Shown on the deal's card. */
  for (guint i = 0; i < of_deal->len; i++)
    if (((SdConflict *) of_deal->pdata[i])->id == conflict->id)
      return conflict;
  g_error ("conflict %" G_GINT64_FORMAT " is not on deal %" G_GINT64_FORMAT, conflict->id, deal);
}

static gint64
portal_comment (SdTestSync *t,
                gint64      user,
                gint64      deal_b24,
                const char *text)
{
  g_autofree char *add = g_strdup_printf ("{\"fields\":{\"ENTITY_ID\":%" G_GINT64_FORMAT ",\"ENTITY_TYPE\":\"deal\","
                                          "\"COMMENT\":\"%s\"}}", deal_b24, text);
  g_autoptr(JsonNode) answer = sd_test_sync_act (t, user, "crm.timeline.comment.add", add);

  return json_node_get_int (json_object_get_member (json_node_get_object (answer), "result"));
}

static void
portal_comment_act (SdTestSync *t,
                    gint64      user,
                    const char *method,
                    gint64      b24_id,
                    const char *text)
{
  g_autofree char *params = text != NULL
    ? g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"COMMENT\":\"%s\"}}", b24_id, text)
    : g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT "}", b24_id);
  g_autoptr(JsonNode) answer = sd_test_sync_act (t, user, method, params);
}

static void
set_text (SdTestSync *t,
          SdEntity    entity,
          gint64      id,
          const char *field,
          const char *value)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;

  sd_changes_set_text (changes, field, value);
  g_assert_true (sd_store_update (t->store, entity, id, changes, &error));
  g_assert_no_error (error);
}

/* A comment edited here and there since the last sync: neither side wins silently. The
 * same comment edited on both sides waits for the user (taken from the portal here); one
 * edited on one side only goes the other way; one deleted there after an edit here is
 * kept by the user and created there again. */
static void
test_comment_conflicts (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdConflict) both = NULL, gone = NULL;
  g_autoptr(JsonObject) remote = NULL;
  gint64 deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 5);
  gint64 a, b, c, d, local_a, local_b, local_c, local_d, again = 0;

  g_assert_true (report.agree);
  a = portal_comment (t, 3, 5, "Замер в четверг");
  b = portal_comment (t, 3, 5, "Смета к пятнице");
  c = portal_comment (t, 4, 5, "Клиент в отпуске");
  d = portal_comment (t, 4, 5, "Ключи у соседки");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  local_a = sd_store_find_b24 (t->store, SD_ENTITY_TIMELINE, a);
  local_b = sd_store_find_b24 (t->store, SD_ENTITY_TIMELINE, b);
  local_c = sd_store_find_b24 (t->store, SD_ENTITY_TIMELINE, c);
  local_d = sd_store_find_b24 (t->store, SD_ENTITY_TIMELINE, d);

  set_text (t, SD_ENTITY_TIMELINE, local_a, "text", "Замер в пятницу");
  portal_comment_act (t, 3, "crm.timeline.comment.update", a, "Замер в субботу");
  set_text (t, SD_ENTITY_TIMELINE, local_b, "text", "Смета к понедельнику");
  portal_comment_act (t, 4, "crm.timeline.comment.update", c, "Клиент вернулся");
  set_text (t, SD_ENTITY_TIMELINE, local_d, "text", "Ключи у консьержа");
  portal_comment_act (t, 4, "crm.timeline.comment.delete", d, NULL);

  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 2);
  both = one_conflict (t, SD_ENTITY_TIMELINE, local_a, deal);
  g_assert_cmpstr (both->field, ==, "text");
  g_assert_cmpstr (both->local_value, ==, "\"Замер в пятницу\"");
  g_assert_cmpstr (both->remote_value, ==, "\"Замер в субботу\"");
  g_assert_cmpint (both->remote_author_id, ==, 3);
  gone = one_conflict (t, SD_ENTITY_TIMELINE, local_d, deal);
  g_assert_cmpstr (gone->field, ==, SD_CONFLICT_DELETED);
  /* Nothing overwritten on either side while the user has not chosen. */
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Замер в пятницу'"), ==, 1);
  remote = sd_test_sync_remote_row (t, "timeline_comment", a);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENT"), ==, "Замер в субботу");
  g_clear_pointer (&remote, json_object_unref);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Ключи у консьержа'"), ==, 1);
  /* Edited on one side only: merged both ways. */
  remote = sd_test_sync_remote_row (t, "timeline_comment", b);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENT"), ==, "Смета к понедельнику");
  g_clear_pointer (&remote, json_object_unref);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Клиент вернулся'"), ==, 1);

  g_assert_true (sd_store_resolve_conflict (t->store, both->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (sd_store_resolve_conflict (t->store, gone->id, TRUE, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM timeline WHERE text = 'Замер в субботу'"), ==, 1);
  g_assert_true (sd_store_get_b24_id (t->store, SD_ENTITY_TIMELINE, local_d, &again));
  g_assert_cmpint (again, !=, d);
  remote = sd_test_sync_remote_row (t, "timeline_comment", again);
  g_assert_cmpstr (json_object_get_string_member (remote, "COMMENT"), ==, "Ключи у консьержа");
  (void) local_c;
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A task edited on both sides: the field both changed waits for the user (who keeps ours),
 * the fields changed on one side merge, and nothing of the task goes out before the
 * choice. A task deleted there after an edit here is given up by the user. */
static void
test_task_conflicts (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "20", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdConflict) both = NULL, gone = NULL;
  g_autoptr(JsonObject) remote = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autofree char *update = NULL, *drop = NULL;
  gint64 deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 7);
  gint64 task, other, task_b24, other_b24;

  g_assert_true (report.agree);
  a = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Заказать плитку\",\"RESPONSIBLE_ID\":4,"
                        "\"DEADLINE\":\"2026-12-01T18:00:00+03:00\",\"UF_CRM_TASK\":[\"D_7\"]}}");
  b = sd_test_sync_act (t, 3, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Вывезти мусор\",\"RESPONSIBLE_ID\":4,\"UF_CRM_TASK\":[\"D_7\"]}}");
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  task_b24 = g_ascii_strtoll (json_object_get_string_member (json_object_get_object_member (
               json_object_get_object_member (json_node_get_object (a), "result"), "task"), "id"), NULL, 10);
  other_b24 = g_ascii_strtoll (json_object_get_string_member (json_object_get_object_member (
                json_object_get_object_member (json_node_get_object (b), "result"), "task"), "id"), NULL, 10);
  task = sd_store_find_b24 (t->store, SD_ENTITY_TASK, task_b24);
  other = sd_store_find_b24 (t->store, SD_ENTITY_TASK, other_b24);

  set_text (t, SD_ENTITY_TASK, task, "title", "Заказать плитку 30×60");
  set_text (t, SD_ENTITY_TASK, task, "description", "Серая, матовая");
  update = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"TITLE\":\"Заказать плитку 60×60\","
                            "\"DEADLINE\":\"2026-12-05T18:00:00+03:00\"}}", task_b24);
  c = sd_test_sync_act (t, 3, "tasks.task.update", update);
  set_text (t, SD_ENTITY_TASK, other, "title", "Вывезти мусор в субботу");
  drop = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", other_b24);
  d = sd_test_sync_act (t, 3, "tasks.task.delete", drop);

  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 2);
  both = one_conflict (t, SD_ENTITY_TASK, task, deal);
  g_assert_cmpstr (both->field, ==, "title");
  g_assert_cmpstr (both->local_value, ==, "\"Заказать плитку 30×60\"");
  g_assert_cmpstr (both->remote_value, ==, "\"Заказать плитку 60×60\"");
  g_assert_nonnull (both->remote_at);
  gone = one_conflict (t, SD_ENTITY_TASK, other, deal);
  g_assert_cmpstr (gone->field, ==, SD_CONFLICT_DELETED);
  /* Their deadline taken, our title and description kept and not sent yet. */
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks WHERE title = 'Заказать плитку 30×60'"
                                          " AND description = 'Серая, матовая'"
                                          " AND deadline = '2026-12-05T15:00:00Z'"), ==, 1);
  remote = sd_test_sync_remote_row_by (t, "task", "id", task_b24);
  g_assert_cmpstr (json_object_get_string_member (remote, "title"), ==, "Заказать плитку 60×60");
  g_assert_cmpstr (json_object_get_string_member (remote, "description"), ==, "");
  g_clear_pointer (&remote, json_object_unref);

  g_assert_true (sd_store_resolve_conflict (t->store, both->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sd_store_resolve_conflict (t->store, gone->id, FALSE, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  remote = sd_test_sync_remote_row_by (t, "task", "id", task_b24);
  g_assert_cmpstr (json_object_get_string_member (remote, "title"), ==, "Заказать плитку 30×60");
  g_assert_cmpstr (json_object_get_string_member (remote, "description"), ==, "Серая, матовая");
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks"), ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A company's requisite edited on both sides: the INN both changed waits for the user
 * (shown on the company's deals), the OGRN changed there is taken, and the KPP changed
 * here goes there once the user has chosen. */
static void
test_requisite_conflict (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", "--seed-companies", "4", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdConflict) inn = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(JsonObject) remote = NULL;
  g_autofree char *update = NULL;
  gint64 company, deal, requisite;

  g_assert_true (report.agree);
  a = sd_test_sync_act (t, 3, "crm.requisite.add", "{\"fields\":{\"ENTITY_TYPE_ID\":4,\"ENTITY_ID\":2,"
                        "\"PRESET_ID\":1,\"NAME\":\"Организация\",\"RQ_INN\":\"7736050003\","
                        "\"RQ_KPP\":\"773601001\",\"RQ_OGRN\":\"1027700132195\"}}");
  requisite = json_node_get_int (json_object_get_member (json_node_get_object (a), "result"));
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  company = sd_store_find_b24 (t->store, SD_ENTITY_COMPANY, 2);
  /* A deal of that company shows the conflict. */
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 3);
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "company_id", company);
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal, changes, &error));
    g_assert_no_error (error);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);

  set_text (t, SD_ENTITY_COMPANY, company, "inn", "7707083893");
  set_text (t, SD_ENTITY_COMPANY, company, "kpp", "770701001");
  update = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"fields\":{\"RQ_INN\":\"7736050004\","
                            "\"RQ_OGRN\":\"1027700132196\"}}", requisite);
  b = sd_test_sync_act (t, 4, "crm.requisite.update", update);

  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 1);
  inn = one_conflict (t, SD_ENTITY_COMPANY, company, deal);
  g_assert_cmpstr (inn->field, ==, "inn");
  g_assert_cmpstr (inn->local_value, ==, "\"7707083893\"");
  g_assert_cmpstr (inn->remote_value, ==, "\"7736050004\"");
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM companies WHERE inn = '7707083893'"
                                          " AND kpp = '770701001' AND ogrn = '1027700132196'"), ==, 1);
  remote = sd_test_sync_remote_row (t, "requisite", requisite);
  g_assert_cmpstr (json_object_get_string_member (remote, "RQ_INN"), ==, "7736050004");
  g_assert_cmpstr (json_object_get_string_member (remote, "RQ_KPP"), ==, "773601001");
  g_clear_pointer (&remote, json_object_unref);

  g_assert_true (sd_store_resolve_conflict (t->store, inn->id, TRUE, &error));
  g_assert_no_error (error);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  remote = sd_test_sync_remote_row (t, "requisite", requisite);
  g_assert_cmpstr (json_object_get_string_member (remote, "RQ_INN"), ==, "7707083893");
  g_assert_cmpstr (json_object_get_string_member (remote, "RQ_KPP"), ==, "770701001");
  g_assert_cmpstr (json_object_get_string_member (remote, "RQ_OGRN"), ==, "1027700132196");
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A contact's phones changed here and there: they wait for the user (who takes the
 * portal's), the e-mails changed there only are taken, nothing is sent before the choice. */
static void
test_channel_conflict (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "10", "--seed-contacts", "10", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdConflict) phones = NULL;
  g_autoptr(JsonNode) a = NULL;
  gint64 contact, deal, emails;

  g_assert_true (report.agree);
  contact = sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 2);
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 4);
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "contact_id", contact);
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL, deal, changes, &error));
    g_assert_no_error (error);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  emails = sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE kind = 'email'");

  add_channel (t, contact, "phone", "+79001112233", "MOBILE");
  a = sd_test_sync_act (t, 4, "crm.contact.update",
                        "{\"id\":2,\"fields\":{\"PHONE\":[{\"VALUE\":\"+74957654321\",\"VALUE_TYPE\":\"WORK\"}],"
                        "\"EMAIL\":[{\"VALUE\":\"new@example.ru\",\"VALUE_TYPE\":\"WORK\"}]}}");
  report = sd_test_sync_run (t);
  g_assert_false (report.agree);
  g_assert_cmpuint (report.conflicts, ==, 1);
  phones = one_conflict (t, SD_ENTITY_CONTACT, contact, deal);
  g_assert_cmpstr (phones->field, ==, "phone");
  g_assert_nonnull (strstr (phones->local_value, "+79001112233\\tMOBILE"));
  g_assert_null (strstr (phones->local_value, "+74957654321"));
  g_assert_nonnull (strstr (phones->remote_value, "+74957654321\\tWORK"));
  g_assert_null (strstr (phones->remote_value, "+79001112233"));
  g_assert_cmpint (phones->remote_author_id, ==, 4);
  /* Their e-mail taken; our phone kept here and not sent there. */
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = 'new@example.ru'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE kind = 'email'"), ==, emails + 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = '+79001112233'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = '+74957654321'"), ==, 0);
  {
    g_autoptr(JsonObject) remote = sd_test_sync_remote_row (t, "contact", 2);
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), remote);
    g_autofree char *text = json_to_string (node, FALSE);

    g_assert_null (strstr (text, "+79001112233"));
  }

  g_assert_true (sd_store_resolve_conflict (t->store, phones->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = '+74957654321'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels WHERE value = '+79001112233'"), ==, 0);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* The deal's responsible: reassigned there, it changes here; reassigned here, there. */
static void
test_responsible (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "12", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonObject) remote = NULL;
  gint64 deal, row;

  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deal_responsibles WHERE part = 'main'"), ==, 12);
  a = sd_test_sync_act (t, 3, "crm.deal.update", "{\"id\":4,\"fields\":{\"ASSIGNED_BY_ID\":5}}");
  deal = sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 6);
  row = sd_test_sync_count (t, "SELECT r.id FROM deal_responsibles r JOIN deals d ON d.id = r.deal_id"
                               " WHERE d.b24_id = 6 AND r.part = 'main'");
  {
    g_autoptr(SdChanges) changes = sd_changes_new ();
    sd_changes_set_int (changes, "user_id", sd_store_find_b24 (t->store, SD_ENTITY_USER, 2));
    g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL_RESPONSIBLE, row, changes, &error));
    g_assert_no_error (error);
  }
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT u.b24_id FROM deal_responsibles r JOIN deals d ON d.id = r.deal_id"
                                          " JOIN users u ON u.id = r.user_id WHERE d.b24_id = 4 AND r.part = 'main'"), ==, 5);
  remote = sd_test_sync_remote_row (t, "deal", 6);
  g_assert_cmpstr (json_object_get_string_member (remote, "ASSIGNED_BY_ID"), ==, "2");
  (void) deal;
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* A connection made before its portal user was kept (no sync.user, the header says
 * "Nobody"): the next sync asks who it is inside its shared request, at no request more,
 * and keeps it. */
static void
test_connection_user (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "12", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  gint64 me = 0;
  guint idle;

  g_assert_true (report.agree);
  report = sd_test_sync_run (t);
  idle = report.requests;
  g_assert_true (sd_b24_client_check (t->client, NULL, &me, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (me, >, 0);

  g_assert_true (sd_store_set_meta (t->store, SD_B24_USER_META, NULL, &error));
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpuint (report.requests, ==, idle);
  user = sd_store_get_meta (t->store, SD_B24_USER_META);
  g_assert_nonnull (user);
  g_assert_cmpint (g_ascii_strtoll (user, NULL, 10), ==, me);
  g_assert_cmpint (sd_store_find_b24 (t->store, SD_ENTITY_USER, me), !=, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static gint64
task_b24_of (JsonNode *added)
{
  return g_ascii_strtoll (json_object_get_string_member (json_object_get_object_member (
                            json_object_get_object_member (json_node_get_object (added), "result"), "task"), "id"),
                          NULL, 10);
}

static void
retitle_task (SdTestSync *t,
              gint64      task,
              const char *title)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;

  sd_changes_set_text (changes, "title", title);
  g_assert_true (sd_store_update (t->store, SD_ENTITY_TASK, task, changes, &error));
  g_assert_no_error (error);
}

static SdConflict *
task_conflict (SdTestSync *t,
               gint64      task)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = sd_store_list_conflicts (t->store, SD_ENTITY_TASK, task, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  return g_ptr_array_steal_index (conflicts, 0);
}

/* Tasks edited here by a manager who may not edit them there (another made them): the
 * portal refuses, as it refuses an edit of a deleted task. The next sync asks, within its
 * shared request, whether each is there: there, the refusal is a conflict on the card and
 * the edit is not sent again (kept, it is tried once more; taken, the portal's values come
 * back); gone, it is the deletion conflict. */
static void
test_task_refused (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "12", NULL);
  g_autoptr(JsonNode) hook = b24_test_control (t->portal, "webhook", "{\"secret\":\"manager3\",\"user_id\":3}");
  g_autoptr(GError) error = NULL;
  g_autoptr(SdB24Client) client = sd_b24_client_new_webhook (b24_test_string (hook, "url"), &error);
  g_autoptr(SdSyncEngine) engine = NULL;
  g_autoptr(JsonNode) a = NULL, b = NULL, gone = NULL;
  g_autoptr(SdConflict) refused = NULL, deleted = NULL, again = NULL;
  g_autofree char *drop = NULL;
  gint64 measure, estimate;
  SdSyncReport report;
  guint idle;

  g_assert_no_error (error);
  engine = sd_sync_engine_new (t->db, client);
  sd_sync_engine_set_check_interval (engine, 3600);
  a = sd_test_sync_act (t, 4, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Замер\",\"RESPONSIBLE_ID\":3,\"UF_CRM_TASK\":[\"D_5\"]}}");
  b = sd_test_sync_act (t, 4, "tasks.task.add",
                        "{\"fields\":{\"TITLE\":\"Смета\",\"RESPONSIBLE_ID\":3,\"UF_CRM_TASK\":[\"D_6\"]}}");
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_true (report.agree);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  idle = report.requests;
  measure = sd_store_find_b24 (t->store, SD_ENTITY_TASK, task_b24_of (a));
  estimate = sd_store_find_b24 (t->store, SD_ENTITY_TASK, task_b24_of (b));
  g_assert_cmpint (measure, !=, 0);

  retitle_task (t, measure, "Замер в субботу");
  retitle_task (t, estimate, "Смета с черновыми");
  drop = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", task_b24_of (b));
  gone = sd_test_sync_act (t, 4, "tasks.task.delete", drop);
  /* Both refused alike; they wait. */
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.waiting, ==, 2);
  g_assert_cmpuint (report.conflicts, ==, 0);

  /* One read each, in the shared request: a refusal and a deletion. */
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_cmpuint (report.conflicts, ==, 2);
  g_assert_cmpuint (report.requests, ==, idle);
  refused = task_conflict (t, measure);
  g_assert_cmpstr (refused->field, ==, SD_CONFLICT_REFUSED);
  deleted = task_conflict (t, estimate);
  g_assert_cmpstr (deleted->field, ==, SD_CONFLICT_DELETED);
  /* Not sent again. */
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_cmpuint (report.requests, ==, idle);
  g_assert_cmpuint (report.conflicts, ==, 2);

  /* Keep trying: sent once more, refused once more, a conflict again. */
  g_assert_true (sd_store_resolve_conflict (t->store, refused->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_cmpuint (report.conflicts, ==, 1);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_cmpuint (report.conflicts, ==, 2);
  again = task_conflict (t, measure);
  g_assert_cmpstr (again->field, ==, SD_CONFLICT_REFUSED);

  /* The portal's: its title back here, nothing waits; the deleted one goes. */
  g_assert_true (sd_store_resolve_conflict (t->store, again->id, FALSE, &error));
  g_assert_true (sd_store_resolve_conflict (t->store, deleted->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks WHERE title = 'Замер'"), ==, 1);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM tasks"), ==, 1);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_true (report.agree);
  g_assert_cmpuint (report.waiting, ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-parts/comments-pulled", test_comments_pulled);
  g_test_add_func ("/sync-parts/comments-pushed", test_comments_pushed);
  g_test_add_func ("/sync-parts/comments-after-push", test_comments_after_push);
  g_test_add_func ("/sync-parts/comment-lost-answer", test_comment_lost_answer);
  g_test_add_func ("/sync-parts/tasks-pulled", test_tasks_pulled);
  g_test_add_func ("/sync-parts/tasks-pushed", test_tasks_pushed);
  g_test_add_func ("/sync-parts/parties-pushed", test_parties_pushed);
  g_test_add_func ("/sync-parts/responsible", test_responsible);
  g_test_add_func ("/sync-parts/connection-user", test_connection_user);
  g_test_add_func ("/sync-parts/task-refused", test_task_refused);
  g_test_add_func ("/sync-parts/comment-conflicts", test_comment_conflicts);
  g_test_add_func ("/sync-parts/task-conflicts", test_task_conflicts);
  g_test_add_func ("/sync-parts/requisite-conflict", test_requisite_conflict);
  g_test_add_func ("/sync-parts/channel-conflict", test_channel_conflict);
  g_test_add_func ("/sync-parts/messages", test_messages);
  g_test_add_func ("/sync-parts/message-lost-answer", test_message_lost_answer);
  return g_test_run ();
}
