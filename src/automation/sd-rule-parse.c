/* sd-rule-parse.c: checking the guards, triggers and robots of a playbook's stages.
 *
 * Rules are read after the stages, roles and fields, because they name them: a rule that
 * moves to an unknown stage, compares an unknown field or notifies an unknown role refuses
 * the whole playbook, with the file, the JSON path and the reason, like any other fault.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-json-check.h"
#include "sd-playbook-private.h"
#include "sd-rule.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef struct
{
  SdJsonCheck  check;
  SdPlaybook  *pb;
  GHashTable  *fields;   /* every name a condition or a placeholder may use */
} Ctx;

static const char *const guard_members[] = { "code", "name", "when", "message", "enabled",
                                             "comment", NULL };
static const char *const trigger_members[] = { "code", "name", "on", "field", "file_kind",
                                               "from", "when", "enabled", "comment", NULL };
static const char *const robot_members[] = { "code", "name", "on", "field", "file_kind",
                                             "when", "delay", "repeat", "actions", "enabled",
                                             "comment", NULL };
static const char *const action_members[] = {
  "do", "to", "channels", "subject", "text", "title", "creator", "deadline",
  "needs_acceptance", "field", "value", "stage", "role", "document", "attach", "after",
  "as", "comment", NULL
};
static const char *const action_names[] = {
  "notify", "message_client", "create_task", "set_field", "move", "assign", "distribute",
  "create_document", "post_feed", "follow_up", NULL
};
static const char *const op_names[] = {
  "set", "empty", "=", "!=", "<", "<=", ">", ">=", "in", "not_in", NULL
};
static const char *const staff_channels[] = { "app", "email", "sms", NULL };
/* "preferred": the way the client chose, in the deal's or contact's notify_by (R-COMM-3). */
static const char *const client_channels[] = { "email", "sms", "messenger", "preferred", NULL };
static const char *const file_kinds[] = { "photo", "document", "plan", "invoice", "act",
                                          "estimate", "contract", NULL };
static const char *const document_kinds[] = { "estimate", "invoice", "act", "contract", NULL };

/* Fields every deal has, besides the playbook's own; contact and company ones prefixed. */
static const char *const builtin_fields[] = {
  "title", "amount", "paid", "left_to_pay", "currency", "source", "stage", "comments",
  "next_contact_on", "measurement_at", "measurement_address", "responsible",
  "contact.name", "contact.first_name", "contact.last_name", "contact.client_type",
  "contact.priority", "contact.address", "contact.email", "contact.phone",
  "company.title", "company.inn", "company.address", "company.email", "company.phone",
  NULL
};
/* Fields set_field refuses. */
static const char *const computed_fields[] = {
  "paid", "left_to_pay", "currency", "stage", "responsible", "contact.name", "contact.email",
  "contact.phone", NULL
};
/* Placeholders that are not fields: who is who, and links. */
static const char *const builtin_placeholders[] = {
  "deal", "contact", "company", "head", "actor", "stage_name", "invoice_link", "lead", NULL
};

