/* sd-playbook-copy.c: the user's own copy of a shipped playbook.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-playbook-copy"

#include "config.h"

#include "sd-playbook-copy.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

struct _SdPlaybookCopy
{
  GObject     parent_instance;

  char       *default_path;
  char       *user_path;
  char       *file_name;  /* what errors name */
  JsonNode   *root;       /* the document as written */
  SdPlaybook *playbook;   /* root, parsed */
};

enum
{
  CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdPlaybookCopy, sd_playbook_copy, G_TYPE_OBJECT)

const char *
sd_rule_list_to_member (SdRuleList list)
{
  static const char *const members[] = { "guards", "triggers", "robots" };

  g_return_val_if_fail (list <= SD_RULE_LIST_ROBOTS, NULL);
  return members[list];
}

JsonNode *
sd_json_deep_copy (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *result = json_node_new (JSON_NODE_OBJECT);
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (copy, name, sd_json_deep_copy (member));
      json_node_take_object (result, copy);
      return result;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonNode *result = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, sd_json_deep_copy (json_array_get_element (array, i)));
      json_node_take_array (result, copy);
      return result;
    }
  return json_node_copy (node);
}

char *
sd_playbook_copy_user_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "sdelka", "playbooks", NULL);
}

static char *
user_path_for (const char *default_path)
{
  g_autofree char *dir = sd_playbook_copy_user_dir ();
  g_autofree char *name = g_path_get_basename (default_path);

  return g_build_filename (dir, name, NULL);
}

GPtrArray *
sd_playbook_copy_effective_paths (void)
{
  GPtrArray *paths = sd_playbook_default_paths ();

  for (guint i = 0; i < paths->len; i++)
    {
      char *user = user_path_for (paths->pdata[i]);

      if (g_file_test (user, G_FILE_TEST_IS_REGULAR))
        {
          g_free (paths->pdata[i]);
          paths->pdata[i] = user;
        }
      else
        g_free (user);
    }
  return paths;
}

/* Parses @text as a playbook named @name: the document and the playbook, or neither. */
static gboolean
parse (const char  *name,
       const char  *text,
       gssize       length,
       JsonNode   **root_out,
       SdPlaybook **playbook_out,
       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  SdPlaybook *pb = sd_playbook_load_data (name, text, length, error);

  if (pb == NULL)
    return FALSE;
  /* sd_playbook_load_data has just parsed the same text, so this cannot fail. */
  if (!json_parser_load_from_data (parser, text, length, error))
    {
      sd_playbook_free (pb);
      return FALSE;
    }
  *root_out = json_parser_steal_root (parser);
  *playbook_out = pb;
  return TRUE;
}

static gboolean
read_file (SdPlaybookCopy  *self,
           const char      *path,
           GError         **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  SdPlaybook *pb;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_IO, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }
  /* The user's copy and the shipped file share a name: say which one is broken. */
  if (!parse (path == self->user_path ? self->user_path : name, contents, (gssize) length,
              &root, &pb, error))
    return FALSE;
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->playbook, sd_playbook_free);
  self->root = root;
  self->playbook = pb;
  return TRUE;
}

static void
sd_playbook_copy_finalize (GObject *object)
{
  SdPlaybookCopy *self = SD_PLAYBOOK_COPY (object);

  g_free (self->default_path);
  g_free (self->user_path);
  g_free (self->file_name);
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->playbook, sd_playbook_free);
  G_OBJECT_CLASS (sd_playbook_copy_parent_class)->finalize (object);
}

