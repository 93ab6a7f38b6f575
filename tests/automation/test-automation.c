/* test-automation.c: one test a seed rule (named by its requirement), driving the engine
 * with the event a person would cause and checking the store, the timeline, the bell, the
 * outbox and the journal; then distribution, timers offline, replays and broken rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation.h"
#include "sd-automation-runner.h"
#include "sd-rating.h"
#include "sd-records.h"
#include "sd-test-store.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#define DAY ((gint64) 86400)
#define T0 ((gint64) 1767254400)  /* 2026-01-01T08:00:00Z */

typedef struct
{
  SdTestStore  *ts;
  SdStore      *store;
  SdAutomation *automation;
  gint64        director, head, managers[4], senior, contact;
  gint64        b2b, body, renovation;
  sqlite3      *reader;   /* sees what was committed, as another process would */
} Fixture;

static gint64
insert (SdStore *store, SdEntity entity, SdChanges *changes)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_store_insert (store, entity, changes, &error);

  g_assert_no_error (error);
  sd_changes_free (changes);
  return id;
}

static gint64
user (Fixture *f, const char *login, const char *role, gint64 department)
{
  SdChanges *c = sd_changes_new ();

  sd_changes_set_text (c, "login", login);
  sd_changes_set_text (c, "first_name", login);
  sd_changes_set_text (c, "last_name", "Test");
  sd_changes_set_text (c, "email", "staff@example.org");
  sd_changes_set_text (c, "phone", "+70000000000");
  sd_changes_set_int (c, "role_id", sd_store_find_role (f->store, role));
  sd_changes_set_int (c, "department_id", department);
  return insert (f->store, SD_ENTITY_USER, c);
}

static void
set_head (Fixture *f, gint64 department, gint64 head)
{
  g_autoptr(SdChanges) c = sd_changes_new ();
  g_autoptr(GError) error = NULL;

  sd_changes_set_int (c, "head_user_id", head);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEPARTMENT, department, c, &error));
  g_assert_no_error (error);
}

static gint64
department (Fixture *f, const char *name, gint64 parent)
{
  SdChanges *c = sd_changes_new ();

  sd_changes_set_text (c, "name", name);
  if (parent != 0)
    sd_changes_set_int (c, "parent_id", parent);
  return insert (f->store, SD_ENTITY_DEPARTMENT, c);
}

static void
setup (Fixture *f, gconstpointer data)
{
  const char *files[] = { "b2b-sales.json", "b2b-tender.json", "body-repair.json", "renovation.json" };
  g_autoptr(GError) error = NULL;
  gint64 top, sales;
  SdChanges *c;

  f->ts = sd_test_store_new ();
  f->store = f->ts->store;
  sd_store_set_time (f->store, T0);
  f->automation = sd_automation_new (f->store);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      SdPlaybook *pb = sd_test_load_shipped (files[i]);
      g_assert_cmpint (sd_playbook_install (pb, f->store, &error), >, 0);
      g_assert_no_error (error);
      sd_automation_add_playbook (f->automation, pb);
    }
  f->b2b = sd_store_find_pipeline (f->store, "b2b_sales");
  f->body = sd_store_find_pipeline (f->store, "body_repair");
  f->renovation = sd_store_find_pipeline (f->store, "renovation");

  top = department (f, "Management", 0);
  sales = department (f, "Sales", top);
  f->director = user (f, "director", "head", top);
  f->head = user (f, "head", "head", sales);
  for (guint i = 0; i < G_N_ELEMENTS (f->managers); i++)
    {
      g_autofree char *login = g_strdup_printf ("manager%u", i);
      f->managers[i] = user (f, login, "sales_manager", sales);
    }
  f->senior = user (f, "senior", "senior_estimator", sales);
  set_head (f, top, f->director);
  set_head (f, sales, f->head);

  c = sd_changes_new ();
  sd_changes_set_text (c, "first_name", "Ivan");
  sd_changes_set_text (c, "last_name", "Petrov");
  f->contact = insert (f->store, SD_ENTITY_CONTACT, c);
  c = sd_changes_new ();
  sd_changes_set_int (c, "contact_id", f->contact);
  sd_changes_set_text (c, "kind", "email");
  sd_changes_set_text (c, "value", "ivan@example.org");
  insert (f->store, SD_ENTITY_CONTACT_CHANNEL, c);
  c = sd_changes_new ();
  sd_changes_set_int (c, "contact_id", f->contact);
  sd_changes_set_text (c, "kind", "phone");
  sd_changes_set_text (c, "value", "+79990000000");
  insert (f->store, SD_ENTITY_CONTACT_CHANNEL, c);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->automation);
  g_clear_pointer (&f->reader, sqlite3_close);
  sd_test_store_free (f->ts);
}

static gint64
deal (Fixture *f, gint64 pipeline, const char *stage, gint64 responsible, gint64 amount_rub)
{
  SdChanges *c = sd_changes_new ();
  gint64 id;

  sd_changes_set_text (c, "title", "Test deal");
  sd_changes_set_int (c, "pipeline_id", pipeline);
  sd_changes_set_int (c, "stage_id", sd_store_find_stage (f->store, pipeline, stage));
  sd_changes_set_int (c, "contact_id", f->contact);
  sd_changes_set_int (c, "amount", amount_rub * 100);
  id = insert (f->store, SD_ENTITY_DEAL, c);
  if (responsible != 0)
    {
      c = sd_changes_new ();
      sd_changes_set_int (c, "deal_id", id);
      sd_changes_set_int (c, "user_id", responsible);
      insert (f->store, SD_ENTITY_DEAL_RESPONSIBLE, c);
    }
  return id;
}

static gint64
file (Fixture *f, gint64 deal_id, const char *kind)
{
  SdChanges *c = sd_changes_new ();

  sd_changes_set_int (c, "deal_id", deal_id);
  sd_changes_set_text (c, "kind", kind);
  sd_changes_set_text (c, "name", "file");
  return insert (f->store, SD_ENTITY_FILE, c);
}

static void
event (Fixture *f, SdEventKind kind, gint64 deal_id, gint64 actor, const char *detail,
       const char *instance)
{
  g_autoptr(GError) error = NULL;
  SdAutomationEvent e = { kind, deal_id, actor, NULL, NULL, instance };

  if (kind == SD_EVENT_FIELD_CHANGED)
    e.field = detail;
  else
    e.file_kind = detail;
  g_assert_true (sd_automation_handle (f->automation, &e, &error));
  g_assert_no_error (error);
}

