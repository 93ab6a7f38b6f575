/* b24-tasks.c: tasks.task.* and task.dependence.* (scope "task").
 *
 * Input keys are UPPER_CASE, output keys camelCase with every value a string, wrapped in
 * {"task":…} or {"tasks":[…]}. The descriptor stores the columns under their UPPER names and
 * prints them under the camelCase name of tasks.task.add.200.json; the objects around them
 * (creator, responsible, action, checkListTree…) are added when a task is printed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-events.h"
#include "b24-filter.h"
#include "b24-params.h"
#include "b24-time.h"

#include <string.h>

#define RO B24_FIELD_READONLY

enum {
  STATUS_PENDING = 2,
  STATUS_IN_PROGRESS = 3,
  STATUS_SUPPOSEDLY_COMPLETED = 4, /* awaiting control */
  STATUS_COMPLETED = 5,
  STATUS_DEFERRED = 6,
};

static const B24Field task_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, NULL, NULL, "id" },
  { "PARENT_ID", B24_FIELD_INT, "integer", 0, NULL, NULL, "parentId" },
  { "TITLE", B24_FIELD_STRING, "string", B24_FIELD_REQUIRED, NULL, NULL, "title" },
  { "DESCRIPTION", B24_FIELD_STRING, "string", 0, NULL, NULL, "description" },
  { "MARK", B24_FIELD_STRING, "string", 0, NULL, NULL, "mark" },
  { "PRIORITY", B24_FIELD_INT, "enum", 0, NULL, NULL, "priority" },
  { "MULTITASK", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "multitask" },
  { "NOT_VIEWED", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "notViewed" },
  { "REPLICATE", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "replicate" },
  { "STAGE_ID", B24_FIELD_INT, "integer", 0, NULL, NULL, "stageId" },
  { "CREATED_BY", B24_FIELD_INT, "integer", 0, NULL, NULL, "createdBy" },
  { "CREATED_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "createdDate" },
  { "RESPONSIBLE_ID", B24_FIELD_INT, "integer", B24_FIELD_REQUIRED, NULL, NULL, "responsibleId" },
  { "CHANGED_BY", B24_FIELD_INT, "integer", RO, NULL, NULL, "changedBy" },
  { "CHANGED_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "changedDate" },
  { "STATUS_CHANGED_BY", B24_FIELD_INT, "integer", RO, NULL, NULL, "statusChangedBy" },
  { "CLOSED_BY", B24_FIELD_INT, "integer", RO, NULL, NULL, "closedBy" },
  { "CLOSED_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "closedDate" },
  { "ACTIVITY_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "activityDate" },
  { "DATE_START", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "dateStart" },
  { "DEADLINE", B24_FIELD_DATETIME, "datetime", 0, NULL, NULL, "deadline" },
  { "START_DATE_PLAN", B24_FIELD_DATETIME, "datetime", 0, NULL, NULL, "startDatePlan" },
  { "END_DATE_PLAN", B24_FIELD_DATETIME, "datetime", 0, NULL, NULL, "endDatePlan" },
  { "GUID", B24_FIELD_STRING, "string", RO, NULL, NULL, "guid" },
  { "XML_ID", B24_FIELD_STRING, "string", 0, NULL, NULL, "xmlId" },
  { "COMMENTS_COUNT", B24_FIELD_INT, "integer", RO, NULL, NULL, "commentsCount" },
  { "SERVICE_COMMENTS_COUNT", B24_FIELD_INT, "integer", RO, NULL, NULL, "serviceCommentsCount" },
  { "ALLOW_CHANGE_DEADLINE", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "allowChangeDeadline" },
  { "ALLOW_TIME_TRACKING", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "allowTimeTracking" },
  { "TASK_CONTROL", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "taskControl" },
  { "ADD_IN_REPORT", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "addInReport" },
  { "FORKED_BY_TEMPLATE_ID", B24_FIELD_INT, "integer", RO, NULL, NULL, "forkedByTemplateId" },
  { "TIME_ESTIMATE", B24_FIELD_INT, "integer", 0, NULL, NULL, "timeEstimate" },
  { "TIME_SPENT_IN_LOGS", B24_FIELD_INT, "integer", RO, NULL, NULL, "timeSpentInLogs" },
  { "MATCH_WORK_TIME", B24_FIELD_CHAR, "enum", 0, NULL, NULL, "matchWorkTime" },
  { "FORUM_TOPIC_ID", B24_FIELD_INT, "integer", RO, NULL, NULL, "forumTopicId" },
  { "FORUM_ID", B24_FIELD_INT, "integer", RO, NULL, NULL, "forumId" },
  { "SITE_ID", B24_FIELD_STRING, "string", RO, NULL, NULL, "siteId" },
  { "SUBORDINATE", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "subordinate" },
  { "EXCHANGE_MODIFIED", B24_FIELD_STRING, "string", RO, NULL, NULL, "exchangeModified" },
  { "EXCHANGE_ID", B24_FIELD_INT, "integer", RO, NULL, NULL, "exchangeId" },
  { "OUTLOOK_VERSION", B24_FIELD_INT, "integer", RO, NULL, NULL, "outlookVersion" },
  { "VIEWED_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "viewedDate" },
  { "SORTING", B24_FIELD_STRING, "double", RO, NULL, NULL, "sorting" },
  { "DURATION_FACT", B24_FIELD_INT, "integer", RO, NULL, NULL, "durationFact" },
  { "IS_MUTED", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "isMuted" },
  { "IS_PINNED", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "isPinned" },
  { "IS_PINNED_IN_GROUP", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "isPinnedInGroup" },
  { "FLOW_ID", B24_FIELD_INT, "integer", 0, NULL, NULL, "flowId" },
  { "DESCRIPTION_IN_BBCODE", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "descriptionInBbcode" },
  { "STATUS", B24_FIELD_INT, "enum", RO, NULL, NULL, "status" },
  { "STATUS_CHANGED_DATE", B24_FIELD_DATETIME, "datetime", RO, NULL, NULL, "statusChangedDate" },
  { "DURATION_PLAN", B24_FIELD_INT, "integer", 0, NULL, NULL, "durationPlan" },
  { "DURATION_TYPE", B24_FIELD_STRING, "enum", 0, NULL, NULL, "durationType" },
  { "FAVORITE", B24_FIELD_CHAR, "enum", RO, NULL, NULL, "favorite" },
  { "GROUP_ID", B24_FIELD_INT, "integer", 0, NULL, NULL, "groupId" },
  { "AUDITORS", B24_FIELD_JSON, "array", B24_FIELD_MULTIPLE, NULL, NULL, "auditors" },
  { "ACCOMPLICES", B24_FIELD_JSON, "array", B24_FIELD_MULTIPLE, NULL, NULL, "accomplices" },
  { "UF_CRM_TASK", B24_FIELD_JSON, "crm", B24_FIELD_MULTIPLE, NULL, NULL, "ufCrmTask" },
  { "UF_TASK_WEBDAV_FILES", B24_FIELD_JSON, "disk_file", B24_FIELD_MULTIPLE, NULL, NULL, "ufTaskWebdavFiles" },
  { NULL },
};

/* Printed only when named in select (tasks.task.get/list). */
static const char *const select_only[] = { "UF_CRM_TASK", "UF_TASK_WEBDAV_FILES", "UF_MAIL_MESSAGE", NULL };

static void task_after (B24Call    *call,
                        gint64      id,
                        B24EntityOp op);
static gboolean task_prepare (B24Call    *call,
                              gint64      id,
                              GHashTable *values,
                              B24Reply   *reply);

const B24Entity b24_entity_task = {
  .table = "task",
  .fields = task_fields,
  .default_order = "ID DESC",
  .prepare = task_prepare,
  .after = task_after,
};

static JsonNode *
int_node (gint64 value)
{
  return json_node_init_int (json_node_alloc (), value);
}

static gboolean
value_set (GHashTable *values,
           const char *name)
{
  JsonNode *node = g_hash_table_lookup (values, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

/* The task module's errors end in "<br>" (printed by PHP as \u003Cbr\u003E). */
static void
core_error (B24Reply   *reply,
            const char *text)
{
  g_autofree char *description = g_strconcat (text, "<br>", NULL);

  b24_reply_error (reply, 400, "ERROR_CORE", description);
}

static gint64
stored_int (B24Emu     *emu,
            const char *column,
            gint64      id,
            gboolean   *is_null)
{
  g_autofree char *sql = g_strdup_printf ("SELECT \"%s\" FROM task WHERE ID = ?", column);
  sqlite3_stmt *stmt = b24_db_prepare (emu, sql);
  gint64 value = 0;

  *is_null = TRUE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *is_null = FALSE;
      value = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_reset (stmt);
  return value;
}

/* JSON list fields are stored as arrays of strings: [5] and {"0":"5"} become ["5"]. */
static void
normalize_list (GHashTable *values,
                const char *name)
{
  JsonNode *node = g_hash_table_lookup (values, name);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(JsonNode) out = NULL;
  JsonArray *array;
  g_autofree char *text = NULL;

  if (node == NULL)
    return;
  array = json_array_new ();
  if (!JSON_NODE_HOLDS_NULL (node))
    {
      parsed = json_from_string (json_node_get_string (node), NULL);
      if (parsed != NULL && JSON_NODE_HOLDS_VALUE (parsed))
        {
          /* A single value, e.g. UF_CRM_TASK=D_1 in a form. */
          JsonArray *one = json_array_new ();

          json_array_add_element (one, json_node_copy (parsed));
          json_node_unref (parsed);
          parsed = b24_node_take_array (one);
        }
      else if (parsed == NULL)
        {
          JsonArray *one = json_array_new ();

          json_array_add_string_element (one, json_node_get_string (node));
          parsed = b24_node_take_array (one);
        }
      items = b24_node_list (parsed);
      for (guint i = 0; i < items->len; i++)
        {
          g_autofree char *item = b24_node_dup_string (items->pdata[i]);

          if (item != NULL && item[0] != '\0')
            json_array_add_string_element (array, item);
        }
    }
  out = b24_node_take_array (array);
  text = json_to_string (out, FALSE);
  g_hash_table_replace (values, (gpointer) name, b24_node_string (text));
}

static gboolean
task_prepare (B24Call    *call,
              gint64      id,
              GHashTable *values,
              B24Reply   *reply)
{
  gint64 now = (gint64) b24_time_now ();
  gboolean adding = id == 0;
  gboolean start_null = TRUE, end_null = TRUE;
  gint64 start = 0, end = 0;
  JsonNode *title = g_hash_table_lookup (values, "TITLE");

  if ((adding || title != NULL)
      && (title == NULL || JSON_NODE_HOLDS_NULL (title) || json_node_get_string (title)[0] == '\0'))
    {
      core_error (reply, "Task title is not specified");
      return FALSE;
    }
  if (adding && !value_set (values, "RESPONSIBLE_ID"))
    {
      core_error (reply, "Assignee is not specified");
      return FALSE;
    }
  if (value_set (values, "RESPONSIBLE_ID")
      && !b24_entity_exists (call->emu, &b24_entity_user,
                             json_node_get_int (g_hash_table_lookup (values, "RESPONSIBLE_ID"))))
    {
      core_error (reply, "Assignee not found");
      return FALSE;
    }

  /* Plan dates: sent together, and the end not before the start. */
  if (!adding)
    {
      start = stored_int (call->emu, "START_DATE_PLAN", id, &start_null);
      end = stored_int (call->emu, "END_DATE_PLAN", id, &end_null);
    }
  if (g_hash_table_contains (values, "START_DATE_PLAN"))
    {
      start_null = !value_set (values, "START_DATE_PLAN");
      start = start_null ? 0 : json_node_get_int (g_hash_table_lookup (values, "START_DATE_PLAN"));
    }
  if (g_hash_table_contains (values, "END_DATE_PLAN"))
    {
      end_null = !value_set (values, "END_DATE_PLAN");
      end = end_null ? 0 : json_node_get_int (g_hash_table_lookup (values, "END_DATE_PLAN"));
    }
  if (start_null != end_null)
    {
      core_error (reply, "The start and end dates in scheduling must be set together");
      return FALSE;
    }
  if (!start_null && end < start)
    {
      core_error (reply, "The end date in scheduling is earlier than the start date");
      return FALSE;
    }

  /* PARENT_ID: not the task itself, not one of its subtasks. */
  if (value_set (values, "PARENT_ID"))
    {
      gint64 parent = json_node_get_int (g_hash_table_lookup (values, "PARENT_ID"));
      guint steps = 0;

      if (!adding && parent == id)
        {
          core_error (reply, "Cannot bind the node to itself");
          return FALSE;
        }
      while (!adding && parent > 0 && steps++ < 10000)
        {
          gboolean is_null;

          parent = stored_int (call->emu, "PARENT_ID", parent, &is_null);
          if (parent == id)
            {
              core_error (reply, "Creating cyclic links in tasks is prohibited");
              return FALSE;
            }
        }
    }

  normalize_list (values, "AUDITORS");
  normalize_list (values, "ACCOMPLICES");
  normalize_list (values, "UF_CRM_TASK");
  normalize_list (values, "UF_TASK_WEBDAV_FILES");

  g_hash_table_replace (values, "CHANGED_BY", int_node (call->user_id));
  g_hash_table_replace (values, "CHANGED_DATE", int_node (now));
  g_hash_table_replace (values, "ACTIVITY_DATE", int_node (now));
  if (!adding)
    return TRUE;

  {
    g_autofree char *uuid = g_uuid_string_random ();
    g_autofree char *guid = g_strdup_printf ("{%s}", uuid);

    g_hash_table_replace (values, "GUID", b24_node_string (guid));
  }
  b24_values_default (values, "CREATED_BY", int_node (call->user_id));
  b24_values_default (values, "PRIORITY", int_node (1));
  b24_values_default (values, "STAGE_ID", int_node (0));
  b24_values_default (values, "GROUP_ID", int_node (0));
  b24_values_default (values, "TIME_ESTIMATE", int_node (0));
  b24_values_default (values, "DESCRIPTION", b24_node_string (""));
  b24_values_default (values, "DURATION_TYPE", b24_node_string ("days"));
  b24_values_default (values, "AUDITORS", b24_node_string ("[]"));
  b24_values_default (values, "ACCOMPLICES", b24_node_string ("[]"));
  b24_values_default (values, "UF_CRM_TASK", b24_node_string ("[]"));
  b24_values_default (values, "UF_TASK_WEBDAV_FILES", b24_node_string ("[]"));
  for (const char *const *yn = (const char *const[]) { "MULTITASK", "NOT_VIEWED", "REPLICATE",
                                                       "ALLOW_CHANGE_DEADLINE", "ALLOW_TIME_TRACKING",
                                                       "TASK_CONTROL", "ADD_IN_REPORT", "MATCH_WORK_TIME",
                                                       "IS_MUTED", "IS_PINNED", "IS_PINNED_IN_GROUP",
                                                       "FAVORITE", NULL };
       *yn != NULL; yn++)
    b24_values_default (values, *yn, b24_node_string ("N"));
  g_hash_table_replace (values, "SUBORDINATE", b24_node_string ("Y"));
  g_hash_table_replace (values, "DESCRIPTION_IN_BBCODE", b24_node_string ("Y"));
  g_hash_table_replace (values, "SITE_ID", b24_node_string ("s1"));
  g_hash_table_replace (values, "OUTLOOK_VERSION", int_node (1));
  g_hash_table_replace (values, "CREATED_DATE", int_node (now));
  g_hash_table_replace (values, "STATUS", int_node (STATUS_PENDING));
  g_hash_table_replace (values, "STATUS_CHANGED_DATE", int_node (now));
  return TRUE;
}

static JsonObject *
task_event_data (gint64      id,
                 B24EntityOp op)
{
  JsonObject *data = json_object_new ();
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  JsonObject *before = json_object_new ();
  JsonObject *after = json_object_new ();

  json_object_set_string_member (before, "ID", text);
  json_object_set_string_member (after, "ID", text);
  if (op == B24_ENTITY_ADD)
    {
      json_object_unref (before);
      json_object_set_string_member (data, "FIELDS_BEFORE", "undefined");
      json_object_set_object_member (data, "FIELDS_AFTER", after);
      json_object_set_string_member (data, "IS_ACCESSIBLE_BEFORE", "N");
      json_object_set_string_member (data, "IS_ACCESSIBLE_AFTER", "undefined");
    }
  else if (op == B24_ENTITY_UPDATE)
    {
      json_object_set_object_member (data, "FIELDS_BEFORE", before);
      json_object_set_object_member (data, "FIELDS_AFTER", after);
      json_object_set_string_member (data, "IS_ACCESSIBLE_BEFORE", "undefined");
      json_object_set_string_member (data, "IS_ACCESSIBLE_AFTER", "undefined");
    }
  else
    {
      json_object_unref (after);
      json_object_set_object_member (data, "FIELDS_BEFORE", before);
      json_object_set_string_member (data, "FIELDS_AFTER", "undefined");
      json_object_set_string_member (data, "IS_ACCESSIBLE_BEFORE", "undefined");
      json_object_set_string_member (data, "IS_ACCESSIBLE_AFTER", "N");
    }
  return data;
}

static void
task_after (B24Call    *call,
            gint64      id,
            B24EntityOp op)
{
  const char *event = op == B24_ENTITY_ADD ? "ONTASKADD" : op == B24_ENTITY_UPDATE ? "ONTASKUPDATE" : "ONTASKDELETE";

  if (op == B24_ENTITY_DELETE)
    {
      sqlite3_stmt *stmt = b24_db_prepare (call->emu, "DELETE FROM task_dependence WHERE TASK_ID_FROM = ?1"
                                                      " OR TASK_ID_TO = ?1");

      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  b24_events_emit_data (call, event, id, task_event_data (id, op));
}

/* {"id","name","link","icon","workPosition"} of a portal user. */
static JsonObject *
user_brief (B24Emu *emu,
            gint64  user_id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT NAME, LAST_NAME, WORK_POSITION FROM user WHERE ID = ?");
  JsonObject *user = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  g_autofree char *link = g_strdup_printf ("/company/personal/user/%" G_GINT64_FORMAT "/", user_id);
  g_autofree char *name = NULL;
  g_autofree char *position = NULL;

  sqlite3_bind_int64 (stmt, 1, user_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      name = g_strdup_printf ("%s %s", (const char *) sqlite3_column_text (stmt, 0),
                              (const char *) sqlite3_column_text (stmt, 1));
      position = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  json_object_set_string_member (user, "id", id);
  json_object_set_string_member (user, "name", name != NULL ? name : "");
  json_object_set_string_member (user, "link", link);
  json_object_set_string_member (user, "icon", "");
  json_object_set_string_member (user, "workPosition", position != NULL ? position : "");
  return user;
}

static gint64
row_int (JsonObject *row,
         const char *name)
{
  const char *text = json_object_get_string_member_with_default (row, name, NULL);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static JsonObject *
task_actions (JsonObject *row,
              gint64      user_id,
              gboolean    admin)
{
  JsonObject *action = json_object_new ();
  gint64 status = row_int (row, "status");
  gboolean creator = row_int (row, "createdBy") == user_id || admin;
  gboolean open = status == STATUS_PENDING || status == STATUS_IN_PROGRESS || status == STATUS_DEFERRED;
  gboolean control = status == STATUS_SUPPOSEDLY_COMPLETED;

  json_object_set_boolean_member (action, "accept", FALSE);
  json_object_set_boolean_member (action, "decline", FALSE);
  json_object_set_boolean_member (action, "complete", open);
  json_object_set_boolean_member (action, "approve", control && creator);
  json_object_set_boolean_member (action, "disapprove", control && creator);
  json_object_set_boolean_member (action, "start", status == STATUS_PENDING || status == STATUS_DEFERRED);
  json_object_set_boolean_member (action, "pause", status == STATUS_IN_PROGRESS);
  json_object_set_boolean_member (action, "delegate", open);
  json_object_set_boolean_member (action, "remove", creator);
  json_object_set_boolean_member (action, "edit", creator);
  json_object_set_boolean_member (action, "defer", status == STATUS_PENDING || status == STATUS_IN_PROGRESS);
  json_object_set_boolean_member (action, "renew", status == STATUS_COMPLETED || control
                                                   || status == STATUS_DEFERRED);
  json_object_set_boolean_member (action, "create", TRUE);
  json_object_set_boolean_member (action, "changeDeadline", creator);
  json_object_set_boolean_member (action, "checklistAddItems", TRUE);
  json_object_set_boolean_member (action, "addFavorite", TRUE);
  json_object_set_boolean_member (action, "deleteFavorite", FALSE);
  json_object_set_boolean_member (action, "rate", creator);
  json_object_set_boolean_member (action, "edit.originator", FALSE);
  json_object_set_boolean_member (action, "checklist.reorder", TRUE);
  json_object_set_boolean_member (action, "elapsedtime.add", TRUE);
  json_object_set_boolean_member (action, "dayplan.timer.toggle", FALSE);
  json_object_set_boolean_member (action, "edit.plan", creator);
  json_object_set_boolean_member (action, "checklist.add", TRUE);
  json_object_set_boolean_member (action, "favorite.add", TRUE);
  json_object_set_boolean_member (action, "favorite.delete", FALSE);
  return action;
}

static JsonObject *
checklist_tree (gint64 user_id)
{
  JsonObject *tree = json_object_new ();
  JsonObject *fields = json_object_new ();

  json_object_set_int_member (tree, "nodeId", 0);
  json_object_set_null_member (fields, "id");
  json_object_set_null_member (fields, "copiedId");
  json_object_set_null_member (fields, "entityId");
  json_object_set_int_member (fields, "userId", user_id);
  json_object_set_null_member (fields, "createdBy");
  json_object_set_null_member (fields, "parentId");
  json_object_set_string_member (fields, "title", "");
  json_object_set_null_member (fields, "sortIndex");
  json_object_set_string_member (fields, "displaySortIndex", "");
  json_object_set_boolean_member (fields, "isComplete", FALSE);
  json_object_set_boolean_member (fields, "isImportant", FALSE);
  json_object_set_int_member (fields, "completedCount", 0);
  json_object_set_array_member (fields, "members", json_array_new ());
  json_object_set_array_member (fields, "attachments", json_array_new ());
  json_object_set_object_member (tree, "fields", fields);
  json_object_set_array_member (tree, "action", json_array_new ());
  json_object_set_array_member (tree, "descendants", json_array_new ());
  return tree;
}

static gboolean
user_is_admin (B24Emu *emu,
               gint64  user_id)
{
  return b24_db_query_int (emu, "SELECT COUNT(*) FROM user WHERE ID = ? AND IS_ADMIN = 'Y'", user_id) > 0;
}

static JsonArray *
users_data (B24Emu     *emu,
            JsonObject *row,
            const char *member)
{
  JsonArray *out = json_array_new ();
  JsonNode *node = json_object_get_member (row, member);
  g_autoptr(GPtrArray) ids = b24_node_list (node);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id;

      if (b24_node_get_int (ids->pdata[i], &id))
        json_array_add_object_element (out, user_brief (emu, id));
    }
  return out;
}

/* Adds what surrounds the stored columns in a printed task. */
static void
decorate (B24Call         *call,
          JsonObject      *row,
          B24Select       *select,
          gboolean         full)
{
  for (const char *const *name = select_only; *name != NULL; name++)
    {
      const B24Field *field = b24_entity_field (&b24_entity_task, *name);

      if (field != NULL && (select->names == NULL || !g_hash_table_contains (select->names, *name)))
        json_object_remove_member (row, field->out_name);
    }
  if (json_object_has_member (row, "createdBy"))
    json_object_set_object_member (row, "creator", user_brief (call->emu, row_int (row, "createdBy")));
  if (json_object_has_member (row, "responsibleId"))
    json_object_set_object_member (row, "responsible", user_brief (call->emu, row_int (row, "responsibleId")));
  if (!full)
    return;
  json_object_set_member (row, "checklist", b24_json_empty_list ());
  json_object_set_member (row, "group", b24_json_empty_list ());
  json_object_set_array_member (row, "accomplicesData", users_data (call->emu, row, "accomplices"));
  json_object_set_array_member (row, "auditorsData", users_data (call->emu, row, "auditors"));
  json_object_set_int_member (row, "newCommentsCount", 0);
  json_object_set_object_member (row, "action",
                                 task_actions (row, call->user_id, user_is_admin (call->emu, call->user_id)));
  json_object_set_object_member (row, "checkListTree", checklist_tree (call->user_id));
  json_object_set_boolean_member (row, "checkListCanAdd", TRUE);
}

static JsonNode *
wrap_task (JsonObject *task)
{
  JsonObject *result = json_object_new ();

  json_object_set_object_member (result, "task", task);
  return b24_node_take_object (result);
}

static void
reply_task (B24Call  *call,
            B24Reply *reply,
            gint64    id,
            JsonNode *select_node)
{
  B24Select select;
  JsonObject *row;

  b24_select_init (&select, &b24_entity_task, select_node);
  select.all_std = TRUE; /* tasks.task.get prints every standard field whatever the select */
  row = b24_entity_get (call, &b24_entity_task, id, &select);
  decorate (call, row, &select, TRUE);
  b24_select_clear (&select);
  b24_reply_set_result (reply, wrap_task (row));
}

/* taskId (also id/TASKID); a task that does not exist is refused like tasks.task.complete. */
static gint64
task_id (B24Call  *call,
         B24Reply *reply)
{
  JsonNode *node = b24_params_get (call->params, "taskId", TRUE);
  gint64 id = 0;

  if (node == NULL)
    node = b24_params_get (call->params, "id", TRUE);
  if (!b24_node_get_int (node, &id) || id <= 0 || !b24_entity_exists (call->emu, &b24_entity_task, id))
    {
      b24_reply_error (reply, 400, "0", "Action on the task is not allowed");
      return 0;
    }
  return id;
}

static JsonObject *
task_fields_param (B24Call  *call,
                   B24Reply *reply)
{
  JsonObject *fields = b24_params_get_object (call->params, "fields", TRUE);

  if (fields == NULL || json_object_get_size (fields) == 0)
    {
      b24_reply_error (reply, 400, "100", "Could not find value for parameter {fields}");
      return NULL;
    }
  return fields;
}

static void
task_add (B24Call  *call,
          B24Reply *reply)
{
  JsonObject *fields = task_fields_param (call, reply);
  gint64 id;

  if (fields == NULL)
    return;
  id = b24_entity_write (call, &b24_entity_task, 0, fields, reply);
  if (id > 0)
    reply_task (call, reply, id, NULL);
}

/* action.edit of task @id for the caller (task_actions). */
static gboolean
task_actions_edit (B24Call *call,
                   gint64   id)
{
  gboolean is_null;

  return stored_int (call->emu, "CREATED_BY", id, &is_null) == call->user_id
         || user_is_admin (call->emu, call->user_id);
}

static void
task_update (B24Call  *call,
             B24Reply *reply)
{
  gint64 id = task_id (call, reply);
  JsonObject *fields;

  if (id == 0 || (fields = task_fields_param (call, reply)) == NULL)
    return;
  /* Only who may edit it, as its action.edit says (the creator or an admin); anyone else
   * is refused like a missing task (reference §7.9: missing task or missing rights). */
  if (!task_actions_edit (call, id))
    {
      b24_reply_error (reply, 400, "0", "Action on the task is not allowed");
      return;
    }
  /* The creation facts and the status do not change through fields. */
  json_object_remove_member (fields, "STATUS");
  if (b24_entity_write (call, &b24_entity_task, id, fields, reply) > 0)
    reply_task (call, reply, id, NULL);
}

static void
task_get (B24Call  *call,
          B24Reply *reply)
{
  gint64 id = task_id (call, reply);

  if (id > 0)
    reply_task (call, reply, id, b24_params_get (call->params, "select", TRUE));
}

static void
task_delete (B24Call  *call,
             B24Reply *reply)
{
  gint64 id = task_id (call, reply);
  JsonObject *result;

  if (id == 0)
    return;
  b24_entity_delete (call, &b24_entity_task, id);
  result = json_object_new ();
  json_object_set_boolean_member (result, "task", TRUE);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

/* The STATUS filter's meta-values as constant SQL (so the statement cache stays small). */
static const struct {
  gint64 value;
  const char *sql;
} status_meta[] = {
  { -1, "(DEADLINE IS NOT NULL AND DEADLINE < CAST(strftime('%s','now') AS INTEGER) AND STATUS IN (2, 3))" },
  { -2, "(NOT_VIEWED = 'Y')" },
  { -3, "(DEADLINE IS NOT NULL AND DEADLINE >= CAST(strftime('%s','now') AS INTEGER)"
        " AND DEADLINE < CAST(strftime('%s','now') AS INTEGER) + 86400 AND STATUS IN (2, 3))" },
};

/* A STATUS value made only of meta-values (-1 overdue, -2 unviewed, -3 almost overdue)
 * becomes @where; FALSE when it holds an ordinary status. */
static gboolean
status_meta_where (JsonNode *value,
                   GString  *where)
{
  g_autoptr(GPtrArray) items = b24_node_list (value);
  guint added = 0;

  if (items->len == 0)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      gint64 status;

      if (!b24_node_get_int (items->pdata[i], &status) || status >= 0)
        return FALSE;
    }
  g_string_append (where, where->len > 0 ? " AND (" : "(");
  for (guint m = 0; m < G_N_ELEMENTS (status_meta); m++)
    for (guint i = 0; i < items->len; i++)
      {
        gint64 status;

        b24_node_get_int (items->pdata[i], &status);
        if (status == status_meta[m].value)
          {
            g_string_append_printf (where, "%s%s", added++ > 0 ? " OR " : "", status_meta[m].sql);
            break;
          }
      }
  if (added == 0)
    g_string_append (where, "0");
  g_string_append (where, ")");
  return TRUE;
}

/* The list filter: REAL_STATUS is STATUS; DEPENDS_ON=X is the tasks linked after X; STATUS
 * meta-values go to @fixed_where. */
static JsonNode *
list_filter (B24Call  *call,
             JsonNode *filter,
             GString  *fixed_where)
{
  JsonObject *out = json_object_new ();

  if (filter != NULL && JSON_NODE_HOLDS_OBJECT (filter))
    {
      JsonObject *object = json_node_get_object (filter);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *key = l->data;
          JsonNode *value = json_object_get_member (object, key);
          g_autofree char *upper = g_ascii_strup (key, -1);
          char *real = strstr (upper, "REAL_STATUS");

          if ((strcmp (upper, "STATUS") == 0 || strcmp (upper, "REAL_STATUS") == 0)
              && status_meta_where (value, fixed_where))
            continue;
          if (real != NULL)
            {
              memmove (real, real + strlen ("REAL_"), strlen (real + strlen ("REAL_")) + 1);
              json_object_set_member (out, upper, json_node_copy (value));
            }
          else if (strcmp (upper, "DEPENDS_ON") == 0)
            {
              g_autoptr(GPtrArray) from = b24_node_list (value);
              JsonArray *ids = json_array_new ();
              sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT TASK_ID_TO FROM task_dependence"
                                                              " WHERE TASK_ID_FROM = ? ORDER BY TASK_ID_TO");

              for (guint i = 0; i < from->len; i++)
                {
                  gint64 task;

                  if (!b24_node_get_int (from->pdata[i], &task))
                    continue;
                  sqlite3_reset (stmt);
                  sqlite3_bind_int64 (stmt, 1, task);
                  while (sqlite3_step (stmt) == SQLITE_ROW)
                    json_array_add_int_element (ids, sqlite3_column_int64 (stmt, 0));
                }
              sqlite3_reset (stmt);
              if (json_array_get_length (ids) == 0)
                json_array_add_int_element (ids, -1); /* matches nothing */
              json_object_set_array_member (out, "@ID", ids);
            }
          else
            json_object_set_member (out, upper, json_node_copy (value));
        }
      g_list_free (members);
    }
  return b24_node_take_object (out);
}

static gboolean
valid_order (JsonNode *order)
{
  JsonObject *object;
  GList *members;
  gboolean ok = TRUE;

  if (order == NULL || !JSON_NODE_HOLDS_OBJECT (order))
    return TRUE;
  object = json_node_get_object (order);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL && ok; l = l->next)
    {
      g_autofree char *upper = g_ascii_strup (l->data, -1);
      const B24Field *field = b24_entity_field (&b24_entity_task, upper);

      ok = field != NULL && field->type != B24_FIELD_JSON;
    }
  g_list_free (members);
  return ok;
}

static JsonNode *
upper_order (JsonNode *order)
{
  JsonObject *out = json_object_new ();

  if (order != NULL && JSON_NODE_HOLDS_OBJECT (order))
    {
      JsonObject *object = json_node_get_object (order);
      GList *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *upper = g_ascii_strup (l->data, -1);

          json_object_set_member (out, upper, json_node_copy (json_object_get_member (object, l->data)));
        }
      g_list_free (members);
    }
  return b24_node_take_object (out);
}

static void
task_list (B24Call  *call,
           B24Reply *reply)
{
  JsonNode *order = b24_params_get (call->params, "order", TRUE);
  JsonNode *select_node = b24_params_get (call->params, "select", TRUE);
  g_autoptr(JsonNode) filter = NULL;
  g_autoptr(JsonNode) order_up = NULL;
  g_autoptr(GString) fixed_where = g_string_new (NULL);
  JsonObject *result;
  B24Select select;
  B24Page page;

  if (!valid_order (order))
    {
      b24_reply_error (reply, 400, "0", "Invalid sorting key (internal error)");
      return;
    }
  filter = list_filter (call, b24_params_get (call->params, "filter", TRUE), fixed_where);
  order_up = upper_order (order);
  b24_list_query (call, &b24_entity_task, filter, order_up, select_node,
                  b24_params_get (call->params, "start", TRUE), fixed_where->len > 0 ? fixed_where->str : NULL,
                  &page);
  b24_select_init (&select, &b24_entity_task, select_node);
  for (guint i = 0; i < json_array_get_length (page.rows); i++)
    decorate (call, json_array_get_object_element (page.rows, i), &select, FALSE);
  b24_select_clear (&select);
  result = json_object_new ();
  json_object_set_array_member (result, "tasks", g_steal_pointer (&page.rows));
  b24_reply_set_result (reply, b24_node_take_object (result));
  reply->total = page.total;
  reply->next = page.next;
}

/* Status changes: tasks.task.start|pause|complete|defer|renew|approve|disapprove. */
typedef enum {
  ACTION_START,
  ACTION_PAUSE,
  ACTION_COMPLETE,
  ACTION_DEFER,
  ACTION_RENEW,
  ACTION_APPROVE,
  ACTION_DISAPPROVE,
} TaskAction;

static void
task_set_status (B24Call *call,
                 gint64   id,
                 gint64   status)
{
  gint64 now = (gint64) b24_time_now ();
  sqlite3_stmt *stmt = b24_db_prepare (call->emu,
                                       "UPDATE task SET STATUS = ?1, STATUS_CHANGED_BY = ?2, STATUS_CHANGED_DATE = ?3,"
                                       " CHANGED_BY = ?2, CHANGED_DATE = ?3, ACTIVITY_DATE = ?3,"
                                       " CLOSED_BY = CASE WHEN ?1 = 5 THEN ?2 WHEN ?1 = 4 THEN CLOSED_BY ELSE NULL END,"
                                       " CLOSED_DATE = CASE WHEN ?1 = 5 THEN ?3 WHEN ?1 = 4 THEN CLOSED_DATE ELSE NULL END,"
                                       " DATE_START = CASE WHEN ?1 = 3 AND DATE_START IS NULL THEN ?3 ELSE DATE_START END"
                                       " WHERE ID = ?4");

  sqlite3_bind_int64 (stmt, 1, status);
  sqlite3_bind_int64 (stmt, 2, call->user_id);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  task_after (call, id, B24_ENTITY_UPDATE);
}

static void
task_action (B24Call   *call,
             B24Reply  *reply,
             TaskAction action)
{
  gint64 id = task_id (call, reply);
  gboolean is_null;
  gint64 status, creator, next = -1;
  gboolean control, may_control;

  if (id == 0)
    return;
  status = stored_int (call->emu, "STATUS", id, &is_null);
  creator = stored_int (call->emu, "CREATED_BY", id, &is_null);
  control = b24_db_query_int (call->emu, "SELECT COUNT(*) FROM task WHERE ID = ? AND TASK_CONTROL = 'Y'", id) > 0;
  may_control = creator == call->user_id || user_is_admin (call->emu, call->user_id);
  switch (action)
    {
    case ACTION_START:
      if (status == STATUS_PENDING || status == STATUS_DEFERRED)
        next = STATUS_IN_PROGRESS;
      break;
    case ACTION_PAUSE:
      if (status == STATUS_IN_PROGRESS)
        next = STATUS_PENDING;
      break;
    case ACTION_COMPLETE:
      if (status == STATUS_PENDING || status == STATUS_IN_PROGRESS || status == STATUS_DEFERRED)
        next = control && creator != call->user_id ? STATUS_SUPPOSEDLY_COMPLETED : STATUS_COMPLETED;
      break;
    case ACTION_DEFER:
      if (status == STATUS_PENDING || status == STATUS_IN_PROGRESS)
        next = STATUS_DEFERRED;
      break;
    case ACTION_RENEW:
      if (status == STATUS_COMPLETED || status == STATUS_SUPPOSEDLY_COMPLETED || status == STATUS_DEFERRED)
        next = STATUS_PENDING;
      break;
    case ACTION_APPROVE:
      if (status == STATUS_SUPPOSEDLY_COMPLETED && may_control)
        next = STATUS_COMPLETED;
      break;
    case ACTION_DISAPPROVE:
      if (status == STATUS_SUPPOSEDLY_COMPLETED && may_control)
        next = STATUS_PENDING;
      break;
    }
  if (next < 0)
    {
      b24_reply_error (reply, 400, "1048582", "Action on the task is not allowed");
      return;
    }
  task_set_status (call, id, next);
  reply_task (call, reply, id, NULL);
}

#define ACTION_FUNC(name, value)             \
  static void name (B24Call *call, B24Reply *reply) \
  {                                          \
    task_action (call, reply, value);        \
  }
ACTION_FUNC (task_start, ACTION_START)
ACTION_FUNC (task_pause, ACTION_PAUSE)
ACTION_FUNC (task_complete, ACTION_COMPLETE)
ACTION_FUNC (task_defer, ACTION_DEFER)
ACTION_FUNC (task_renew, ACTION_RENEW)
ACTION_FUNC (task_approve, ACTION_APPROVE)
ACTION_FUNC (task_disapprove, ACTION_DISAPPROVE)
#undef ACTION_FUNC

static void
task_fields_method (B24Call  *call,
                    B24Reply *reply)
{
  JsonObject *fields = json_object_new ();
  JsonObject *result = json_object_new ();

  for (const B24Field *f = task_fields; f->name != NULL; f++)
    {
      JsonObject *desc = json_object_new ();

      json_object_set_string_member (desc, "title", f->name);
      json_object_set_string_member (desc, "type", f->rest_type);
      if ((f->flags & B24_FIELD_REQUIRED) != 0)
        json_object_set_boolean_member (desc, "required", TRUE);
      json_object_set_object_member (fields, f->name, desc);
    }
  json_object_set_object_member (result, "fields", fields);
  b24_reply_set_result (reply, b24_node_take_object (result));
}

/* task.dependence.add {taskIdFrom, taskIdTo, linkType}: 0 start-start, 1 start-finish,
 * 2 finish-start, 3 finish-finish. */
static gboolean
dependence_ids (B24Call  *call,
                B24Reply *reply,
                gint64   *from,
                gint64   *to)
{
  if (!b24_node_get_int (b24_params_get (call->params, "taskIdFrom", TRUE), from)
      || !b24_node_get_int (b24_params_get (call->params, "taskIdTo", TRUE), to)
      || !b24_entity_exists (call->emu, &b24_entity_task, *from)
      || !b24_entity_exists (call->emu, &b24_entity_task, *to))
    {
      b24_reply_error (reply, 400, "ACTION_NOT_ALLOWED", "Action not allowed");
      return FALSE;
    }
  return TRUE;
}

static void
dependence_add (B24Call  *call,
                B24Reply *reply)
{
  gint64 from, to, link_type = -1;
  sqlite3_stmt *stmt;

  if (!dependence_ids (call, reply, &from, &to))
    return;
  if (!b24_node_get_int (b24_params_get (call->params, "linkType", TRUE), &link_type)
      || link_type < 0 || link_type > 3)
    {
      b24_reply_error (reply, 400, "ACTION_NOT_ALLOWED", "Action not allowed");
      return;
    }
  if (from == to)
    {
      b24_reply_error (reply, 400, "ILLEGAL_NEW_LINK", "Cannot bind the node to itself");
      return;
    }
  stmt = b24_db_prepare (call->emu, "SELECT COUNT(*) FROM task_dependence WHERE (TASK_ID_FROM = ?1 AND TASK_ID_TO = ?2)"
                                    " OR (TASK_ID_FROM = ?2 AND TASK_ID_TO = ?1)");
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_step (stmt);
  if (sqlite3_column_int64 (stmt, 0) > 0)
    {
      sqlite3_reset (stmt);
      b24_reply_error (reply, 400, "ILLEGAL_NEW_LINK", "A link between tasks already exists");
      return;
    }
  sqlite3_reset (stmt);
  stmt = b24_db_prepare (call->emu, "INSERT INTO task_dependence (TASK_ID_FROM, TASK_ID_TO, LINK_TYPE) VALUES (?, ?, ?)");
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, link_type);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_result (reply, b24_json_empty_list ());
}

static void
dependence_delete (B24Call  *call,
                   B24Reply *reply)
{
  gint64 from, to;
  sqlite3_stmt *stmt;

  if (!dependence_ids (call, reply, &from, &to))
    return;
  stmt = b24_db_prepare (call->emu, "DELETE FROM task_dependence WHERE TASK_ID_FROM = ? AND TASK_ID_TO = ?");
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (sqlite3_changes (call->emu->db) == 0)
    {
      b24_reply_error (reply, 400, "ILLEGAL_NEW_LINK", "The dependency between tasks does not exist");
      return;
    }
  b24_reply_set_result (reply, b24_json_empty_list ());
}

static const B24Method task_methods[] = {
  { "tasks.task.add", "task", task_add },
  { "tasks.task.update", "task", task_update },
  { "tasks.task.get", "task", task_get },
  { "tasks.task.list", "task", task_list },
  { "tasks.task.delete", "task", task_delete },
  { "tasks.task.getfields", "task", task_fields_method },
  { "tasks.task.start", "task", task_start },
  { "tasks.task.pause", "task", task_pause },
  { "tasks.task.complete", "task", task_complete },
  { "tasks.task.defer", "task", task_defer },
  { "tasks.task.renew", "task", task_renew },
  { "tasks.task.approve", "task", task_approve },
  { "tasks.task.disapprove", "task", task_disapprove },
  { "task.dependence.add", "task", dependence_add },
  { "task.dependence.delete", "task", dependence_delete },
};

void
b24_tasks_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, task_methods, G_N_ELEMENTS (task_methods));
}
