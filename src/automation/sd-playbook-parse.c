/* sd-playbook-parse.c: checking a playbook document and building an SdPlaybook from it.
 *
 * A playbook is refused as a whole at its first fault, and the message names the file,
 * the JSON path and what was expected, so whoever edits the file by hand can fix it
 * without reading code. Unknown members are faults too: a misspelt member would
 * otherwise be silently ignored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-json-check.h"
#include "sd-playbook-private.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

typedef SdJsonCheck Ctx;

static const char *const top_members[] = {
  "format", "code", "name", "currency", "sort", "comment", "roles", "stages", "fields",
  "access", "mapping", "rating", NULL
};
static const char *const role_members[] = { "code", "name", "comment", NULL };
static const char *const stage_members[] = {
  "code", "name", "color", "semantics", "sort", "comment", "guards", "triggers", "robots", NULL
};
static const char *const field_members[] = {
  "code", "name", "kind", "entity", "required", "sort", "options", "comment", NULL
};
static const char *const option_members[] = { "code", "label", "comment", NULL };
static const char *const access_members[] = { "role", "stages", "actions", "comment", NULL };

static const char *const semantics_names[] = { "process", "won", "lost", NULL };
static const char *const kind_names[] = { "string", "number", "date", "bool", "list", NULL };
static const char *const entity_names[] = { "deal", "contact", NULL };

gboolean
sd_playbook_is_code (const char *text)
{
  if (!g_ascii_islower (text[0]))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return strlen (text) <= 64;
}

static gboolean
is_color (const char *text)
{
  if (strlen (text) != 7 || text[0] != '#')
    return FALSE;
  for (guint i = 1; i < 7; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_language (const char *text)
{
  gsize length = strlen (text);

  if (length < 2 || length > 16)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalpha (*p) && *p != '_' && *p != '-' && *p != '@')
      return FALSE;
  return TRUE;
}

/* Looks up @name in @object; NULL with no error when it is absent and optional. */
static JsonNode *
get_member (Ctx         *ctx,
            JsonObject  *object,
            const char  *parent,
            const char  *name,
            gboolean     required,
            char       **out_path)
{
  *out_path = g_strdup_printf ("%s.%s", parent, name);
  if (json_object_has_member (object, name))
    return json_object_get_member (object, name);
  if (required)
    sd_json_check_invalid (ctx, *out_path, _("required member is missing"));
  return NULL;
}

#define ABSENT_OK(node, required) ((node) == NULL && !(required))

static gboolean
get_string (Ctx         *ctx,
            JsonObject  *object,
            const char  *parent,
            const char  *name,
            gboolean     required,
            const char **out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, required, &path);

  *out = NULL;
  if (ABSENT_OK (node, required))
    return TRUE;
  if (node == NULL)
    return FALSE;
  if (!sd_json_check_holds_string (node))
    return sd_json_check_expected (ctx, path, C_("what was expected", "a string"), node);
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_int (Ctx        *ctx,
         JsonObject *object,
         const char *parent,
         const char *name,
         gboolean    required,
         gint64     *out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, required, &path);

  if (ABSENT_OK (node, required))
    return TRUE;
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return sd_json_check_expected (ctx, path, C_("what was expected", "a whole number"), node);
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (Ctx        *ctx,
          JsonObject *object,
          const char *parent,
          const char *name,
          gboolean   *out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, FALSE, &path);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return sd_json_check_expected (ctx, path, C_("what was expected", "true or false"), node);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_code (Ctx         *ctx,
          JsonObject  *object,
          const char  *parent,
          const char  *name,
          const char **out)
{
  if (!get_string (ctx, object, parent, name, TRUE, out))
    return FALSE;
  if (!sd_playbook_is_code (*out))
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", parent, name);
      return sd_json_check_expected (ctx, path,
                                     C_("what was expected", "a code of lower-case ASCII letters, "
                                               "digits and “_” starting with a letter"),
                       json_object_get_member (object, name));
    }
  return TRUE;
}