static void
sd_playbook_copy_class_init (SdPlaybookCopyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sd_playbook_copy_finalize;

  /**
   * SdPlaybookCopy::changed:
   *
   * The rules changed and were written, or the default was restored.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sd_playbook_copy_init (SdPlaybookCopy *self)
{
}

SdPlaybookCopy *
sd_playbook_copy_new (const char  *default_path,
                      GError     **error)
{
  g_autoptr(SdPlaybookCopy) self = NULL;

  g_return_val_if_fail (default_path != NULL, NULL);

  self = g_object_new (SD_TYPE_PLAYBOOK_COPY, NULL);
  self->default_path = g_strdup (default_path);
  self->user_path = user_path_for (default_path);
  self->file_name = g_path_get_basename (default_path);
  if (!read_file (self, sd_playbook_copy_is_customized (self) ? self->user_path
                                                             : self->default_path, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
sd_playbook_copy_get_default_path (SdPlaybookCopy *self)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);
  return self->default_path;
}

const char *
sd_playbook_copy_get_user_path (SdPlaybookCopy *self)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);
  return self->user_path;
}

gboolean
sd_playbook_copy_is_customized (SdPlaybookCopy *self)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), FALSE);
  return g_file_test (self->user_path, G_FILE_TEST_IS_REGULAR);
}

const SdPlaybook *
sd_playbook_copy_get_playbook (SdPlaybookCopy *self)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);
  return self->playbook;
}

SdPlaybook *
sd_playbook_copy_load (SdPlaybookCopy  *self,
                       GError         **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);

  text = json_to_string (self->root, FALSE);
  return sd_playbook_load_data (self->file_name, text, -1, error);
}

/* The stage's list in @root, made when @create and missing; NULL otherwise. */
static JsonArray *
find_list (JsonNode   *root,
           guint       stage,
           SdRuleList  list,
           gboolean    create)
{
  JsonArray *stages = json_object_get_array_member (json_node_get_object (root), "stages");
  const char *member = sd_rule_list_to_member (list);
  JsonObject *object;

  if (stage >= json_array_get_length (stages))
    return NULL;
  object = json_array_get_object_element (stages, stage);
  if (!json_object_has_member (object, member))
    {
      if (!create)
        return NULL;
      json_object_set_array_member (object, member, json_array_new ());
    }
  return json_object_get_array_member (object, member);
}

JsonNode *
sd_playbook_copy_dup_rule (SdPlaybookCopy *self,
                           guint           stage,
                           SdRuleList      list,
                           guint           index)
{
  JsonArray *array;

  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);

  array = find_list (self->root, stage, list, FALSE);
  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  return sd_json_deep_copy (json_array_get_element (array, index));
}

/* Puts @rule (NULL: removes) at @index in a copy of the document; NULL for a place that
 * does not exist. */
static JsonNode *
edited (SdPlaybookCopy *self,
        guint           stage,
        SdRuleList      list,
        int             index,
        JsonNode       *rule)
{
  g_autoptr(JsonNode) root = sd_json_deep_copy (self->root);
  JsonArray *array = find_list (root, stage, list, TRUE);

  if (array == NULL || index >= (int) json_array_get_length (array)
      || (index < 0 && rule == NULL))
    return NULL;
  if (index < 0)
    json_array_add_element (array, sd_json_deep_copy (rule));
  else
    {
      /* JsonArray can only remove; rebuild it with the element replaced or left out. */
      g_autoptr(JsonArray) rebuilt = json_array_new ();
      JsonObject *stage_object = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (root), "stages"), stage);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if ((int) i != index)
            json_array_add_element (rebuilt, json_array_dup_element (array, i));
          else if (rule != NULL)
            json_array_add_element (rebuilt, sd_json_deep_copy (rule));
        }
      json_object_set_array_member (stage_object, sd_rule_list_to_member (list),
                                    g_steal_pointer (&rebuilt));
    }
  return g_steal_pointer (&root);
}

static gboolean
check_document (SdPlaybookCopy  *self,
                JsonNode        *root,
                JsonNode       **root_out,
                SdPlaybook     **playbook_out,
                GError         **error)
{
  g_autofree char *text = NULL;

  if (root == NULL)
    {
      g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID,
                   _("%s: the rule is no longer there"), self->file_name);
      return FALSE;
    }
  text = json_to_string (root, TRUE);
  return parse (self->file_name, text, -1, root_out, playbook_out, error);
}

