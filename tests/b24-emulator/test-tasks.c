/* test-tasks.c: tasks.task.* and task.dependence.* against the reference (§7.9) and
 * tasks.task.add.200.json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <string.h>

static B24Test *emu;

/* A call through the webhook of user 3 (the assignee in these tests). */
static JsonNode *
as_user3 (const char *method,
          const char *json,
          guint      *status)
{
  g_autofree char *url = g_strconcat (emu->base, "/rest/3/three/", method, NULL);

  return b24_test_http (emu, "POST", url, "application/json", json, status);
}

static gint64
add_task (const char *fields)
{
  g_autofree char *body = g_strdup_printf ("{\"fields\":%s}", fields);
  guint status;
  g_autoptr(JsonNode) reply = b24_test_rest (emu, "tasks.task.add", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return g_ascii_strtoll (b24_test_string (reply, "result.task.id"), NULL, 10);
}

static void
assert_error (JsonNode   *reply,
              guint       status,
              guint       want_status,
              const char *code,
              const char *description)
{
  g_assert_cmpuint (status, ==, want_status);
  g_assert_false (json_object_has_member (json_node_get_object (reply), "result"));
  g_assert_cmpstr (b24_test_string (reply, "error"), ==, code);
  if (description != NULL)
    g_assert_cmpstr (b24_test_string (reply, "error_description"), ==, description);
}

static void
test_add_shape (void)
{
  g_autoptr(JsonNode) example = b24_test_example ("tasks.task.add.200.json");
  g_autoptr(JsonNode) reply = NULL;
  JsonObject *task;
  guint status;

  /* The request that matches the published response: no deadline, no plan dates. */
  reply = b24_test_rest (emu, "tasks.task.add", "{\"fields\":{\"TITLE\":\"task for test\",\"RESPONSIBLE_ID\":1}}",
                         &status);
  g_assert_cmpuint (status, ==, 200);
  b24_test_assert_shape (example, reply, "tasks.task.add");
  task = b24_test_object (reply, "result.task");
  /* Keys camelCase, values strings, UF_CRM_TASK only when selected. */
  g_assert_cmpstr (b24_test_string (reply, "result.task.status"), ==, "2");
  g_assert_cmpstr (b24_test_string (reply, "result.task.taskControl"), ==, "N");
  g_assert_false (json_object_has_member (task, "ufCrmTask"));
  g_assert_false (json_object_has_member (task, "TITLE"));
}

static void
test_deal_binding_and_dates (void)
{
  g_autoptr(JsonNode) got = NULL, list = NULL, other = NULL;
  g_autofree char *body = NULL;
  gint64 id;
  guint status;

  id = add_task ("{\"TITLE\":\"Замер\",\"RESPONSIBLE_ID\":3,\"UF_CRM_TASK\":[\"D_10\",\"C_7\"],"
                 "\"DEADLINE\":\"2025-12-31T23:59:59\",\"START_DATE_PLAN\":\"2025-12-01T09:00:00+03:00\","
                 "\"END_DATE_PLAN\":\"2025-12-05T18:00:00+03:00\"}");
  body = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"select\":[\"ID\",\"TITLE\",\"UF_CRM_TASK\"]}", id);
  got = b24_test_rest (emu, "tasks.task.get", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (got, "result.task.ufCrmTask")), ==, 2);
  g_assert_cmpstr (b24_test_string (got, "result.task.ufCrmTask.0"), ==, "D_10");
  g_assert_cmpstr (b24_test_string (got, "result.task.deadline"), ==, "2025-12-31T23:59:59+03:00");
  g_assert_cmpstr (b24_test_string (got, "result.task.startDatePlan"), ==, "2025-12-01T09:00:00+03:00");
  g_assert_cmpstr (b24_test_string (got, "result.task.endDatePlan"), ==, "2025-12-05T18:00:00+03:00");

  /* The deal's tasks by the binding filter; {"tasks":[…]} plus total. */
  other = b24_test_rest (emu, "tasks.task.add", "{\"fields\":{\"TITLE\":\"Other\",\"RESPONSIBLE_ID\":1,"
                                                  "\"UF_CRM_TASK\":[\"D_11\"]}}", &status);
  list = b24_test_rest (emu, "tasks.task.list", "{\"filter\":{\"UF_CRM_TASK\":\"D_10\"},"
                                                 "\"select\":[\"ID\",\"TITLE\",\"UF_CRM_TASK\"]}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (list, "total"), ==, 1);
  g_assert_cmpstr (b24_test_string (list, "result.tasks.0.title"), ==, "Замер");
  g_assert_cmpstr (b24_test_string (list, "result.tasks.0.ufCrmTask.0"), ==, "D_10");
}

