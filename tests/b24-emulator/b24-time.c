/* b24-time.c: the portal clock and its date formats.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-time.h"

#include <stdio.h>
#include <string.h>

double
b24_time_now (void)
{
  return g_get_real_time () / 1e6;
}

char *
b24_time_format (B24Emu *emu,
                 gint64  unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, emu->tz);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

gboolean
b24_time_parse (B24Emu     *emu,
                const char *text,
                gint64     *unix_time)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, mo, d, h = 0, mi = 0, s = 0;
  char tail;

  if (text == NULL)
    return FALSE;
  if (strlen (text) > 10 && (text[10] == 'T' || text[10] == ' ') && text[4] == '-')
    {
      g_autofree char *iso = g_strdup (text);

      iso[10] = 'T';
      dt = g_date_time_new_from_iso8601 (iso, emu->tz);
    }
  else if (sscanf (text, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3
           || sscanf (text, "%2d.%2d.%4d %2d:%2d:%2d", &d, &mo, &y, &h, &mi, &s) >= 3)
    dt = g_date_time_new (emu->tz, y, mo, d, h, mi, s);
  if (dt == NULL)
    return FALSE;
  *unix_time = g_date_time_to_unix (dt);
  return TRUE;
}

gint64
b24_time_day_start (B24Emu *emu,
                    gint64  unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, emu->tz);
  g_autoptr(GDateTime) midnight = g_date_time_new (emu->tz,
                                                   g_date_time_get_year (local),
                                                   g_date_time_get_month (local),
                                                   g_date_time_get_day_of_month (local),
                                                   0, 0, 0);

  return g_date_time_to_unix (midnight);
}
