/* test-playbook-install.c: playbooks install into a real store file in one transaction,
 * idempotently, and a refused or failed install leaves the store as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sqlite3.h>

#include "sd-playbook.h"
#include "sd-records.h"
#include "sd-test-store.h"

static const char mini[] =
  "{\"format\": 1, \"code\": \"mini\", \"name\": \"Mini\","
  " \"roles\": [{\"code\": \"head\", \"name\": {\"en\": \"Head of department\", \"ru\": \"Руководитель отдела\"}},"
  "  {\"code\": \"foreman\", \"name\": {\"en\": \"Foreman\", \"ru\": \"Прораб\"}}],"
  " \"stages\": ["
  "  {\"code\": \"new\", \"name\": \"New\", \"color\": \"#3584e4\"},"
  "  {\"code\": \"works\", \"name\": \"Works\", \"color\": \"#ff7800\"},"
  "  {\"code\": \"won\", \"name\": \"Won\", \"color\": \"#2ec27e\", \"semantics\": \"won\"},"
  "  {\"code\": \"lost\", \"name\": \"Lost\", \"color\": \"#e01b24\", \"semantics\": \"lost\"}],"
  " \"fields\": [{\"code\": \"kind\", \"name\": \"Kind\", \"kind\": \"list\","
  "   \"options\": [{\"code\": \"a\", \"label\": \"A\"}, {\"code\": \"b\", \"label\": \"B\"}]},"
  "  {\"code\": \"client\", \"name\": \"Client\", \"kind\": \"list\", \"entity\": \"contact\","
  "   \"options\": [{\"code\": \"fleet\", \"label\": \"Fleet\"}]}],"
  " \"access\": [{\"role\": \"head\", \"stages\": \"*\", \"actions\": [\"all\"]},"
  "  {\"role\": \"foreman\", \"stages\": [\"works\"], \"actions\": [\"view\", \"attach\"]}]}";

/* mini, edited: a stage renamed and recoloured, the foreman's right withdrawn, option "a"
 * dropped and "c" added. */
static const char mini_edited[] =
  "{\"format\": 1, \"code\": \"mini\", \"name\": \"Mini\","
  " \"roles\": [{\"code\": \"head\", \"name\": {\"en\": \"Head of department\", \"ru\": \"Руководитель отдела\"}},"
  "  {\"code\": \"foreman\", \"name\": {\"en\": \"Foreman\", \"ru\": \"Прораб\"}}],"
  " \"stages\": ["
  "  {\"code\": \"new\", \"name\": \"Fresh\", \"color\": \"#62a0ea\"},"
  "  {\"code\": \"works\", \"name\": \"Works\", \"color\": \"#ff7800\"},"
  "  {\"code\": \"won\", \"name\": \"Won\", \"color\": \"#2ec27e\", \"semantics\": \"won\"},"
  "  {\"code\": \"lost\", \"name\": \"Lost\", \"color\": \"#e01b24\", \"semantics\": \"lost\"}],"
  " \"fields\": [{\"code\": \"kind\", \"name\": \"Kind\", \"kind\": \"list\","
  "   \"options\": [{\"code\": \"b\", \"label\": \"B\"}, {\"code\": \"c\", \"label\": \"C\"}]},"
  "  {\"code\": \"client\", \"name\": \"Client\", \"kind\": \"list\", \"entity\": \"contact\","
  "   \"options\": [{\"code\": \"fleet\", \"label\": \"Fleet\"}]}],"
  " \"access\": [{\"role\": \"head\", \"stages\": \"*\", \"actions\": [\"all\"]}]}";

static SdPlaybook *
load (const char *json)
{
  g_autoptr(GError) error = NULL;
  SdPlaybook *pb = sd_playbook_load_data ("mini.json", json, -1, &error);

  g_assert_no_error (error);
  return pb;
}

