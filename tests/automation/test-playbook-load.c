/* test-playbook-load.c: the shipped playbooks load, and a broken playbook is refused with
 * a message naming the file, the JSON path and the fault (issue 2, item 4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "sd-playbook.h"
#include "sd-test-store.h"

static const char mini[] =
  "{\"format\": 1, \"code\": \"mini\", \"name\": {\"en\": \"Mini\", \"ru\": \"Мини\"},"
  " \"roles\": [{\"code\": \"head\", \"name\": \"Head\"}, {\"code\": \"foreman\", \"name\": \"Foreman\"}],"
  " \"stages\": ["
  "  {\"code\": \"new\", \"name\": \"New\", \"color\": \"#3584E4\"},"
  "  {\"code\": \"works\", \"name\": \"Works\", \"color\": \"#ff7800\", \"sort\": 20},"
  "  {\"code\": \"won\", \"name\": \"Won\", \"color\": \"#2ec27e\", \"semantics\": \"won\"},"
  "  {\"code\": \"lost\", \"name\": \"Lost\", \"color\": \"#e01b24\", \"semantics\": \"lost\"}],"
  " \"fields\": [{\"code\": \"kind\", \"name\": \"Kind\", \"kind\": \"list\","
  "   \"options\": [{\"code\": \"a\", \"label\": \"A\"}]}],"
  " \"access\": [{\"role\": \"head\", \"stages\": \"*\", \"actions\": [\"all\"]},"
  "  {\"role\": \"foreman\", \"stages\": [\"works\"], \"actions\": [\"view\", \"attach\"]}]}";

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static JsonObject *
member_object (JsonObject *root,
               const char *array,
               guint       index)
{
  return json_array_get_object_element (json_object_get_array_member (root, array), index);
}

/* ---- the shipped playbooks ---- */

static const char *const renovation_stages[] = {
  "registration", "object_data", "measurement", "estimate", "contract", "works",
  "stage_act", "final_act", "won", "lost", NULL
};
static const char *const body_repair_stages[] = {
  "first_contact", "inspection", "cost_estimate", "agreement", "waiting_vehicle",
  "vehicle_in_work", "waiting_payment", "won", "lost", NULL
};
static const char *const b2b_stages[] = {
  "prospect_found", "first_call", "profitability", "proposal_sent", "proposal_discussed",
  "contract", "order_received", "invoiced", "shipped", "payment_control", "won", "lost", NULL
};

static void
assert_stages (const SdPlaybook  *pb,
               const char *const *codes)
{
  g_assert_cmpuint (sd_playbook_get_n_stages (pb), ==, g_strv_length ((char **) codes));
  for (guint i = 0; codes[i] != NULL; i++)
    {
      const SdPlaybookStage *stage = sd_playbook_get_stage (pb, i);
      const char *semantics = g_str_equal (codes[i], "won") ? "won"
                              : g_str_equal (codes[i], "lost") ? "lost" : "process";

      g_assert_cmpstr (stage->code, ==, codes[i]);
      g_assert_cmpstr (stage->semantics, ==, semantics);
      g_assert_cmpuint (strlen (stage->color), ==, 7);
      /* the rules as written stay beside the parsed ones, for the editor */
      g_assert_nonnull (stage->guards);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (stage->robots));
    }
  g_assert_nonnull (sd_playbook_get_mapping (pb));
}

