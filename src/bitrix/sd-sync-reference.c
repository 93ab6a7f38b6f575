/* sd-sync-reference.c: staff, departments, pipelines and stages, user fields.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-sync"

#include "sd-sync-run.h"

#include "sd-b24-secret.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static gboolean
apply_staff (SdSyncRun  *run,
             JsonArray  *departments,
             JsonArray  *users,
             GError    **error)
{
  /* Departments first without their links, users, then the links: the tree and the
   * heads point both ways. */
  for (guint i = 0; i < json_array_get_length (departments); i++)
    {
      JsonObject *row = json_array_get_object_element (departments, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *name = row != NULL ? sd_sync_dup_string (row, "NAME") : NULL;

      if (row == NULL)
        continue;
      sd_changes_set_text (changes, "name", name != NULL ? name : "");
      if (sd_sync_upsert (run, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "ID"), changes, error) == 0)
        return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *row = json_array_get_object_element (users, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *first = NULL, *last = NULL, *second = NULL, *email = NULL, *position = NULL;
      g_autofree char *login = NULL;
      JsonArray *departments_of = NULL;
      gint64 b24_id;

      if (row == NULL)
        continue;
      b24_id = sd_sync_get_id (row, "ID");
      first = sd_sync_dup_string (row, "NAME");
      last = sd_sync_dup_string (row, "LAST_NAME");
      second = sd_sync_dup_string (row, "SECOND_NAME");
      email = sd_sync_dup_string (row, "EMAIL");
      position = sd_sync_dup_string (row, "WORK_POSITION");
      sd_changes_set_text (changes, "first_name", first != NULL ? first : "");
      sd_changes_set_text (changes, "last_name", last != NULL ? last : "");
      sd_changes_set_text (changes, "second_name", second);
      sd_changes_set_text (changes, "email", email);
      sd_changes_set_text (changes, "position", position);
      if (json_object_has_member (row, "ACTIVE"))
        sd_changes_set_int (changes, "active",
                            json_object_get_boolean_member_with_default (row, "ACTIVE", TRUE));
      if (json_object_has_member (row, "UF_DEPARTMENT")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (row, "UF_DEPARTMENT")))
        departments_of = json_object_get_array_member (row, "UF_DEPARTMENT");
      if (departments_of != NULL && json_array_get_length (departments_of) > 0)
        {
          gint64 department = sd_store_find_b24 (run->store, SD_ENTITY_DEPARTMENT,
                                                 json_array_get_int_element (departments_of, 0));
          if (department != 0)
            sd_changes_set_int (changes, "department_id", department);
        }
      if (sd_store_find_b24 (run->store, SD_ENTITY_USER, b24_id) == 0)
        {
          /* A staff member set up here before the first sync is matched by e-mail. */
          login = email != NULL && *email != '\0' ? g_strdup (email)
                                                  : g_strdup_printf ("b24-%" G_GINT64_FORMAT, b24_id);
          if (sd_store_find_user (run->store, login) != 0)
            {
              gint64 known = sd_store_find_user (run->store, login), other;
              if (!sd_store_get_b24_id (run->store, SD_ENTITY_USER, known, &other)
                  && !sd_store_set_b24_state (run->store, SD_ENTITY_USER, known, b24_id, NULL, error))
                return FALSE;
            }
          else
            sd_changes_set_text (changes, "login", login);
        }
      if (sd_sync_upsert (run, SD_ENTITY_USER, b24_id, changes, error) == 0)
        return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (departments); i++)
    {
      JsonObject *row = json_array_get_object_element (departments, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      gint64 parent, head;

      if (row == NULL)
        continue;
      parent = sd_store_find_b24 (run->store, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "PARENT"));
      head = sd_store_find_b24 (run->store, SD_ENTITY_USER, sd_sync_get_id (row, "UF_HEAD"));
      if (parent != 0)
        sd_changes_set_int (changes, "parent_id", parent);
      else
        sd_changes_set_null (changes, "parent_id");
      if (head != 0)
        sd_changes_set_int (changes, "head_user_id", head);
      else
        sd_changes_set_null (changes, "head_user_id");
      if (sd_sync_upsert (run, SD_ENTITY_DEPARTMENT, sd_sync_get_id (row, "ID"), changes, error) == 0)
        return FALSE;
    }
  return TRUE;
}

