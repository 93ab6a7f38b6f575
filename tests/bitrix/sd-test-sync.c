/* sd-test-sync.c: the sync tests' fixture and the final comparison.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-test-sync.h"

#include "sd-store-sync.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

SdTestSync *
sd_test_sync_new (const char *first_arg,
                  ...)
{
  SdTestSync *t = g_new0 (SdTestSync, 1);
  g_autoptr(GError) error = NULL;
  const char *args[24];
  guint n = 0;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL && n < G_N_ELEMENTS (args) - 1; arg = va_arg (ap, const char *))
    args[n++] = arg;
  va_end (ap);
  args[n] = NULL;

  /* b24_test_start takes varargs; pass up to 12 of ours through. */
  t->portal = b24_test_start (args[0], n > 1 ? args[1] : NULL, n > 2 ? args[2] : NULL,
                              n > 3 ? args[3] : NULL, n > 4 ? args[4] : NULL,
                              n > 5 ? args[5] : NULL, n > 6 ? args[6] : NULL,
                              n > 7 ? args[7] : NULL, n > 8 ? args[8] : NULL,
                              n > 9 ? args[9] : NULL, n > 10 ? args[10] : NULL,
                              n > 11 ? args[11] : NULL, NULL);
  t->dir = g_dir_make_tmp ("sdelka-sync-XXXXXX", &error);
  g_assert_no_error (error);
  t->db = g_build_filename (t->dir, "sdelka.db", NULL);
  t->store = sd_store_open (t->db, &error);
  g_assert_no_error (error);
  t->client = sd_b24_client_new_webhook (t->portal->hook, &error);
  g_assert_no_error (error);
  t->engine = sd_sync_engine_new (t->db, t->client);
  /* Every sync of a test is compared in full: deletions and agreement are what is tested. */
  sd_sync_engine_set_check_interval (t->engine, 0);
  return t;
}