/* One number from what the engine wrote and committed. */
static gint64
count (Fixture *f, const char *sql_format, ...)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 n;
  va_list args;

  va_start (args, sql_format);
  sql = g_strdup_vprintf (sql_format, args);
  va_end (args);
  if (f->reader == NULL)
    g_assert_cmpint (sqlite3_open_v2 (f->ts->path, &f->reader, SQLITE_OPEN_READONLY, NULL), ==,
                     SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (f->reader, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
stage_of (Fixture *f, gint64 deal_id)
{
  g_autoptr(SdDeal) d = sd_store_get_deal (f->store, deal_id, NULL);
  g_autoptr(GPtrArray) stages = sd_store_list_stages (f->store, d->pipeline_id, NULL);

  for (guint i = 0; i < stages->len; i++)
    if (((SdStage *) stages->pdata[i])->id == d->stage_id)
      return g_strdup (((SdStage *) stages->pdata[i])->code);
  return NULL;
}

static void
on_notification (SdAutomation *automation, gint64 id, gint64 user_id, gpointer data)
{
  /* Announced after the commit: the row is there to read. */
  g_assert_cmpint (sd_notification_count_unread (sd_automation_get_store (automation), user_id), >, 0);
  (*(guint *) data)++;
}

static void
test_form_deal (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "prospect_found", 0, 0);
  g_autoptr(GPtrArray) unread = NULL;
  g_autoptr(GError) error = NULL;
  gint64 responsible;
  guint announced = 0;

  g_signal_connect (f->automation, "notification-added", G_CALLBACK (on_notification), &announced);
  event (f, SD_EVENT_FORM_RECEIVED, d, 0, NULL, "form-1");
  g_assert_cmpuint (announced, ==, 2);
  responsible = count (f, "SELECT user_id FROM deal_responsibles WHERE deal_id = %" G_GINT64_FORMAT, d);
  g_assert_cmpint (responsible, !=, 0);
  /* R-AUTO-1: the client by e-mail and SMS; the manager by e-mail, in the app and by SMS. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE contact_id = %" G_GINT64_FORMAT
                          " AND channel IN ('email', 'sms') AND body LIKE '%%принят%%'", f->contact), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE user_id = %" G_GINT64_FORMAT
                          " AND channel IN ('email', 'sms', 'im')", responsible), ==, 3);
  g_assert_cmpint (sd_notification_count_unread (f->store, responsible), ==, 1);
  g_assert_cmpint (sd_notification_count_unread (f->store, f->head), ==, 1);
  /* The bell: the entry opens the deal, and reading it clears it. */
  unread = sd_notification_list_unread (f->store, responsible, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unread->len, ==, 1);
  g_assert_cmpint (((SdNotification *) unread->pdata[0])->deal_id, ==, d);
  g_assert_true (sd_notification_mark_read (f->store, ((SdNotification *) unread->pdata[0])->id, &error));
  g_assert_cmpint (sd_notification_count_unread (f->store, responsible), ==, 0);
  /* R-AUTO-2: a task set by the head of sales, who accepts the result. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT
                          " AND responsible_id = %" G_GINT64_FORMAT " AND creator_id = %" G_GINT64_FORMAT
                          " AND needs_acceptance = 1 AND deadline = '2026-01-02T08:00:00Z'",
                          d, responsible, f->head), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation' AND text LIKE '%%order_accepted%%'", d), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation'", d), ==, 1);
  /* Journaled as the system, for the sync. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM journal WHERE entity = 'task' AND deal_id = %"
                          G_GINT64_FORMAT " AND op = 'insert' AND author_id IS NULL", d), ==, 1);
}

static void
test_distribution (Fixture *f, gconstpointer data)
{
  const gint64 open_tasks[] = { 0, 1, 3 };
  double weights[3], total = 0;
  gint64 got[4] = { 0 };
  const guint n = 10000;
  g_autoptr(SdChanges) leave = sd_changes_new ();
  g_autoptr(SdChanges) plan = sd_changes_new ();

  /* Weight: (0.5 + plan completion) × (0.5 + task efficiency) / (1 + open tasks). */
  for (guint m = 0; m < 3; m++)
    for (gint64 t = 0; t < open_tasks[m]; t++)
      {
        SdChanges *c = sd_changes_new ();
        sd_changes_set_text (c, "title", "Busy");
        sd_changes_set_int (c, "responsible_id", f->managers[m]);
        insert (f->store, SD_ENTITY_TASK, c);
      }
  /* Manager 1 closed two tasks in time: efficiency (2 + 1) / (2 + 2). */
  for (guint t = 0; t < 2; t++)
    {
      SdChanges *c = sd_changes_new ();
      sd_changes_set_text (c, "title", "Done");
      sd_changes_set_int (c, "responsible_id", f->managers[1]);
      sd_changes_set_text (c, "status", "completed");
      sd_changes_set_text (c, "deadline", "2026-01-02T00:00:00Z");
      sd_changes_set_text (c, "closed_at", "2026-01-01T00:00:00Z");
      insert (f->store, SD_ENTITY_TASK, c);
    }
  /* Manager 2 won twice the plan (completion counts up to 2). */
  sd_changes_set_int (plan, "sales_plan", 100000 * 100);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_USER, f->managers[2], plan, NULL));
  deal (f, f->b2b, "won", f->managers[2], 250000);
  weights[0] = 1.5 * 1.0 / 1;
  weights[1] = 1.5 * 1.25 / 2;
  weights[2] = 2.5 * 1.0 / 4;
  total = weights[0] + weights[1] + weights[2];
  /* The fourth is on leave. */
  sd_changes_set_int (leave, "active", 0);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_USER, f->managers[3], leave, NULL));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *form = g_strdup_printf ("form-%u", i);
      gint64 d = deal (f, f->b2b, "prospect_found", 0, 0);
      gint64 who;

      event (f, SD_EVENT_FORM_RECEIVED, d, 0, NULL, form);
      who = count (f, "SELECT user_id FROM deal_responsibles WHERE deal_id = %" G_GINT64_FORMAT, d);
      for (guint m = 0; m < 4; m++)
        got[m] += who == f->managers[m];
    }
  for (guint m = 0; m < 3; m++)
    g_test_message ("manager %u: %.4f of the deals, weight %.4f", m, (double) got[m] / n,
                    weights[m] / total);
  for (guint m = 0; m < 3; m++)
    g_assert_cmpfloat (fabs ((double) got[m] / n - weights[m] / total), <=, 0.02);
  g_assert_cmpint (got[3], ==, 0);
}

