/* test-acl.c: R-ACL enforced by the store once the renovation playbook is installed.
 *
 * One user per role walks every renovation stage; each write is tried on a fresh deal
 * at that stage. What the seed-000 table allows must succeed; anything else must fail
 * with SD_ACCESS_ERROR_DENIED and leave the store file exactly as it was (no row, no
 * journal entry). The expected table is written out here, not read from the playbook,
 * so a wrong playbook cannot pass its own test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "sd-playbook.h"
#include "sd-records.h"
#include "sd-test-store.h"

static const char *const stages[] = {
  "registration", "object_data", "measurement", "estimate", "contract", "works",
  "stage_act", "final_act", "won", "lost", NULL
};

#define V SD_ACCESS_VIEW
#define E SD_ACCESS_EDIT
#define M SD_ACCESS_MOVE
#define C SD_ACCESS_CHAT
#define A SD_ACCESS_ATTACH
#define ALL SD_ACCESS_ALL
#define HAND_ON (V | E | C | M)

/* role x stage, in the order of stages[] */
static const struct
{
  const char    *role;
  SdAccessAction at[10];
} expected[] = {
  { "operator",        { HAND_ON, HAND_ON, 0, 0, 0, 0, 0, 0, 0, 0 } },
  { "measurer",        { 0, 0, HAND_ON, 0, 0, 0, 0, 0, 0, 0 } },
  { "estimator",       { 0, 0, 0, HAND_ON, 0, 0, 0, 0, 0, 0 } },
  { "project_manager", { 0, 0, 0, 0, ALL, ALL, ALL, ALL, ALL, ALL } },
  { "foreman",         { 0, 0, 0, 0, 0, V | A, 0, 0, 0, 0 } },
  { "head",            { ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL } },
};

typedef struct
{
  SdTestStore *ts;
  gint64       pipeline_id;
  gint64       stage_ids[10];
} Fixture;

static gint64
add_user (SdStore    *store,
          const char *role)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  sd_changes_set_text (changes, "login", role);
  sd_changes_set_text (changes, "first_name", role);
  sd_changes_set_text (changes, "last_name", "Тестовый");
  sd_changes_set_int (changes, "role_id", sd_store_find_role (store, role));
  id = sd_store_insert (store, SD_ENTITY_USER, changes, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");
  g_autoptr(GError) error = NULL;

  fx->ts = sd_test_store_new ();
  fx->pipeline_id = sd_playbook_install (pb, fx->ts->store, &error);
  g_assert_no_error (error);
  for (guint s = 0; stages[s] != NULL; s++)
    {
      fx->stage_ids[s] = sd_store_find_stage (fx->ts->store, fx->pipeline_id, stages[s]);
      g_assert_cmpint (fx->stage_ids[s], >, 0);
    }
  for (guint r = 0; r < G_N_ELEMENTS (expected); r++)
    add_user (fx->ts->store, expected[r].role);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  sd_test_store_free (fx->ts);
}

static gint64
add_deal (Fixture *fx,
          guint    stage)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  sd_store_set_actor (fx->ts->store, SD_ACTOR_SYSTEM);
  sd_changes_set_text (changes, "title", "Ремонт квартиры, ул. Ленина, 5");
  sd_changes_set_int (changes, "pipeline_id", fx->pipeline_id);
  sd_changes_set_int (changes, "stage_id", fx->stage_ids[stage]);
  sd_changes_set_int (changes, "amount", 150000000);
  id = sd_store_insert (fx->ts->store, SD_ENTITY_DEAL, changes, &error);
  g_assert_no_error (error);
  return id;
}