/* An array of strings each one of @names (NULL: any string); a lone string is one. */
static gboolean
get_strings (Ctx               *ctx,
             JsonNode          *node,
             const char        *path,
             const char *const *names,
             GStrv             *out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (sd_json_check_holds_string (node))
    {
      const char *one;
      if (names != NULL && !sd_json_check_choice (&ctx->check, node, path, names, &one))
        return FALSE;
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
          JsonNode *item = json_array_get_element (array, i);
          const char *one;

          if (!sd_json_check_holds_string (item))
            return sd_json_check_expected (&ctx->check, item_path,
                                           C_("what was expected", "a string"), item);
          if (names != NULL && !sd_json_check_choice (&ctx->check, item, item_path, names, &one))
            return FALSE;
          g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  else
    return sd_json_check_expected (&ctx->check, path,
                                   C_("what was expected", "a string or a non-empty array of strings"),
                                   node);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
get_duration (Ctx        *ctx,
              JsonNode   *node,
              const char *path,
              gint64     *out)
{
  if (!sd_json_check_holds_string (node) || !sd_duration_parse (json_node_get_string (node), out))
    return sd_json_check_expected (&ctx->check, path,
                                   C_("what was expected", "a duration like \"30m\", \"2h\", \"3d\", \"2w\" or \"1y\""),
                                   node);
  return TRUE;
}

static gboolean
known_stage (Ctx        *ctx,
             JsonNode   *node,
             const char *path)
{
  if (!sd_json_check_holds_string (node))
    return sd_json_check_expected (&ctx->check, path, C_("what was expected", "a stage code"),
                                   node);
  if (sd_playbook_find_stage (ctx->pb, json_node_get_string (node)) == NULL)
    return sd_json_check_invalid (&ctx->check, path, _("unknown stage \"%s\" (not in $.stages)"),
                                  json_node_get_string (node));
  return TRUE;
}

static gboolean
known_field (Ctx        *ctx,
             JsonNode   *node,
             const char *path)
{
  if (!sd_json_check_holds_string (node))
    return sd_json_check_expected (&ctx->check, path, C_("what was expected", "a field name"),
                                   node);
  if (!g_hash_table_contains (ctx->fields, json_node_get_string (node)))
    return sd_json_check_invalid (&ctx->check, path,
                                  _("unknown field \"%s\" (not a deal, contact or company "
                                    "field, nor in $.fields)"), json_node_get_string (node));
  return TRUE;
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

/* "responsible", "head", "head_chain", "actor", "role:CODE" or "user:LOGIN". */
static gboolean
check_person (Ctx        *ctx,
              const char *person,
              const char *path)
{
  static const char *const plain[] = { "responsible", "head", "head_chain", "actor", NULL };

  if (g_strv_contains (plain, person))
    return TRUE;
  if (g_str_has_prefix (person, "role:"))
    {
      if (!has_role (ctx->pb, person + 5))
        return sd_json_check_invalid (&ctx->check, path,
                                      _("unknown role \"%s\" (declare it in $.roles)"), person + 5);
      return TRUE;
    }
  if (g_str_has_prefix (person, "user:") && person[5] != '\0')
    return TRUE;
  return sd_json_check_invalid (&ctx->check, path,
                                _("expected responsible, head, head_chain, actor, role:CODE or "
                                  "user:LOGIN, got \"%s\""), person);
}

/* A template's {placeholders} must be known, so a typo shows when the file is checked
 * rather than in a message to a client. */
static gboolean
check_template (Ctx                  *ctx,
                const SdPlaybookText *text,
                const char           *path,
                const char *const    *only)
{
  for (guint i = 0; text->texts[i] != NULL; i++)
    for (const char *p = strchr (text->texts[i], '{'); p != NULL; p = strchr (p + 1, '{'))
      {
        const char *end = strchr (p, '}');
        g_autofree char *name = NULL;

        if (end == NULL)
          return sd_json_check_invalid (&ctx->check, path, _("a “{” without its “}”"));
        name = g_strndup (p + 1, end - p - 1);
        if (only != NULL ? !g_strv_contains (only, name)
                         : !g_hash_table_contains (ctx->fields, name)
                           && !g_strv_contains (builtin_placeholders, name))
          return sd_json_check_invalid (&ctx->check, path, _("unknown placeholder {%s}"), name);
      }
  return TRUE;
}

static gboolean
get_template (Ctx             *ctx,
              JsonObject      *object,
              const char      *parent,
              const char      *name,
              gboolean         required,
              SdPlaybookText **out)
{
  g_autofree char *path = g_strdup_printf ("%s.%s", parent, name);
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return required ? sd_json_check_invalid (&ctx->check, path,
                                             _("required member is missing")) : TRUE;
  return sd_playbook_parse_text (ctx->check.file, path, node, out, ctx->check.error)
         && check_template (ctx, *out, path, NULL);
}

static SdCondition *parse_condition (Ctx *ctx, JsonNode *node, const char *path);

static gboolean
parse_children (Ctx         *ctx,
                JsonNode    *node,
                const char  *path,
                SdCondition *condition)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return sd_json_check_expected (&ctx->check, path,
                                   C_("what was expected", "a non-empty array of conditions"),
                                   node);
  array = json_node_get_array (node);
  condition->children = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_condition_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
      SdCondition *child = parse_condition (ctx, json_array_get_element (array, i), item_path);

      if (child == NULL)
        return FALSE;
      g_ptr_array_add (condition->children, child);
    }
  return TRUE;
}

static gboolean
parse_comparison (Ctx         *ctx,
                  JsonObject  *object,
                  const char  *path,
                  SdCondition *condition)
{
  static const char *const members[] = { "field", "op", "value", "comment", NULL };
  g_autofree char *field_path = g_strdup_printf ("%s.field", path);
  g_autofree char *op_path = g_strdup_printf ("%s.op", path);
  g_autofree char *value_path = g_strdup_printf ("%s.value", path);
  JsonNode *value = json_object_get_member (object, "value");
  const char *op;

  if (!sd_json_check_members (&ctx->check, path, object, members)
      || !known_field (ctx, json_object_get_member (object, "field"), field_path))
    return FALSE;
  condition->kind = SD_CONDITION_FIELD;
  condition->field = g_strdup (json_object_get_string_member (object, "field"));
  if (!json_object_has_member (object, "op"))
    return sd_json_check_invalid (&ctx->check, op_path, _("required member is missing"));
  if (!sd_json_check_choice (&ctx->check, json_object_get_member (object, "op"), op_path, op_names,
                             &op))
    return FALSE;
  for (guint i = 0; op_names[i] != NULL; i++)
    if (strcmp (op_names[i], op) == 0)
      condition->op = i;

  if (condition->op == SD_OP_SET || condition->op == SD_OP_EMPTY)
    return value == NULL ? TRUE : sd_json_check_invalid (&ctx->check, value_path,
                                                         _("“set” and “empty” take no value"));
  if (value == NULL)
    return sd_json_check_invalid (&ctx->check, value_path, _("required member is missing"));
  if (condition->op == SD_OP_IN || condition->op == SD_OP_NOT_IN)
    return get_strings (ctx, value, value_path, NULL, &condition->list);
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    {
      condition->numeric = TRUE;
      condition->number = json_node_get_int (value);
      if (sd_rule_field_is_money (condition->field))
        condition->number *= 100;
      return TRUE;
    }
  if (!sd_json_check_holds_string (value))
    return sd_json_check_expected (&ctx->check, value_path,
                                   C_("what was expected", "a string or a whole number"), value);
  condition->text = g_strdup (json_node_get_string (value));
  return TRUE;
}

/* {"field": …, "op": …, "value": …}, {"files": KIND, "at_least": N}, {"role": […]},
 * {"all": […]}, {"any": […]}, {"not": {…}}; an array means all of it. */
static SdCondition *
parse_condition (Ctx        *ctx,
                 JsonNode   *node,
                 const char *path)
{
  g_autoptr(GPtrArray) hold = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_condition_free);
  SdCondition *condition = g_new0 (SdCondition, 1);
  JsonObject *object;

  g_ptr_array_add (hold, condition);
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      condition->kind = SD_CONDITION_ALL;
      if (!parse_children (ctx, node, path, condition))
        return NULL;
      return g_ptr_array_steal_index (hold, 0);
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sd_json_check_expected (&ctx->check, path, C_("what was expected", "a condition object"),
                              node);
      return NULL;
    }
  object = json_node_get_object (node);
  if (json_object_has_member (object, "all") || json_object_has_member (object, "any"))
    {
      const char *name = json_object_has_member (object, "all") ? "all" : "any";
      g_autofree char *child_path = g_strdup_printf ("%s.%s", path, name);
      const char *const members[] = { name, "comment", NULL };

      condition->kind = *name == 'a' && name[1] == 'l' ? SD_CONDITION_ALL : SD_CONDITION_ANY;
      if (!sd_json_check_members (&ctx->check, path, object, members)
          || !parse_children (ctx, json_object_get_member (object, name), child_path, condition))
        return NULL;
    }
  else if (json_object_has_member (object, "not"))
    {
      static const char *const members[] = { "not", "comment", NULL };
      g_autofree char *child_path = g_strdup_printf ("%s.not", path);
      SdCondition *child;

      condition->kind = SD_CONDITION_NOT;
      if (!sd_json_check_members (&ctx->check, path, object, members))
        return NULL;
      child = parse_condition (ctx, json_object_get_member (object, "not"), child_path);
      if (child == NULL)
        return NULL;
      condition->children = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_condition_free);
      g_ptr_array_add (condition->children, child);
    }
  else if (json_object_has_member (object, "files"))
    {
      static const char *const members[] = { "files", "at_least", "comment", NULL };
      g_autofree char *files_path = g_strdup_printf ("%s.files", path);
      g_autofree char *at_least_path = g_strdup_printf ("%s.at_least", path);
      JsonNode *at_least = json_object_get_member (object, "at_least");
      const char *kind;

      condition->kind = SD_CONDITION_FILES;
      condition->at_least = 1;
      if (!sd_json_check_members (&ctx->check, path, object, members)
          || !sd_json_check_choice (&ctx->check, json_object_get_member (object, "files"),
                                    files_path, file_kinds, &kind))
        return NULL;
      condition->file_kind = g_strdup (kind);
      if (at_least != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (at_least) || json_node_get_value_type (at_least) != G_TYPE_INT64
              || json_node_get_int (at_least) < 1)
            {
              sd_json_check_expected (&ctx->check, at_least_path,
                                      C_("what was expected", "a whole number of at least 1"),
                                      at_least);
              return NULL;
            }
          condition->at_least = json_node_get_int (at_least);
        }
    }
  else if (json_object_has_member (object, "role"))
    {
      static const char *const members[] = { "role", "comment", NULL };
      g_autofree char *role_path = g_strdup_printf ("%s.role", path);

      condition->kind = SD_CONDITION_ROLE;
      if (!sd_json_check_members (&ctx->check, path, object, members)
          || !get_strings (ctx, json_object_get_member (object, "role"), role_path, NULL,
                           &condition->roles))
        return NULL;
      for (guint i = 0; condition->roles[i] != NULL; i++)
        if (!has_role (ctx->pb, condition->roles[i]))
          {
            sd_json_check_invalid (&ctx->check, role_path,
                                   _("unknown role \"%s\" (declare it in $.roles)"),
                                   condition->roles[i]);
            return NULL;
          }
    }
  else if (!parse_comparison (ctx, object, path, condition))
    return NULL;
  return g_ptr_array_steal_index (hold, 0);
}