static void
test_manual_assignment (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "prospect_found", f->managers[1], 0);

  /* A manager taking it for themselves sets no task; the head assigning does. */
  event (f, SD_EVENT_ASSIGNED, d, f->managers[1], NULL, "journal-6");
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT, d), ==, 0);
  event (f, SD_EVENT_ASSIGNED, d, f->head, NULL, "journal-7");
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT
                          " AND responsible_id = %" G_GINT64_FORMAT " AND creator_id = %" G_GINT64_FORMAT
                          " AND needs_acceptance = 1", d, f->managers[1], f->head), ==, 1);
}

static void
test_converted (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "prospect_found", f->managers[0], 2000000);
  g_autoptr(GError) error = NULL;
  g_autofree char *readers = g_strdup_printf ("%" G_GINT64_FORMAT, f->director);

  /* The sync (or the UI) reports the conversion of the portal's lead 77. */
  g_assert_true (sd_automation_report_converted (f->automation, d, "b24:77", "Site order 77",
                                                 f->managers[0], &error));
  g_assert_no_error (error);
  /* The head by e-mail and in the app; the report up the chain to the director. */
  g_assert_cmpint (sd_notification_count_unread (f->store, f->head), ==, 2);
  g_assert_cmpint (sd_notification_count_unread (f->store, f->director), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE user_id = %" G_GINT64_FORMAT
                          " AND text LIKE '%%Site order 77%%manager0 Test%%head Test%%'", f->director), ==, 1);
  /* The short report goes to the feed in the head's name, to the managers above them. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'feed'"
                          " AND user_id = %" G_GINT64_FORMAT " AND address = '%s'"
                          " AND body LIKE 'Лид «Site order 77» переведён менеджером manager0 Test"
                          " руководителя head Test в сделку%%'", f->head, readers), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation' AND text LIKE '%%head Test%%director Test%%'", d), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE user_id = %" G_GINT64_FORMAT
                          " AND channel = 'email'", f->head), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT
                          " AND deadline = '2026-01-04T08:00:00Z'", d), ==, 1);
  /* Above the threshold, the head of sales takes the deal. */
  g_assert_cmpint (count (f, "SELECT user_id FROM deal_responsibles WHERE deal_id = %" G_GINT64_FORMAT, d),
                   ==, f->head);
  g_assert_cmpint (count (f, "SELECT count(*) FROM journal WHERE entity = 'deal_responsible'"
                          " AND op = 'update' AND deal_id = %" G_GINT64_FORMAT, d), ==, 1);
}

static void
on_document (SdAutomation *automation, gint64 deal_id, const char *kind, gpointer data)
{
  g_strlcpy (data, kind, 32);
}

static void
test_approval (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "prospect_found", f->managers[0], 0);
  gint64 estimate = file (f, d, "estimate");
  g_autofree char *attachments = g_strdup_printf ("[%" G_GINT64_FORMAT "]", estimate);
  g_autofree char *stage = NULL;
  char requested[32] = "";

  g_signal_connect (f->automation, "document-requested", G_CALLBACK (on_document), requested);
  event (f, SD_EVENT_APPROVAL_GIVEN, d, f->head, NULL, NULL);
  g_assert_cmpstr (requested, ==, "estimate");
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE contact_id = %" G_GINT64_FORMAT
                          " AND channel = 'email' AND attachments = '%s'", f->contact, attachments), ==, 1);
  stage = stage_of (f, d);
  g_assert_cmpstr (stage, ==, "proposal_sent");
}

static void
test_photo_guard (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "first_contact", f->managers[0], 0);
  gint64 inspection = sd_store_find_stage (f->store, f->body, "inspection");
  g_autoptr(GError) error = NULL;

  event (f, SD_EVENT_ENTERED, d, f->managers[0], NULL, NULL);
  /* Required fields: the manager is told to fill them. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE user_id = %" G_GINT64_FORMAT
                          " AND text LIKE '%%Вид объекта%%'", f->managers[0]), ==, 1);
  g_assert_false (sd_automation_move_deal (f->automation, d, inspection, &error));
  g_assert_error (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_GUARD);
  g_assert_cmpstr (error->message, ==, "Прикрепите хотя бы одну фотографию");
  g_clear_error (&error);
  file (f, d, "photo");
  g_assert_true (sd_automation_check_enter (f->automation, d, inspection, f->managers[0], &error));
  g_assert_no_error (error);
}

static void
test_auto_moves (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "first_contact", f->managers[0], 0);
  gint64 form = deal (f, f->body, "first_contact", f->managers[0], 0);
  g_autoptr(SdChanges) amount = sd_changes_new ();
  g_autofree char *photo = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL;

  photo = g_strdup_printf ("file-%" G_GINT64_FORMAT, file (f, d, "photo"));
  event (f, SD_EVENT_FILE_ATTACHED, d, f->managers[0], "photo", photo);
  s1 = stage_of (f, d);
  g_assert_cmpstr (s1, ==, "inspection");
  sd_changes_set_int (amount, "amount", 5000000);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, d, amount, NULL));
  event (f, SD_EVENT_FIELD_CHANGED, d, f->managers[0], "amount", "journal-amount");
  s2 = stage_of (f, d);
  g_assert_cmpstr (s2, ==, "agreement");
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation' AND text LIKE '%%Согласование%%'", d), >=, 1);

  file (f, form, "photo");
  event (f, SD_EVENT_FORM_RECEIVED, form, 0, NULL, "form-9");
  s3 = stage_of (f, form);
  g_assert_cmpstr (s3, ==, "inspection");
}

static void
set_field (Fixture *f, gint64 d, gint64 pipeline, const char *code, const char *value)
{
  SdChanges *c = sd_changes_new ();

  sd_changes_set_int (c, "deal_id", d);
  sd_changes_set_int (c, "field_id", sd_store_find_custom_field (f->store, pipeline, code));
  sd_changes_set_text (c, "value", value);
  insert (f->store, SD_ENTITY_DEAL_FIELD, c);
}

/* The app's runner: the past is not replayed; a person's photo, committed, is handled
 * after the commit without anyone calling the engine (R-AUTO-7 moves the deal on). */