void
sd_test_sync_free (SdTestSync *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_object_unref (t->engine);
  g_object_unref (t->client);
  g_object_unref (t->store);
  b24_test_stop (t->portal);
  dir = g_dir_open (t->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (t->dir);
  g_free (t->dir);
  g_free (t->db);
  g_free (t);
}

SdSyncReport
sd_test_sync_run (SdTestSync *t)
{
  g_autoptr(GError) error = NULL;
  SdSyncReport report = { 0 };

  sd_sync_engine_sync (t->engine, NULL, &report, &error);
  g_assert_no_error (error);
  /* Let the queued notifications run, as a main loop would. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return report;
}

JsonNode *
sd_test_sync_act (SdTestSync *t,
                  gint64      user_id,
                  const char *method,
                  const char *params_json)
{
  g_autofree char *body = g_strdup_printf ("{\"user_id\":%" G_GINT64_FORMAT ",\"method\":\"%s\",\"params\":%s}",
                                           user_id, method, params_json);
  JsonNode *answer = b24_test_control (t->portal, "act", body);

  g_assert_nonnull (answer);
  if (!json_object_has_member (json_node_get_object (answer), "result"))
    g_error ("act %s failed: %s", method, json_to_string (answer, FALSE));
  return answer;
}

gint64
sd_test_sync_count (SdTestSync *t,
                    const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

gint64
sd_test_sync_local (SdTestSync *t,
                    SdEntity    entity,
                    gint64      b24_id)
{
  return sd_store_find_b24 (t->store, entity, b24_id);
}

static JsonNode *
dump (SdTestSync *t)
{
  g_autofree char *url = g_strconcat (t->portal->base, "/_emulator/dump", NULL);
  guint status = 0;
  JsonNode *node = b24_test_http (t->portal, "GET", url, NULL, NULL, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (node);
  return node;
}

JsonObject *
sd_test_sync_remote_row_by (SdTestSync *t,
                            const char *table,
                            const char *member,
                            gint64      id)
{
  g_autoptr(JsonNode) all = dump (t);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (all), table);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      if (g_ascii_strtoll (json_object_get_string_member (row, member), NULL, 10) == id)
        return json_object_ref (row);
    }
  return NULL;
}

JsonObject *
sd_test_sync_remote_row (SdTestSync *t,
                         const char *table,
                         gint64      id)
{
  return sd_test_sync_remote_row_by (t, table, "ID", id);
}

static char *
remote_text (JsonObject *row,
             const char *member)
{
  JsonNode *node = json_object_get_member (row, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return g_strdup (json_node_get_string (node));
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL
         ? NULL : g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
row_exists (JsonObject *all,
            const char *table,
            const char *id)
{
  JsonArray *rows = json_object_get_array_member (all, table);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (rows, i), "ID"), id) == 0)
      return TRUE;
  return FALSE;
}

/* Compares @table of the dump with the rows @sql reads (b24 id first, then the values of
 * @members in order; a member "=x" expects the literal x when the portal has null). */
static void
compare_table (sqlite3            *db,
               JsonObject         *all,
               const char         *table,
               const char         *sql,
               const char * const *members)
{
  JsonArray *rows = json_object_get_array_member (all, table);
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;
  guint n_local = 0;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gint64 id = g_ascii_strtoll (json_object_get_string_member (row, "ID"), NULL, 10);
      g_hash_table_insert (remote, g_memdup2 (&id, sizeof id), row);
    }
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id;
      JsonObject *row;

      n_local++;
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        g_error ("%s: a local row has no server id", table);
      id = sqlite3_column_int64 (stmt, 0);
      row = g_hash_table_lookup (remote, &id);
      if (row == NULL)
        g_error ("%s %" G_GINT64_FORMAT " is here but not on the portal", table, id);
      for (guint m = 0; members[m] != NULL; m++)
        {
          g_autofree char *local = column_text (stmt, m + 1);
          g_autofree char *theirs = remote_text (row, members[m]);

          if (g_strcmp0 (members[m], "OPPORTUNITY") == 0 && theirs != NULL)
            {
              /* Kopecks here, "192500.00" there. */
              g_autofree char *minor = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                        (gint64) (g_ascii_strtod (theirs, NULL) * 100 + 0.5));
              g_free (theirs);
              theirs = g_steal_pointer (&minor);
            }
          /* A link to a client the portal no longer has is no link (the emulator keeps the
           * dangling id, this side cannot). */
          if (theirs != NULL && (g_strcmp0 (members[m], "CONTACT_ID") == 0
                                 || g_strcmp0 (members[m], "COMPANY_ID") == 0)
              && !row_exists (all, members[m][2] == 'N' ? "contact" : "company", theirs))
            g_clear_pointer (&theirs, g_free);
          if ((g_strcmp0 (members[m], "NAME") == 0 || g_strcmp0 (members[m], "CURRENCY_ID") == 0)
              && theirs == NULL)
            continue;
          /* A time read right after our own push is kept as not quite known ("…~"): the
           * same time, to be read once more (sd-sync-pull.c). */
          if (g_strcmp0 (members[m], "DATE_MODIFY") == 0 && local != NULL && g_str_has_suffix (local, "~"))
            local[strlen (local) - 1] = '\0';
          if (g_strcmp0 (local, theirs) != 0)
            g_error ("%s %" G_GINT64_FORMAT ": %s is “%s” here and “%s” on the portal", table, id,
                     members[m], local != NULL ? local : "(null)", theirs != NULL ? theirs : "(null)");
        }
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_local, ==, json_array_get_length (rows));
}

static int
sd_test_compare_strings (gconstpointer a,
                         gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
deal_exists (JsonObject *all,
             gint64      id)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  return row_exists (all, "deal", text);
}

static gint64
member_int (JsonObject *row,
            const char *member)
{
  g_autofree char *text = remote_text (row, member);
  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* Two times the same instant (each side writes its own offset); both NULL/empty agree. */
static gboolean
same_instant (const char *a,
              const char *b)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) x = a != NULL && *a != '\0' ? g_date_time_new_from_iso8601 (a, utc) : NULL;
  g_autoptr(GDateTime) y = b != NULL && *b != '\0' ? g_date_time_new_from_iso8601 (b, utc) : NULL;

  if (x == NULL || y == NULL)
    return x == y;
  return g_date_time_compare (x, y) == 0;
}

