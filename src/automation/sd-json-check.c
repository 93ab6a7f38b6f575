/* sd-json-check.c: the checks a playbook's reader makes of its JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-json-check.h"

#include "sd-playbook.h"

#include <glib/gi18n-lib.h>

/* The value as the file wrote it, shortened to keep the message on one line. */
static char *
describe (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  if (g_utf8_strlen (text, -1) > 40)
    {
      g_autofree char *head = g_utf8_substring (text, 0, 37);
      return g_strconcat (head, "…", NULL);
    }
  return g_steal_pointer (&text);
}

gboolean
sd_json_check_invalid (SdJsonCheck *check,
                       const char  *path,
                       const char  *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (check->error, SD_PLAYBOOK_ERROR, SD_PLAYBOOK_ERROR_INVALID, "%s: %s: %s",
               check->file, path, message);
  return FALSE;
}

gboolean
sd_json_check_expected (SdJsonCheck *check,
                        const char  *path,
                        const char  *what,
                        JsonNode    *got)
{
  g_autofree char *text = describe (got);
  /* Translators: the first %s is what a member should have held, one of the messages in
   * the context "what was expected" ("a string", "an array", …); the second the JSON
   * found */
  return sd_json_check_invalid (check, path, _("expected %s, got %s"), what, text);
}

gboolean
sd_json_check_holds_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
sd_json_check_members (SdJsonCheck       *check,
                       const char        *path,
                       JsonObject        *object,
                       const char *const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *member_path = g_strdup_printf ("%s.%s", path, (const char *) l->data);
        g_autofree char *names = g_strjoinv (", ", (char **) allowed);
        return sd_json_check_invalid (check, member_path, _("unknown member (known ones: %s)"), names);
      }
  return TRUE;
}

gboolean
sd_json_check_choice (SdJsonCheck       *check,
                      JsonNode          *node,
                      const char        *path,
                      const char *const *names,
                      const char       **out)
{
  if (!sd_json_check_holds_string (node) || !g_strv_contains (names, json_node_get_string (node)))
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) names);
      g_autofree char *what = g_strdup_printf (C_("what was expected", "one of %s"), joined);
      return sd_json_check_expected (check, path, what, node);
    }
  *out = json_node_get_string (node);
  return TRUE;
}