static void
test_runner (Fixture *f, gconstpointer data)
{
  gint64 old = deal (f, f->body, "first_contact", f->managers[0], 0);
  g_autoptr(SdAutomationRunner) runner = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *stage = NULL;
  gint64 d;

  file (f, old, "photo");  /* history: nobody acts on it now */
  runner = sd_automation_runner_new (f->automation, 3600);
  cursor = sd_store_get_meta (f->store, "automation.journal_cursor");
  g_assert_cmpint (g_ascii_strtoll (cursor, NULL, 10), ==, sd_store_get_last_journal_id (f->store));

  sd_store_set_actor (f->store, f->managers[0]);
  d = deal (f, f->body, "first_contact", f->managers[0], 0);
  file (f, d, "photo");
  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;

  stage = stage_of (f, d);
  g_assert_cmpstr (stage, ==, "inspection");
  g_clear_pointer (&stage, g_free);
  stage = stage_of (f, old);
  g_assert_cmpstr (stage, ==, "first_contact");
}

static void
test_priority (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "first_contact", f->managers[0], 0);

  set_field (f, d, f->body, "object_type", "fuel_tanker");
  file (f, d, "photo");
  event (f, SD_EVENT_FILE_ATTACHED, d, f->managers[0], "photo", "file-1");
  g_assert_cmpint (sd_notification_count_unread (f->store, f->senior), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE user_id = %" G_GINT64_FORMAT
                          " AND channel = 'email'", f->senior), ==, 1);
  /* The contact is marked a priority client (set_field on a contact field), journaled for
   * the sync as a change of the contact, and the timeline says so. */
  g_assert_cmpint (count (f, "SELECT priority FROM contacts WHERE id = %" G_GINT64_FORMAT, f->contact),
                   ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM journal WHERE entity = 'contact' AND op = 'update'"
                          " AND entity_id = %" G_GINT64_FORMAT " AND changes LIKE '%%\"priority\":[0,1]%%'"
                          " AND author_id IS NULL", f->contact), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation' AND text LIKE '%%contact.priority%%'", d), ==, 1);
}

/* set_field reaches the deal's contact (its columns and the playbooks' contact fields) and
 * company; what a rule may not set is refused when the playbook is read. */