static void
test_plan_date_rules (void)
{
  g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autofree char *body = NULL;
  gint64 id;
  guint status;

  a = b24_test_rest (emu, "tasks.task.add", "{\"fields\":{\"TITLE\":\"x\",\"RESPONSIBLE_ID\":1,"
                                             "\"START_DATE_PLAN\":\"2025-12-05T09:00:00\",\"END_DATE_PLAN\":\"2025-12-01T09:00:00\"}}",
                     &status);
  assert_error (a, status, 400, "ERROR_CORE", "The end date in scheduling is earlier than the start date<br>");
  b = b24_test_rest (emu, "tasks.task.add", "{\"fields\":{\"TITLE\":\"x\",\"RESPONSIBLE_ID\":1,"
                                             "\"START_DATE_PLAN\":\"2025-12-05T09:00:00\"}}", &status);
  assert_error (b, status, 400, "ERROR_CORE", NULL);
  c = b24_test_rest (emu, "tasks.task.add", "{\"fields\":{\"RESPONSIBLE_ID\":1}}", &status);
  assert_error (c, status, 400, "ERROR_CORE", "Task title is not specified<br>");
  /* update: no fields at all; an end moved before the stored start. */
  id = add_task ("{\"TITLE\":\"y\",\"RESPONSIBLE_ID\":1,\"START_DATE_PLAN\":\"2025-12-01T09:00:00\","
                 "\"END_DATE_PLAN\":\"2025-12-02T09:00:00\"}");
  body = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"END_DATE_PLAN\":\"2025-11-30T09:00:00\"}}", id);
  d = b24_test_rest (emu, "tasks.task.update", body, &status);
  assert_error (d, status, 400, "ERROR_CORE", "The end date in scheduling is earlier than the start date<br>");
  {
    g_autofree char *empty = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{}}", id);
    g_autoptr(JsonNode) e = b24_test_rest (emu, "tasks.task.update", empty, &status);

    assert_error (e, status, 400, "100", "Could not find value for parameter {fields}");
  }
}

static void
test_parent_cycles (void)
{
  gint64 parent = add_task ("{\"TITLE\":\"parent\",\"RESPONSIBLE_ID\":1}");
  g_autofree char *child_fields = g_strdup_printf ("{\"TITLE\":\"child\",\"RESPONSIBLE_ID\":1,\"PARENT_ID\":%" G_GINT64_FORMAT "}",
                                                   parent);
  gint64 child = add_task (child_fields);
  g_autofree char *self = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"PARENT_ID\":%" G_GINT64_FORMAT "}}",
                                           parent, parent);
  g_autofree char *cycle = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"PARENT_ID\":%" G_GINT64_FORMAT "}}",
                                            parent, child);
  g_autoptr(JsonNode) a = NULL, b = NULL;
  guint status;

  a = b24_test_rest (emu, "tasks.task.update", self, &status);
  assert_error (a, status, 400, "ERROR_CORE", "Cannot bind the node to itself<br>");
  b = b24_test_rest (emu, "tasks.task.update", cycle, &status);
  assert_error (b, status, 400, "ERROR_CORE", "Creating cyclic links in tasks is prohibited<br>");
}

static void
test_control_flow (void)
{
  /* Created by user 1 for user 3 with control: completion waits for the creator. */
  gint64 id = add_task ("{\"TITLE\":\"Акт\",\"RESPONSIBLE_ID\":3,\"TASK_CONTROL\":\"Y\"}");
  g_autofree char *body = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", id);
  g_autoptr(JsonNode) started = NULL, done = NULL, refused = NULL, back = NULL, again = NULL, approved = NULL;
  g_autoptr(JsonNode) missing = NULL;
  guint status;

  started = as_user3 ("tasks.task.start", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (started, "result.task.status"), ==, "3");
  done = as_user3 ("tasks.task.complete", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (done, "result.task.status"), ==, "4");
  /* The assignee may not accept their own work. */
  refused = as_user3 ("tasks.task.approve", body, &status);
  assert_error (refused, status, 400, "1048582", "Action on the task is not allowed");
  back = b24_test_rest (emu, "tasks.task.disapprove", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (back, "result.task.status"), ==, "2");
  again = as_user3 ("tasks.task.complete", body, &status);
  g_assert_cmpstr (b24_test_string (again, "result.task.status"), ==, "4");
  g_assert_true (json_node_get_boolean (json_object_get_member (b24_test_object (again, "result.task.action"), "renew")));
  approved = b24_test_rest (emu, "tasks.task.approve", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (approved, "result.task.status"), ==, "5");
  g_assert_cmpstr (b24_test_string (approved, "result.task.closedBy"), ==, "1");
  missing = b24_test_rest (emu, "tasks.task.complete", "{\"taskId\":999999}", &status);
  assert_error (missing, status, 400, "0", "Action on the task is not allowed");
}