static gboolean
parse_action_people (Ctx          *ctx,
                     JsonObject   *object,
                     const char   *path,
                     SdRuleAction *action,
                     gboolean      required)
{
  g_autofree char *to_path = g_strdup_printf ("%s.to", path);
  JsonNode *node = json_object_get_member (object, "to");

  if (node == NULL)
    return required ? sd_json_check_invalid (&ctx->check, to_path,
                                             _("required member is missing")) : TRUE;
  if (!get_strings (ctx, node, to_path, NULL, &action->to))
    return FALSE;
  for (guint i = 0; action->to[i] != NULL; i++)
    if (!check_person (ctx, action->to[i], to_path))
      return FALSE;
  return TRUE;
}

static gboolean
parse_channels (Ctx               *ctx,
                JsonObject        *object,
                const char        *path,
                const char *const *names,
                const char        *fallback,
                SdRuleAction      *action)
{
  g_autofree char *channels_path = g_strdup_printf ("%s.channels", path);
  JsonNode *node = json_object_get_member (object, "channels");

  if (node == NULL)
    {
      const char *const one[] = { fallback, NULL };
      action->channels = g_strdupv ((char **) one);
      return TRUE;
    }
  return get_strings (ctx, node, channels_path, names, &action->channels);
}

static gboolean
parse_action_kind (Ctx          *ctx,
                   JsonObject   *object,
                   const char   *path,
                   SdRuleAction *action)
{
  g_autofree char *sub = NULL;
  JsonNode *node;

  switch (action->kind)
    {
    case SD_ACTION_NOTIFY:
      return parse_action_people (ctx, object, path, action, TRUE)
             && parse_channels (ctx, object, path, staff_channels, "app", action)
             && get_template (ctx, object, path, "subject", FALSE, &action->subject)
             && get_template (ctx, object, path, "text", TRUE, &action->text);
    case SD_ACTION_MESSAGE_CLIENT:
      sub = g_strdup_printf ("%s.attach", path);
      node = json_object_get_member (object, "attach");
      return parse_channels (ctx, object, path, client_channels, "email", action)
             && get_template (ctx, object, path, "subject", FALSE, &action->subject)
             && get_template (ctx, object, path, "text", TRUE, &action->text)
             && (node == NULL || get_strings (ctx, node, sub, file_kinds, &action->attach));
    case SD_ACTION_CREATE_TASK:
    case SD_ACTION_FOLLOW_UP:
      if (!parse_action_people (ctx, object, path, action, FALSE)
          || !get_template (ctx, object, path, "title", TRUE, &action->subject)
          || !get_template (ctx, object, path, "text", FALSE, &action->text))
        return FALSE;
      if ((node = json_object_get_member (object, "creator")) != NULL)
        {
          sub = g_strdup_printf ("%s.creator", path);
          if (!sd_json_check_holds_string (node))
            return sd_json_check_expected (&ctx->check, sub, C_("what was expected", "a string"),
                                           node);
          if (!check_person (ctx, json_node_get_string (node), sub))
            return FALSE;
          action->creator = g_strdup (json_node_get_string (node));
        }
      if ((node = json_object_get_member (object, "needs_acceptance")) != NULL)
        {
          g_free (sub);
          sub = g_strdup_printf ("%s.needs_acceptance", path);
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
            return sd_json_check_expected (&ctx->check, sub,
                                           C_("what was expected", "true or false"), node);
          action->needs_acceptance = json_node_get_boolean (node);
        }
      g_free (sub);
      node = json_object_get_member (object, action->kind == SD_ACTION_FOLLOW_UP ? "after" : "deadline");
      sub = g_strdup_printf (action->kind == SD_ACTION_FOLLOW_UP ? "%s.after" : "%s.deadline", path);
      if (node == NULL)
        return action->kind == SD_ACTION_FOLLOW_UP
               ? sd_json_check_invalid (&ctx->check, sub, _("required member is missing")) : TRUE;
      return get_duration (ctx, node, sub,
                           action->kind == SD_ACTION_FOLLOW_UP ? &action->after : &action->deadline);
    case SD_ACTION_SET_FIELD:
      sub = g_strdup_printf ("%s.field", path);
      if (!known_field (ctx, json_object_get_member (object, "field"), sub))
        return FALSE;
      /* Sums, the stage and people are computed or have actions of their own; a contact's
       * name is its parts, its e-mail and phone are channels. */
      if (g_strv_contains (computed_fields, json_object_get_string_member (object, "field")))
        return sd_json_check_invalid (&ctx->check, sub,
                                      _("\"%s\" cannot be set by a rule (it is computed, or has an "
                                        "action of its own)"),
                                      json_object_get_string_member (object, "field"));
      action->field = g_strdup (json_object_get_string_member (object, "field"));
      g_free (sub);
      sub = g_strdup_printf ("%s.value", path);
      node = json_object_get_member (object, "value");
      if (node == NULL || (!sd_json_check_holds_string (node) && !(JSON_NODE_HOLDS_VALUE (node)
                                                    && json_node_get_value_type (node) == G_TYPE_INT64)))
        return node == NULL ? sd_json_check_invalid (&ctx->check, sub,
                                                     _("required member is missing"))
                            : sd_json_check_expected (&ctx->check, sub,
                                                      C_("what was expected", "a string or a whole number"),
                                                      node);
      action->value = sd_json_check_holds_string (node) ? g_strdup (json_node_get_string (node))
                                          : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      return TRUE;
    case SD_ACTION_MOVE:
      sub = g_strdup_printf ("%s.stage", path);
      node = json_object_get_member (object, "stage");
      if (node == NULL)
        return sd_json_check_invalid (&ctx->check, sub, _("required member is missing"));
      if (!known_stage (ctx, node, sub))
        return FALSE;
      action->stage = g_strdup (json_node_get_string (node));
      return TRUE;
    case SD_ACTION_ASSIGN:
      return parse_action_people (ctx, object, path, action, TRUE);
    case SD_ACTION_DISTRIBUTE:
      sub = g_strdup_printf ("%s.role", path);
      node = json_object_get_member (object, "role");
      if (node == NULL)
        return sd_json_check_invalid (&ctx->check, sub, _("required member is missing"));
      if (!sd_json_check_holds_string (node) || !has_role (ctx->pb, json_node_get_string (node)))
        return sd_json_check_holds_string (node)
               ? sd_json_check_invalid (&ctx->check, sub,
                                        _("unknown role \"%s\" (declare it in $.roles)"),
                                        json_node_get_string (node))
               : sd_json_check_expected (&ctx->check, sub, C_("what was expected", "a string"),
                                         node);
      action->role = g_strdup (json_node_get_string (node));
      return TRUE;
    case SD_ACTION_CREATE_DOCUMENT:
      {
        const char *kind;
        sub = g_strdup_printf ("%s.document", path);
        node = json_object_get_member (object, "document");
        if (node == NULL)
          return sd_json_check_invalid (&ctx->check, sub, _("required member is missing"));
        if (!sd_json_check_choice (&ctx->check, node, sub, document_kinds, &kind))
          return FALSE;
        action->document = g_strdup (kind);
        return TRUE;
      }
    case SD_ACTION_POST_FEED:
      /* In someone's name ("as"), to some people ("to"); else the app's, to everyone. */
      if ((node = json_object_get_member (object, "as")) != NULL)
        {
          static const char *const several[] = { "head_chain", NULL };

          sub = g_strdup_printf ("%s.as", path);
          if (!sd_json_check_holds_string (node))
            return sd_json_check_expected (&ctx->check, sub, C_("what was expected", "a string"),
                                           node);
          if (!check_person (ctx, json_node_get_string (node), sub))
            return FALSE;
          if (g_strv_contains (several, json_node_get_string (node))
              || g_str_has_prefix (json_node_get_string (node), "role:"))
            return sd_json_check_invalid (&ctx->check, sub,
                                          _("a post is written in one person's name: \"%s\" may be "
                                            "several people"), json_node_get_string (node));
          action->as = g_strdup (json_node_get_string (node));
        }
      return parse_action_people (ctx, object, path, action, FALSE)
             && get_template (ctx, object, path, "text", TRUE, &action->text);
    default:
      g_assert_not_reached ();
    }
}