static void
test_shipped_paths (void)
{
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();
  const char *expected[] = { "b2b-sales.json", "b2b-tender.json", "body-repair.json",
                             "renovation.json" };

  g_assert_cmpuint (paths->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *base = g_path_get_basename (paths->pdata[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SdPlaybook) pb = sd_playbook_load_file (paths->pdata[i], &error);

      g_assert_cmpstr (base, ==, expected[i]);
      g_assert_no_error (error);
      g_assert_nonnull (pb);
    }
}

static void
test_shipped_renovation (void)
{
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");

  g_assert_cmpstr (sd_playbook_get_code (pb), ==, "renovation");
  assert_stages (pb, renovation_stages);
  g_assert_cmpuint (sd_playbook_get_n_fields (pb), >=, 3);
  g_assert_cmpstr (sd_playbook_get_field (pb, 0)->code, ==, "object_kind");
  g_assert_cmpuint (sd_playbook_get_field (pb, 0)->options->len, >=, 2);
}

static void
test_shipped_body_repair (void)
{
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("body-repair.json");
  const char *const object_types[] = { "truck", "bus", "after_accident", "fuel_tanker" };
  const SdPlaybookField *field;

  g_assert_cmpstr (sd_playbook_get_code (pb), ==, "body_repair");
  assert_stages (pb, body_repair_stages);
  field = sd_playbook_get_field (pb, 0);
  g_assert_cmpstr (field->code, ==, "object_type");
  g_assert_cmpstr (field->entity, ==, "deal");
  for (guint i = 0; i < G_N_ELEMENTS (object_types); i++)
    g_assert_cmpstr (((SdPlaybookOption *) field->options->pdata[i])->code, ==, object_types[i]);
  field = sd_playbook_get_field (pb, 1);
  g_assert_cmpstr (field->code, ==, "client_type");
  g_assert_cmpstr (field->entity, ==, "contact");
  g_assert_cmpuint (field->options->len, ==, 4);

  /* R-ACL (seed 002): "Cost estimate" only for the senior estimating manager and the head */
  g_assert_cmpint (sd_playbook_get_access (pb, "senior_estimator", "cost_estimate"), ==, SD_ACCESS_ALL);
  g_assert_cmpint (sd_playbook_get_access (pb, "sales_manager", "cost_estimate"), ==, SD_ACCESS_NONE);
  g_assert_cmpint (sd_playbook_get_access (pb, "head", "cost_estimate"), ==, SD_ACCESS_ALL);
  g_assert_cmpint (sd_playbook_get_access (pb, "senior_estimator", "inspection"), ==, SD_ACCESS_NONE);
}

static void
test_shipped_b2b (void)
{
  g_autoptr(SdPlaybook) sales = sd_test_load_shipped ("b2b-sales.json");
  g_autoptr(SdPlaybook) tender = sd_test_load_shipped ("b2b-tender.json");

  g_assert_cmpstr (sd_playbook_get_code (sales), ==, "b2b_sales");
  assert_stages (sales, b2b_stages);
  g_assert_cmpstr (sd_playbook_get_code (tender), ==, "b2b_tender");
  g_assert_nonnull (sd_playbook_find_stage (tender, "bidding"));
  /* seed 001: the rep before the order, the operator after it */
  g_assert_cmpint (sd_playbook_get_access (sales, "sales_manager", "proposal_sent"), ==, SD_ACCESS_ALL);
  g_assert_cmpint (sd_playbook_get_access (sales, "order_operator", "proposal_sent"), ==, SD_ACCESS_NONE);
  g_assert_cmpint (sd_playbook_get_access (sales, "order_operator", "shipped"), ==, SD_ACCESS_ALL);
  g_assert_cmpint (sd_playbook_get_access (sales, "sales_manager", "shipped"), ==,
                   SD_ACCESS_VIEW | SD_ACCESS_CHAT);
}

/* The seed-000 table, with the move each role needs to hand a deal on (docs/PLAYBOOKS.md). */
static void
test_renovation_table (void)
{
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");
  const SdAccessAction vec = SD_ACCESS_VIEW | SD_ACCESS_EDIT | SD_ACCESS_CHAT | SD_ACCESS_MOVE;
  const struct { const char *role; const char *stages; SdAccessAction actions; } table[] = {
    { "operator", "registration object_data", vec },
    { "measurer", "measurement", vec },
    { "estimator", "estimate", vec },
    { "project_manager", "contract works stage_act final_act won lost", SD_ACCESS_ALL },
    { "foreman", "works", SD_ACCESS_VIEW | SD_ACCESS_ATTACH },
    { "head", "registration object_data measurement estimate contract works stage_act "
              "final_act won lost", SD_ACCESS_ALL },
  };

  for (guint r = 0; r < G_N_ELEMENTS (table); r++)
    {
      g_auto(GStrv) granted = g_strsplit (table[r].stages, " ", -1);

      for (guint s = 0; renovation_stages[s] != NULL; s++)
        {
          SdAccessAction want = g_strv_contains ((const char *const *) granted, renovation_stages[s])
                                  ? table[r].actions : SD_ACCESS_NONE;
          g_assert_cmpint (sd_playbook_get_access (pb, table[r].role, renovation_stages[s]), ==, want);
        }
    }
  g_assert_cmpuint (sd_playbook_get_n_roles (pb), ==, G_N_ELEMENTS (table));
}

static void
test_names_by_language (void)
{
  g_autoptr(SdPlaybook) pb = sd_test_load_shipped ("renovation.json");
  const char *const russian[] = { "ru_RU.UTF-8", "ru_RU", "ru", "C", NULL };
  const char *const german[] = { "de_DE", "de", "C", NULL };
  const SdPlaybookStage *stage = sd_playbook_find_stage (pb, "measurement");
  g_autoptr(SdPlaybook) plain = sd_playbook_load_data ("mini.json", mini, -1, NULL);

  g_assert_cmpstr (sd_playbook_text_get (stage->name, russian), ==, "Согласование замера");
  g_assert_cmpstr (sd_playbook_text_get (stage->name, german), ==, "Measurement agreed");
  g_assert_cmpstr (sd_playbook_text_get (sd_playbook_get_name (pb), russian), ==, "Ремонт и отделка");
  /* a plain string serves every language */
  g_assert_cmpstr (sd_playbook_text_get (sd_playbook_find_stage (plain, "works")->name, russian),
                   ==, "Works");
}

static void
test_rules_and_mapping_kept (void)
{
  g_autoptr(JsonNode) root = parse (mini);
  JsonObject *stage = member_object (json_node_get_object (root), "stages", 1);
  g_autoptr(JsonNode) robots = parse ("[{\"code\": \"hello\", \"actions\": [{\"do\": \"notify\","
                                      " \"to\": \"responsible\", \"text\": \"Hi\"}]}]");
  g_autofree char *json = NULL;
  g_autoptr(SdPlaybook) pb = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_member (stage, "robots", g_steal_pointer (&robots));
  json_object_set_member (json_node_get_object (root), "mapping",
                          parse ("{\"stages\": {\"new\": \"C1:NEW\"}}"));
  json = json_to_string (root, FALSE);
  pb = sd_playbook_load_data ("mini.json", json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (sd_playbook_find_stage (pb, "works")->robots)), ==, 1);
  g_assert_cmpuint (sd_playbook_find_stage (pb, "works")->rules->len, ==, 1);
  g_assert_cmpstr (((SdRule *) sd_playbook_find_stage (pb, "works")->rules->pdata[0])->id, ==,
                   "mini/works/hello");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (sd_playbook_get_mapping (pb)));
  g_assert_cmpstr (sd_playbook_find_stage (pb, "new")->color, ==, "#3584e4");
  g_assert_cmpint (sd_playbook_find_stage (pb, "works")->sort, ==, 20);
  g_assert_cmpint (sd_playbook_get_access (pb, "foreman", "works"), ==, SD_ACCESS_VIEW | SD_ACCESS_ATTACH);
}