static gint64
install (const SdPlaybook *pb,
         SdTestStore      *ts)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_playbook_install (pb, ts->store, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_install_shipped (void)
{
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();

  g_assert_cmpuint (paths->len, >=, 3);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(SdTestStore) ts = sd_test_store_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(SdPlaybook) pb = sd_playbook_load_file (paths->pdata[i], &error);
      g_autoptr(GPtrArray) stages = NULL;
      gint64 pipeline_id;

      g_assert_no_error (error);
      pipeline_id = install (pb, ts);
      g_assert_cmpint (sd_store_find_pipeline (ts->store, sd_playbook_get_code (pb)), ==, pipeline_id);

      stages = sd_store_list_stages (ts->store, pipeline_id, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (stages->len, ==, sd_playbook_get_n_stages (pb));
      for (guint s = 0; s < stages->len; s++)
        {
          const SdStage *stored = stages->pdata[s];
          const SdPlaybookStage *stage = sd_playbook_get_stage (pb, s);

          g_assert_cmpstr (stored->code, ==, stage->code);
          g_assert_cmpstr (stored->color, ==, stage->color);
          g_assert_cmpstr (stored->semantics, ==, stage->semantics);
        }
      for (guint r = 0; r < sd_playbook_get_n_roles (pb); r++)
        g_assert_cmpint (sd_store_find_role (ts->store, sd_playbook_get_role (pb, r)->code), >, 0);
      g_assert_cmpint (sd_test_store_count (ts, "access"), ==, sd_playbook_get_n_access (pb));
      g_assert_cmpint (sd_test_store_count (ts, "custom_fields"), ==, sd_playbook_get_n_fields (pb));
      g_assert_cmpint (sd_test_store_count (ts, "custom_field_options"), >, 0);
      /* set-up is journaled like every other write */
      g_assert_cmpint (sd_test_store_count (ts, "journal"), >, stages->len);
    }
}

/* Installing again changes no row and writes no journal entry. */
static void
test_install_idempotent (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();
  g_autoptr(GPtrArray) books = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 journal;

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      SdPlaybook *pb = sd_playbook_load_file (paths->pdata[i], &error);
      gint64 id;

      g_assert_no_error (error);
      g_ptr_array_add (books, pb);
      id = install (pb, ts);
      g_array_append_val (ids, id);
    }
  before = sd_test_store_digest (ts);
  journal = sd_test_store_count (ts, "journal");

  for (guint i = 0; i < books->len; i++)
    g_assert_cmpint (install (books->pdata[i], ts), ==, g_array_index (ids, gint64, i));

  after = sd_test_store_digest (ts);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (sd_test_store_count (ts, "journal"), ==, journal);
  /* the shared roles are not duplicated: nine role codes across the shipped playbooks */
  g_assert_cmpint (sd_test_store_count (ts, "roles"), ==, 9);
}