static const char *
stage_semantics (JsonObject *row)
{
  g_autofree char *extra = NULL;
  g_autofree char *plain = sd_sync_dup_string (row, "SEMANTICS");
  JsonNode *node = json_object_get_member (row, "EXTRA");

  /* EXTRA.SEMANTICS first, SEMANTICS as the fallback (reference §7.2). */
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    extra = sd_sync_dup_string (json_node_get_object (node), "SEMANTICS");
  if (g_strcmp0 (extra, "success") == 0 || g_strcmp0 (plain, "S") == 0)
    return "won";
  if (g_strcmp0 (extra, "failure") == 0 || g_strcmp0 (extra, "apology") == 0
      || g_strcmp0 (plain, "F") == 0)
    return "lost";
  return "process";
}

/* A portal rename of a pipeline or stage. Names here may be a playbook's, in the user's
 * language, and differ from the portal's from the start: those stay. What the portal
 * renames later is a deliberate change and is taken, unless someone renamed the row here.
 * The portal's name last seen is kept in meta "sync.b24name.<entity>.<id>"; a row seen
 * for the first time only records it. */
static gboolean
follow_rename (SdSyncRun   *run,
               SdEntity     entity,
               gint64       id,
               const char  *portal_name,
               GError     **error)
{
  g_autofree char *key = g_strdup_printf ("sync.b24name.%s.%" G_GINT64_FORMAT,
                                          sd_entity_info (entity)->name, id);
  g_autofree char *last = sd_store_get_meta (run->store, key);

  if (portal_name == NULL || g_strcmp0 (last, portal_name) == 0)
    return TRUE;
  if (last != NULL && !sd_store_renamed_here (run->store, entity, id))
    {
      g_autoptr(SdChanges) changes = sd_changes_new ();

      sd_changes_set_text (changes, "name", portal_name);
      if (!sd_store_update (run->store, entity, id, changes, error))
        return FALSE;
    }
  return sd_store_set_meta (run->store, key, portal_name, error);
}

