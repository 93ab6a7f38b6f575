/* test-faults.c: a sync survives a misbehaving portal and a killed process without losing
 * a change or creating a row twice; an OAuth token that expires is renewed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-automation-db.h"
#include "sd-records.h"
#include "sd-store-sync.h"

#include <signal.h>

static const char *child_db;
static const char *child_url;

/* Offline work: @n_edits edits of the first 200 deals and @n_new new deals. */
static void
edit_offline (SdTestSync *t,
              guint       n_edits,
              guint       n_new,
              const char *tag)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pipeline = sd_store_find_b24 (t->store, SD_ENTITY_PIPELINE, 0);

  stages = sd_store_list_stages (t->store, pipeline, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_edits; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("%s правка %u", tag, i);

      sd_changes_set_text (changes, i % 2 ? "title" : "comments", title);
      g_assert_true (sd_store_update (t->store, SD_ENTITY_DEAL,
                                      sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 1 + i % 200),
                                      changes, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < n_new; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("%s новая %u", tag, i);

      sd_changes_set_text (changes, "title", title);
      sd_changes_set_int (changes, "pipeline_id", pipeline);
      sd_changes_set_int (changes, "stage_id", ((SdStage *) stages->pdata[0])->id);
      g_assert_cmpint (sd_store_insert (t->store, SD_ENTITY_DEAL, changes, &error), >, 0);
      g_assert_no_error (error);
    }
}

static gint64
portal_count (SdTestSync *t,
              const char *table)
{
  g_autofree char *url = g_strconcat (t->portal->base, "/_emulator/dump", NULL);
  g_autoptr(JsonNode) dump = b24_test_http (t->portal, "GET", url, NULL, NULL, NULL);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (dump), table));
}

static void
faults_off (SdTestSync *t)
{
  g_autoptr(JsonNode) answer = b24_test_control (t->portal, "faults",
                                                 "{\"rate_limit\":0,\"http_500\":0,\"reset\":0,"
                                                 "\"truncated\":0,\"slow\":0,\"malformed\":0}");
}

/* The parts of deals and clients, and messages, made offline or by another user. */
static void
parts_offline (SdTestSync *t)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *text = g_strdup_printf ("Комментарий при сбоях %u", i);

      sd_changes_set_int (changes, "deal_id", sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 100 + i * 7));
      sd_changes_set_text (changes, "kind", "comment");
      sd_changes_set_text (changes, "text", text);
      g_assert_cmpint (sd_store_insert (t->store, SD_ENTITY_TIMELINE, changes, &error), >, 0);
    }
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *title = g_strdup_printf ("Задача при сбоях %u", i);

      sd_changes_set_int (changes, "deal_id", sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 300 + i));
      sd_changes_set_text (changes, "title", title);
      sd_changes_set_int (changes, "responsible_id", sd_store_find_b24 (t->store, SD_ENTITY_USER, 2 + i % 3));
      sd_changes_set_text (changes, "deadline", "2026-12-10T12:00:00Z");
      if (i % 2 == 0)
        sd_changes_set_text (changes, "status", "in_progress");
      g_assert_cmpint (sd_store_insert (t->store, SD_ENTITY_TASK, changes, &error), >, 0);
    }
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *phone = g_strdup_printf ("+7900555000%u", i);

      sd_changes_set_int (changes, "contact_id", sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 10 + i));
      sd_changes_set_text (changes, "kind", "phone");
      sd_changes_set_text (changes, "value", phone);
      sd_changes_set_text (changes, "value_type", "MOBILE");
      g_assert_cmpint (sd_store_insert (t->store, SD_ENTITY_CONTACT_CHANNEL, changes, &error), >, 0);
      g_assert_true (sd_automation_db_add_outbox (t->store, sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 400 + i),
                                                  i % 2 == 0 ? "im" : "email",
                                                  sd_store_find_b24 (t->store, SD_ENTITY_USER, 2), 0, NULL, NULL,
                                                  phone, NULL, "test", &error));
      g_assert_true (sd_automation_db_add_outbox (t->store, sd_store_find_b24 (t->store, SD_ENTITY_DEAL, 400 + i),
                                                  "sms", 0, sd_store_find_b24 (t->store, SD_ENTITY_CONTACT, 10 + i),
                                                  phone, NULL, "Мастер выехал", NULL, "test", &error));
    }
  g_assert_no_error (error);
}