static SdRuleAction *
parse_action (Ctx        *ctx,
              JsonNode   *node,
              const char *path)
{
  g_autofree char *do_path = g_strdup_printf ("%s.do", path);
  SdRuleAction *action;
  JsonObject *object;
  const char *name;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      sd_json_check_expected (&ctx->check, path, C_("what was expected", "an object"), node);
      return NULL;
    }
  object = json_node_get_object (node);
  if (!sd_json_check_members (&ctx->check, path, object, action_members))
    return NULL;
  if (!json_object_has_member (object, "do"))
    {
      sd_json_check_invalid (&ctx->check, do_path, _("required member is missing"));
      return NULL;
    }
  if (!sd_json_check_choice (&ctx->check, json_object_get_member (object, "do"), do_path,
                             action_names, &name))
    return NULL;
  action = g_new0 (SdRuleAction, 1);
  for (guint i = 0; action_names[i] != NULL; i++)
    if (strcmp (action_names[i], name) == 0)
      action->kind = i;
  if (!parse_action_kind (ctx, object, path, action))
    {
      sd_rule_action_free (action);
      return NULL;
    }
  return action;
}

static gboolean
parse_event (Ctx        *ctx,
             JsonObject *object,
             const char *path,
             SdRule     *rule)
{
  g_autofree char *on_path = g_strdup_printf ("%s.on", path);
  g_autofree char *field_path = g_strdup_printf ("%s.field", path);
  g_autofree char *kind_path = g_strdup_printf ("%s.file_kind", path);
  JsonNode *on = json_object_get_member (object, "on");
  JsonNode *field = json_object_get_member (object, "field");
  JsonNode *kind = json_object_get_member (object, "file_kind");
  const char *kind_name;

  if (on == NULL && rule->kind == SD_RULE_TRIGGER)
    return sd_json_check_invalid (&ctx->check, on_path, _("required member is missing"));
  rule->on = SD_EVENT_ENTERED;
  if (on != NULL && (!sd_json_check_holds_string (on)
                     || !sd_event_kind_from_string (json_node_get_string (on), &rule->on)
                     || rule->on == SD_EVENT_TIMER
                     || (rule->kind == SD_RULE_TRIGGER && rule->on == SD_EVENT_ENTERED)))
    return sd_json_check_expected (&ctx->check, on_path,
                                   rule->kind == SD_RULE_TRIGGER
                                   ? C_("what was expected", "one of created, form_received, field_changed, "
                                               "file_attached, payment_added, approval_given, "
                                               "converted, assigned")
                     : C_("what was expected", "one of entered, created, form_received, "
                                               "field_changed, file_attached, payment_added, "
                                               "approval_given, converted, assigned"),
                     on);
  if (field != NULL)
    {
      if (rule->on != SD_EVENT_FIELD_CHANGED)
        return sd_json_check_invalid (&ctx->check, field_path,
                                      _("“field” is only for “on”: “field_changed”"));
      if (!known_field (ctx, field, field_path))
        return FALSE;
      rule->on_field = g_strdup (json_node_get_string (field));
    }
  if (kind != NULL)
    {
      if (rule->on != SD_EVENT_FILE_ATTACHED)
        return sd_json_check_invalid (&ctx->check, kind_path,
                                      _("“file_kind” is only for “on”: “file_attached”"));
      if (!sd_json_check_choice (&ctx->check, kind, kind_path, file_kinds, &kind_name))
        return FALSE;
      rule->on_file_kind = g_strdup (kind_name);
    }
  return TRUE;
}