/* One of @names, or @fallback when absent. */
static gboolean
get_choice (Ctx               *ctx,
            JsonObject        *object,
            const char        *parent,
            const char        *name,
            const char *const *names,
            const char        *fallback,
            const char       **out)
{
  if (!get_string (ctx, object, parent, name, fallback == NULL, out))
    return FALSE;
  if (*out == NULL)
    *out = fallback;
  else
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", parent, name);
      return sd_json_check_choice (ctx, json_object_get_member (object, name), path, names, out);
    }
  return TRUE;
}

static gboolean
get_array (Ctx         *ctx,
           JsonObject  *object,
           const char  *parent,
           const char  *name,
           gboolean     required,
           JsonArray  **out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, required, &path);

  *out = NULL;
  if (ABSENT_OK (node, required))
    return TRUE;
  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return sd_json_check_expected (ctx, path, C_("what was expected", "an array"), node);
  *out = json_node_get_array (node);
  return TRUE;
}

static JsonObject *
element_object (Ctx        *ctx,
                JsonArray  *array,
                guint       index,
                const char *path)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sd_json_check_expected (ctx, path, C_("what was expected", "an object"), node);
      return NULL;
    }
  return json_node_get_object (node);
}

/* A name shown to users: "Замер", or { "en": "Measurement", "ru": "Замер" }. */
gboolean
sd_playbook_parse_text (const char      *file,
                        const char      *path,
                        JsonNode        *node,
                        SdPlaybookText **out,
                        GError         **error)
{
  g_autoptr(SdPlaybookText) text = sd_playbook_text_new ();
  g_autoptr(GStrvBuilder) languages = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) texts = g_strv_builder_new ();
  Ctx ctx = { file, error };
  const char *what = C_("what was expected",
                        "a text or an object of texts by language like {\"en\": …, \"ru\": …}");

  if (sd_json_check_holds_string (node))
    {
      if (*json_node_get_string (node) == '\0')
        return sd_json_check_expected (&ctx, path, C_("what was expected", "a non-empty text"),
                                       node);
      g_strv_builder_add (languages, "");
      g_strv_builder_add (texts, json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) > 0)
    {
      JsonObject *by_language = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (by_language);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *member_path = g_strdup_printf ("%s.%s", path, (const char *) l->data);
          JsonNode *value = json_object_get_member (by_language, l->data);

          if (!is_language (l->data))
            return sd_json_check_invalid (&ctx, member_path,
                                          _("expected a language code like \"en\" or \"ru\""));
          if (!sd_json_check_holds_string (value) || *json_node_get_string (value) == '\0')
            return sd_json_check_expected (&ctx, member_path,
                                           C_("what was expected", "a non-empty text"), value);
          g_strv_builder_add (languages, l->data);
          g_strv_builder_add (texts, json_node_get_string (value));
        }
    }
  else
    return sd_json_check_expected (&ctx, path, what, node);

  text->languages = g_strv_builder_end (languages);
  text->texts = g_strv_builder_end (texts);
  *out = g_steal_pointer (&text);
  return TRUE;
}

static gboolean
get_text (Ctx             *ctx,
          JsonObject      *object,
          const char      *parent,
          const char      *name,
          SdPlaybookText **out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, TRUE, &path);

  return node != NULL && sd_playbook_parse_text (ctx->file, path, node, out, ctx->error);
}

/* Members whose insides are read elsewhere: only their shape is checked here. */
static gboolean
get_reserved (Ctx         *ctx,
              JsonObject  *object,
              const char  *parent,
              const char  *name,
              gboolean     want_object,
              JsonNode   **out)
{
  g_autofree char *path = NULL;
  JsonNode *node = get_member (ctx, object, parent, name, FALSE, &path);

  if (node == NULL)
    return TRUE;
  if (want_object ? !JSON_NODE_HOLDS_OBJECT (node) : !JSON_NODE_HOLDS_ARRAY (node))
    return sd_json_check_expected (ctx, path,
                                   want_object ? C_("what was expected", "an object")
                                 : C_("what was expected", "an array"),
                     node);
  *out = json_node_copy (node);
  return TRUE;
}

