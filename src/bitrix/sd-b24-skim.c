/* sd-b24-skim.c: what a batch answer's text says of its list commands, before it is parsed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-skim.h"

#include "sd-json-skim.h"

#include <string.h>

/* @p at an object: the value of its member @name, or NULL. */
static const char *
member (const char *p,
        const char *name)
{
  gsize length = strlen (name);

  p = sd_json_skip_space (p);
  if (*p++ != '{')
    return NULL;
  for (;;)
    {
      const char *end;
      gboolean match;

      p = sd_json_skip_space (p);
      if (*p != '"' || (end = sd_json_skip_string (p)) == NULL)
        return NULL;
      match = (gsize) (end - p - 2) == length && memcmp (p + 1, name, length) == 0;
      p = sd_json_skip_space (end);
      if (*p++ != ':')
        return NULL;
      p = sd_json_skip_space (p);
      if (match)
        return p;
      if ((p = sd_json_skip_value (p)) == NULL)
        return NULL;
      p = sd_json_skip_space (p);
      if (*p++ != ',')
        return NULL;
    }
}

/* @p at a value: counts the rows when it is a list of objects (keeping the last one's ID);
 * just after the value, or NULL. */
static const char *
rows (const char    *p,
      SdB24PageSkim *skim)
{
  const char *start = p;

  if (*p++ != '[')
    return sd_json_skip_value (start);
  skim->rows = 0;
  for (p = sd_json_skip_space (p); *p != ']';)
    {
      const char *id = member (p, "ID");
      const char *end = id != NULL ? sd_json_skip_value (id) : NULL;

      if ((p = sd_json_skip_value (p)) == NULL)
        return NULL;
      g_clear_pointer (&skim->last_id, g_free);
      if (end != NULL)
        {
          if (*id == '"')
            id++, end--;
          skim->last_id = g_strndup (id, end - id);
        }
      skim->rows++;
      p = sd_json_skip_space (p);
      if (*p == ',')
        p = sd_json_skip_space (p + 1);
      else if (*p != ']')
        return NULL;
    }
  return p + 1;
}

static void
skim_clear (gpointer data)
{
  g_free (((SdB24PageSkim *) data)->last_id);
}

GArray *
sd_b24_skim_batch_lists (const char         *text,
                         const char * const *keys,
                         guint               n_keys)
{
  g_autoptr(GArray) skims = g_array_new (FALSE, TRUE, sizeof (SdB24PageSkim));
  const char *p = member (text, "result");

  g_array_set_clear_func (skims, skim_clear);
  g_array_set_size (skims, n_keys);
  for (guint i = 0; i < n_keys; i++)
    g_array_index (skims, SdB24PageSkim, i).rows = -1;
  if (p == NULL || (p = member (p, "result")) == NULL || *p++ != '{')
    return NULL;
  for (p = sd_json_skip_space (p); *p != '}';)
    {
      const char *end = *p == '"' ? sd_json_skip_string (p) : NULL;
      gint found = -1;

      if (end == NULL)
        return NULL;
      for (guint i = 0; i < n_keys && found < 0; i++)
        if (strlen (keys[i]) == (gsize) (end - p - 2) && memcmp (p + 1, keys[i], end - p - 2) == 0)
          found = i;
      p = sd_json_skip_space (end);
      if (*p++ != ':')
        return NULL;
      p = sd_json_skip_space (p);
      p = found >= 0 ? rows (p, &g_array_index (skims, SdB24PageSkim, found)) : sd_json_skip_value (p);
      if (p == NULL)
        return NULL;
      p = sd_json_skip_space (p);
      if (*p == ',')
        p = sd_json_skip_space (p + 1);
      else if (*p != '}')
        return NULL;
    }
  return g_steal_pointer (&skims);
}