/* Tries @action on @deal at stage index @stage as the acting user. */
static gboolean
try_action (Fixture         *fx,
            SdAccessAction   action,
            gint64           deal,
            guint            stage,
            gint64           user,
            GError         **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  switch (action)
    {
    case SD_ACCESS_MOVE:
      /* on to the next stage; from the last one back to the first */
      return sd_store_move_deal (fx->ts->store, deal,
                                 fx->stage_ids[stages[stage + 1] != NULL ? stage + 1 : 0], error);
    case SD_ACCESS_EDIT:
      sd_changes_set_text (changes, "title", "Ремонт квартиры, ул. Ленина, 5, кв. 12");
      return sd_store_update (fx->ts->store, SD_ENTITY_DEAL, deal, changes, error);
    case SD_ACCESS_CHAT:
      sd_changes_set_int (changes, "deal_id", deal);
      sd_changes_set_text (changes, "kind", "comment");
      sd_changes_set_text (changes, "text", "Клиент просит перезвонить после 18:00");
      sd_changes_set_int (changes, "author_id", user);
      return sd_store_insert (fx->ts->store, SD_ENTITY_TIMELINE, changes, error) > 0;
    case SD_ACCESS_ATTACH:
      sd_changes_set_int (changes, "deal_id", deal);
      sd_changes_set_text (changes, "kind", "photo");
      sd_changes_set_text (changes, "name", "фотоотчёт-1.jpg");
      sd_changes_set_text (changes, "mime_type", "image/jpeg");
      sd_changes_set_int (changes, "created_by", user);
      return sd_store_insert (fx->ts->store, SD_ENTITY_FILE, changes, error) > 0;
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  guint          role;    /* index into expected[] */
  SdAccessAction action;
} Case;

static void
test_role_action (Fixture       *fx,
                  gconstpointer  data)
{
  const Case *c = data;
  gint64 user = sd_store_find_user (fx->ts->store, expected[c->role].role);

  g_assert_cmpint (user, >, 0);
  for (guint s = 0; stages[s] != NULL; s++)
    {
      gint64 deal = add_deal (fx, s);
      gboolean allowed = (expected[c->role].at[s] & c->action) != 0;
      g_autofree char *before = sd_test_store_digest (fx->ts);
      gint64 journal = sd_test_store_count (fx->ts, "journal");
      g_autofree char *after = NULL;
      g_autoptr(GError) error = NULL;
      gboolean done;

      g_test_message ("%s %s at %s: expected %s", expected[c->role].role,
                      sd_access_action_to_string (c->action), stages[s],
                      allowed ? "allowed" : "denied");
      sd_store_set_actor (fx->ts->store, user);
      done = try_action (fx, c->action, deal, s, user, &error);
      sd_store_set_actor (fx->ts->store, SD_ACTOR_SYSTEM);
      after = sd_test_store_digest (fx->ts);

      if (allowed)
        {
          g_assert_no_error (error);
          g_assert_true (done);
          g_assert_cmpint (sd_test_store_count (fx->ts, "journal"), ==, journal + 1);
        }
      else
        {
          g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
          g_assert_false (done);
          g_assert_cmpstr (before, ==, after);
        }
    }
}

/* The store reports the same rights the UI will use to show or hide a deal. */
static void
test_role_view (Fixture       *fx,
                gconstpointer  data)
{
  const Case *c = data;
  gint64 user = sd_store_find_user (fx->ts->store, expected[c->role].role);

  for (guint s = 0; stages[s] != NULL; s++)
    g_assert_cmpint (sd_store_get_access (fx->ts->store, user, fx->stage_ids[s]), ==,
                     expected[c->role].at[s]);
}

/* Seed 002: a stage may be limited to one role. */
static void
test_body_repair_cost_estimate (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("body-repair.json");
  g_autoptr(GError) error = NULL;
  gint64 pipeline = sd_playbook_install (pb, ts->store, &error);
  gint64 estimate = sd_store_find_stage (ts->store, pipeline, "cost_estimate");
  gint64 inspection = sd_store_find_stage (ts->store, pipeline, "inspection");
  gint64 manager = add_user (ts->store, "sales_manager");
  gint64 senior = add_user (ts->store, "senior_estimator");
  const struct { gint64 user; gint64 stage; gboolean allowed; } cases[] = {
    { manager, estimate, FALSE }, { senior, estimate, TRUE },
    { manager, inspection, TRUE }, { senior, inspection, FALSE },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SdChanges) deal = sd_changes_new ();
      g_autoptr(SdChanges) edit = sd_changes_new ();
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autoptr(GError) denied = NULL;
      gint64 deal_id;
      gboolean done;

      sd_changes_set_text (deal, "title", "Кузов, КамАЗ 65115");
      sd_changes_set_int (deal, "pipeline_id", pipeline);
      sd_changes_set_int (deal, "stage_id", cases[i].stage);
      deal_id = sd_store_insert (ts->store, SD_ENTITY_DEAL, deal, &error);
      g_assert_no_error (error);

      before = sd_test_store_digest (ts);
      sd_changes_set_int (edit, "amount", 8500000);
      sd_store_set_actor (ts->store, cases[i].user);
      done = sd_store_update (ts->store, SD_ENTITY_DEAL, deal_id, edit, &denied);
      sd_store_set_actor (ts->store, SD_ACTOR_SYSTEM);
      after = sd_test_store_digest (ts);
      if (cases[i].allowed)
        {
          g_assert_no_error (denied);
          g_assert_true (done);
        }
      else
        {
          g_assert_error (denied, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
          g_assert_cmpstr (before, ==, after);
        }
    }
}

int
main (int argc, char **argv)
{
  static Case cases[G_N_ELEMENTS (expected)][5];
  const SdAccessAction actions[] = { SD_ACCESS_MOVE, SD_ACCESS_EDIT, SD_ACCESS_CHAT, SD_ACCESS_ATTACH };

  g_test_init (&argc, &argv, NULL);

  for (guint r = 0; r < G_N_ELEMENTS (expected); r++)
    {
      g_autofree char *role = g_strdelimit (g_strdup (expected[r].role), "_", '-');
      g_autofree char *view_path = g_strdup_printf ("/automation/acl/R-ACL/%s-view", role);

      cases[r][4] = (Case) { r, SD_ACCESS_VIEW };
      g_test_add (view_path, Fixture, &cases[r][4], fixture_set_up, test_role_view, fixture_tear_down);
      for (guint a = 0; a < G_N_ELEMENTS (actions); a++)
        {
          g_autofree char *path = g_strdup_printf ("/automation/acl/R-ACL/%s-%s", role,
                                                   sd_access_action_to_string (actions[a]));
          cases[r][a] = (Case) { r, actions[a] };
          g_test_add (path, Fixture, &cases[r][a], fixture_set_up, test_role_action, fixture_tear_down);
        }
    }
  g_test_add_func ("/automation/acl/R-ACL/body-repair-cost-estimate-senior-only",
                   test_body_repair_cost_estimate);
  return g_test_run ();
}