static gboolean
apply_pipelines (SdSyncRun  *run,
                 JsonArray  *categories,
                 JsonArray  *statuses,
                 GError    **error)
{
  for (guint i = 0; i < json_array_get_length (categories); i++)
    {
      JsonObject *row = json_array_get_object_element (categories, i);
      g_autoptr(SdChanges) changes = sd_changes_new ();
      g_autofree char *name = NULL, *code = NULL, *key = NULL;
      gint64 category, pipeline;

      if (row == NULL)
        continue;
      category = json_object_get_int_member_with_default (row, "id", 0);
      pipeline = sd_store_find_b24 (run->store, SD_ENTITY_PIPELINE, category);
      /* A pipeline keeps the name it has here (a playbook's, in the user's language). */
      if (pipeline == 0)
        {
          name = sd_sync_dup_string (row, "name");
          code = g_strdup_printf ("b24-%" G_GINT64_FORMAT, category);
          sd_changes_set_text (changes, "name", name != NULL ? name : "");
          sd_changes_set_int (changes, "sort", json_object_get_int_member_with_default (row, "sort", 0));
          sd_changes_set_text (changes, "code", code);
          if ((pipeline = sd_sync_upsert (run, SD_ENTITY_PIPELINE, category, changes, error)) == 0)
            return FALSE;
        }
      g_free (name);
      name = sd_sync_dup_string (row, "name");
      if (!follow_rename (run, SD_ENTITY_PIPELINE, pipeline, name, error))
        return FALSE;

      /* The stages of pipeline N are the statuses of DEAL_STAGE_N (DEAL_STAGE for 0). */
      key = category == 0 ? g_strdup ("DEAL_STAGE")
                          : g_strdup_printf ("DEAL_STAGE_%" G_GINT64_FORMAT, category);
      for (guint s = 0; s < json_array_get_length (statuses); s++)
        {
          JsonObject *stage_row = json_array_get_object_element (statuses, s);
          g_autofree char *entity_id = stage_row != NULL ? sd_sync_dup_string (stage_row, "ENTITY_ID") : NULL;
          g_autoptr(SdChanges) stage = sd_changes_new ();
          g_autofree char *status = NULL, *stage_name = NULL, *color = NULL, *sort = NULL;
          gint64 local;

          if (g_strcmp0 (entity_id, key) != 0)
            continue;
          status = sd_sync_dup_string (stage_row, "STATUS_ID");
          stage_name = sd_sync_dup_string (stage_row, "NAME");
          color = sd_sync_dup_string (stage_row, "COLOR");
          sort = sd_sync_dup_string (stage_row, "SORT");
          if (status == NULL)
            continue;
          sd_changes_set_int (stage, "sort", sort != NULL ? g_ascii_strtoll (sort, NULL, 10) : 0);
          if (color != NULL && *color == '#')
            {
              g_autofree char *lower = g_ascii_strdown (color, -1);
              sd_changes_set_text (stage, "color", lower);
            }
          sd_changes_set_text (stage, "semantics", stage_semantics (stage_row));
          local = sd_store_find_stage_b24 (run->store, pipeline, status);
          if (local != 0)
            {
              /* Stages made by the sync follow the portal's order, colour and meaning; a
               * playbook's keep their own. Names follow the portal's renames. */
              if (sd_store_find_stage (run->store, pipeline, status) == local)
                {
                  if (!sd_store_update (run->store, SD_ENTITY_STAGE, local, stage, error))
                    return FALSE;
                }
              if (!follow_rename (run, SD_ENTITY_STAGE, local, stage_name, error))
                return FALSE;
              continue;
            }
          sd_changes_set_text (stage, "name", stage_name != NULL ? stage_name : status);
          sd_changes_set_int (stage, "pipeline_id", pipeline);
          sd_changes_set_text (stage, "code", status);
          sd_changes_set_text (stage, "b24_status_id", status);
          if ((local = sd_store_insert (run->store, SD_ENTITY_STAGE, stage, error)) == 0
              || !follow_rename (run, SD_ENTITY_STAGE, local, stage_name, error))
            return FALSE;
        }
    }
  return TRUE;
}

static void     add_key_fields    (SdB24Batch  *batch);
static gboolean ensure_key_fields (SdSyncRun   *run,
                                   JsonObject  *answer,
                                   GError     **error);

/* The number of rows a counted list command of a batch answered, or -1. */
static gint64
batch_total (JsonObject *answer,
             const char *key)
{
  JsonNode *totals = json_object_get_member (json_object_get_object_member (answer, "result"), "result_total");

  if (totals == NULL || !JSON_NODE_HOLDS_OBJECT (totals)
      || !json_object_has_member (json_node_get_object (totals), key))
    return -1;
  return json_object_get_int_member (json_node_get_object (totals), key);
}

/* Staff, pipelines and stages, the user fields, and for a first sync the row counts and
 * the key fields, as the first commands of the shared request (sd-sync-engine.c): every
 * request counts against the portal's limit. */