static void
test_set_party_fields (Fixture *f, gconstpointer data)
{
  static const char json[] =
    "{\"format\": 1, \"code\": \"parties\", \"name\": \"P\","
    " \"roles\": [{\"code\": \"head\", \"name\": \"Head\"}],"
    " \"fields\": [{\"code\": \"client_kind\", \"name\": \"Kind\", \"kind\": \"string\","
    "                \"entity\": \"contact\"}],"
    " \"stages\": [{\"code\": \"a\", \"name\": \"A\", \"color\": \"#000000\","
    "   \"robots\": [{\"code\": \"mark\", \"actions\": ["
    "     {\"do\": \"set_field\", \"field\": \"contact.client_type\", \"value\": \"fleet\"},"
    "     {\"do\": \"set_field\", \"field\": \"contact.client_kind\", \"value\": \"vip\"},"
    "     {\"do\": \"set_field\", \"field\": \"company.address\", \"value\": \"Kazan\"},"
    "     {\"do\": \"notify\", \"to\": \"responsible\", \"text\": \"{contact.client_type}, {company.address}\"}]}]},"
    "  {\"code\": \"w\", \"name\": \"W\", \"color\": \"#000000\", \"semantics\": \"won\"},"
    "  {\"code\": \"l\", \"name\": \"L\", \"color\": \"#000000\", \"semantics\": \"lost\"}],"
    " \"access\": []}";
  g_autoptr(GError) error = NULL;
  SdPlaybook *pb = sd_playbook_load_data ("parties.json", json, -1, &error);
  g_autoptr(SdPlaybook) refused = NULL;
  g_autoptr(GString) bad = NULL;
  gint64 pipeline, company, d;
  SdChanges *c;

  g_assert_no_error (error);
  pipeline = sd_playbook_install (pb, f->store, &error);
  g_assert_no_error (error);
  sd_automation_add_playbook (f->automation, pb);
  c = sd_changes_new ();
  sd_changes_set_text (c, "title", "Avtopark LLC");
  company = insert (f->store, SD_ENTITY_COMPANY, c);
  d = deal (f, pipeline, "a", f->managers[0], 0);
  c = sd_changes_new ();
  sd_changes_set_int (c, "company_id", company);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, d, c, NULL));
  sd_changes_free (c);

  event (f, SD_EVENT_ENTERED, d, f->managers[0], NULL, NULL);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contacts WHERE id = %" G_GINT64_FORMAT
                          " AND client_type = 'fleet'", f->contact), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact_fields v JOIN custom_fields cf ON cf.id = v.field_id"
                          " WHERE v.contact_id = %" G_GINT64_FORMAT " AND cf.code = 'client_kind'"
                          " AND v.value = 'vip'", f->contact), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM companies WHERE id = %" G_GINT64_FORMAT
                          " AND address = 'Kazan'", company), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM journal WHERE entity IN ('contact', 'contact_field', 'company')"
                          " AND author_id IS NULL AND (changes LIKE '%%fleet%%' OR changes LIKE '%%vip%%'"
                          " OR changes LIKE '%%Kazan%%')"), ==, 3);
  /* Later actions see the values set. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE text = 'fleet, Kazan'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation' AND text LIKE '%%company.address%%'", d), ==, 1);

  bad = g_string_new (json);
  g_string_replace (bad, "\"contact.client_kind\"", "\"contact.phone\"", 1);
  refused = sd_playbook_load_data ("parties.json", bad->str, -1, &error);
  g_assert_null (refused);
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "$.stages[0].robots[0].actions[1].field"));
}

static void
move (Fixture *f, gint64 d, gint64 pipeline, const char *stage)
{
  g_autoptr(GError) error = NULL;

  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);
  g_assert_true (sd_automation_move_deal (f->automation, d, sd_store_find_stage (f->store, pipeline, stage),
                                          &error));
  g_assert_no_error (error);
}

static gint
run_due (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint fired = sd_automation_run_due (f->automation, &error);

  g_assert_no_error (error);
  return fired;
}

static void
test_reminders (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "agreement", f->managers[0], 0);

  move (f, d, f->body, "waiting_vehicle");
  g_assert_cmpint (run_due (f), ==, 0);
  sd_store_set_time (f->store, T0 + DAY);
  g_assert_cmpint (run_due (f), ==, 1);   /* "we are waiting for you" */
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'sms'"
                          " AND body LIKE '%%ждём%%'"), ==, 1);
  sd_store_set_time (f->store, T0 + 2 * DAY);
  g_assert_cmpint (run_due (f), ==, 1);
  sd_store_set_time (f->store, T0 + 4 * DAY);
  g_assert_cmpint (run_due (f), ==, 1);
  g_assert_cmpint (sd_notification_count_unread (f->store, f->managers[0]), ==, 2);
  /* Gone from the stage: the reminder lapses. */
  move (f, d, f->body, "vehicle_in_work");
  sd_store_set_time (f->store, T0 + 30 * DAY);
  run_due (f);
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE text LIKE '%%привезти%%'"), ==, 2);
  /* Nothing is owed (amount 0): no payment reminders either. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE text LIKE '%%оплату%%'"), ==, 0);
}

static void
test_year_after (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "waiting_payment", f->managers[0], 0);

  move (f, d, f->body, "won");
  sd_store_set_time (f->store, T0 + 364 * DAY);
  run_due (f);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'email'"), ==, 0);
  sd_store_set_time (f->store, T0 + 366 * DAY);
  run_due (f);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'email'"
                          " AND address = 'ivan@example.org' AND subject = 'Пора на ТО?'"), ==, 1);
}

static void
won_deal (Fixture *f, gint64 manager, gint64 amount_rub)
{
  deal (f, f->b2b, "won", manager, amount_rub);
}

static void
test_rating (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) ratings = NULL;
  g_autoptr(GError) error = NULL;

  for (guint m = 0; m < 3; m++)
    {
      g_autoptr(SdChanges) plan = sd_changes_new ();
      sd_changes_set_int (plan, "sales_plan", 100000 * 100);
      g_assert_true (sd_store_update (f->store, SD_ENTITY_USER, f->managers[m], plan, NULL));
    }
  g_assert_cmpint (run_due (f), ==, 0);      /* sets the January rating for 1 February */
  sd_store_set_time (f->store, T0 + 9 * DAY);
  won_deal (f, f->managers[0], 120000);      /* 120 % */
  won_deal (f, f->managers[1], 100000);      /* 100 % */
  won_deal (f, f->managers[2], 50000);       /*  50 % */

  ratings = sd_rating_compute (f->store, "sales_manager", T0 - 8 * 3600, T0 - 8 * 3600 + 31 * DAY,
                               &error);
  g_assert_no_error (error);
  g_assert_cmpint (((SdSellerRating *) ratings->pdata[0])->user_id, ==, f->managers[0]);
  g_assert_cmpint (((SdSellerRating *) ratings->pdata[1])->user_id, ==, f->managers[1]);
  g_assert_cmpint (((SdSellerRating *) ratings->pdata[2])->user_id, ==, f->managers[2]);
  g_assert_cmpfloat (((SdSellerRating *) ratings->pdata[0])->plan_completion, ==, 1.2);

  /* A week offline into February: January is rated once, thanks to the two at plan. */
  sd_store_set_time (f->store, T0 + 37 * DAY);
  g_assert_cmpint (run_due (f), ==, 1);
  g_assert_cmpint (run_due (f), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'feed'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'feed'"
                          " AND body LIKE 'Благодарим manager0 Test: план за 2026-01 выполнен на 120%% (120%%000 ₽)!'"),
                   ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'feed'"
                          " AND user_id = %" G_GINT64_FORMAT, f->managers[2]), ==, 0);
  g_assert_cmpint (count (f, "SELECT due_at FROM automation_timers WHERE rule = 'b2b_sales/$rating'"),
                   ==, 1772323200);  /* 2026-03-01 */
}

static void
on_vote_notification (SdAutomation *automation, gint64 id, gint64 user_id, GArray *told)
{
  g_array_append_val (told, user_id);
}

/* R-AUTO-11 (seed 001 §4): a seller at 120 % of the plan is put to the vote of the rest of
 * the sales group, each asked in the bell; with more than 80 % for it, the seller's
 * position changes (a journaled write), they are told and the feed announces it. A vote
 * short of that when the week is over closes as rejected. */