/* Each contact's phones and e-mails, value and type, the same on both sides. */
static void
compare_channels (SdTestSync *t,
                  JsonObject *all)
{
  JsonArray *contacts = json_object_get_array_member (all, "contact");
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT ch.kind || '|' || ch.value || '|' || ch.value_type"
                                           " FROM contact_channels ch JOIN contacts c ON c.id = ch.contact_id"
                                           " WHERE c.b24_id = ? ORDER BY 1", -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < json_array_get_length (contacts); i++)
    {
      JsonObject *contact = json_array_get_object_element (contacts, i);
      g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) mine = g_string_new (NULL);
      g_autoptr(GString) there = g_string_new (NULL);
      static const char *const multi[][2] = { { "PHONE", "phone" }, { "EMAIL", "email" } };

      for (guint m = 0; m < G_N_ELEMENTS (multi); m++)
        {
          JsonNode *node = json_object_get_member (contact, multi[m][0]);
          JsonArray *entries = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

          for (guint e = 0; entries != NULL && e < json_array_get_length (entries); e++)
            {
              JsonObject *entry = json_array_get_object_element (entries, e);
              g_ptr_array_add (theirs, g_strdup_printf ("%s|%s|%s", multi[m][1],
                                                        json_object_get_string_member (entry, "VALUE"),
                                                        json_object_get_string_member (entry, "VALUE_TYPE")));
            }
        }
      g_ptr_array_sort (theirs, (GCompareFunc) sd_test_compare_strings);
      for (guint e = 0; e < theirs->len; e++)
        g_string_append_printf (there, "%s;", (char *) theirs->pdata[e]);
      sqlite3_bind_int64 (stmt, 1, member_int (contact, "ID"));
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_string_append_printf (mine, "%s;", sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      if (strcmp (mine->str, there->str) != 0)
        g_error ("contact %" G_GINT64_FORMAT ": channels “%s” here, “%s” there", member_int (contact, "ID"),
                 mine->str, there->str);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
first_value (JsonObject *row,
             const char *member)
{
  JsonNode *node = json_object_get_member (row, member);
  JsonArray *entries = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  if (entries == NULL || json_array_get_length (entries) == 0)
    return NULL;
  return g_strdup (json_object_get_string_member (json_array_get_object_element (entries, 0), "VALUE"));
}

/* Each company's phone and e-mail (the first entries) and INN/KPP/OGRN (its last
 * requisite, as the pull reads them). */
static void
compare_companies (SdTestSync *t,
                   JsonObject *all)
{
  JsonArray *companies = json_object_get_array_member (all, "company");
  JsonArray *requisites = json_object_get_array_member (all, "requisite");
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT phone, email, inn, kpp, ogrn FROM companies WHERE b24_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < json_array_get_length (companies); i++)
    {
      JsonObject *company = json_array_get_object_element (companies, i);
      gint64 id = member_int (company, "ID");
      g_autofree char *phone = first_value (company, "PHONE");
      g_autofree char *email = first_value (company, "EMAIL");
      JsonObject *requisite = NULL;
      static const char *const rq[] = { "RQ_INN", "RQ_KPP", "RQ_OGRN" };

      for (guint r = 0; requisites != NULL && r < json_array_get_length (requisites); r++)
        {
          JsonObject *row = json_array_get_object_element (requisites, r);
          if (member_int (row, "ENTITY_TYPE_ID") == 4 && member_int (row, "ENTITY_ID") == id)
            requisite = row;
        }
      sqlite3_bind_int64 (stmt, 1, id);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, phone);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, email);
      for (guint c = 0; c < G_N_ELEMENTS (rq) && requisite != NULL; c++)
        {
          g_autofree char *theirs = remote_text (requisite, rq[c]);
          if (theirs != NULL && *theirs != '\0')
            g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2 + c), ==, theirs);
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Every comment of every deal: here with its server id, the same text and deal. */
static void
compare_comments (SdTestSync *t,
                  JsonObject *all)
{
  JsonArray *rows = json_object_get_array_member (all, "timeline_comment");
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_remote = 0, n_local = 0;

  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gint64 id = member_int (row, "ID");

      if (g_strcmp0 (json_object_get_string_member (row, "ENTITY_TYPE"), "deal") != 0
          || !deal_exists (all, member_int (row, "ENTITY_ID")))
        continue;
      g_hash_table_insert (remote, g_memdup2 (&id, sizeof id), row);
      n_remote++;
    }
  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT t.b24_id, t.text, d.b24_id FROM timeline t"
                                           " JOIN deals d ON d.id = t.deal_id"
                                           " WHERE t.b24_id IS NOT NULL OR t.kind = 'comment'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      JsonObject *row;
      g_autofree char *text = NULL;

      n_local++;
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        g_error ("timeline: the comment “%s” has no server id", sqlite3_column_text (stmt, 1));
      if ((row = g_hash_table_lookup (remote, &id)) == NULL)
        {
          JsonNode *node = json_node_init_array (json_node_alloc (), rows);
          g_error ("timeline_comment %" G_GINT64_FORMAT " is here but not on the portal: %s", id,
                   json_to_string (node, FALSE));
        }
      text = remote_text (row, "COMMENT");
      if (g_strcmp0 (text, (const char *) sqlite3_column_text (stmt, 1)) != 0)
        g_error ("timeline_comment %" G_GINT64_FORMAT ": “%s” here, “%s” there", id,
                 sqlite3_column_text (stmt, 1), text);
      g_assert_cmpint (member_int (row, "ENTITY_ID"), ==, sqlite3_column_int64 (stmt, 2));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n_local, ==, n_remote);
}