static gboolean
parse_rule_body (Ctx        *ctx,
                 JsonObject *object,
                 const char *path,
                 SdRule     *rule)
{
  g_autofree char *sub = NULL;
  JsonNode *node;

  if ((node = json_object_get_member (object, "enabled")) != NULL)
    {
      sub = g_strdup_printf ("%s.enabled", path);
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return sd_json_check_expected (&ctx->check, sub, C_("what was expected", "true or false"),
                                       node);
      rule->enabled = json_node_get_boolean (node);
    }
  if (json_object_has_member (object, "name")
      && !get_template (ctx, object, path, "name", TRUE, &rule->name))
    return FALSE;
  if ((node = json_object_get_member (object, "when")) != NULL)
    {
      g_free (sub);
      sub = g_strdup_printf ("%s.when", path);
      if ((rule->when = parse_condition (ctx, node, sub)) == NULL)
        return FALSE;
    }
  if (rule->kind != SD_RULE_GUARD && !parse_event (ctx, object, path, rule))
    return FALSE;

  switch (rule->kind)
    {
    case SD_RULE_GUARD:
      if (rule->when == NULL)
        {
          g_free (sub);
          sub = g_strdup_printf ("%s.when", path);
          return sd_json_check_invalid (&ctx->check, sub, _("required member is missing"));
        }
      return get_template (ctx, object, path, "message", TRUE, &rule->message);
    case SD_RULE_TRIGGER:
      if ((node = json_object_get_member (object, "from")) != NULL)
        {
          g_free (sub);
          sub = g_strdup_printf ("%s.from", path);
          if (!get_strings (ctx, node, sub, NULL, &rule->from))
            return FALSE;
          for (guint i = 0; rule->from[i] != NULL; i++)
            {
              g_autofree char *item = g_strdup_printf ("%s[%u]", sub, i);
              JsonNode *code = json_node_new (JSON_NODE_VALUE);
              gboolean ok;

              json_node_set_string (code, rule->from[i]);
              ok = known_stage (ctx, code, item);
              json_node_unref (code);
              if (!ok)
                return FALSE;
            }
        }
      return TRUE;
    case SD_RULE_ROBOT:
      {
        JsonArray *actions;

        if ((node = json_object_get_member (object, "delay")) != NULL)
          {
            g_free (sub);
            sub = g_strdup_printf ("%s.delay", path);
            if (!get_duration (ctx, node, sub, &rule->delay))
              return FALSE;
          }
        if ((node = json_object_get_member (object, "repeat")) != NULL)
          {
            g_free (sub);
            sub = g_strdup_printf ("%s.repeat", path);
            if (!get_duration (ctx, node, sub, &rule->repeat))
              return FALSE;
            if (rule->on != SD_EVENT_ENTERED)
              return sd_json_check_invalid (&ctx->check, sub,
                                            _("a robot repeats only while the deal stays in the "
                                              "stage: “on” must be “entered”"));
          }
        g_free (sub);
        sub = g_strdup_printf ("%s.actions", path);
        node = json_object_get_member (object, "actions");
        if (node == NULL)
          return sd_json_check_invalid (&ctx->check, sub, _("required member is missing"));
        if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
          return sd_json_check_expected (&ctx->check, sub,
                                         C_("what was expected", "a non-empty array of actions"),
                                         node);
        actions = json_node_get_array (node);
        rule->actions = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_rule_action_free);
        for (guint i = 0; i < json_array_get_length (actions); i++)
          {
            g_autofree char *item = g_strdup_printf ("%s[%u]", sub, i);
            SdRuleAction *action = parse_action (ctx, json_array_get_element (actions, i), item);

            if (action == NULL)
              return FALSE;
            g_ptr_array_add (rule->actions, action);
          }
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_rule_list (Ctx             *ctx,
                 JsonObject      *stage_object,
                 const char      *stage_path,
                 SdPlaybookStage *stage,
                 SdRuleKind       kind,
                 GHashTable      *seen)
{
  static const char *const list_names[] = { "guards", "triggers", "robots" };
  const char *const *members[] = { guard_members, trigger_members, robot_members };
  const char *list = list_names[kind];
  JsonNode *node = json_object_get_member (stage_object, list);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  array = json_node_get_array (node);  /* its shape was checked with the stage */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%s[%u]", stage_path, list, i);
      g_autofree char *code_path = g_strdup_printf ("%s.code", path);
      JsonNode *element = json_array_get_element (array, i);
      JsonNode *code;
      JsonObject *object;
      SdRule *rule;
      const char *first;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return sd_json_check_expected (&ctx->check, path, C_("what was expected", "an object"),
                                       element);
      object = json_node_get_object (element);
      if (!sd_json_check_members (&ctx->check, path, object, members[kind]))
        return FALSE;
      code = json_object_get_member (object, "code");
      if (code == NULL)
        return sd_json_check_invalid (&ctx->check, code_path, _("required member is missing"));
      if (!sd_json_check_holds_string (code) || !sd_playbook_is_code (json_node_get_string (code)))
        return sd_json_check_expected (&ctx->check, code_path,
                                       C_("what was expected", "a code of lower-case ASCII letters, "
                                                 "digits and “_” starting with a letter"),
                         code);
      first = g_hash_table_lookup (seen, json_node_get_string (code));
      if (first != NULL)
        return sd_json_check_invalid (&ctx->check, code_path,
                                      _("duplicate rule code \"%s\" (first used at %s)"),
                                      json_node_get_string (code), first);
      g_hash_table_insert (seen, g_strdup (json_node_get_string (code)), g_strdup (code_path));

      rule = g_new0 (SdRule, 1);
      rule->kind = kind;
      rule->enabled = TRUE;
      rule->code = g_strdup (json_node_get_string (code));
      rule->stage = g_strdup (stage->code);
      rule->id = g_strdup_printf ("%s/%s/%s", ctx->pb->code, stage->code, rule->code);
      g_ptr_array_add (stage->rules, rule);
      if (!parse_rule_body (ctx, object, path, rule))
        return FALSE;
    }
  return TRUE;
}

static GHashTable *
known_fields (SdPlaybook *pb)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; builtin_fields[i] != NULL; i++)
    g_hash_table_add (fields, g_strdup (builtin_fields[i]));
  for (guint i = 0; i < pb->fields->len; i++)
    {
      const SdPlaybookField *field = pb->fields->pdata[i];
      g_hash_table_add (fields, strcmp (field->entity, "contact") == 0
                                ? g_strconcat ("contact.", field->code, NULL)
                                : g_strdup (field->code));
    }
  return fields;
}