static void
test_promotion_vote (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) votes = NULL;
  g_autoptr(GArray) told = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 vote;
  gboolean promoted = TRUE;

  for (guint m = 0; m < 3; m++)
    {
      g_autoptr(SdChanges) plan = sd_changes_new ();
      sd_changes_set_int (plan, "sales_plan", 100000 * 100);
      g_assert_true (sd_store_update (f->store, SD_ENTITY_USER, f->managers[m], plan, NULL));
    }
  g_assert_cmpint (run_due (f), ==, 0);
  sd_store_set_time (f->store, T0 + 9 * DAY);
  won_deal (f, f->managers[0], 130000);      /* 130 %: put to the vote */
  won_deal (f, f->managers[1], 110000);      /* 110 %: thanked, not put to the vote */
  g_signal_connect (f->automation, "notification-added", G_CALLBACK (on_vote_notification), told);
  sd_store_set_time (f->store, T0 + 31 * DAY);
  g_assert_cmpint (run_due (f), ==, 1);

  /* One vote, the three others of the group asked (the candidate is not), in the bell and
   * the portal's. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_votes"), ==, 1);
  vote = count (f, "SELECT id FROM automation_votes WHERE candidate_id = %" G_GINT64_FORMAT
                   " AND period = '2026-01' AND voters = 3 AND closed_at IS NULL", f->managers[0]);
  g_assert_cmpint (vote, >, 0);
  g_assert_cmpuint (told->len, ==, 3);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE user_id = %" G_GINT64_FORMAT
                            " AND text LIKE 'manager0 Test: план за 2026-01 выполнен на 130%%."
                            " Назначить manager0 Test на должность «Руководитель группы продаж»?%%'",
                            f->managers[i]), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE user_id = %" G_GINT64_FORMAT,
                          f->managers[0]), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'im'"
                          " AND rule = 'b2b_sales/$vote'"), ==, 3);
  votes = sd_automation_list_open_votes (f->automation, f->managers[1], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (votes->len, ==, 1);
  g_assert_cmpint (((SdVote *) votes->pdata[0])->voted, ==, -1);
  g_assert_cmpstr (((SdVote *) votes->pdata[0])->position, ==, "Руководитель группы продаж");

  /* The candidate does not vote; the head (another role) neither. */
  g_assert_false (sd_automation_cast_vote (f->automation, vote, f->managers[0], TRUE, NULL, &error));
  g_assert_error (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sd_automation_cast_vote (f->automation, vote, f->head, TRUE, NULL, &error));
  g_clear_error (&error);

  /* Two of three for it is 67 %: not yet. A changed mind replaces the vote. */
  g_assert_true (sd_automation_cast_vote (f->automation, vote, f->managers[1], FALSE, &promoted, &error));
  g_assert_true (sd_automation_cast_vote (f->automation, vote, f->managers[1], TRUE, &promoted, &error));
  g_assert_true (sd_automation_cast_vote (f->automation, vote, f->managers[2], TRUE, &promoted, &error));
  g_assert_no_error (error);
  g_assert_false (promoted);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE id = %" G_GINT64_FORMAT
                          " AND position IS NOT NULL", f->managers[0]), ==, 0);
  /* The third: 100 % > 80 %. */
  g_assert_true (sd_automation_cast_vote (f->automation, vote, f->managers[3], TRUE, &promoted, &error));
  g_assert_no_error (error);
  g_assert_true (promoted);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE id = %" G_GINT64_FORMAT
                          " AND position = 'Руководитель группы продаж'", f->managers[0]), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM journal WHERE entity = 'user' AND op = 'update'"
                          " AND entity_id = %" G_GINT64_FORMAT " AND author_id IS NULL"
                          " AND changes LIKE '%%position%%'", f->managers[0]), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications WHERE user_id = %" G_GINT64_FORMAT,
                          f->managers[0]), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'feed'"
                          " AND body = 'Группа продаж проголосовала: manager0 Test — Руководитель группы продаж."
                          " Поздравляем!'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_votes WHERE id = %" G_GINT64_FORMAT
                          " AND outcome = 'promoted'", vote), ==, 1);
  g_assert_false (sd_automation_cast_vote (f->automation, vote, f->managers[3], FALSE, NULL, &error));
  g_clear_error (&error);

  /* February: manager1 at 150 %, nobody votes; a week after the month, the vote closes. */
  won_deal (f, f->managers[1], 150000);
  sd_store_set_time (f->store, 1772323200 + 60);    /* 2026-03-01 */
  g_assert_cmpint (run_due (f), ==, 1);
  vote = count (f, "SELECT id FROM automation_votes WHERE candidate_id = %" G_GINT64_FORMAT
                   " AND period = '2026-02'", f->managers[1]);
  g_assert_cmpint (vote, >, 0);
  /* manager0 is in the new position already: no vote for them again. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_votes WHERE candidate_id = %" G_GINT64_FORMAT,
                          f->managers[0]), ==, 1);
  sd_store_set_time (f->store, 1772323200 + 8 * DAY);
  run_due (f);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_votes WHERE id = %" G_GINT64_FORMAT
                          " AND outcome = 'rejected'", vote), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE id = %" G_GINT64_FORMAT
                          " AND position IS NOT NULL", f->managers[1]), ==, 0);
}

static void
test_follow_up (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "first_call", f->managers[0], 0);
  g_autoptr(SdDeal) after = NULL;

  set_field (f, d, f->b2b, "call_outcome", "refused");
  event (f, SD_EVENT_FIELD_CHANGED, d, f->managers[0], "call_outcome", "journal-3");
  after = sd_store_get_deal (f->store, d, NULL);
  g_assert_cmpstr (after->next_contact_on, ==, "2026-01-15");
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT
                          " AND deadline = '2026-01-15T08:00:00Z'", d), ==, 1);
}

static void
test_preferred_channel (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->renovation, "measurement", f->managers[0], 0);
  g_autoptr(SdChanges) when = sd_changes_new ();

  set_field (f, d, f->renovation, "notify_by", "sms");
  sd_changes_set_text (when, "measurement_at", "2026-01-05T10:00");
  sd_changes_set_text (when, "measurement_address", "Lenina 1");
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, d, when, NULL));
  event (f, SD_EVENT_FIELD_CHANGED, d, f->managers[0], "measurement_at", "journal:1");
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'sms'"
                          " AND address = '+79990000000' AND body LIKE '%%2026-01-05T10:00%%Lenina 1%%'"),
                   ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'email'"), ==, 0);
}

static void
test_tender_lost (Fixture *f, gconstpointer data)
{
  gint64 tender = sd_store_find_pipeline (f->store, "b2b_tender");
  gint64 d = deal (f, tender, "bidding", f->managers[0], 0);

  move (f, d, tender, "lost");
  g_assert_cmpint (count (f, "SELECT count(*) FROM tasks WHERE deal_id = %" G_GINT64_FORMAT
                          " AND responsible_id = %" G_GINT64_FORMAT, d, f->head), ==, 1);
}

static void
test_offline_week (Fixture *f, gconstpointer data)
{
  gint64 a = deal (f, f->body, "agreement", f->managers[0], 10000);
  gint64 b = deal (f, f->body, "agreement", f->managers[1], 10000);

  move (f, a, f->body, "vehicle_in_work");   /* SMS after 1 day, reminder every 2 days */
  sd_store_set_time (f->store, T0 + 3600);
  move (f, b, f->body, "vehicle_in_work");
  sd_store_set_time (f->store, T0 + 7 * DAY);
  /* Two one-off SMS and two collapsed reminders, earliest first, once each. */
  g_assert_cmpint (run_due (f), ==, 4);
  g_assert_cmpint (run_due (f), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'sms'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT deal_id FROM automation_outbox WHERE channel = 'sms'"
                          " ORDER BY id LIMIT 1"), ==, a);
  g_assert_cmpint (count (f, "SELECT count(*) FROM notifications"), ==, 2);
  g_assert_cmpint (count (f, "SELECT min(due_at) FROM automation_timers"), >, T0 + 7 * DAY);
}