/* Remembers @code under @path; refuses a second use of it. */
static gboolean
claim_code (Ctx        *ctx,
            GHashTable *seen,
            const char *code,
            const char *path,
            const char *what)
{
  const char *first = g_hash_table_lookup (seen, code);

  if (first == NULL)
    {
      g_hash_table_insert (seen, g_strdup (code), g_strdup (path));
      return TRUE;
    }
  /* One whole sentence for each kind, for translators. */
  if (g_str_equal (what, "role"))
    return sd_json_check_invalid (ctx, path, _("duplicate role code \"%s\" (first used at %s)"),
                                  code, first);
  if (g_str_equal (what, "stage"))
    return sd_json_check_invalid (ctx, path, _("duplicate stage code \"%s\" (first used at %s)"),
                                  code, first);
  if (g_str_equal (what, "field"))
    return sd_json_check_invalid (ctx, path, _("duplicate field code \"%s\" (first used at %s)"),
                                  code, first);
  return sd_json_check_invalid (ctx, path, _("duplicate option code \"%s\" (first used at %s)"),
                                code, first);
}

static GHashTable *
new_seen (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static gboolean
parse_roles (Ctx        *ctx,
             JsonObject *root,
             SdPlaybook *pb)
{
  g_autoptr(GHashTable) seen = new_seen ();
  JsonArray *array;

  if (!get_array (ctx, root, "$", "roles", TRUE, &array))
    return FALSE;
  if (json_array_get_length (array) == 0)
    return sd_json_check_invalid (ctx, "$.roles", _("expected at least one role"));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("$.roles[%u]", i);
      g_autofree char *code_path = g_strdup_printf ("%s.code", path);
      JsonObject *object = element_object (ctx, array, i, path);
      SdPlaybookRole *role;
      const char *code;

      if (object == NULL || !sd_json_check_members (ctx, path, object, role_members)
          || !get_code (ctx, object, path, "code", &code)
          || !claim_code (ctx, seen, code, code_path, "role"))
        return FALSE;
      role = g_new0 (SdPlaybookRole, 1);
      role->code = g_strdup (code);
      g_ptr_array_add (pb->roles, role);
      if (!get_text (ctx, object, path, "name", &role->name))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_stage (Ctx        *ctx,
             JsonObject *object,
             const char *path,
             guint       index,
             SdPlaybook *pb)
{
  SdPlaybookStage *stage = g_new0 (SdPlaybookStage, 1);
  g_autofree char *color_path = NULL;
  const char *code, *color, *semantics;
  JsonNode *color_node;

  stage->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_rule_free);

  g_ptr_array_add (pb->stages, stage);
  stage->sort = (index + 1) * 10;
  if (!get_code (ctx, object, path, "code", &code))
    return FALSE;
  stage->code = g_strdup (code);
  if (!get_text (ctx, object, path, "name", &stage->name))
    return FALSE;
  color_node = get_member (ctx, object, path, "color", TRUE, &color_path);
  if (color_node == NULL)
    return FALSE;
  color = sd_json_check_holds_string (color_node) ? json_node_get_string (color_node) : NULL;
  if (color == NULL || !is_color (color))
    return sd_json_check_expected (ctx, color_path,
                                   C_("what was expected",
                        "a colour like \"#RRGGBB\""),
                     color_node);
  stage->color = g_ascii_strdown (color, -1);
  if (!get_choice (ctx, object, path, "semantics", semantics_names, "process", &semantics)
      || !get_int (ctx, object, path, "sort", FALSE, &stage->sort))
    return FALSE;
  stage->semantics = g_strdup (semantics);
  return get_reserved (ctx, object, path, "guards", FALSE, &stage->guards)
         && get_reserved (ctx, object, path, "triggers", FALSE, &stage->triggers)
         && get_reserved (ctx, object, path, "robots", FALSE, &stage->robots);
}

static gboolean
parse_stages (Ctx        *ctx,
              JsonObject *root,
              SdPlaybook *pb)
{
  g_autoptr(GHashTable) seen = new_seen ();
  guint n_process = 0, n_won = 0, n_lost = 0;
  JsonArray *array;

  if (!get_array (ctx, root, "$", "stages", TRUE, &array))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("$.stages[%u]", i);
      g_autofree char *code_path = g_strdup_printf ("%s.code", path);
      JsonObject *object = element_object (ctx, array, i, path);
      const SdPlaybookStage *stage;

      if (object == NULL || !sd_json_check_members (ctx, path, object, stage_members)
          || !parse_stage (ctx, object, path, i, pb))
        return FALSE;
      stage = pb->stages->pdata[pb->stages->len - 1];
      if (!claim_code (ctx, seen, stage->code, code_path, "stage"))
        return FALSE;
      n_process += strcmp (stage->semantics, "process") == 0;
      n_won += strcmp (stage->semantics, "won") == 0;
      n_lost += strcmp (stage->semantics, "lost") == 0;
    }
  if (n_process == 0)
    return sd_json_check_invalid (ctx, "$.stages",
                                  _("expected at least one stage with semantics \"process\""));
  if (n_won == 0)
    return sd_json_check_invalid (ctx, "$.stages",
                                  _("expected at least one stage with semantics \"won\""));
  if (n_lost == 0)
    return sd_json_check_invalid (ctx, "$.stages",
                                  _("expected at least one stage with semantics \"lost\""));
  return TRUE;
}