/* ---- refusals: each case breaks the mini playbook in one place ---- */

typedef struct
{
  const char *name;
  void      (*breakit) (JsonObject *root);
  const char *message;   /* the whole message, or its start when it ends with "…" */
} BadCase;

static void
set_stage_member (JsonObject *root, guint index, const char *member, JsonNode *value)
{
  json_object_set_member (member_object (root, "stages", index), member, value);
}

static JsonNode *
str (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

static JsonNode *
num (gint64 value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, value);
  return node;
}

static void break_sort (JsonObject *r) { set_stage_member (r, 1, "sort", str ("x")); }
static void break_color (JsonObject *r) { set_stage_member (r, 3, "color", num (42)); }
static void break_color_name (JsonObject *r) { set_stage_member (r, 0, "color", str ("blue")); }
static void break_dup_stage (JsonObject *r) { set_stage_member (r, 2, "code", str ("new")); }
static void break_unknown_member (JsonObject *r) { set_stage_member (r, 0, "colour", str ("#ffffff")); }
static void break_missing (JsonObject *r) { json_object_remove_member (member_object (r, "stages", 1), "name"); }
static void break_semantics (JsonObject *r) { set_stage_member (r, 1, "semantics", str ("done")); }
static void break_no_won (JsonObject *r) { set_stage_member (r, 2, "semantics", str ("process")); }
static void break_guards (JsonObject *r) { set_stage_member (r, 0, "guards", parse ("{}")); }
static void break_mapping (JsonObject *r) { json_object_set_member (r, "mapping", parse ("[]")); }
static void break_top_member (JsonObject *r) { json_object_set_member (r, "stage", parse ("[]")); }
static void break_format (JsonObject *r) { json_object_set_member (r, "format", num (2)); }
static void break_code (JsonObject *r) { json_object_set_member (r, "code", str ("Ремонт")); }