void
sd_sync_reference_ride (SdSyncRun  *run,
                        SdB24Batch *batch,
                        gboolean    first)
{
  g_autoptr(JsonObject) category_params = json_object_new ();
  g_autoptr(JsonObject) user_params = json_object_new ();
  static const char *const id_only[] = { "ID", NULL };
  g_autofree char *user = sd_store_get_meta (run->store, SD_B24_USER_META);
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

  json_object_set_int_member (category_params, "entityTypeId", 2);
  json_object_set_int_member (user_params, "start", 0);
  sd_b24_batch_add (batch, "departments", "department.get", NULL);
  sd_b24_batch_add (batch, "users", "user.get", user_params);
  sd_b24_batch_add (batch, "categories", "crm.category.list", category_params);
  sd_b24_batch_add (batch, "statuses", "crm.status.list", NULL);
  /* Connections made before the connection's user was kept (sync.user) learn it here,
   * for the header's name, at no request of its own. */
  if (user == NULL)
    sd_b24_batch_add (batch, "me", "user.current", NULL);
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("uf_%s", kinds[i].name);
      g_autofree char *method = g_strconcat (kinds[i].methods, ".userfield.list", NULL);

      sd_b24_batch_add (batch, key, method, NULL);
      if (first)
        {
          /* Counting is costly on the portal; once, for the progress of a first sync. */
          g_autoptr(JsonObject) params = json_object_new ();
          g_autofree char *count_key = g_strdup_printf ("n_%s", kinds[i].name);
          g_autofree char *list = g_strconcat (kinds[i].methods, ".list", NULL);

          json_object_set_array_member (params, "select", sd_sync_string_array (id_only));
          json_object_set_int_member (params, "start", 0);
          sd_b24_batch_add (batch, count_key, list, params);
        }
    }
  if (first)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      JsonObject *filter = json_object_new ();

      json_object_set_int_member (filter, "ENTITY_TYPE_ID", 4);
      json_object_set_object_member (params, "filter", filter);
      json_object_set_array_member (params, "select", sd_sync_string_array (id_only));
      json_object_set_int_member (params, "start", 0);
      sd_b24_batch_add (batch, "n_requisite", "crm.requisite.list", params);
      add_key_fields (batch);
    }
}

/* Keeps the connection's user when it rode with the shared request (sd_sync_reference_ride),
 * with the staff, so that the header names them as soon as they are here. */
static gboolean
learn_user (SdSyncRun   *run,
            JsonObject  *answer,
            GError     **error)
{
  JsonNode *me = sd_b24_batch_get_result (answer, "me", NULL, NULL);
  gint64 id = me != NULL && JSON_NODE_HOLDS_OBJECT (me) ? sd_sync_get_id (json_node_get_object (me), "ID") : 0;
  g_autofree char *text = id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, id) : NULL;

  return text == NULL || sd_store_set_meta (run->store, SD_B24_USER_META, text, error);
}

/* Applies the reference part of the shared request's answer (run->shared). */
gboolean
sd_sync_pull_reference (SdSyncRun  *run,
                        gboolean    first,
                        GError    **error)
{
  JsonObject *answer = run->shared;
  g_autoptr(JsonObject) more = NULL;
  g_autoptr(JsonArray) users = json_array_new ();
  JsonArray *departments, *categories, *page, *userfields, *statuses;
  JsonNode *time;
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);
  gint64 next;

  if ((departments = sd_sync_result_array (answer, "departments", NULL, error)) == NULL
      || (page = sd_sync_result_array (answer, "users", NULL, error)) == NULL
      || (categories = sd_sync_result_array (answer, "categories", "categories", error)) == NULL
      || (statuses = sd_sync_result_array (answer, "statuses", NULL, error)) == NULL
      || (userfields = sd_sync_result_array (answer, "uf_deal", NULL, error)) == NULL
      || !ensure_key_fields (run, answer, error))
    return FALSE;
  for (guint i = 0; first && i < n_kinds; i++)
    {
      g_autofree char *count_key = g_strdup_printf ("n_%s", kinds[i].name);

      run->expected[kinds[i].entity] = batch_total (answer, count_key);
      run->expected_rows += MAX (0, run->expected[kinds[i].entity]);
    }
  if (first)
    run->expected_requisites = batch_total (answer, "n_requisite");
  time = json_object_get_member (answer, "time");
  if (time != NULL && JSON_NODE_HOLDS_OBJECT (time))
    run->reference_at = sd_sync_dup_string (json_node_get_object (time), "date_start");

  /* Staff lists are short: the rest of them, if any, page by page. */
  sd_b24_batch_get_result (answer, "users", &next, NULL);
  for (;;)
    {
      g_autoptr(JsonObject) params = json_object_new ();

      for (guint i = 0; i < json_array_get_length (page); i++)
        json_array_add_element (users, json_node_copy (json_array_get_element (page, i)));
      if (next <= 0)
        break;
      json_object_set_int_member (params, "start", next);
      g_clear_pointer (&more, json_object_unref);
      if ((more = sd_b24_client_call (run->client, "user.get", params, SD_B24_CALL_READ,
                                      run->cancellable, error)) == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (more, "result")))
        {
          g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_MALFORMED,
                       _("The portal sent a list that is not a list"));
          return FALSE;
        }
      page = json_object_get_array_member (more, "result");
      next = json_object_get_int_member_with_default (more, "next", 0);
      if (json_array_get_length (page) == 0)
        break;
    }

  if (!sd_store_begin_bulk (run->store, error))
    return FALSE;
  if (!apply_staff (run, departments, users, error)
      || !learn_user (run, answer, error)
      || !sd_sync_map_link_playbooks (run->store, userfields, error)
      || !apply_pipelines (run, categories, statuses, error))
    {
      sd_store_rollback (run->store);
      return FALSE;
    }
  /* The deal list also reads the user fields the playbooks map. */
  return sd_sync_run_commit (run, error) && sd_sync_load_deal_select (run, error);
}

