/* sd-playbook.c: loading playbooks, and what a loaded one holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sd-playbook-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (sd-playbook-error-quark, sd_playbook_error)

SdPlaybook *
sd_playbook_new (void)
{
  SdPlaybook *pb = g_new0 (SdPlaybook, 1);

  pb->roles = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_role_free);
  pb->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_stage_free);
  pb->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_field_free);
  pb->access = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_playbook_access_free);
  return pb;
}

void
sd_playbook_free (SdPlaybook *pb)
{
  if (pb == NULL)
    return;
  g_free (pb->code);
  sd_playbook_text_free (pb->name);
  g_free (pb->currency);
  g_ptr_array_unref (pb->roles);
  g_ptr_array_unref (pb->stages);
  g_ptr_array_unref (pb->fields);
  g_ptr_array_unref (pb->access);
  g_clear_pointer (&pb->mapping, json_node_unref);
  sd_rating_rule_free (pb->rating);
  g_free (pb);
}

SdPlaybookText *
sd_playbook_text_new (void)
{
  return g_new0 (SdPlaybookText, 1);
}

void
sd_playbook_text_free (SdPlaybookText *text)
{
  if (text == NULL)
    return;
  g_strfreev (text->languages);
  g_strfreev (text->texts);
  g_free (text);
}

void
sd_playbook_role_free (SdPlaybookRole *role)
{
  g_free (role->code);
  sd_playbook_text_free (role->name);
  g_free (role);
}

void
sd_playbook_stage_free (SdPlaybookStage *stage)
{
  g_free (stage->code);
  sd_playbook_text_free (stage->name);
  g_free (stage->color);
  g_free (stage->semantics);
  g_clear_pointer (&stage->guards, json_node_unref);
  g_clear_pointer (&stage->triggers, json_node_unref);
  g_clear_pointer (&stage->robots, json_node_unref);
  g_clear_pointer (&stage->rules, g_ptr_array_unref);
  g_free (stage);
}

void
sd_playbook_option_free (SdPlaybookOption *option)
{
  g_free (option->code);
  sd_playbook_text_free (option->label);
  g_free (option);
}

void
sd_playbook_field_free (SdPlaybookField *field)
{
  g_free (field->code);
  sd_playbook_text_free (field->name);
  g_free (field->kind);
  g_free (field->entity);
  g_ptr_array_unref (field->options);
  g_free (field);
}

void
sd_playbook_access_free (SdPlaybookAccess *access)
{
  g_free (access->role);
  g_free (access->stage);
  g_free (access);
}

SdPlaybook *
sd_playbook_load_data (const char  *name_for_errors,
                       const char  *json,
                       gssize       length,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (name_for_errors == NULL)
    name_for_errors = "playbook";

  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      /* json-glib names the input "<data>": name the file instead, keeping line:column. */
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "<data>:"))
        g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_SYNTAX, "%s%s",
                     name_for_errors, message + strlen ("<data>"));
      else
        g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_SYNTAX, "%s: %s",
                     name_for_errors, message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_SYNTAX,
                   "%s: %s", name_for_errors, _("the file is empty"));
      return NULL;
    }
  return sd_playbook_parse (name_for_errors, json_parser_get_root (parser), error);
}

SdPlaybook *
sd_playbook_load_file (const char  *path,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  basename = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_IO, "%s: %s", basename,
                   local_error->message);
      return NULL;
    }
  return sd_playbook_load_data (basename, contents, (gssize) length, error);
}

const char *
sd_playbook_get_code (const SdPlaybook *pb)
{
  return pb->code;
}

const SdPlaybookText *
sd_playbook_get_name (const SdPlaybook *pb)
{
  return pb->name;
}

const char *
sd_playbook_get_currency (const SdPlaybook *pb)
{
  return pb->currency;
}

gint64
sd_playbook_get_sort (const SdPlaybook *pb)
{
  return pb->sort;
}

guint
sd_playbook_get_n_roles (const SdPlaybook *pb)
{
  return pb->roles->len;
}

const SdPlaybookRole *
sd_playbook_get_role (const SdPlaybook *pb,
                      guint             index)
{
  g_return_val_if_fail (index < pb->roles->len, NULL);
  return pb->roles->pdata[index];
}

guint
sd_playbook_get_n_stages (const SdPlaybook *pb)
{
  return pb->stages->len;
}

const SdPlaybookStage *
sd_playbook_get_stage (const SdPlaybook *pb,
                       guint             index)
{
  g_return_val_if_fail (index < pb->stages->len, NULL);
  return pb->stages->pdata[index];
}

const SdPlaybookStage *
sd_playbook_find_stage (const SdPlaybook *pb,
                        const char       *code)
{
  for (guint i = 0; i < pb->stages->len; i++)
    {
      const SdPlaybookStage *stage = pb->stages->pdata[i];
      if (g_strcmp0 (stage->code, code) == 0)
        return stage;
    }
  return NULL;
}

guint
sd_playbook_get_n_fields (const SdPlaybook *pb)
{
  return pb->fields->len;
}

const SdPlaybookField *
sd_playbook_get_field (const SdPlaybook *pb,
                       guint             index)
{
  g_return_val_if_fail (index < pb->fields->len, NULL);
  return pb->fields->pdata[index];
}

guint
sd_playbook_get_n_access (const SdPlaybook *pb)
{
  return pb->access->len;
}

const SdPlaybookAccess *
sd_playbook_get_access_row (const SdPlaybook *pb,
                            guint             index)
{
  g_return_val_if_fail (index < pb->access->len, NULL);
  return pb->access->pdata[index];
}

SdAccessAction
sd_playbook_get_access (const SdPlaybook *pb,
                        const char       *role,
                        const char       *stage)
{
  for (guint i = 0; i < pb->access->len; i++)
    {
      const SdPlaybookAccess *row = pb->access->pdata[i];
      if (g_strcmp0 (row->role, role) == 0 && g_strcmp0 (row->stage, stage) == 0)
        return row->actions;
    }
  return SD_ACCESS_NONE;
}

JsonNode *
sd_playbook_get_mapping (const SdPlaybook *pb)
{
  return pb->mapping;
}

const char *
sd_playbook_text_get (const SdPlaybookText *text,
                      const char * const   *languages)
{
  static const char *const fallback[] = { "en", "", NULL };

  g_return_val_if_fail (text != NULL && text->texts[0] != NULL, NULL);

  if (languages == NULL)
    languages = g_get_language_names ();
  for (guint round = 0; round < 2; round++)
    for (const char *const *lang = round == 0 ? languages : fallback; *lang != NULL; lang++)
      for (guint i = 0; text->languages[i] != NULL; i++)
        if (strcmp (text->languages[i], *lang) == 0)
          return text->texts[i];
  return text->texts[0];
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
add_json_files (GPtrArray  *paths,
                const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_build_filename (dir_path, names->pdata[i], NULL));
}

GPtrArray *
sd_playbook_default_paths (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *datadir = g_getenv ("SDELKA_DATADIR");

  if (datadir != NULL && *datadir != '\0')
    {
      g_autofree char *dir = g_build_filename (datadir, "playbooks", NULL);
      add_json_files (paths, dir);
      return paths;
    }
  add_json_files (paths, PKGDATADIR "/playbooks");
  if (paths->len == 0)
    add_json_files (paths, SOURCE_DATADIR "/playbooks");
  return paths;
}