static gboolean
parse_options (Ctx             *ctx,
               JsonObject      *object,
               const char      *path,
               SdPlaybookField *field)
{
  g_autoptr(GHashTable) seen = new_seen ();
  g_autofree char *options_path = g_strdup_printf ("%s.options", path);
  gboolean is_list = strcmp (field->kind, "list") == 0;
  JsonArray *array;

  if (!get_array (ctx, object, path, "options", is_list, &array))
    return FALSE;
  if (array == NULL)
    return TRUE;
  if (!is_list)
    return sd_json_check_invalid (ctx, options_path,
                                  _("options are only for fields of kind \"list\""));
  if (json_array_get_length (array) == 0)
    return sd_json_check_invalid (ctx, options_path, _("expected at least one option"));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *option_path = g_strdup_printf ("%s[%u]", options_path, i);
      g_autofree char *code_path = g_strdup_printf ("%s.code", option_path);
      JsonObject *element = element_object (ctx, array, i, option_path);
      SdPlaybookOption *option;
      const char *code;

      if (element == NULL || !sd_json_check_members (ctx, option_path, element, option_members)
          || !get_code (ctx, element, option_path, "code", &code)
          || !claim_code (ctx, seen, code, code_path, "option"))
        return FALSE;
      option = g_new0 (SdPlaybookOption, 1);
      option->code = g_strdup (code);
      g_ptr_array_add (field->options, option);
      if (!get_text (ctx, element, option_path, "label", &option->label))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_fields (Ctx        *ctx,
              JsonObject *root,
              SdPlaybook *pb)
{
  g_autoptr(GHashTable) seen = new_seen ();
  JsonArray *array;

  if (!get_array (ctx, root, "$", "fields", FALSE, &array))
    return FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("$.fields[%u]", i);
      g_autofree char *code_path = g_strdup_printf ("%s.code", path);
      JsonObject *object = element_object (ctx, array, i, path);
      SdPlaybookField *field;
      const char *code, *kind, *entity;

      if (object == NULL || !sd_json_check_members (ctx, path, object, field_members)
          || !get_code (ctx, object, path, "code", &code)
          || !claim_code (ctx, seen, code, code_path, "field"))
        return FALSE;
      field = g_new0 (SdPlaybookField, 1);
      field->code = g_strdup (code);
      field->sort = (i + 1) * 10;
      field->options = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_option_free);
      g_ptr_array_add (pb->fields, field);
      if (!get_text (ctx, object, path, "name", &field->name)
          || !get_choice (ctx, object, path, "kind", kind_names, NULL, &kind))
        return FALSE;
      field->kind = g_strdup (kind);
      if (!get_choice (ctx, object, path, "entity", entity_names, "deal", &entity))
        return FALSE;
      field->entity = g_strdup (entity);
      if (!get_bool (ctx, object, path, "required", &field->required)
          || !get_int (ctx, object, path, "sort", FALSE, &field->sort)
          || !parse_options (ctx, object, path, field))
        return FALSE;
    }
  return TRUE;
}