/* The client key field's description. */
static JsonObject *
key_field_params (void)
{
  JsonObject *params = json_object_new ();
  JsonObject *field = json_object_new ();

  json_object_set_string_member (field, "FIELD_NAME", SD_SYNC_KEY_FIELD + strlen ("UF_CRM_"));
  json_object_set_string_member (field, "USER_TYPE_ID", "string");
  json_object_set_string_member (field, "EDIT_FORM_LABEL", "Sdelka");
  json_object_set_string_member (field, "SHOW_FILTER", "N");
  json_object_set_object_member (params, "fields", field);
  return params;
}

/* A first sync asks for the key fields with the shared request, before it knows
 * whether they are there: the portal refuses a second one as a duplicate, which costs
 * nothing, where asking later costs a request a kind. */
static void
add_key_fields (SdB24Batch *batch)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("ufadd_%s", kinds[i].name);
      g_autofree char *method = g_strconcat (kinds[i].methods, ".userfield.add", NULL);
      g_autoptr(JsonObject) params = key_field_params ();

      sd_b24_batch_add (batch, key, method, params);
    }
}

/* The client key field on deals, contacts and companies, made where it is missing; the
 * lists of user fields came with the shared request (and on a first sync the
 * additions too, answered after the lists). */
static gboolean
ensure_key_fields (SdSyncRun   *run,
                   JsonObject  *answer,
                   GError     **error)
{
  guint n_kinds;
  const SdSyncKind *kinds = sd_sync_kinds (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *key = g_strdup_printf ("uf_%s", kinds[i].name);
      g_autofree char *add_key = g_strdup_printf ("ufadd_%s", kinds[i].name);
      JsonArray *fields = sd_sync_result_array (answer, key, NULL, error);
      g_autoptr(JsonObject) params = NULL;
      g_autoptr(JsonObject) added = NULL;
      g_autofree char *method = NULL;
      g_autoptr(GError) add_error = NULL;
      gboolean found = FALSE;

      if (fields == NULL)
        return FALSE;
      for (guint f = 0; f < json_array_get_length (fields) && !found; f++)
        {
          g_autofree char *name = sd_sync_dup_string (json_array_get_object_element (fields, f),
                                                      "FIELD_NAME");
          found = g_strcmp0 (name, SD_SYNC_KEY_FIELD) == 0;
        }
      if (found)
        continue;
      /* Added with the shared request (or there already). Otherwise — not asked, or
       * refused — asked on its own: a refusal then says why. */
      if (sd_b24_batch_get_result (answer, add_key, NULL, &add_error) != NULL
          || g_error_matches (add_error, SD_B24_ERROR, SD_B24_ERROR_INVALID))
        continue;
      g_clear_error (&add_error);
      params = key_field_params ();
      method = g_strconcat (kinds[i].methods, ".userfield.add", NULL);
      /* Sent again like a read: a repeated add (its first answer lost) is refused as a
       * duplicate, which is fine. */
      added = sd_b24_client_call (run->client, method, params, SD_B24_CALL_READ,
                                  run->cancellable, &add_error);
      if (added == NULL && !g_error_matches (add_error, SD_B24_ERROR, SD_B24_ERROR_INVALID))
        {
          g_propagate_error (error, g_steal_pointer (&add_error));
          return FALSE;
        }
    }
  return TRUE;
}