static void
test_counted_from_entry (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 d;

  /* The deal enters the stage at T0; the engine hears of it three days later. */
  sd_store_set_actor (f->store, f->managers[0]);
  d = deal (f, f->body, "waiting_vehicle", f->managers[0], 0);
  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);
  sd_store_set_time (f->store, T0 + 3 * DAY);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  g_assert_no_error (error);
  /* The SMS a day after entering and the reminder two days after are both due now. */
  g_assert_cmpint (run_due (f), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE channel = 'sms'"
                          " AND deal_id = %" G_GINT64_FORMAT, d), ==, 1);
  g_assert_cmpint (count (f, "SELECT due_at FROM automation_timers WHERE deal_id = %" G_GINT64_FORMAT, d),
                   ==, T0 + 4 * DAY);
}

static void
test_replay (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->b2b, "prospect_found", 0, 0);
  gint64 e = deal (f, f->body, "first_contact", f->managers[0], 0);
  g_autofree char *first = NULL, *second = NULL, *third = NULL;

  file (f, e, "photo");
  for (guint round = 0; round < 2; round++)
    {
      event (f, SD_EVENT_FORM_RECEIVED, d, 0, NULL, "form-1");
      event (f, SD_EVENT_CONVERTED, d, 0, NULL, NULL);
      event (f, SD_EVENT_FILE_ATTACHED, e, f->managers[0], "photo", "file-1");
      event (f, SD_EVENT_ENTERED, e, 0, NULL, NULL);
      if (round == 0)
        first = sd_test_store_digest (f->ts);
    }
  second = sd_test_store_digest (f->ts);
  g_assert_cmpstr (first, ==, second);

  /* A restart: a new engine over the same database fires nothing either. */
  g_clear_object (&f->automation);
  f->automation = sd_automation_new (f->store);
  sd_automation_add_playbook (f->automation, sd_test_load_shipped ("b2b-sales.json"));
  sd_automation_add_playbook (f->automation, sd_test_load_shipped ("body-repair.json"));
  event (f, SD_EVENT_FORM_RECEIVED, d, 0, NULL, "form-1");
  event (f, SD_EVENT_FILE_ATTACHED, e, f->managers[0], "photo", "file-1");
  third = sd_test_store_digest (f->ts);
  g_assert_cmpstr (first, ==, third);
}

static void
test_unkeyed (Fixture *f, gconstpointer data)
{
  gint64 d = deal (f, f->body, "inspection", f->managers[0], 0);
  SdAutomationEvent e = { SD_EVENT_FIELD_CHANGED, d, 0, "amount", NULL, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (sd_automation_handle (f->automation, &e, &error));
  g_assert_error (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_INVALID);
}

static void
test_journal (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stage = NULL, *digest = NULL, *again = NULL;
  gint64 mine, pulled;
  SdChanges *c;

  /* A manager at this desktop opens a deal and attaches a photo… */
  sd_store_set_actor (f->store, f->managers[0]);
  mine = deal (f, f->body, "first_contact", f->managers[0], 0);
  file (f, mine, "photo");
  /* …and the sync pulls a form deal from the portal. */
  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);
  sd_store_set_origin (f->store, "remote");
  c = sd_changes_new ();
  sd_changes_set_text (c, "title", "From the site");
  sd_changes_set_int (c, "pipeline_id", f->b2b);
  sd_changes_set_int (c, "stage_id", sd_store_find_stage (f->store, f->b2b, "prospect_found"));
  sd_changes_set_int (c, "contact_id", f->contact);
  sd_changes_set_text (c, "source", "form");
  pulled = insert (f->store, SD_ENTITY_DEAL, c);
  sd_store_set_origin (f->store, "local");

  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  g_assert_no_error (error);
  stage = stage_of (f, mine);
  g_assert_cmpstr (stage, ==, "inspection");
  g_assert_cmpint (count (f, "SELECT count(*) FROM deal_responsibles WHERE deal_id = %" G_GINT64_FORMAT,
                          pulled), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_outbox WHERE deal_id = %" G_GINT64_FORMAT
                          " AND contact_id IS NOT NULL", pulled), ==, 2);

  /* The engine's own writes are not read back as events; reading again does nothing. */
  digest = sd_test_store_digest (f->ts);
  sd_store_set_meta (f->store, "automation.journal_cursor", "0", NULL);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  again = sd_test_store_digest (f->ts);
  g_assert_cmpstr (digest, ==, again);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT, pulled),
                   ==, 1);
}

/* A person's edit of several deal fields at once, one of them a text with commas, brackets
 * and quotes: each field is an event (the amount set moves the deal on, R-AUTO-7). */
static void
test_journal_fields (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stage = NULL;
  SdChanges *c;
  gint64 d;

  sd_store_set_actor (f->store, f->managers[0]);
  d = deal (f, f->body, "inspection", f->managers[0], 0);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  c = sd_changes_new ();
  sd_changes_set_text (c, "comments", "Bumper, \"left\" [rear]; {wing} \\ ok");
  sd_changes_set_int (c, "amount", 4500000);
  g_assert_true (sd_store_update (f->store, SD_ENTITY_DEAL, d, c, NULL));
  sd_changes_free (c);
  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  g_assert_no_error (error);
  stage = stage_of (f, d);
  g_assert_cmpstr (stage, ==, "agreement");
}

static void
on_run_failed (SdAutomation *automation, gint64 deal_id, const char *message, GArray *failed)
{
  g_array_append_val (failed, deal_id);
}