/* Each of those is on the portal once. */
static void
assert_parts_once (SdTestSync *t)
{
  g_autofree char *url = g_strconcat (t->portal->base, "/_emulator/dump", NULL);
  guint status = 0;
  g_autoptr(JsonNode) dump = b24_test_http (t->portal, "GET", url, NULL, NULL, &status);
  JsonObject *all = json_node_get_object (dump);
  JsonArray *comments = json_object_get_array_member (all, "timeline_comment");
  JsonArray *tasks = json_object_get_array_member (all, "task");
  guint n_comments = 0, n_sms = 0, n_tasks = 0;

  for (guint i = 0; i < json_array_get_length (comments); i++)
    {
      const char *text = json_object_get_string_member (json_array_get_object_element (comments, i), "COMMENT");
      n_comments += g_str_has_prefix (text, "Комментарий при сбоях ");
      n_sms += g_str_has_prefix (text, "SMS to the client");
    }
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    n_tasks += g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (tasks, i), "title"),
                                 "Задача при сбоях ");
  g_assert_cmpuint (n_comments, ==, 20);
  g_assert_cmpuint (n_sms, ==, 5);
  g_assert_cmpuint (n_tasks, ==, 10);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (all, "im_notify")), ==, 5);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NULL"), ==, 0);
}

static void
test_unreliable_portal (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "2000", "--seed-contacts", "300", NULL);
  g_autoptr(JsonNode) faults = NULL;
  g_autoptr(GError) error = NULL;
  SdSyncReport report = { 0 };
  guint attempts = 0;

  faults = b24_test_control (t->portal, "faults",
                             "{\"rate_limit\":0.1,\"http_500\":0.02,\"reset\":0.01,\"truncated\":0.01,"
                             "\"slow\":0.02,\"slow_ms\":300,\"seed\":11}");
  /* The first sync reads only: every fault is retried away. */
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);

  edit_offline (t, 200, 30, "сбой");
  parts_offline (t);
  /* Writes that may have happened are not blindly repeated: a sync may end with changes
   * still waiting, and the next one finishes them. */
  do
    {
      g_clear_error (&error);
      if (sd_sync_engine_sync (t->engine, NULL, &report, &error) && report.agree)
        break;
    }
  while (++attempts < 8);
  g_assert_no_error (error);
  g_assert_true (report.agree);

  faults_off (t);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (portal_count (t, "deal"), ==, 2030);
  assert_parts_once (t);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

/* Answers lost after the portal ran the write, often: comments, tasks, client cards and
 * messages still end up there once each. The seeds are ones whose cut answers fall on
 * the task (1), message (2), comment and message (5), client card and comment (6)
 * batches. */
static void
test_parts_lost_answers (void)
{
  static const guint seeds[] = { 1, 2, 5, 6 };

  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      SdTestSync *t = sd_test_sync_new ("--seed-deals", "600", "--seed-contacts", "60", NULL);
      g_autoptr(JsonNode) faults = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *settings = g_strdup_printf ("{\"truncated\":0.3,\"seed\":%u}", seeds[s]);
      SdSyncReport report = sd_test_sync_run (t);
      guint attempts = 0;

      g_assert_true (report.agree);
      parts_offline (t);
      faults = b24_test_control (t->portal, "faults", settings);
      do
        {
          g_clear_error (&error);
          if (sd_sync_engine_sync (t->engine, NULL, &report, &error) && report.agree
              && sd_test_sync_count (t, "SELECT count(*) FROM automation_outbox WHERE sent_at IS NULL") == 0)
            break;
        }
      while (++attempts < 30);
      g_test_message ("seed %u: %u syncs with lost answers", seeds[s], attempts + 1);
      faults_off (t);
      report = sd_test_sync_run (t);
      g_assert_true (report.agree);
      assert_parts_once (t);
      sd_test_sync_assert_agree (t);
      sd_test_sync_free (t);
    }
}

static void
test_malformed_writes_nothing (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "100", NULL);
  g_autoptr(JsonNode) faults = b24_test_control (t->portal, "faults", "{\"truncated\":1}");
  g_autoptr(GError) error = NULL;

  sd_b24_client_set_max_attempts (t->client, 3);
  g_assert_false (sd_sync_engine_sync (t->engine, NULL, NULL, &error));
  g_assert_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 0);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM users"), ==, 0);
  sd_test_sync_free (t);
}

/* The child: one sync of @child_db with the portal at @child_url, killed at some point. */
static int
run_child (void)
{
  g_autoptr(SdB24Client) client = sd_b24_client_new_webhook (child_url, NULL);
  g_autoptr(SdSyncEngine) engine = sd_sync_engine_new (child_db, client);

  sd_sync_engine_sync (engine, NULL, NULL, NULL);
  return 0;
}