static void
grant (SdPlaybook     *pb,
       const char     *role,
       const char     *stage,
       SdAccessAction  actions)
{
  SdPlaybookAccess *row;

  for (guint i = 0; i < pb->access->len; i++)
    {
      row = pb->access->pdata[i];
      if (strcmp (row->role, role) == 0 && strcmp (row->stage, stage) == 0)
        {
          row->actions |= actions;
          return;
        }
    }
  row = g_new0 (SdPlaybookAccess, 1);
  row->role = g_strdup (role);
  row->stage = g_strdup (stage);
  row->actions = actions;
  g_ptr_array_add (pb->access, row);
}

static gboolean
has_role (SdPlaybook *pb,
          const char *code)
{
  for (guint i = 0; i < pb->roles->len; i++)
    if (strcmp (((SdPlaybookRole *) pb->roles->pdata[i])->code, code) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
parse_actions (Ctx            *ctx,
               JsonObject     *object,
               const char     *path,
               SdAccessAction *out)
{
  g_autofree char *actions_path = g_strdup_printf ("%s.actions", path);
  JsonArray *array;

  *out = SD_ACCESS_NONE;
  if (!get_array (ctx, object, path, "actions", TRUE, &array))
    return FALSE;
  if (json_array_get_length (array) == 0)
    return sd_json_check_invalid (ctx, actions_path, _("expected at least one action"));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *action_path = g_strdup_printf ("%s[%u]", actions_path, i);
      JsonNode *node = json_array_get_element (array, i);
      SdAccessAction action;

      if (!sd_json_check_holds_string (node) || !sd_access_action_parse (json_node_get_string (node), &action))
        return sd_json_check_expected (ctx, action_path,
                                       C_("what was expected",
                            "one of view, edit, move, chat, attach, all"),
                         node);
      *out |= action;
    }
  return TRUE;
}

static gboolean
parse_access (Ctx        *ctx,
              JsonObject *root,
              SdPlaybook *pb)
{
  JsonArray *array;

  if (!get_array (ctx, root, "$", "access", TRUE, &array))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("$.access[%u]", i);
      g_autofree char *role_path = g_strdup_printf ("%s.role", path);
      g_autofree char *stages_path = g_strdup_printf ("%s.stages", path);
      JsonObject *object = element_object (ctx, array, i, path);
      SdAccessAction actions;
      const char *role;
      JsonNode *stages;

      if (object == NULL || !sd_json_check_members (ctx, path, object, access_members)
          || !get_string (ctx, object, path, "role", TRUE, &role))
        return FALSE;
      if (!has_role (pb, role))
        return sd_json_check_invalid (ctx, role_path,
                                      _("unknown role \"%s\" (declare it in $.roles)"), role);
      if (!parse_actions (ctx, object, path, &actions))
        return FALSE;

      stages = json_object_get_member (object, "stages");
      if (stages == NULL)
        return sd_json_check_invalid (ctx, stages_path, _("required member is missing"));
      if (sd_json_check_holds_string (stages) && strcmp (json_node_get_string (stages), "*") == 0)
        {
          for (guint s = 0; s < pb->stages->len; s++)
            grant (pb, role, ((SdPlaybookStage *) pb->stages->pdata[s])->code, actions);
          continue;
        }
      if (!JSON_NODE_HOLDS_ARRAY (stages) || json_array_get_length (json_node_get_array (stages)) == 0)
        return sd_json_check_expected (ctx, stages_path,
                                       C_("what was expected",
                            "\"*\" or a non-empty array of stage codes"),
                         stages);
      for (guint s = 0; s < json_array_get_length (json_node_get_array (stages)); s++)
        {
          g_autofree char *stage_path = g_strdup_printf ("%s[%u]", stages_path, s);
          JsonNode *node = json_array_get_element (json_node_get_array (stages), s);

          if (!sd_json_check_holds_string (node))
            return sd_json_check_expected (ctx, stage_path, C_("what was expected", "a stage code"),
                                           node);
          if (sd_playbook_find_stage (pb, json_node_get_string (node)) == NULL)
            return sd_json_check_invalid (ctx, stage_path,
                                          _("unknown stage \"%s\" (not in $.stages)"),
                                          json_node_get_string (node));
          grant (pb, role, json_node_get_string (node), actions);
        }
    }
  return TRUE;
}