static gint64
field_option_count (SdTestStore *ts,
                    const char  *code)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (ts->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM custom_field_options WHERE code = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* An edited playbook updates the rows it names, by code, and withdraws what it dropped. */
static void
test_install_edited (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autoptr(SdPlaybook) edited = load (mini_edited);
  g_autoptr(GPtrArray) stages = NULL;
  gint64 pipeline_id = install (pb, ts);
  gint64 foreman = sd_store_find_role (ts->store, "foreman");
  gint64 works = sd_store_find_stage (ts->store, pipeline_id, "works");
  gint64 new_stage = sd_store_find_stage (ts->store, pipeline_id, "new");
  g_autoptr(SdChanges) user = sd_changes_new ();
  gint64 user_id;

  sd_changes_set_text (user, "login", "foreman");
  sd_changes_set_text (user, "first_name", "Пётр");
  sd_changes_set_text (user, "last_name", "Прорабов");
  sd_changes_set_int (user, "role_id", foreman);
  user_id = sd_store_insert (ts->store, SD_ENTITY_USER, user, NULL);
  g_assert_cmpint (sd_store_get_access (ts->store, user_id, works), ==, SD_ACCESS_VIEW | SD_ACCESS_ATTACH);

  g_assert_cmpint (install (edited, ts), ==, pipeline_id);
  g_assert_cmpint (sd_store_find_stage (ts->store, pipeline_id, "new"), ==, new_stage);
  stages = sd_store_list_stages (ts->store, pipeline_id, NULL);
  g_assert_cmpuint (stages->len, ==, 4);
  g_assert_cmpstr (((SdStage *) stages->pdata[0])->name, ==, "Fresh");
  g_assert_cmpstr (((SdStage *) stages->pdata[0])->color, ==, "#62a0ea");
  g_assert_cmpint (sd_store_get_access (ts->store, user_id, works), ==, SD_ACCESS_NONE);
  g_assert_cmpint (sd_test_store_count (ts, "access"), ==, 4);
  g_assert_cmpint (field_option_count (ts, "a"), ==, 0);
  g_assert_cmpint (field_option_count (ts, "b"), ==, 1);
  g_assert_cmpint (field_option_count (ts, "c"), ==, 1);
  g_assert_cmpint (field_option_count (ts, "fleet"), ==, 1);
  g_assert_cmpint (sd_test_store_count (ts, "custom_fields"), ==, 2);
}

/* Names are written in the user's language, English when the playbook lacks it. */
static void
test_install_language (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autofree char *saved = g_strdup (g_getenv ("LANGUAGE"));
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(SdChanges) user = sd_changes_new ();

  g_setenv ("LANGUAGE", "ru", TRUE);
  install (pb, ts);
  sd_changes_set_text (user, "first_name", "Анна");
  sd_changes_set_text (user, "last_name", "Петрова");
  sd_changes_set_int (user, "role_id", sd_store_find_role (ts->store, "foreman"));
  g_assert_cmpint (sd_store_insert (ts->store, SD_ENTITY_USER, user, NULL), >, 0);
  users = sd_store_list_users (ts->store, NULL);
  g_assert_cmpstr (((SdUser *) users->pdata[0])->role_name, ==, "Прораб");

  g_setenv ("LANGUAGE", "de", TRUE);
  install (pb, ts);
  g_clear_pointer (&users, g_ptr_array_unref);
  users = sd_store_list_users (ts->store, NULL);
  g_assert_cmpstr (((SdUser *) users->pdata[0])->role_name, ==, "Foreman");

  if (saved != NULL)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
}

/* A broken playbook never reaches the store. */
static void
test_broken_installs_nothing (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *broken = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (mini);

  install (pb, ts);
  before = sd_test_store_digest (ts);
  g_string_replace (text, "\"#ff7800\"", "\"orange\"", 1);
  broken = g_string_free (g_steal_pointer (&text), FALSE);
  g_assert_null (sd_playbook_load_data ("mini.json", broken, -1, &error));
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
  after = sd_test_store_digest (ts);
  g_assert_cmpstr (before, ==, after);
}

/* A write failing half-way rolls the whole install back: here the last step, the access
 * table, is made to fail behind the store's back. */
static void
test_failed_install_rolls_back (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (ts->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER no_access BEFORE INSERT ON access "
                                     "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  before = sd_test_store_digest (ts);
  g_assert_cmpint (sd_playbook_install (pb, ts->store, &error), ==, 0);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Cannot install the playbook “renovation”: "));
  after = sd_test_store_digest (ts);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (sd_test_store_count (ts, "pipelines"), ==, 0);
  g_assert_cmpint (sd_test_store_count (ts, "journal"), ==, 0);
}

/* Playbooks are set-up: a user acting through the store may not install one. */
static void
test_install_needs_system (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autoptr(SdPlaybook) renovation = sd_test_load_shipped ("renovation.json");
  g_autoptr(SdChanges) user = sd_changes_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  gint64 user_id;

  install (pb, ts);
  sd_changes_set_text (user, "first_name", "Ольга");
  sd_changes_set_text (user, "last_name", "Главная");
  sd_changes_set_int (user, "role_id", sd_store_find_role (ts->store, "head"));
  user_id = sd_store_insert (ts->store, SD_ENTITY_USER, user, NULL);
  g_assert_cmpint (user_id, >, 0);

  before = sd_test_store_digest (ts);
  sd_store_set_actor (ts->store, user_id);
  g_assert_cmpint (sd_playbook_install (renovation, ts->store, &error), ==, 0);
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  sd_store_set_actor (ts->store, SD_ACTOR_SYSTEM);
  after = sd_test_store_digest (ts);
  g_assert_cmpstr (before, ==, after);
}

/* What an install of mini followed by mini_edited leaves, read through the store's own
 * lookups: the fields by code (the contact's shared, without a pipeline), the options
 * the edit kept, and the head's rights only. */
static void
assert_mini_edited (SdStore *store,
                    gint64   pipeline_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) options = NULL;
  g_autoptr(GArray) access = NULL;
  gint64 kind = sd_store_find_custom_field (store, pipeline_id, "kind");
  gint64 client = sd_store_find_custom_field (store, 0, "client");
  gint64 head = sd_store_find_role (store, "head");

  g_assert_cmpint (kind, >, 0);
  g_assert_cmpint (client, >, 0);
  g_assert_cmpint (sd_store_find_custom_field (store, 0, "kind"), ==, 0);
  g_assert_cmpint (sd_store_find_custom_field (store, pipeline_id, "client"), ==, 0);

  fields = sd_store_list_custom_fields (store, pipeline_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 2);
  for (guint i = 0; i < fields->len; i++)
    {
      const SdCustomField *field = fields->pdata[i];

      if (field->id == kind)
        {
          g_assert_cmpstr (field->entity, ==, "deal");
          g_assert_cmpint (field->pipeline_id, ==, pipeline_id);
        }
      else
        {
          g_assert_cmpint (field->id, ==, client);
          g_assert_cmpstr (field->entity, ==, "contact");
          g_assert_cmpint (field->pipeline_id, ==, 0);
        }
    }

  options = sd_store_list_field_options (store, kind, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (options->len, ==, 2);
  g_assert_cmpstr (((SdFieldOption *) options->pdata[0])->code, ==, "b");
  g_assert_cmpstr (((SdFieldOption *) options->pdata[1])->code, ==, "c");
  g_assert_cmpint (sd_store_find_field_option (store, kind, "a"), ==, 0);
  g_assert_cmpint (sd_store_find_field_option (store, kind, "c"), ==,
                   ((SdFieldOption *) options->pdata[1])->id);
  g_assert_cmpint (sd_store_find_field_option (store, client, "fleet"), >, 0);

  access = sd_store_list_access (store, pipeline_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (access->len, ==, 4);
  for (guint i = 0; i < access->len; i++)
    {
      const SdAccessRow *row = &g_array_index (access, SdAccessRow, i);

      g_assert_cmpint (row->role_id, ==, head);
      g_assert_cmpint (row->actions, ==, SD_ACCESS_ALL);
      g_assert_cmpint (sd_store_find_access (store, head, row->stage_id), ==, row->id);
    }
  g_assert_cmpint (sd_store_find_access (store, sd_store_find_role (store, "foreman"),
                                         sd_store_find_stage (store, pipeline_id, "works")),
                   ==, 0);
}

static guint
journal_length (SdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = sd_store_list_journal (store, 0, 0, G_MAXUINT32, &error);

  g_assert_no_error (error);
  return entries->len;
}

/* A memory store has no file for anything else to read: the install finds what an
 * earlier one left through the store itself, and a second install writes nothing. */
static void
test_install_in_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdStore) store = sd_store_open (":memory:", &error);
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autoptr(SdPlaybook) edited = load (mini_edited);
  gint64 pipeline_id;
  guint journal;

  g_assert_no_error (error);
  pipeline_id = sd_playbook_install (pb, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pipeline_id, >, 0);
  g_assert_cmpint (sd_playbook_install (edited, store, &error), ==, pipeline_id);
  g_assert_no_error (error);
  assert_mini_edited (store, pipeline_id);

  journal = journal_length (store);
  g_assert_cmpint (sd_playbook_install (edited, store, &error), ==, pipeline_id);
  g_assert_no_error (error);
  g_assert_cmpuint (journal_length (store), ==, journal);
}

/* Inside a caller's open transaction (the demo generator installs in a bulk one) the
 * install sees the rows written before it in that transaction, and commits with it. */
static void
test_install_in_transaction (gconstpointer data)
{
  gboolean bulk = GPOINTER_TO_INT (data);
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autoptr(SdPlaybook) edited = load (mini_edited);
  g_autoptr(GError) error = NULL;
  gint64 pipeline_id;

  if (bulk)
    g_assert_true (sd_store_begin_bulk (ts->store, &error));
  else
    g_assert_true (sd_store_begin (ts->store, &error));
  g_assert_no_error (error);
  pipeline_id = sd_playbook_install (pb, ts->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pipeline_id, >, 0);
  g_assert_cmpint (sd_playbook_install (edited, ts->store, &error), ==, pipeline_id);
  g_assert_no_error (error);
  g_assert_true (sd_store_in_transaction (ts->store));
  assert_mini_edited (ts->store, pipeline_id);
  g_assert_true (sd_store_commit (ts->store, &error));
  g_assert_no_error (error);

  assert_mini_edited (ts->store, pipeline_id);
  g_assert_cmpint (sd_test_store_count (ts, "custom_fields"), ==, 2);
  g_assert_cmpint (sd_test_store_count (ts, "custom_field_options"), ==, 3);
  g_assert_cmpint (sd_test_store_count (ts, "access"), ==, 4);
}

/* A failed install inside a caller's transaction undoes only itself: what the caller
 * wrote before it stays, and the caller's commit keeps it. */
static void
test_failed_install_in_transaction (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");
  g_autoptr(SdChanges) role = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (ts->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER no_access BEFORE INSERT ON access "
                                     "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (sd_store_begin (ts->store, &error));
  sd_changes_set_text (role, "code", "keeper");
  sd_changes_set_text (role, "name", "Keeper");
  g_assert_cmpint (sd_store_insert (ts->store, SD_ENTITY_ROLE, role, &error), >, 0);
  g_assert_no_error (error);

  g_assert_cmpint (sd_playbook_install (pb, ts->store, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (sd_store_in_transaction (ts->store));
  g_assert_cmpint (sd_store_find_pipeline (ts->store, "renovation"), ==, 0);

  g_assert_true (sd_store_commit (ts->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd_store_find_role (ts->store, "keeper"), >, 0);
  g_assert_cmpint (sd_test_store_count (ts, "pipelines"), ==, 0);
  g_assert_cmpint (sd_test_store_count (ts, "custom_fields"), ==, 0);
  g_assert_cmpint (sd_test_store_count (ts, "roles"), ==, 1);
}

/* A contact field's values are a contact's rows: journaled as such, gone with it. */
static void
test_contact_field_values (void)
{
  g_autoptr(SdTestStore) ts = sd_test_store_new ();
  g_autoptr(SdPlaybook) pb = load (mini);
  g_autoptr(SdChanges) contact = sd_changes_new ();
  g_autoptr(SdChanges) value = sd_changes_new ();
  g_autoptr(SdChanges) duplicate = sd_changes_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) journal = NULL;
  const SdJournalEntry *last;
  gint64 contact_id, value_id, field_id;

  install (pb, ts);
  field_id = sd_store_find_custom_field (ts->store, 0, "client");
  sd_changes_set_text (contact, "first_name", "Мария");
  contact_id = sd_store_insert (ts->store, SD_ENTITY_CONTACT, contact, &error);
  g_assert_no_error (error);

  sd_changes_set_int (value, "contact_id", contact_id);
  sd_changes_set_int (value, "field_id", field_id);
  sd_changes_set_text (value, "value", "fleet");
  value_id = sd_store_insert (ts->store, SD_ENTITY_CONTACT_FIELD, value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value_id, >, 0);
  g_assert_cmpint (sd_test_store_count (ts, "contact_fields"), ==, 1);

  journal = sd_store_list_journal (ts->store, 0, 0, G_MAXUINT32, &error);
  g_assert_no_error (error);
  last = journal->pdata[journal->len - 1];
  g_assert_cmpstr (last->entity, ==, "contact_field");
  g_assert_cmpint (last->entity_id, ==, value_id);

  /* one value a field and contact */
  sd_changes_set_int (duplicate, "contact_id", contact_id);
  sd_changes_set_int (duplicate, "field_id", field_id);
  sd_changes_set_text (duplicate, "value", "other");
  g_assert_cmpint (sd_store_insert (ts->store, SD_ENTITY_CONTACT_FIELD, duplicate, &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (sd_store_delete (ts->store, SD_ENTITY_CONTACT, contact_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sd_test_store_count (ts, "contact_fields"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/automation/playbook/install/R-PIPE-2/shipped", test_install_shipped);
  g_test_add_func ("/automation/playbook/install/idempotent", test_install_idempotent);
  g_test_add_func ("/automation/playbook/install/edited-updates-by-code", test_install_edited);
  g_test_add_func ("/automation/playbook/install/names-by-language", test_install_language);
  g_test_add_func ("/automation/playbook/install/broken-installs-nothing", test_broken_installs_nothing);
  g_test_add_func ("/automation/playbook/install/failure-rolls-back", test_failed_install_rolls_back);
  g_test_add_func ("/automation/playbook/install/R-ACL/needs-system-actor", test_install_needs_system);
  g_test_add_func ("/automation/playbook/install/in-memory", test_install_in_memory);
  g_test_add_data_func ("/automation/playbook/install/in-transaction",
                        GINT_TO_POINTER (FALSE), test_install_in_transaction);
  g_test_add_data_func ("/automation/playbook/install/in-bulk-transaction",
                        GINT_TO_POINTER (TRUE), test_install_in_transaction);
  g_test_add_func ("/automation/playbook/install/failure-in-transaction",
                   test_failed_install_in_transaction);
  g_test_add_func ("/automation/playbook/install/contact-field-values", test_contact_field_values);
  return g_test_run ();
}