/* Only who may edit a task (action.edit: the creator or an admin) changes it; anyone else
 * gets the missing task's answer (§7.9: missing task or missing rights). */
static void
test_update_rights (void)
{
  gint64 id = add_task ("{\"TITLE\":\"Замер\",\"RESPONSIBLE_ID\":3}");
  g_autofree char *body = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT ",\"fields\":{\"TITLE\":\"Иначе\"}}", id);
  g_autoptr(JsonNode) refused = NULL, read = NULL, changed = NULL;
  g_autofree char *get = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", id);
  guint status;

  refused = as_user3 ("tasks.task.update", body, &status);
  assert_error (refused, status, 400, "0", "Action on the task is not allowed");
  read = as_user3 ("tasks.task.get", get, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (read, "result.task.title"), ==, "Замер");
  g_assert_false (json_node_get_boolean (json_object_get_member (b24_test_object (read, "result.task.action"), "edit")));
  changed = b24_test_rest (emu, "tasks.task.update", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (changed, "result.task.title"), ==, "Иначе");
}

static void
test_dependence (void)
{
  gint64 a = add_task ("{\"TITLE\":\"Демонтаж\",\"RESPONSIBLE_ID\":1}");
  gint64 b = add_task ("{\"TITLE\":\"Монтаж\",\"RESPONSIBLE_ID\":1}");
  g_autofree char *link = g_strdup_printf ("{\"taskIdFrom\":%" G_GINT64_FORMAT ",\"taskIdTo\":%" G_GINT64_FORMAT ",\"linkType\":2}",
                                           a, b);
  g_autofree char *unlink = g_strdup_printf ("{\"taskIdFrom\":%" G_GINT64_FORMAT ",\"taskIdTo\":%" G_GINT64_FORMAT "}", a, b);
  g_autofree char *depends = g_strdup_printf ("{\"filter\":{\"DEPENDS_ON\":%" G_GINT64_FORMAT "},\"select\":[\"ID\"]}", a);
  g_autoptr(JsonNode) added = NULL, dup = NULL, list = NULL, removed = NULL, gone = NULL, bad = NULL, dumped = NULL;
  guint status;

  added = b24_test_rest (emu, "task.dependence.add", link, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (b24_test_array (added, "result")), ==, 0);
  dup = b24_test_rest (emu, "task.dependence.add", link, &status);
  assert_error (dup, status, 400, "ILLEGAL_NEW_LINK", "A link between tasks already exists");
  list = b24_test_rest (emu, "tasks.task.list", depends, &status);
  g_assert_cmpint (b24_test_int (list, "total"), ==, 1);
  g_assert_cmpint (g_ascii_strtoll (b24_test_string (list, "result.tasks.0.id"), NULL, 10), ==, b);
  dumped = b24_test_control (emu, "dump", NULL);
  g_assert_cmpint (b24_test_int (dumped, "task_dependence.0.LINK_TYPE"), ==, 2);
  removed = b24_test_rest (emu, "task.dependence.delete", unlink, &status);
  g_assert_cmpuint (status, ==, 200);
  gone = b24_test_rest (emu, "task.dependence.delete", unlink, &status);
  assert_error (gone, status, 400, "ILLEGAL_NEW_LINK", "The dependency between tasks does not exist");
  g_free (link);
  link = g_strdup_printf ("{\"taskIdFrom\":%" G_GINT64_FORMAT ",\"taskIdTo\":%" G_GINT64_FORMAT ",\"linkType\":7}", a, b);
  bad = b24_test_rest (emu, "task.dependence.add", link, &status);
  g_assert_cmpuint (status, ==, 400);
  (void) removed;
}