static gboolean
parse_head (Ctx        *ctx,
            JsonObject *root,
            SdPlaybook *pb)
{
  gint64 format = 0;
  const char *code, *currency, *comment;

  if (!sd_json_check_members (ctx, "$", root, top_members)
      || !get_int (ctx, root, "$", "format", TRUE, &format))
    return FALSE;
  if (format != SD_PLAYBOOK_FORMAT)
    return sd_json_check_invalid (ctx, "$.format", _("format %" PRId64 " is not known here "
                                  "(this Sdelka reads format %d)"), format, SD_PLAYBOOK_FORMAT);
  if (!get_code (ctx, root, "$", "code", &code))
    return FALSE;
  pb->code = g_strdup (code);
  if (!get_text (ctx, root, "$", "name", &pb->name)
      || !get_string (ctx, root, "$", "currency", FALSE, &currency)
      || !get_string (ctx, root, "$", "comment", FALSE, &comment)
      || !get_int (ctx, root, "$", "sort", FALSE, &pb->sort))
    return FALSE;
  if (currency != NULL
      && (strlen (currency) != 3 || !g_ascii_isupper (currency[0])
          || !g_ascii_isupper (currency[1]) || !g_ascii_isupper (currency[2])))
    return sd_json_check_expected (ctx, "$.currency",
                                   C_("what was expected", "an ISO 4217 code like \"RUB\""),
                                   json_object_get_member (root, "currency"));
  pb->currency = g_strdup (currency != NULL ? currency : "RUB");
  return get_reserved (ctx, root, "$", "mapping", TRUE, &pb->mapping);
}

SdPlaybook *
sd_playbook_parse (const char  *name_for_errors,
                   JsonNode    *root,
                   GError     **error)
{
  g_autoptr(SdPlaybook) pb = sd_playbook_new ();
  Ctx ctx = { name_for_errors, error };
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      sd_json_check_expected (&ctx, "$", C_("what was expected", "an object"), root);
      return NULL;
    }
  object = json_node_get_object (root);
  if (!parse_head (&ctx, object, pb)
      || !parse_roles (&ctx, object, pb)
      || !parse_stages (&ctx, object, pb)
      || !parse_fields (&ctx, object, pb)
      || !parse_access (&ctx, object, pb)
      || !sd_rules_parse (name_for_errors, object, pb, error))
    return NULL;
  return g_steal_pointer (&pb);
}
