/* sd-json-skim.c: stepping over JSON text without building it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-json-skim.h"

const char *
sd_json_skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

const char *
sd_json_skip_string (const char *p)
{
  for (p++; *p != '\0'; p++)
    {
      if (*p == '\\')
        {
          if (*++p == '\0')
            return NULL;
        }
      else if (*p == '"')
        return p + 1;
    }
  return NULL;
}

const char *
sd_json_skip_value (const char *p)
{
  int depth = 0;

  p = sd_json_skip_space (p);
  if (*p == '"')
    return sd_json_skip_string (p);
  if (*p != '[' && *p != '{')
    {
      /* A number, true, false or null. */
      while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
        p++;
      return p;
    }
  while (*p != '\0')
    {
      if (*p == '"')
        {
          if ((p = sd_json_skip_string (p)) == NULL)
            return NULL;
          continue;
        }
      if (*p == '[' || *p == '{')
        depth++;
      else if ((*p == ']' || *p == '}') && --depth == 0)
        return p + 1;
      p++;
    }
  return NULL;
}