static void
test_list_delete_and_events (void)
{
  g_autoptr(JsonNode) token = b24_test_control (emu, "token", "{\"user_id\":1}");
  g_autofree char *bind_url = g_strdup_printf ("%s/rest/event.bind?auth=%s", emu->base,
                                               b24_test_string (token, "access_token"));
  g_autofree char *get_url = g_strdup_printf ("%s/rest/event.offline.get?auth=%s", emu->base,
                                              b24_test_string (token, "access_token"));
  g_autoptr(JsonNode) bound = NULL, events = NULL, list = NULL, deleted = NULL, after = NULL, bad = NULL;
  g_autofree char *body = NULL;
  gint64 id;
  guint status;

  bound = b24_test_http (emu, "POST", bind_url, "application/json",
                         "{\"event\":\"ONTASKADD\",\"event_type\":\"offline\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  id = add_task ("{\"TITLE\":\"Событие\",\"RESPONSIBLE_ID\":1}");
  events = b24_test_http (emu, "POST", get_url, "application/json", "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (b24_test_string (events, "result.events.0.EVENT_NAME"), ==, "ONTASKADD");
  g_assert_cmpint (g_ascii_strtoll (b24_test_string (events, "result.events.0.EVENT_DATA.FIELDS_AFTER.ID"), NULL, 10), ==, id);
  g_assert_cmpstr (b24_test_string (events, "result.events.0.EVENT_DATA.FIELDS_BEFORE"), ==, "undefined");

  /* Default order ID DESC; pages of 50 with total and next. */
  for (guint i = 0; i < 55; i++)
    add_task ("{\"TITLE\":\"bulk\",\"RESPONSIBLE_ID\":2}");
  list = b24_test_rest (emu, "tasks.task.list", "{\"filter\":{\"RESPONSIBLE_ID\":2,\"REAL_STATUS\":2},\"select\":[\"ID\"]}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (b24_test_int (list, "total"), ==, 55);
  g_assert_cmpint (b24_test_int (list, "next"), ==, 50);
  g_assert_cmpuint (json_array_get_length (b24_test_array (list, "result.tasks")), ==, 50);
  g_assert_cmpint (g_ascii_strtoll (b24_test_string (list, "result.tasks.0.id"), NULL, 10), >,
                   g_ascii_strtoll (b24_test_string (list, "result.tasks.1.id"), NULL, 10));
  {
    /* Meta-status -1: overdue (deadline past, not completed). */
    g_autoptr(JsonNode) overdue = NULL;
    gint64 late = add_task ("{\"TITLE\":\"Просрочена\",\"RESPONSIBLE_ID\":2,\"DEADLINE\":\"2020-01-01T10:00:00\"}");

    overdue = b24_test_rest (emu, "tasks.task.list", "{\"filter\":{\"STATUS\":-1,\"RESPONSIBLE_ID\":2},\"select\":[\"ID\"]}", &status);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (b24_test_int (overdue, "total"), ==, 1);
    g_assert_cmpint (g_ascii_strtoll (b24_test_string (overdue, "result.tasks.0.id"), NULL, 10), ==, late);
  }
  bad = b24_test_rest (emu, "tasks.task.list", "{\"order\":{\"NO_SUCH\":\"ASC\"}}", &status);
  assert_error (bad, status, 400, "0", "Invalid sorting key (internal error)");

  body = g_strdup_printf ("{\"taskId\":%" G_GINT64_FORMAT "}", id);
  deleted = b24_test_rest (emu, "tasks.task.delete", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_node_get_boolean (json_object_get_member (b24_test_object (deleted, "result"), "task")));
  after = b24_test_rest (emu, "tasks.task.get", body, &status);
  g_assert_cmpuint (status, ==, 400);
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  emu = b24_test_start ("--rate", "0", "--webhook", "3:three", NULL);
  g_test_add_func ("/emulator/tasks/add-shape", test_add_shape);
  g_test_add_func ("/emulator/tasks/deal-binding-and-dates", test_deal_binding_and_dates);
  g_test_add_func ("/emulator/tasks/plan-date-rules", test_plan_date_rules);
  g_test_add_func ("/emulator/tasks/parent-cycles", test_parent_cycles);
  g_test_add_func ("/emulator/tasks/control-flow", test_control_flow);
  g_test_add_func ("/emulator/tasks/dependence", test_dependence);
  g_test_add_func ("/emulator/tasks/update-rights", test_update_rights);
  g_test_add_func ("/emulator/tasks/list-delete-events", test_list_delete_and_events);
  result = g_test_run ();
  b24_test_stop (emu);
  return result;
}
