/* b24-time.c: the portal clock and its date formats.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double
b24_time_now (void)
{
  return g_get_real_time () / 1e6;
}

char *
b24_time_format (B24Emu *emu,
                 gint64  unix_time)
{
  /* By hand rather than through two GDateTimes and a format: a list of 2 500 rows
   * formats 10 000 times, and that was the emulator's largest cost a row. */
  gint32 offset = g_time_zone_get_offset (emu->tz, g_time_zone_find_interval (emu->tz, G_TIME_TYPE_UNIVERSAL,
                                                                             unix_time));
  time_t local = (time_t) (unix_time + offset);
  gint32 minutes = ABS (offset) / 60;
  struct tm parts;

  gmtime_r (&local, &parts);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                          parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, offset < 0 ? '-' : '+',
                          minutes / 60, minutes % 60);
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