static void
test_killed_during_push (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "300", NULL);
  g_autoptr(JsonNode) faults = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  SdSyncReport report = sd_test_sync_run (t);
  GRand *rand = g_rand_new_with_seed (5);

  g_assert_true (report.agree);
  edit_offline (t, 300, 40, "убит");
  /* Slow answers stretch the push so that the kills land inside it. */
  faults = b24_test_control (t->portal, "faults", "{\"slow\":0.5,\"slow_ms\":60,\"seed\":3}");
  for (guint kill = 0; kill < 30; kill++)
    {
      const char *argv[] = { self, "--child-sync", t->db, t->portal->hook, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);

      g_assert_no_error (error);
      g_usleep (g_rand_int_range (rand, 20, 400) * 1000);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, NULL);
    }
  g_rand_free (rand);

  faults_off (t);
  report = sd_test_sync_run (t);
  g_assert_true (report.agree);
  g_assert_cmpint (portal_count (t, "deal"), ==, 340);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals WHERE title LIKE 'убит новая %'"), ==, 40);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM journal WHERE origin = 'local' AND pushed_at IS NULL"), ==, 0);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

static guint tokens_changed;

static void
on_tokens_changed (SdB24Client *client,
                   const char  *access_token,
                   const char  *refresh_token,
                   gpointer     data)
{
  g_assert_nonnull (access_token);
  g_assert_nonnull (refresh_token);
  tokens_changed++;
}

static void
test_oauth_refresh (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "120", NULL);
  g_autoptr(JsonNode) token = b24_test_control (t->portal, "token", "{\"user_id\":1,\"expires_in\":0}");
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(SdSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_url = g_strconcat (t->portal->base, "/oauth/token/", NULL);
  SdSyncReport report = { 0 };

  client = sd_b24_client_new_oauth (t->portal->base, b24_test_string (token, "access_token"),
                                    b24_test_string (token, "refresh_token"),
                                    b24_test_string (token, "client_id"),
                                    b24_test_string (token, "client_secret"), token_url, &error);
  g_assert_no_error (error);
  g_signal_connect (client, "tokens-changed", G_CALLBACK (on_tokens_changed), NULL);
  engine = sd_sync_engine_new (t->db, client);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_true (report.agree);
  g_assert_cmpuint (tokens_changed, ==, 1);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}


/* With OAuth the portal's deletions come from the offline event queue, before any full
 * comparison is due. */
static void
test_oauth_delete_queue (void)
{
  SdTestSync *t = sd_test_sync_new ("--seed-deals", "60", "--seed-contacts", "20", NULL);
  g_autoptr(JsonNode) token = b24_test_control (t->portal, "token", "{\"user_id\":1,\"expires_in\":3600}");
  g_autoptr(JsonNode) a = NULL, b = NULL;
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(SdSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_url = g_strconcat (t->portal->base, "/oauth/token/", NULL);
  SdSyncReport report = { 0 };

  client = sd_b24_client_new_oauth (t->portal->base, b24_test_string (token, "access_token"),
                                    b24_test_string (token, "refresh_token"),
                                    b24_test_string (token, "client_id"),
                                    b24_test_string (token, "client_secret"), token_url, &error);
  g_assert_no_error (error);
  engine = sd_sync_engine_new (t->db, client);
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_true (report.agree);

  a = sd_test_sync_act (t, 3, "crm.deal.delete", "{\"id\":12}");
  b = sd_test_sync_act (t, 3, "crm.contact.delete", "{\"id\":5}");
  g_assert_true (sd_sync_engine_sync (engine, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_false (report.checked);
  g_assert_cmpuint (report.deleted, ==, 2);
  g_assert_true (report.agree);
  g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM deals"), ==, 59);
  sd_test_sync_assert_agree (t);
  sd_test_sync_free (t);
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  if (argc == 4 && g_strcmp0 (argv[1], "--child-sync") == 0)
    {
      child_db = argv[2];
      child_url = argv[3];
      return run_child ();
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/unreliable-portal", test_unreliable_portal);
  g_test_add_func ("/faults/parts-lost-answers", test_parts_lost_answers);
  g_test_add_func ("/faults/malformed-writes-nothing", test_malformed_writes_nothing);
  g_test_add_func ("/faults/killed-during-push", test_killed_during_push);
  g_test_add_func ("/faults/oauth-refresh", test_oauth_refresh);
  g_test_add_func ("/faults/oauth-delete-queue", test_oauth_delete_queue);
  return g_test_run ();
}