static const char *const task_statuses[] = {
  "", "", "pending", "in_progress", "awaiting_control", "completed", "deferred",
};

/* Every task bound to a deal: here with its server id and the same fields. */
static void
compare_tasks (SdTestSync *t,
               JsonObject *all)
{
  JsonArray *rows = json_object_get_array_member (all, "task");
  g_autoptr(GHashTable) remote = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_remote = 0, n_local = 0;

  for (guint i = 0; rows != NULL && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonNode *bindings = json_object_get_member (row, "ufCrmTask");
      gint64 id = member_int (row, "id");
      gint64 deal = 0;

      for (guint b = 0; bindings != NULL && JSON_NODE_HOLDS_ARRAY (bindings)
                        && b < json_array_get_length (json_node_get_array (bindings)); b++)
        {
          const char *binding = json_array_get_string_element (json_node_get_array (bindings), b);
          if (binding != NULL && g_str_has_prefix (binding, "D_"))
            deal = g_ascii_strtoll (binding + 2, NULL, 10);
        }
      if (deal == 0 || !deal_exists (all, deal))
        continue;
      g_hash_table_insert (remote, g_memdup2 (&id, sizeof id), row);
      n_remote++;
    }
  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT t.b24_id, t.title, d.b24_id, r.b24_id, c.b24_id,"
                                           " t.status, t.needs_acceptance, t.deadline FROM tasks t"
                                           " JOIN deals d ON d.id = t.deal_id"
                                           " LEFT JOIN users r ON r.id = t.responsible_id"
                                           " LEFT JOIN users c ON c.id = t.creator_id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      JsonObject *row;
      g_autofree char *title = NULL, *control = NULL, *deadline = NULL;
      gint64 status;

      n_local++;
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        g_error ("tasks: “%s” has no server id", sqlite3_column_text (stmt, 1));
      if ((row = g_hash_table_lookup (remote, &id)) == NULL)
        g_error ("task %" G_GINT64_FORMAT " is here but not on the portal", id);
      title = remote_text (row, "title");
      g_assert_cmpstr (title, ==, (const char *) sqlite3_column_text (stmt, 1));
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        g_assert_cmpint (member_int (row, "responsibleId"), ==, sqlite3_column_int64 (stmt, 3));
      if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        g_assert_cmpint (member_int (row, "createdBy"), ==, sqlite3_column_int64 (stmt, 4));
      status = member_int (row, "status");
      g_assert_cmpstr (status >= 2 && status <= 6 ? task_statuses[status] : "?", ==,
                       (const char *) sqlite3_column_text (stmt, 5));
      control = remote_text (row, "taskControl");
      g_assert_cmpint (g_strcmp0 (control, "Y") == 0, ==, sqlite3_column_int (stmt, 6));
      deadline = remote_text (row, "deadline");
      if (!same_instant (deadline, (const char *) sqlite3_column_text (stmt, 7)))
        g_error ("task %" G_GINT64_FORMAT ": deadline %s here, %s there", id, sqlite3_column_text (stmt, 7),
                 deadline);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (n_local, ==, n_remote);
}