SdPlaybook *
sd_playbook_copy_try_rule (SdPlaybookCopy  *self,
                           guint            stage,
                           SdRuleList       list,
                           int              index,
                           JsonNode        *rule,
                           GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) parsed_root = NULL;
  SdPlaybook *pb = NULL;

  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);
  g_return_val_if_fail (rule != NULL, NULL);

  root = edited (self, stage, list, index, rule);
  if (!check_document (self, root, &parsed_root, &pb, error))
    return NULL;
  return pb;
}

/* Checks @root, writes it to the user's copy and keeps it; takes @root. */
static gboolean
keep (SdPlaybookCopy  *self,
      JsonNode        *root,
      GError         **error)
{
  g_autoptr(JsonNode) owned = root;
  g_autoptr(JsonNode) parsed_root = NULL;
  g_autoptr(SdPlaybook) pb = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;

  if (!check_document (self, owned, &parsed_root, &pb, error))
    return FALSE;
  dir = g_path_get_dirname (self->user_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not make the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  text = json_to_string (parsed_root, TRUE);
  /* g_file_set_contents replaces the file at once: a crash leaves the old copy whole. */
  if (!g_file_set_contents (self->user_path, text, -1, error))
    return FALSE;
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->playbook, sd_playbook_free);
  self->root = g_steal_pointer (&parsed_root);
  self->playbook = g_steal_pointer (&pb);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
sd_playbook_copy_set_rule (SdPlaybookCopy  *self,
                           guint            stage,
                           SdRuleList       list,
                           int              index,
                           JsonNode        *rule,
                           GError         **error)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  return keep (self, edited (self, stage, list, index, rule), error);
}

gboolean
sd_playbook_copy_remove_rule (SdPlaybookCopy  *self,
                              guint            stage,
                              SdRuleList       list,
                              guint            index,
                              GError         **error)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), FALSE);

  return keep (self, edited (self, stage, list, (int) index, NULL), error);
}

gboolean
sd_playbook_copy_set_enabled (SdPlaybookCopy  *self,
                              guint            stage,
                              SdRuleList       list,
                              guint            index,
                              gboolean         enabled,
                              GError         **error)
{
  g_autoptr(JsonNode) rule = NULL;

  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), FALSE);

  rule = sd_playbook_copy_dup_rule (self, stage, list, index);
  if (rule == NULL || !JSON_NODE_HOLDS_OBJECT (rule))
    return keep (self, NULL, error);
  /* Enabled is the default: a rule switched back on reads as it did before. */
  if (enabled)
    json_object_remove_member (json_node_get_object (rule), "enabled");
  else
    json_object_set_boolean_member (json_node_get_object (rule), "enabled", FALSE);
  return sd_playbook_copy_set_rule (self, stage, list, (int) index, rule, error);
}

char *
sd_playbook_copy_new_code (SdPlaybookCopy *self,
                           guint           stage,
                           const char     *base)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), NULL);
  g_return_val_if_fail (base != NULL, NULL);

  for (guint n = 1;; n++)
    {
      g_autofree char *code = n == 1 ? g_strdup (base) : g_strdup_printf ("%s_%u", base, n);
      gboolean used = FALSE;

      for (SdRuleList list = SD_RULE_LIST_GUARDS; list <= SD_RULE_LIST_ROBOTS && !used; list++)
        {
          JsonArray *array = find_list (self->root, stage, list, FALSE);

          for (guint i = 0; array != NULL && i < json_array_get_length (array) && !used; i++)
            {
              JsonNode *node = json_array_get_element (array, i);

              used = JSON_NODE_HOLDS_OBJECT (node)
                     && g_strcmp0 (json_object_get_string_member_with_default (
                                     json_node_get_object (node), "code", NULL), code) == 0;
            }
        }
      if (!used)
        return g_steal_pointer (&code);
    }
}

gboolean
sd_playbook_copy_restore_default (SdPlaybookCopy  *self,
                                  GError         **error)
{
  g_return_val_if_fail (SD_IS_PLAYBOOK_COPY (self), FALSE);

  /* Read the shipped file first: if it cannot be read, the user's copy stays. */
  if (!read_file (self, self->default_path, error))
    return FALSE;
  if (g_unlink (self->user_path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not delete “%s”: %s"), self->user_path, g_strerror (saved_errno));
      return FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}