/* Whole percent in 1…100 (or more, for plans). */
static gboolean
get_percent (Ctx        *ctx,
             JsonObject *object,
             const char *member,
             const char *path,
             gint64      max,
             gint64     *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 1 || json_node_get_int (node) > max)
    return sd_json_check_expected (&ctx->check, path,
                                   C_("what was expected", "a whole number of percent"), node);
  *out = json_node_get_int (node);
  return TRUE;
}

/* $.rating.promotion: the seed's promotion after a group vote. */
static gboolean
parse_promotion (Ctx          *ctx,
                 JsonNode     *node,
                 SdRatingRule *rating)
{
  static const char *const members[] = { "at_least", "share", "within", "position", "question",
                                         "announce", "comment", NULL };
  static const char *const question_placeholders[] = { "seller", "plan_percent", "period",
                                                       "position", NULL };
  static const char *const announce_placeholders[] = { "seller", "position", NULL };
  SdPromotionRule *promotion;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return sd_json_check_expected (&ctx->check, "$.rating.promotion",
                                   C_("what was expected", "an object"), node);
  object = json_node_get_object (node);
  if (!sd_json_check_members (&ctx->check, "$.rating.promotion", object, members))
    return FALSE;
  promotion = rating->promotion = g_new0 (SdPromotionRule, 1);
  promotion->at_least = rating->at_least;
  promotion->share = 80;
  promotion->within = 7 * 86400;
  if (!get_percent (ctx, object, "at_least", "$.rating.promotion.at_least", 10000, &promotion->at_least)
      || !get_percent (ctx, object, "share", "$.rating.promotion.share", 99, &promotion->share))
    return FALSE;
  if ((node = json_object_get_member (object, "within")) != NULL
      && !get_duration (ctx, node, "$.rating.promotion.within", &promotion->within))
    return FALSE;
  if ((node = json_object_get_member (object, "position")) == NULL)
    return sd_json_check_invalid (&ctx->check, "$.rating.promotion.position",
                                  _("required member is missing"));
  if (!sd_playbook_parse_text (ctx->check.file, "$.rating.promotion.position", node, &promotion->position,
                               ctx->check.error))
    return FALSE;
  if ((node = json_object_get_member (object, "question")) == NULL)
    return sd_json_check_invalid (&ctx->check, "$.rating.promotion.question",
                                  _("required member is missing"));
  if (!sd_playbook_parse_text (ctx->check.file, "$.rating.promotion.question", node, &promotion->question,
                               ctx->check.error)
      || !check_template (ctx, promotion->question, "$.rating.promotion.question",
                          question_placeholders))
    return FALSE;
  if ((node = json_object_get_member (object, "announce")) != NULL
      && (!sd_playbook_parse_text (ctx->check.file, "$.rating.promotion.announce", node,
                                   &promotion->announce, ctx->check.error)
          || !check_template (ctx, promotion->announce, "$.rating.promotion.announce",
                              announce_placeholders)))
    return FALSE;
  return TRUE;
}