static void
break_access_stage (JsonObject *r)
{
  json_object_set_member (member_object (r, "access", 1), "stages", parse ("[\"wroks\"]"));
}

static void
break_access_role (JsonObject *r)
{
  json_object_set_member (member_object (r, "access", 1), "role", str ("forman"));
}

static void
break_action (JsonObject *r)
{
  json_object_set_member (member_object (r, "access", 1), "actions", parse ("[\"view\", \"delete\"]"));
}

static void
break_dup_option (JsonObject *r)
{
  json_object_set_member (member_object (r, "fields", 0), "options",
                          parse ("[{\"code\": \"a\", \"label\": \"A\"}, {\"code\": \"a\", \"label\": \"B\"}]"));
}

static void
break_options_on_text (JsonObject *r)
{
  json_object_set_member (member_object (r, "fields", 0), "kind", str ("string"));
}

static void
break_language (JsonObject *r)
{
  set_stage_member (r, 0, "name", parse ("{\"en\": \"New\", \"ru\": 5}"));
}

static const BadCase bad_cases[] = {
  { "wrong-type", break_sort, "mini.json: $.stages[1].sort: expected a whole number, got \"x\"" },
  { "bad-colour", break_color, "mini.json: $.stages[3].color: expected a colour like \"#RRGGBB\", got 42" },
  { "bad-colour-name", break_color_name, "mini.json: $.stages[0].color: expected a colour like \"#RRGGBB\", got \"blue\"" },
  { "duplicate-stage", break_dup_stage, "mini.json: $.stages[2].code: duplicate stage code \"new\" (first used at $.stages[0].code)" },
  { "unknown-member", break_unknown_member, "mini.json: $.stages[0].colour: unknown member (known ones: code, name, color, …" },
  { "unknown-top-member", break_top_member, "mini.json: $.stage: unknown member …" },
  { "missing-member", break_missing, "mini.json: $.stages[1].name: required member is missing" },
  { "bad-semantics", break_semantics, "mini.json: $.stages[1].semantics: expected one of process, won, lost, got \"done\"" },
  { "no-won-stage", break_no_won, "mini.json: $.stages: expected at least one stage with semantics \"won\"" },
  { "unknown-stage-in-access", break_access_stage, "mini.json: $.access[1].stages[0]: unknown stage \"wroks\" (not in $.stages)" },
  { "unknown-role", break_access_role, "mini.json: $.access[1].role: unknown role \"forman\" (declare it in $.roles)" },
  { "unknown-action", break_action, "mini.json: $.access[1].actions[1]: expected one of view, edit, move, chat, attach, all, got \"delete\"" },
  { "duplicate-option", break_dup_option, "mini.json: $.fields[0].options[1].code: duplicate option code \"a\" (first used at $.fields[0].options[0].code)" },
  { "options-not-list", break_options_on_text, "mini.json: $.fields[0].options: options are only for fields of kind \"list\"" },
  { "name-language", break_language, "mini.json: $.stages[0].name.ru: expected a non-empty text, got 5" },
  { "guards-shape", break_guards, "mini.json: $.stages[0].guards: expected an array, got {}" },
  { "reserved-mapping-shape", break_mapping, "mini.json: $.mapping: expected an object, got []" },
  { "format-version", break_format, "mini.json: $.format: format 2 is not known here (this Sdelka reads format 1)" },
  { "code-ascii", break_code, "mini.json: $.code: expected a code of lower-case ASCII letters, digits and “_” starting with a letter, got \"Ремонт\"" },
};