void
sd_test_sync_assert_agree (SdTestSync *t)
{
  g_autoptr(JsonNode) all = dump (t);
  JsonObject *object = json_node_get_object (all);
  sqlite3 *db = NULL;
  static const char *const deal_members[] = {
    "TITLE", "CATEGORY_ID", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID", "CONTACT_ID", "COMPANY_ID",
    "SOURCE_ID", "COMMENTS", "DATE_MODIFY", "ASSIGNED_BY_ID", NULL,
  };
  static const char *const contact_members[] = {
    "NAME", "LAST_NAME", "SECOND_NAME", "TYPE_ID", "COMMENTS", "DATE_MODIFY", NULL,
  };
  static const char *const company_members[] = { "TITLE", "DATE_MODIFY", NULL };

  g_assert_cmpint (sqlite3_open_v2 (t->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  compare_table (db, object, "deal",
                 "SELECT d.b24_id, d.title, p.b24_id, s.b24_status_id, d.amount, d.currency, "
                 " c.b24_id, co.b24_id, d.source, d.comments, d.remote_modified, "
                 " (SELECT u.b24_id FROM deal_responsibles r JOIN users u ON u.id = r.user_id"
                 "  WHERE r.deal_id = d.id AND r.part = 'main') "
                 "FROM deals d JOIN pipelines p ON p.id = d.pipeline_id "
                 "JOIN stages s ON s.id = d.stage_id LEFT JOIN contacts c ON c.id = d.contact_id "
                 "LEFT JOIN companies co ON co.id = d.company_id", deal_members);
  compare_table (db, object, "contact",
                 "SELECT b24_id, first_name, last_name, second_name, client_type, comments, "
                 " remote_modified FROM contacts", contact_members);
  compare_table (db, object, "company", "SELECT b24_id, title, remote_modified FROM companies",
                 company_members);
  sqlite3_close (db);

  /* Every phone and e-mail of every contact, once. */
  {
    JsonArray *contacts = json_object_get_array_member (object, "contact");
    gint64 channels = 0;

    for (guint i = 0; i < json_array_get_length (contacts); i++)
      {
        JsonObject *contact = json_array_get_object_element (contacts, i);
        static const char *const multi[] = { "PHONE", "EMAIL" };

        for (guint m = 0; m < G_N_ELEMENTS (multi); m++)
          if (json_object_has_member (contact, multi[m])
              && JSON_NODE_HOLDS_ARRAY (json_object_get_member (contact, multi[m])))
            channels += json_array_get_length (json_object_get_array_member (contact, multi[m]));
      }
    g_assert_cmpint (sd_test_sync_count (t, "SELECT count(*) FROM contact_channels"), ==, channels);
  }
  compare_channels (t, object);
  compare_companies (t, object);
  compare_comments (t, object);
  compare_tasks (t, object);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
secrets_owned (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                                           -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

GSubprocess *
sd_test_keyring_start (const char *home)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_build_filename (home, ".local", "share", NULL);
  GSubprocess *daemon;
  GOutputStream *input;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL
      || (bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL)) == NULL
      || secrets_owned (bus))
    return NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                       | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* A failed assertion must not leave the daemon behind. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                        "--unlock", "--components=secrets", NULL);
  if (daemon == NULL)
    {
      g_test_message ("no gnome-keyring-daemon: %s", error->message);
      return NULL;
    }
  /* An empty password leaves the daemon without a login keyring (so without a default
   * collection to store in); a fixed one makes it. */
  input = g_subprocess_get_stdin_pipe (daemon);
  g_output_stream_write_all (input, "sdelka-test", 11, NULL, NULL, NULL);
  g_output_stream_close (input, NULL, NULL);
  for (guint i = 0; i < 100 && !secrets_owned (bus); i++)
    g_usleep (50000);
  g_assert_true (secrets_owned (bus));
  return daemon;
}

void
sd_test_keyring_stop (GSubprocess *daemon)
{
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  g_object_unref (daemon);
}

void
sd_test_assert_no_file_contains (const char *dir,
                                 const char *needle)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (strcmp (name, "keyrings") == 0)
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          sd_test_assert_no_file_contains (path, needle);
          continue;
        }
      if (g_file_get_contents (path, &contents, &length, NULL)
          && memmem (contents, length, needle, strlen (needle)) != NULL)
        g_error ("%s holds the secret", path);
    }
}

GSubprocessLauncher *
sd_test_cli_launcher (const char      *home,
                      GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *cache = g_build_filename (home, ".cache", NULL);
  g_autofree char *data = g_build_filename (home, ".local", "share", NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "SDELKA_NO_BROWSER", "1", TRUE);
  return launcher;
}