static void
writer_exec (Fixture *f, const char *sql)
{
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (f->ts->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The journal is read in one transaction with a savepoint an event: an event that fails
 * undoes only its own work and is reported; the events around it are kept, in order, and
 * the failed one runs in full once it can (its key was never claimed). */
static void
test_journal_failure (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) failed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *trigger = NULL;
  g_autofree char *stage_a = NULL, *stage_b = NULL, *stage_c = NULL;
  gint64 a, b, c;

  sd_store_set_actor (f->store, f->managers[0]);
  a = deal (f, f->body, "first_contact", f->managers[0], 0);
  b = deal (f, f->body, "first_contact", f->managers[0], 0);
  c = deal (f, f->body, "first_contact", f->managers[0], 0);
  file (f, a, "photo");
  file (f, b, "photo");
  file (f, c, "photo");
  sd_store_set_actor (f->store, SD_ACTOR_SYSTEM);

  /* Deal b's runs cannot be recorded, as if the disk refused them. */
  trigger = g_strdup_printf ("CREATE TRIGGER refuse_b BEFORE INSERT ON automation_runs"
                             " WHEN NEW.deal_id = %" G_GINT64_FORMAT
                             " BEGIN SELECT RAISE(ABORT, 'refused for the test'); END", b);
  writer_exec (f, trigger);
  g_signal_connect (f->automation, "run-failed", G_CALLBACK (on_run_failed), failed);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (failed->len, >=, 1);
  for (guint i = 0; i < failed->len; i++)
    g_assert_cmpint (g_array_index (failed, gint64, i), ==, b);
  stage_a = stage_of (f, a);
  stage_b = stage_of (f, b);
  stage_c = stage_of (f, c);
  g_assert_cmpstr (stage_a, ==, "inspection");
  g_assert_cmpstr (stage_b, ==, "first_contact");
  g_assert_cmpstr (stage_c, ==, "inspection");
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation'", b), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM automation_runs WHERE deal_id = %" G_GINT64_FORMAT,
                          b), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM timeline WHERE deal_id = %" G_GINT64_FORMAT
                          " AND kind = 'automation'", a), >, 0);

  /* Once it can, the failed event runs: read again from the start, only b moves. */
  writer_exec (f, "DROP TRIGGER refuse_b");
  g_clear_pointer (&stage_b, g_free);
  sd_store_set_meta (f->store, "automation.journal_cursor", "0", NULL);
  g_assert_cmpint (sd_automation_process_journal (f->automation, &error), >, 0);
  g_assert_no_error (error);
  stage_b = stage_of (f, b);
  g_assert_cmpstr (stage_b, ==, "inspection");
}

static void
test_broken (void)
{
  static const struct { const char *rules; const char *message; } cases[] = {
    { "\"robots\": [{\"code\": \"a\", \"actions\": [{\"do\": \"move\", \"stage\": \"nowhere\"}]}]",
      "x.json: $.stages[0].robots[0].actions[0].stage: unknown stage \"nowhere\" (not in $.stages)" },
    { "\"guards\": [{\"code\": \"g\", \"when\": {\"field\": \"colour\", \"op\": \"set\"}, \"message\": \"m\"}]",
      "x.json: $.stages[0].guards[0].when.field: unknown field \"colour\" (not a deal, contact or company field, nor in $.fields)" },
    { "\"robots\": [{\"code\": \"a\", \"delay\": \"soon\", \"actions\": [{\"do\": \"post_feed\", \"text\": \"t\"}]}]",
      "x.json: $.stages[0].robots[0].delay: expected a duration like \"30m\", \"2h\", \"3d\", \"2w\" or \"1y\", got \"soon\"" },
    { "\"robots\": [{\"code\": \"a\", \"actions\": [{\"do\": \"notify\", \"to\": \"role:boss\", \"text\": \"t\"}]}]",
      "x.json: $.stages[0].robots[0].actions[0].to: unknown role \"boss\" (declare it in $.roles)" },
    { "\"robots\": [{\"code\": \"a\", \"actions\": [{\"do\": \"post_feed\", \"text\": \"Hi {clent}\"}]}]",
      "x.json: $.stages[0].robots[0].actions[0].text: unknown placeholder {clent}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"format\": 1, \"code\": \"x\", \"name\": \"X\","
        " \"roles\": [{\"code\": \"head\", \"name\": \"Head\"}],"
        " \"stages\": [{\"code\": \"a\", \"name\": \"A\", \"color\": \"#000000\", %s},"
        "  {\"code\": \"w\", \"name\": \"W\", \"color\": \"#000000\", \"semantics\": \"won\"},"
        "  {\"code\": \"l\", \"name\": \"L\", \"color\": \"#000000\", \"semantics\": \"lost\"}],"
        " \"access\": []}", cases[i].rules);
      g_autoptr(GError) error = NULL;
      g_autoptr(SdPlaybook) pb = sd_playbook_load_data ("x.json", json, -1, &error);

      g_assert_null (pb);
      g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/automation/R-AUTO-1+2/form-deal", test_form_deal);
  ADD ("/automation/R-AUTO-3/distribution", test_distribution);
  ADD ("/automation/R-AUTO-3/manual-assignment", test_manual_assignment);
  ADD ("/automation/R-AUTO-4/converted", test_converted);
  ADD ("/automation/R-AUTO-5/approval", test_approval);
  ADD ("/automation/R-AUTO-6/photo-guard-and-fields", test_photo_guard);
  ADD ("/automation/R-AUTO-7/auto-moves", test_auto_moves);
  ADD ("/automation/R-AUTO-8/priority-client", test_priority);
  ADD ("/automation/set-field/contact-and-company", test_set_party_fields);
  ADD ("/automation/runner/acts-after-commit-not-on-history", test_runner);
  ADD ("/automation/R-AUTO-9/reminders", test_reminders);
  ADD ("/automation/R-AUTO-10/year-after", test_year_after);
  ADD ("/automation/R-AUTO-11/rating-and-thanks", test_rating);
  ADD ("/automation/R-AUTO-11/promotion-after-group-vote", test_promotion_vote);
  ADD ("/automation/R-KPI-3/follow-up", test_follow_up);
  ADD ("/automation/R-COMM-3/preferred-channel", test_preferred_channel);
  ADD ("/automation/seed-001/tender-lost", test_tender_lost);
  ADD ("/automation/timers/offline-week", test_offline_week);
  ADD ("/automation/timers/counted-from-entry", test_counted_from_entry);
  ADD ("/automation/replay", test_replay);
  ADD ("/automation/unkeyed-event-refused", test_unkeyed);
  ADD ("/automation/journal/user-and-portal", test_journal);
  ADD ("/automation/journal/failed-event-alone", test_journal_failure);
  ADD ("/automation/journal/several-fields", test_journal_fields);
  g_test_add_func ("/automation/broken-rules", test_broken);
  return g_test_run ();
}