static gboolean
parse_rating (Ctx        *ctx,
              JsonObject *root)
{
  static const char *const members[] = { "role", "every", "at_least", "thanks", "promotion",
                                         "comment", NULL };
  static const char *const periods[] = { "week", "month", NULL };
  static const char *const placeholders[] = { "seller", "plan_percent", "won", "period", NULL };
  JsonNode *node = json_object_get_member (root, "rating");
  SdRatingRule *rating;
  JsonObject *object;
  const char *every;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return sd_json_check_expected (&ctx->check, "$.rating", C_("what was expected", "an object"),
                                   node);
  object = json_node_get_object (node);
  if (!sd_json_check_members (&ctx->check, "$.rating", object, members))
    return FALSE;
  rating = ctx->pb->rating = g_new0 (SdRatingRule, 1);
  rating->at_least = 100;

  node = json_object_get_member (object, "role");
  if (node == NULL)
    return sd_json_check_invalid (&ctx->check, "$.rating.role", _("required member is missing"));
  if (!sd_json_check_holds_string (node))
    return sd_json_check_expected (&ctx->check, "$.rating.role",
                                   C_("what was expected", "a string"), node);
  if (!has_role (ctx->pb, json_node_get_string (node)))
    return sd_json_check_invalid (&ctx->check, "$.rating.role",
                                  _("unknown role \"%s\" (declare it in $.roles)"),
                                  json_node_get_string (node));
  rating->role = g_strdup (json_node_get_string (node));

  node = json_object_get_member (object, "every");
  if (node == NULL)
    return sd_json_check_invalid (&ctx->check, "$.rating.every", _("required member is missing"));
  if (!sd_json_check_choice (&ctx->check, node, "$.rating.every", periods, &every))
    return FALSE;
  rating->weekly = strcmp (every, "week") == 0;

  node = json_object_get_member (object, "at_least");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
          || json_node_get_int (node) < 1)
        return sd_json_check_expected (&ctx->check, "$.rating.at_least",
                                       C_("what was expected", "a whole number of at least 1"), node);
      rating->at_least = json_node_get_int (node);
    }

  node = json_object_get_member (object, "thanks");
  if (node == NULL)
    return sd_json_check_invalid (&ctx->check, "$.rating.thanks", _("required member is missing"));
  if (!sd_playbook_parse_text (ctx->check.file, "$.rating.thanks", node, &rating->thanks, ctx->check.error)
      || !check_template (ctx, rating->thanks, "$.rating.thanks", placeholders))
    return FALSE;
  node = json_object_get_member (object, "promotion");
  return node == NULL || parse_promotion (ctx, node, rating);
}

gboolean
sd_rules_parse (const char  *file,
                JsonObject  *root,
                SdPlaybook  *pb,
                GError     **error)
{
  g_autoptr(GHashTable) fields = known_fields (pb);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Ctx ctx = { { file, error }, pb, fields };
  JsonArray *stages = json_object_get_array_member (root, "stages");

  for (guint i = 0; i < pb->stages->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("$.stages[%u]", i);
      JsonObject *object = json_array_get_object_element (stages, i);
      SdPlaybookStage *stage = pb->stages->pdata[i];

      /* Codes are unique per stage, so the editor can address a rule by stage and code. */
      g_hash_table_remove_all (seen);
      for (SdRuleKind kind = SD_RULE_GUARD; kind <= SD_RULE_ROBOT; kind++)
        if (!parse_rule_list (&ctx, object, path, stage, kind, seen))
          return FALSE;
    }
  return parse_rating (&ctx, root);
}