static void
assert_message (const char *message,
                const char *expected)
{
  if (g_str_has_suffix (expected, "…"))
    {
      g_autofree char *start = g_strndup (expected, strlen (expected) - strlen ("…"));
      if (!g_str_has_prefix (message, start))
        g_error ("“%s” does not start with “%s”", message, start);
    }
  else
    g_assert_cmpstr (message, ==, expected);
}

static void
test_bad_case (gconstpointer data)
{
  const BadCase *bad = data;
  g_autoptr(JsonNode) root = parse (mini);
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SdPlaybook) pb = NULL;

  bad->breakit (json_node_get_object (root));
  json = json_to_string (root, TRUE);
  pb = sd_playbook_load_data ("mini.json", json, -1, &error);
  g_assert_null (pb);
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
  assert_message (error->message, bad->message);
}

static void
test_syntax (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdPlaybook) pb = sd_playbook_load_data ("broken.json",
                                                    "{\n  \"format\": 1,\n  \"code\": renovation\n}",
                                                    -1, &error);

  g_assert_null (pb);
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_SYNTAX);
  /* file:line:column, as compilers write it */
  assert_message (error->message, "broken.json:3:20: …");

  g_clear_error (&error);
  g_assert_null (sd_playbook_load_data ("empty.json", "", 0, &error));
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "empty.json: the file is empty");

  g_clear_error (&error);
  g_assert_null (sd_playbook_load_data ("array.json", "[]", -1, &error));
  g_assert_cmpstr (error->message, ==, "array.json: $: expected an object, got []");
}

/* A file names itself by its base name, wherever it lies. */
static void
test_file_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sdelka-playbook-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "renovation.json", NULL);
  g_autoptr(JsonNode) root = parse (mini);
  g_autofree char *json = NULL;

  break_color (json_node_get_object (root));
  json = json_to_string (root, TRUE);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  g_assert_null (sd_playbook_load_file (path, &error));
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "renovation.json: $.stages[3].color: expected a colour like \"#RRGGBB\", got 42");
  g_unlink (path);

  g_clear_error (&error);
  g_assert_null (sd_playbook_load_file (path, &error));
  g_assert_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "renovation.json: "));
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/automation/playbook/R-PIPE-2/shipped-paths", test_shipped_paths);
  g_test_add_func ("/automation/playbook/R-PIPE-2/renovation", test_shipped_renovation);
  g_test_add_func ("/automation/playbook/R-PIPE-2/body-repair", test_shipped_body_repair);
  g_test_add_func ("/automation/playbook/R-PIPE-2/b2b", test_shipped_b2b);
  g_test_add_func ("/automation/playbook/R-ACL/renovation-table", test_renovation_table);
  g_test_add_func ("/automation/playbook/names-by-language", test_names_by_language);
  g_test_add_func ("/automation/playbook/R-AUTO/rules-and-mapping-kept", test_rules_and_mapping_kept);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/automation/playbook/errors/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_bad_case);
    }
  g_test_add_func ("/automation/playbook/errors/syntax", test_syntax);
  g_test_add_func ("/automation/playbook/errors/file", test_file_errors);
  return g_test_run ();
}
